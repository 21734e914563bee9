/*
 * Host tests for kernel/dev/psf.c: the real console font (path in $PSF_TEST_FONT), synthetic
 * PSF1/PSF2 fonts with and without unicode tables, and hostile inputs. Every parse runs on an
 * exact-size heap copy so ASan reports any read past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dev/psf.h>

typedef struct buf {
    uint8_t b[16384];
    size_t n;
} buf_t;

static buf_t fb;

/* Appends the low nbytes of v, little-endian. */
static void put_le(buf_t *b, uint32_t v, int nbytes) {
    for (int i = 0; i < nbytes; i++) {
        assert_true(b->n < sizeof(b->b));
        b->b[b->n++] = (uint8_t)(v >> (8 * i));
    }
}

static void puts8(buf_t *b, const char *s) {
    while (*s != '\0') {
        put_le(b, (uint8_t)*s++, 1);
    }
}

/* Glyph g of a synthetic font: every byte is (g * 7 + 1) & 0xff, so glyphs differ and none is
 * blank for small g. */
static void put_glyphs(buf_t *b, uint32_t n, uint32_t bytes) {
    for (uint32_t g = 0; g < n; g++) {
        for (uint32_t i = 0; i < bytes; i++) {
            put_le(b, (g * 7 + 1) & 0xff, 1);
        }
    }
}

static void psf1_header(buf_t *b, uint32_t mode, uint32_t charsize) {
    b->n = 0;
    put_le(b, 0x0436, 2); /* magic 36 04 */
    put_le(b, mode, 1);
    put_le(b, charsize, 1);
}

static void psf2_header(buf_t *b, uint32_t hdrsize, uint32_t flags, uint32_t len, uint32_t cs,
                        uint32_t h, uint32_t w) {
    const uint32_t fields[] = {0x864ab572, 0, hdrsize, flags, len, cs, h, w};
    b->n = 0;
    for (size_t i = 0; i < 8; i++) {
        put_le(b, fields[i], 4);
    }
    while (b->n < hdrsize && b->n < 64) {
        put_le(b, 0xAA, 1);
    }
}

/* Parses the first n bytes of data from an exact-size heap copy; checks invariants on success
 * and that *out is untouched on failure. */
static status_t parse_n(const uint8_t *data, size_t n, psf_font_t *out) {
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, data, n);
    psf_font_t f, before;
    memset(&f, 0x5a, sizeof(f));
    memset(&before, 0x5a, sizeof(before));
    status_t st = psf_parse(copy, n, &f);
    if (st == STATUS_OK) {
        assert_true(f.nglyphs > 0);
        assert_true(f.glyphs >= copy);
        assert_true((uint64_t)(f.glyphs - copy) + (uint64_t)f.nglyphs * f.bytes_per_glyph <= n);
        for (int c = 0; c < 128; c++) {
            assert_true(f.ascii_map[c] < f.nglyphs);
        }
    } else {
        assert_memory_equal(&f, &before, sizeof(f));
    }
    if (out != NULL) {
        *out = f;
    }
    free(copy);
    return st;
}

static status_t parse_buf(const buf_t *b, psf_font_t *out) {
    return parse_n(b->b, b->n, out);
}

/* Index of the glyph psf_glyph(f, c) selects; usable after parse_n freed its copy. */
static uint32_t glyph_of(const psf_font_t *f, uint32_t c) {
    uint32_t g = f->ascii_map[c < 128 ? c : '?'];
    assert_true(g < f->nglyphs);
    return g;
}

static void test_real_font(void **state) {
    (void)state;
    const char *path = getenv("PSF_TEST_FONT");
    if (path == NULL || path[0] == '\0') {
        fail_msg("PSF_TEST_FONT is not set (path to a gunzipped Lat15-Terminus16.psf)");
    }
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        fail_msg("cannot open PSF_TEST_FONT=%s", path);
    }
    static uint8_t raw[65536];
    size_t n = fread(raw, 1, sizeof(raw), fp);
    fclose(fp);
    assert_true(n > 4 && n < sizeof(raw));

    psf_font_t f;
    assert_int_equal(psf_parse(raw, n, &f), STATUS_OK);
    assert_int_equal(f.width, 8);
    assert_int_equal(f.height, 16);
    assert_int_equal(f.nglyphs, 256);
    assert_int_equal(f.bytes_per_row, 1);
    assert_int_equal(f.bytes_per_glyph, 16);
    assert_ptr_equal(f.glyphs, raw + 4);

    const uint8_t *a = psf_glyph(&f, 'A');
    const uint8_t *b = psf_glyph(&f, 'B');
    const uint8_t *q = psf_glyph(&f, '?');
    const uint8_t *sp = psf_glyph(&f, ' ');
    static const uint8_t zero[16];
    assert_memory_not_equal(a, zero, 16);
    assert_memory_not_equal(a, b, 16);
    assert_memory_not_equal(a, q, 16);
    assert_memory_equal(sp, zero, 16);
    /* Non-ASCII falls back to '?', whose glyph is non-blank. */
    assert_ptr_equal(psf_glyph(&f, 0x2603), q);
    assert_memory_not_equal(q, zero, 16);
    for (uint32_t c = 'a'; c <= 'z'; c++) {
        assert_memory_not_equal(psf_glyph(&f, c), psf_glyph(&f, c - 'a' + 'A'), 16);
    }

    /* Every strict prefix is rejected (the table runs to the end of the file). */
    for (size_t k = 0; k < n; k++) {
        assert_int_not_equal(parse_n(raw, k, NULL), STATUS_OK);
    }
    assert_int_equal(parse_n(raw, n, NULL), STATUS_OK);
}

static void test_psf1_no_table(void **state) {
    (void)state;
    psf_font_t f;
    psf1_header(&fb, 0x00, 8);
    put_glyphs(&fb, 256, 8);
    assert_int_equal(parse_buf(&fb, &f), STATUS_OK);
    assert_int_equal(f.nglyphs, 256);
    assert_int_equal(f.width, 8);
    assert_int_equal(f.height, 8);
    assert_int_equal(f.bytes_per_glyph, 8);
    for (uint32_t c = 0; c < 128; c++) {
        assert_int_equal(glyph_of(&f, c), c);
    }
    assert_int_equal(glyph_of(&f, 0xE9), '?');

    /* 512 glyphs; trailing garbage after the glyphs is ignored. */
    psf1_header(&fb, 0x01, 2);
    put_glyphs(&fb, 512, 2);
    puts8(&fb, "trailing");
    assert_int_equal(psf_parse(fb.b, fb.n, &f), STATUS_OK);
    assert_int_equal(f.nglyphs, 512);
    assert_ptr_equal(psf_glyph(&f, 'A'), fb.b + 4 + 2 * 'A');
    assert_int_equal(psf_glyph(&f, 'A')[0], ('A' * 7 + 1) & 0xff);
}

/* 512-glyph PSF1 with a table: A -> 1 (also at 301: lowest wins), B -> 2, '?' -> 3, 'C' in
 * sequences of glyphs 2 and 300 but alone only at 302, 'D' only in a sequence. */
static void build_psf1_table(uint32_t mode) {
    psf1_header(&fb, mode, 4);
    put_glyphs(&fb, 512, 4);
    /* Each row: glyph, then its entries up to a 0. */
    static const uint16_t rows[][6] = {
        {1, 'A', 0x00C0, 0}, {2, 'B', 0xFFFE, 'C', 0x0301, 0},
        {3, '?', 0},         {300, 0xFFFE, 'D', 0xFFFE, 'C', 0},
        {301, 'A', 0},       {302, 'C', 0},
    };
    for (uint32_t g = 0; g < 512; g++) {
        for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
            for (size_t i = 1; rows[r][0] == g && rows[r][i] != 0; i++) {
                put_le(&fb, rows[r][i], 2);
            }
        }
        put_le(&fb, 0xFFFF, 2);
    }
}

static void test_psf1_table(void **state) {
    (void)state;
    psf_font_t f;
    build_psf1_table(0x03);
    assert_int_equal(parse_buf(&fb, &f), STATUS_OK);
    assert_int_equal(f.nglyphs, 512);
    assert_int_equal(glyph_of(&f, 'A'), 1);
    assert_int_equal(glyph_of(&f, 'B'), 2);
    assert_int_equal(glyph_of(&f, 'C'), 302);
    assert_int_equal(glyph_of(&f, '?'), 3);
    assert_int_equal(glyph_of(&f, 'D'), 3);
    assert_int_equal(glyph_of(&f, 0), 3);
    assert_int_equal(glyph_of(&f, 0xC0), 3);

    /* Mode 0x04 (sequences) alone also announces a table. */
    build_psf1_table(0x05);
    assert_int_equal(parse_buf(&fb, &f), STATUS_OK);
    assert_int_equal(glyph_of(&f, 'B'), 2);

    /* No '?' in the table: unmapped code points go to glyph 0. */
    psf1_header(&fb, 0x02, 4);
    put_glyphs(&fb, 256, 4);
    for (uint32_t g = 0; g < 256; g++) {
        if (g == 5) {
            put_le(&fb, 'A', 2);
        }
        put_le(&fb, 0xFFFF, 2);
    }
    assert_int_equal(parse_buf(&fb, &f), STATUS_OK);
    assert_int_equal(glyph_of(&f, 'A'), 5);
    assert_int_equal(glyph_of(&f, 'B'), 0);
    assert_int_equal(glyph_of(&f, '?'), 0);
}

static void test_psf2_no_table(void **state) {
    (void)state;
    psf_font_t f;
    /* 12 pixels wide: 2 bytes per row; 64 glyphs, so 'A' (65) is past the end -> '?'. */
    psf2_header(&fb, 32, 0, 64, 20, 10, 12);
    put_glyphs(&fb, 64, 20);
    assert_int_equal(parse_buf(&fb, &f), STATUS_OK);
    assert_int_equal(f.width, 12);
    assert_int_equal(f.height, 10);
    assert_int_equal(f.bytes_per_row, 2);
    assert_int_equal(f.bytes_per_glyph, 20);
    assert_int_equal(f.nglyphs, 64);
    assert_int_equal(glyph_of(&f, '0'), '0');
    assert_int_equal(glyph_of(&f, 'A'), '?');
    assert_int_equal(glyph_of(&f, 0x1F600), '?');

    /* Fewer glyphs than '?': everything past the end goes to glyph 0. */
    psf2_header(&fb, 32, 0, 16, 16, 16, 8);
    put_glyphs(&fb, 16, 16);
    assert_int_equal(parse_buf(&fb, &f), STATUS_OK);
    assert_int_equal(glyph_of(&f, 15), 15);
    assert_int_equal(glyph_of(&f, 16), 0);
    assert_int_equal(glyph_of(&f, 'A'), 0);
}

/* Six-glyph PSF2 (headersize 40) with a UTF-8 table: A -> 1, B -> 3 (2 has it only in a
 * sequence), glyph 4 is an overlong 'C' (ignored), '?' -> 5. */
static void build_psf2_table(void) {
    psf2_header(&fb, 40, 1, 6, 16, 16, 8);
    put_glyphs(&fb, 6, 16);
    puts8(&fb, "\xE2\x96\x88\xFF");
    puts8(&fb, "A\xC3\x80\xFF");
    puts8(&fb, "\xFE\x42\x43\xFF");                 /* FE B C */
    puts8(&fb, "\xC3\x81\x42\xFE\x45\xCC\x81\xFF"); /* U+00C1 B FE E U+0301 */
    puts8(&fb, "\xC1\x83\xF0\x9F\x98\x80\xFF");     /* overlong C, U+1F600 */
    puts8(&fb, "?\xFF");
}

static void test_psf2_table(void **state) {
    (void)state;
    psf_font_t f;
    build_psf2_table();
    assert_int_equal(parse_buf(&fb, &f), STATUS_OK);
    assert_int_equal(f.nglyphs, 6);
    assert_int_equal(glyph_of(&f, 'A'), 1);
    assert_int_equal(glyph_of(&f, 'B'), 3);
    assert_int_equal(glyph_of(&f, 'C'), 5);
    assert_int_equal(glyph_of(&f, 'E'), 5);
    assert_int_equal(glyph_of(&f, '?'), 5);
    /* On the live buffer: glyphs start at headersize, 'A' is glyph 1, non-ASCII is '?'. */
    assert_int_equal(psf_parse(fb.b, fb.n, &f), STATUS_OK);
    assert_ptr_equal(f.glyphs, fb.b + 40);
    assert_ptr_equal(psf_glyph(&f, 'A'), fb.b + 40 + 16);
    assert_int_equal(psf_glyph(&f, 'A')[0], 8);
    assert_ptr_equal(psf_glyph(&f, 0x2588), fb.b + 40 + 5 * 16);

    /* No '?' in the table: unmapped code points go to glyph 0. */
    psf2_header(&fb, 32, 1, 3, 8, 8, 8);
    put_glyphs(&fb, 3, 8);
    puts8(&fb, "\xFF\x78\xFF\x41\xFF"); /* (none) | x | A */
    assert_int_equal(parse_buf(&fb, &f), STATUS_OK);
    assert_int_equal(glyph_of(&f, 'x'), 1);
    assert_int_equal(glyph_of(&f, 'A'), 2);
    assert_int_equal(glyph_of(&f, 'B'), 0);
    assert_int_equal(glyph_of(&f, '?'), 0);
}

static void test_hostile_headers(void **state) {
    (void)state;
    static const uint8_t psf2_magic[] = {0x72, 0xb5, 0x4a, 0x86};
    psf_font_t f;
    assert_int_equal(psf_parse(NULL, 0, &f), ERR_BAD_FORMAT);
    assert_int_equal(psf_parse(NULL, 4, &f), ERR_INVALID);
    assert_int_equal(psf_parse(psf2_magic, 4, NULL), ERR_INVALID);
    assert_int_equal(parse_n(psf2_magic, 1, NULL), ERR_BAD_FORMAT);
    assert_int_equal(parse_n(psf2_magic, 3, NULL), ERR_BAD_FORMAT);
    assert_int_equal(parse_n(psf2_magic, 4, NULL), ERR_TRUNCATED);

    psf1_header(&fb, 0, 16); /* header only, no glyphs */
    assert_int_equal(parse_n(fb.b, 2, NULL), ERR_TRUNCATED);
    assert_int_equal(parse_n(fb.b, 3, NULL), ERR_TRUNCATED);
    assert_int_equal(parse_buf(&fb, NULL), ERR_TRUNCATED);
    /* {byte offset, value, status}: bad magic, unknown mode bit, zero charsize, and charsize 17
     * (glyph data one row short per glyph). */
    static const int psf1_cases[][3] = {
        {1, 0x05, ERR_BAD_FORMAT}, {2, 0x08, ERR_BAD_FORMAT}, {3, 0, ERR_INVALID},
        {3, 17, ERR_TRUNCATED},    {3, 16, STATUS_OK},
    };
    for (size_t i = 0; i < sizeof(psf1_cases) / sizeof(psf1_cases[0]); i++) {
        psf1_header(&fb, 0, 16);
        put_glyphs(&fb, 256, 16);
        fb.b[psf1_cases[i][0]] = (uint8_t)psf1_cases[i][1];
        assert_int_equal(parse_buf(&fb, NULL), psf1_cases[i][2]);
    }

    psf2_header(&fb, 32, 0, 2, 16, 16, 8);
    put_glyphs(&fb, 2, 16);
    assert_int_equal(parse_buf(&fb, NULL), STATUS_OK);
    assert_int_equal(parse_n(fb.b, 31, NULL), ERR_TRUNCATED);
    assert_int_equal(parse_n(fb.b, fb.n - 1, NULL), ERR_TRUNCATED);
    fb.b[3] = 0x87;
    assert_int_equal(parse_buf(&fb, NULL), ERR_BAD_FORMAT);
}

/* Rewrites one 32-bit header field (index 1 = version ... 7 = width) of the PSF2 in fb. */
static void set_field(uint32_t idx, uint32_t v) {
    size_t n = fb.n;
    fb.n = idx * 4;
    put_le(&fb, v, 4);
    fb.n = n;
}

static void test_hostile_psf2_fields(void **state) {
    (void)state;
    struct {
        uint32_t idx, val;
        status_t want;
    } cases[] = {
        {1, 1, ERR_BAD_FORMAT},         /* version */
        {2, 16, ERR_BAD_FORMAT},        /* headersize below the header */
        {2, 69, ERR_TRUNCATED},         /* headersize past the end (len 32+2*16) */
        {2, 0xFFFFFFFF, ERR_TRUNCATED}, /* headersize far past the end */
        {3, 2, ERR_BAD_FORMAT},         /* unknown flag */
        {4, 0, ERR_INVALID},            /* zero glyphs */
        {4, 3, ERR_TRUNCATED},          /* one glyph more than present */
        {4, 0x80000000, ERR_TRUNCATED}, /* length*charsize wraps to 0 in 32 bits */
        {4, 0xFFFFFFFF, ERR_TRUNCATED}, /* huge length */
        {5, 15, ERR_INVALID},           /* charsize != height * 1 */
        {5, 0, ERR_INVALID},
        {6, 0, ERR_INVALID},          /* zero height */
        {7, 0, ERR_INVALID},          /* zero width */
        {7, 9, ERR_INVALID},          /* 9 wide needs 2 bytes per row */
        {7, 0xFFFFFFFF, ERR_INVALID}, /* width + 7 wraps in 32 bits */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        psf2_header(&fb, 32, 0, 2, 16, 16, 8);
        put_glyphs(&fb, 2, 16);
        set_field(cases[i].idx, cases[i].val);
        assert_int_equal(parse_buf(&fb, NULL), cases[i].want);
    }

    /* height * bytes_per_row = 2^32 + 8 would equal charsize 8 in 32-bit arithmetic. */
    psf2_header(&fb, 32, 0, 1, 8, 0x20000001, 64);
    put_glyphs(&fb, 1, 8);
    assert_int_equal(parse_buf(&fb, NULL), ERR_INVALID);
    /* Largest consistent sizes: headersize + length * charsize ~ 2^64 must not wrap. */
    psf2_header(&fb, 32, 0, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 8);
    assert_int_equal(parse_buf(&fb, NULL), ERR_TRUNCATED);
}

static void test_hostile_tables(void **state) {
    (void)state;
    /* PSF1: every cut inside the table, including mid-uint16, is truncation. */
    build_psf1_table(0x03);
    size_t glyph_end = 4 + 512 * 4;
    for (size_t k = glyph_end; k < fb.n; k++) {
        assert_int_equal(parse_n(fb.b, k, NULL), ERR_TRUNCATED);
    }
    assert_int_equal(parse_n(fb.b, glyph_end + 3, NULL), ERR_TRUNCATED);

    /* PSF2: same, including a cut in the middle of a 3-byte UTF-8 character. */
    build_psf2_table();
    glyph_end = 40 + 6 * 16;
    for (size_t k = glyph_end; k < fb.n; k++) {
        assert_int_equal(parse_n(fb.b, k, NULL), ERR_TRUNCATED);
    }
    assert_int_equal(parse_n(fb.b, glyph_end + 2, NULL), ERR_TRUNCATED);

    /* Malformed UTF-8: stray continuation byte as lead, bad continuation, 0xF8 lead. */
    const char *bad[] = {"\x80\xFF", "\xC3\x41\xFF", "\xE2\x96\xFF\xFF", "\xF8\xFF"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        psf2_header(&fb, 32, 1, 1, 8, 8, 8);
        put_glyphs(&fb, 1, 8);
        puts8(&fb, bad[i]);
        assert_int_equal(parse_buf(&fb, NULL), ERR_BAD_FORMAT);
    }
}

/* Deterministic mutation fuzz: random bytes overwritten in valid fonts and random lengths;
 * parse_n checks bounds invariants on success and ASan catches over-reads. */
static void test_fuzz(void **state) {
    (void)state;
    uint32_t seed = 12345;
    buf_t orig;
    for (int round = 0; round < 3000; round++) {
        if (round % 3 == 0) {
            build_psf1_table(round % 2 ? 0x03 : 0x02);
        } else {
            build_psf2_table();
        }
        orig = fb;
        int flips = 1 + round % 4;
        for (int i = 0; i < flips; i++) {
            seed = seed * 1103515245 + 12345;
            size_t pos = (seed >> 8) % (round % 5 == 0 ? orig.n : 48);
            seed = seed * 1103515245 + 12345;
            orig.b[pos] = (uint8_t)(seed >> 16);
        }
        seed = seed * 1103515245 + 12345;
        size_t n = round % 7 == 0 ? (seed >> 8) % (orig.n + 1) : orig.n;
        (void)parse_n(orig.b, n, NULL);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_font),
        cmocka_unit_test(test_psf1_no_table),
        cmocka_unit_test(test_psf1_table),
        cmocka_unit_test(test_psf2_no_table),
        cmocka_unit_test(test_psf2_table),
        cmocka_unit_test(test_hostile_headers),
        cmocka_unit_test(test_hostile_psf2_fields),
        cmocka_unit_test(test_hostile_tables),
        cmocka_unit_test(test_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
