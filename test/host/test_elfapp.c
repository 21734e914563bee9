/*
 * Host tests for kernel/loader/elfapp.c: an exact parse and load of an in-memory static PIE,
 * one hostile file per rule, every truncation, a seeded mutation loop, and a real static PIE
 * linked by the toolchain (path in $ELFAPP_TEST_SEED, built by test/fuzz).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <loader/elfapp.h>

#include "test_util.h"

#include "test_elfapp_build.h"

/* Every promise of a successful elfapp_parse that can be checked from app and size. */
static bool app_consistent(const elfapp_t *app, uint64_t size) {
    bool entry_ok = false;
    if (app->nsegments < 1 || app->nsegments > ELFAPP_MAX_SEGMENTS || app->span > ELFAPP_MAX_SPAN ||
        app->span % PAGE != 0) {
        return false;
    }
    for (uint32_t i = 0; i < app->nsegments; i++) {
        const elfapp_segment_t *s = &app->seg[i];
        if (s->start % PAGE != 0 || s->size % PAGE != 0 || s->size == 0 ||
            s->start != (s->vaddr & ~(PAGE - 1)) || s->mem_size == 0 ||
            s->file_size > s->mem_size || s->vaddr - s->start + s->mem_size > s->size ||
            s->start + s->size > app->span || s->file_off > size ||
            s->file_size > size - s->file_off || s->vaddr % PAGE != s->file_off % PAGE ||
            (s->prot & ~(ELFAPP_PROT_R | ELFAPP_PROT_W | ELFAPP_PROT_X)) != 0 ||
            ((s->prot & ELFAPP_PROT_W) && (s->prot & ELFAPP_PROT_X))) {
            return false;
        }
        if (i > 0 && app->seg[i - 1].start + app->seg[i - 1].size > s->start) {
            return false;
        }
        if ((s->prot & ELFAPP_PROT_X) && app->entry >= s->vaddr &&
            app->entry - s->vaddr < s->mem_size) {
            entry_ok = true;
        }
    }
    const elfapp_segment_t *last = &app->seg[app->nsegments - 1];
    return entry_ok && last->start + last->size == app->span &&
           app->rela_count <= size / sizeof(elf64_rela_t) && app->rela_off <= size &&
           app->rela_count * sizeof(elf64_rela_t) <= size - app->rela_off;
}

/* A sink into a zeroed buffer of span bytes (or bounds checks only, when buf is NULL). */
typedef struct image {
    uint8_t *buf;
    uint64_t span;
    uint64_t writes;
    uint64_t fail_at; /* the write with this 1-based number returns ERR_NO_MEMORY; 0: never */
} image_t;

static status_t image_write(void *arg, uint64_t off, const void *src, uint64_t len) {
    image_t *img = arg;
    if (off > img->span || len > img->span - off) {
        fail_msg("write of %llu bytes at %#llx outside span %#llx", (unsigned long long)len,
                 (unsigned long long)off, (unsigned long long)img->span);
    }
    img->writes++;
    if (img->writes == img->fail_at) {
        return ERR_NO_MEMORY;
    }
    if (img->buf != NULL) {
        memcpy(img->buf + off, src, len);
    }
    return STATUS_OK;
}

static void image_open(image_t *img, const elfapp_t *app) {
    memset(img, 0, sizeof(*img));
    img->span = app->span;
    if (app->span <= TA_BUFFER_LIMIT) {
        img->buf = calloc(1, app->span);
        assert_non_null(img->buf);
    }
}

static status_t image_load(image_t *img, const elfapp_t *app, const uint8_t *file, uint64_t size,
                           uint64_t base) {
    elfapp_sink_t sink = {.write = image_write, .arg = img};
    return elfapp_load(app, file, size, base, &sink);
}

static uint64_t get64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = v << 8 | p[i];
    }
    return v;
}

/*
 * The image elfapp_load must produce, derived independently: zeroes, each segment's file
 * bytes, then every relocation read straight from the file. Caller frees.
 */
static uint8_t *reference_image(const elfapp_t *app, const uint8_t *file, uint64_t base) {
    uint8_t *ref = calloc(1, app->span);
    assert_non_null(ref);
    for (uint32_t i = 0; i < app->nsegments; i++) {
        const elfapp_segment_t *s = &app->seg[i];
        memcpy(ref + s->vaddr, file + s->file_off, s->file_size);
    }
    for (uint64_t i = 0; i < app->rela_count; i++) {
        elf64_rela_t r;
        memcpy(&r, file + app->rela_off + i * sizeof(r), sizeof(r));
        uint64_t v = base + (uint64_t)r.r_addend;
        for (int b = 0; b < 8; b++) {
            ref[r.r_offset + b] = (uint8_t)(v >> (8 * b));
        }
    }
    return ref;
}

/* Emits t and parses it; *why is always set on return. */
static status_t run(const tapp_t *t, elfapp_t *app, const char **why) {
    uint8_t *buf = ta_emit(t);
    *why = NULL;
    status_t st = elfapp_parse(buf, t->size, app, why);
    free(buf);
    assert_non_null(*why);
    return st;
}

static void expect_fail(const tapp_t *t, status_t want, const char *want_why) {
    elfapp_t app;
    const char *why;
    status_t st = run(t, &app, &why);
    if (st != want || strcmp(why, want_why) != 0) {
        fail_msg("got %s \"%s\", want %s \"%s\"", status_str(st), why, status_str(want), want_why);
    }
}

/* Parses t, which must be accepted, checks the description and loads it at BASE. */
static void expect_ok_app(const tapp_t *t, elfapp_t *app) {
    uint8_t *buf = ta_emit(t);
    const char *why = NULL;
    status_t st = elfapp_parse(buf, t->size, app, &why);
    if (st != STATUS_OK) {
        fail_msg("got %s \"%s\", want success", status_str(st), why);
    }
    assert_string_equal(why, "ok");
    assert_true(app_consistent(app, t->size));
    image_t img;
    image_open(&img, app);
    assert_int_equal(image_load(&img, app, buf, t->size, BASE), STATUS_OK);
    if (img.buf != NULL) {
        uint8_t *ref = reference_image(app, buf, BASE);
        assert_memory_equal(img.buf, ref, app->span);
        free(ref);
    }
    free(img.buf);
    free(buf);
}

static void expect_ok(const tapp_t *t) {
    elfapp_t app;
    expect_ok_app(t, &app);
}

static void assert_seg(const elfapp_segment_t *s, uint64_t start, uint64_t size, uint64_t vaddr,
                       uint64_t file_off, uint64_t file_size, uint64_t mem_size, uint32_t prot) {
    assert_int_equal(s->start, start);
    assert_int_equal(s->size, size);
    assert_int_equal(s->vaddr, vaddr);
    assert_int_equal(s->file_off, file_off);
    assert_int_equal(s->file_size, file_size);
    assert_int_equal(s->mem_size, mem_size);
    assert_int_equal(s->prot, prot);
}

static void test_valid_parse(void **state) {
    tapp_t t;
    elfapp_t app;
    const char *why;
    ta_valid(&t);
    memset(&app, 0xa5, sizeof(app));
    assert_int_equal(run(&t, &app, &why), STATUS_OK);
    assert_string_equal(why, "ok");
    assert_int_equal(app.span, 0x5000);
    assert_int_equal(app.entry, 0x1010);
    assert_int_equal(app.nsegments, 3);
    assert_seg(&app.seg[0], 0, 0x1000, 0, 0, 0x300, 0x300, ELFAPP_PROT_R);
    assert_seg(&app.seg[1], 0x1000, 0x1000, 0x1000, 0x1000, 0x180, 0x180,
               ELFAPP_PROT_R | ELFAPP_PROT_X);
    assert_seg(&app.seg[2], 0x3000, 0x2000, 0x3100, 0x2100, 0x200, 0x1400,
               ELFAPP_PROT_R | ELFAPP_PROT_W);
    assert_int_equal(app.rela_off, 0x200);
    assert_int_equal(app.rela_count, 4);
    assert_true(app_consistent(&app, t.size));
}

/* The exact bytes of the loaded image, at a high base and at base 0 (negative addend wraps). */
static void test_valid_load(void **state) {
    static const uint64_t bases[] = {BASE, 0, (1ull << 47) - 0x5000};
    tapp_t t;
    elfapp_t app;
    ta_valid(&t);
    uint8_t *file = ta_emit(&t);
    assert_int_equal(elfapp_parse(file, t.size, &app, NULL), STATUS_OK);
    for (size_t k = 0; k < sizeof(bases) / sizeof(bases[0]); k++) {
        uint64_t base = bases[k];
        image_t img;
        image_open(&img, &app);
        assert_int_equal(image_load(&img, &app, file, t.size, base), STATUS_OK);
        assert_int_equal(img.writes, 3 + 4); /* one per segment, one per relocation */
        const uint8_t *m = img.buf;
        for (uint64_t a = 0; a < app.span; a++) {
            uint8_t want = 0; /* gaps, page slack and bss */
            if (a < 0x300 || (a >= 0x1000 && a < 0x1180)) {
                want = file[a];
            } else if (a >= 0x3100 && a < 0x3300) {
                want = file[a - 0x1000];
            }
            bool relocated = (a >= 0x3180 && a < 0x3188) || (a >= 0x3200 && a < 0x3208) ||
                             (a >= 0x3191 && a < 0x3199) || (a >= 0x4000 && a < 0x4008);
            if (!relocated && m[a] != want) {
                fail_msg("base %#llx: byte %#llx is %#x, want %#x", (unsigned long long)base,
                         (unsigned long long)a, m[a], want);
            }
        }
        assert_int_equal(get64(m + 0x3180), base + 0x1010);
        assert_int_equal(get64(m + 0x3200), base + 0x3100);
        assert_int_equal(get64(m + 0x3191), base - 0x10);
        assert_int_equal(get64(m + 0x4000), base + 0x200);
        assert_int_equal(m[0x1100], test_elf_pattern(0x1100)); /* text is the file's bytes */
        assert_int_equal(m[0x3250], test_elf_pattern(0x2250)); /* data comes from 0x1000 lower */
        free(img.buf);
    }
    free(file);
}

/* Without PT_DYNAMIC there is nothing to relocate: the file bytes stay as they are. */
static void test_no_dynamic(void **state) {
    tapp_t t;
    elfapp_t app;
    ta_valid(&t);
    t.ph[PH_DYN].p_type = PT_NULL;
    expect_ok_app(&t, &app);
    assert_int_equal(app.rela_count, 0);
    assert_int_equal(app.rela_off, 0);
    /* An empty PT_DYNAMIC (no entries at all) is the same. */
    ta_valid(&t);
    t.ph[PH_DYN].p_filesz = 0;
    expect_ok_app(&t, &app);
    assert_int_equal(app.rela_count, 0);
    /* DT_RELASZ 0 with a DT_RELA: no relocations either. */
    ta_valid(&t);
    ta_dyn_set(&t, DT_RELASZ, 0);
    expect_ok_app(&t, &app);
    assert_int_equal(app.rela_count, 0);
}

/* The loader's buffer carries no alignment promise; UBSan checks the accesses. */
static void test_unaligned_buffer_and_null_why(void **state) {
    tapp_t t;
    elfapp_t app;
    ta_valid(&t);
    uint8_t *raw = malloc(t.size + 7);
    assert_non_null(raw);
    for (uint64_t shift = 1; shift <= 7; shift++) {
        ta_write(&t, raw + shift);
        assert_int_equal(elfapp_parse(raw + shift, t.size, &app, NULL), STATUS_OK);
        assert_int_equal(app.rela_count, 4);
        image_t img;
        image_open(&img, &app);
        assert_int_equal(image_load(&img, &app, raw + shift, t.size, BASE), STATUS_OK);
        assert_int_equal(get64(img.buf + 0x3191), BASE - 0x10);
        free(img.buf);
    }
    free(raw);
}

static void test_bad_arguments(void **state) {
    elfapp_t app;
    const char *why = NULL;
    assert_int_equal(elfapp_parse(NULL, 64, &app, &why), ERR_INVALID);
    assert_non_null(why);
    why = NULL;
    assert_int_equal(elfapp_parse(NULL, 0, &app, &why), ERR_TRUNCATED);
    assert_non_null(why);
    uint8_t byte = 0x7f;
    assert_int_equal(elfapp_parse(&byte, 1, NULL, &why), ERR_INVALID);

    tapp_t t;
    ta_valid(&t);
    uint8_t *file = ta_emit(&t);
    assert_int_equal(elfapp_parse(file, t.size, &app, NULL), STATUS_OK);
    image_t img;
    image_open(&img, &app);
    elfapp_sink_t sink = {.write = image_write, .arg = &img};
    elfapp_sink_t no_write = {.write = NULL, .arg = &img};
    assert_int_equal(elfapp_load(NULL, file, t.size, BASE, &sink), ERR_INVALID);
    assert_int_equal(elfapp_load(&app, NULL, t.size, BASE, &sink), ERR_INVALID);
    assert_int_equal(elfapp_load(&app, file, t.size, BASE, NULL), ERR_INVALID);
    assert_int_equal(elfapp_load(&app, file, t.size, BASE, &no_write), ERR_INVALID);
    assert_int_equal(img.writes, 0);
    free(img.buf);
    free(file);
}

/* base must be page-aligned and base + span must not pass 2^47, without overflow. */
static void test_load_base(void **state) {
    tapp_t t;
    elfapp_t app;
    ta_valid(&t);
    uint8_t *file = ta_emit(&t);
    assert_int_equal(elfapp_parse(file, t.size, &app, NULL), STATUS_OK);
    image_t img;
    image_open(&img, &app);
    assert_int_equal(image_load(&img, &app, file, t.size, BASE + 1), ERR_ALIGN);
    assert_int_equal(image_load(&img, &app, file, t.size, BASE + 0x800), ERR_ALIGN);
    assert_int_equal(image_load(&img, &app, file, t.size, UINT64_MAX), ERR_ALIGN);
    assert_int_equal(image_load(&img, &app, file, t.size, 1ull << 47), ERR_RANGE);
    assert_int_equal(image_load(&img, &app, file, t.size, (1ull << 47) - 0x4000), ERR_RANGE);
    assert_int_equal(image_load(&img, &app, file, t.size, 0ull - PAGE), ERR_RANGE);
    assert_int_equal(image_load(&img, &app, file, t.size, 1ull << 63), ERR_RANGE);
    assert_int_equal(img.writes, 0);
    assert_int_equal(image_load(&img, &app, file, t.size, (1ull << 47) - 0x5000), STATUS_OK);
    free(img.buf);
    free(file);
}

/* A description that does not fit the file, or a file changed after parsing, is refused
 * before anything is read or written out of bounds. */
static void test_load_rechecks(void **state) {
    tapp_t t;
    elfapp_t app;
    elfapp_t bad;
    ta_valid(&t);
    uint8_t *file = ta_emit(&t);
    assert_int_equal(elfapp_parse(file, t.size, &app, NULL), STATUS_OK);
    image_t img;
    image_open(&img, &app);
    assert_int_equal(image_load(&img, &app, file, t.size - 1, BASE), ERR_INVALID);
    bad = app;
    bad.seg[2].mem_size = 0x10000;
    assert_int_equal(image_load(&img, &bad, file, t.size, BASE), ERR_INVALID);
    bad = app;
    bad.seg[0].file_off = UINT64_MAX;
    assert_int_equal(image_load(&img, &bad, file, t.size, BASE), ERR_INVALID);
    bad = app;
    bad.rela_count = UINT64_MAX / 8;
    assert_int_equal(image_load(&img, &bad, file, t.size, BASE), ERR_INVALID);
    bad = app;
    bad.nsegments = ELFAPP_MAX_SEGMENTS + 1;
    assert_int_equal(image_load(&img, &bad, file, t.size, BASE), ERR_INVALID);
    bad = app;
    bad.span = ELFAPP_MAX_SPAN + PAGE;
    assert_int_equal(image_load(&img, &bad, file, t.size, BASE), ERR_INVALID);
    assert_int_equal(img.writes, 0);

    /* The file changes under the loader: a relocation turns symbolic, another escapes. */
    elf64_rela_t r = ta_rela(0x3180, 0);
    r.r_info = ELF64_R_INFO(0, R_X86_64_64);
    memcpy(file + 0x200 + sizeof(r), &r, sizeof(r));
    assert_int_equal(image_load(&img, &app, file, t.size, BASE), ERR_UNSUPPORTED);
    r = ta_rela(app.span - 4, 0);
    memcpy(file + 0x200 + sizeof(r), &r, sizeof(r));
    assert_int_equal(image_load(&img, &app, file, t.size, BASE), ERR_RANGE);
    free(img.buf);
    free(file);
}

/* The sink's first error is returned as is and ends the load. */
static void test_load_sink_error(void **state) {
    tapp_t t;
    elfapp_t app;
    ta_valid(&t);
    uint8_t *file = ta_emit(&t);
    assert_int_equal(elfapp_parse(file, t.size, &app, NULL), STATUS_OK);
    for (uint64_t k = 1; k <= 7; k++) {
        image_t img;
        image_open(&img, &app);
        img.fail_at = k;
        assert_int_equal(image_load(&img, &app, file, t.size, BASE), ERR_NO_MEMORY);
        assert_int_equal(img.writes, k);
        free(img.buf);
    }
    free(file);
}

/* Every prefix of the valid file fails as truncated, reading only the prefix. */
static void test_truncated_every_length(void **state) {
    tapp_t t;
    ta_valid(&t);
    uint8_t *full = ta_emit(&t);
    for (uint64_t len = 0; len < t.size; len++) {
        uint8_t *part = malloc(len ? len : 1);
        assert_non_null(part);
        memcpy(part, full, len);
        elfapp_t app;
        const char *why = NULL;
        status_t st = elfapp_parse(part, len, &app, &why);
        free(part);
        if (st != ERR_TRUNCATED || why == NULL) {
            fail_msg("length %llu: got %s \"%s\"", (unsigned long long)len, status_str(st), why);
        }
    }
    free(full);
}

static void test_magic(void **state) {
    tapp_t t;
    ta_valid(&t);
    t.eh.e_ident[1] = 'X';
    expect_fail(&t, ERR_BAD_FORMAT, "not an ELF file (bad magic)");
    ta_valid(&t);
    t.eh.e_ident[0] = 0;
    expect_fail(&t, ERR_BAD_FORMAT, "not an ELF file (bad magic)");
    ta_valid(&t);
    t.size = 2; /* "\x7fX": short, and already not ELF */
    t.eh.e_ident[1] = 'X';
    expect_fail(&t, ERR_BAD_FORMAT, "not an ELF file (bad magic)");
    ta_valid(&t);
    t.size = 3; /* "\x7fEL": short, but so far ELF */
    expect_fail(&t, ERR_TRUNCATED, "file truncated: smaller than the ELF header");
}

static void test_class(void **state) {
    tapp_t t;
    ta_valid(&t);
    t.eh.e_ident[EI_CLASS] = 1; /* ELFCLASS32 */
    expect_fail(&t, ERR_BAD_FORMAT, "ELF class is not 64-bit");
    t.eh.e_ident[EI_CLASS] = 0;
    expect_fail(&t, ERR_BAD_FORMAT, "ELF class is not 64-bit");
}

static void test_data(void **state) {
    tapp_t t;
    ta_valid(&t);
    t.eh.e_ident[EI_DATA] = 2; /* ELFDATA2MSB */
    expect_fail(&t, ERR_BAD_FORMAT, "ELF data is not little-endian");
}

static void test_version(void **state) {
    tapp_t t;
    ta_valid(&t);
    t.eh.e_ident[EI_VERSION] = 0;
    expect_fail(&t, ERR_BAD_FORMAT, "ELF version is not 1");
    ta_valid(&t);
    t.eh.e_version = 2;
    expect_fail(&t, ERR_BAD_FORMAT, "ELF version is not 1");
}

static void test_type(void **state) {
    tapp_t t;
    ta_valid(&t);
    t.eh.e_type = ET_EXEC;
    expect_fail(&t, ERR_UNSUPPORTED, "ELF type is ET_EXEC: apps must be static PIE (ET_DYN)");
    t.eh.e_type = 1; /* ET_REL */
    expect_fail(&t, ERR_BAD_FORMAT, "ELF type is not ET_DYN (static PIE)");
    t.eh.e_type = 4; /* ET_CORE */
    expect_fail(&t, ERR_BAD_FORMAT, "ELF type is not ET_DYN (static PIE)");
}

static void test_machine(void **state) {
    tapp_t t;
    ta_valid(&t);
    t.eh.e_machine = 3; /* EM_386 */
    expect_fail(&t, ERR_BAD_FORMAT, "machine is not x86-64");
    t.eh.e_machine = 183; /* EM_AARCH64 */
    expect_fail(&t, ERR_BAD_FORMAT, "machine is not x86-64");
}

static void test_phentsize(void **state) {
    tapp_t t;
    ta_valid(&t);
    t.eh.e_phentsize = 64;
    expect_fail(&t, ERR_BAD_FORMAT, "program header entry size is not 56");
    t.eh.e_phentsize = 0;
    expect_fail(&t, ERR_BAD_FORMAT, "program header entry size is not 56");
}

static void test_phdr_table(void **state) {
    tapp_t t;
    ta_valid(&t);
    t.eh.e_phoff = t.size + 1;
    expect_fail(&t, ERR_TRUNCATED, "file truncated: program headers start past end");
    t.eh.e_phoff = UINT64_MAX;
    expect_fail(&t, ERR_TRUNCATED, "file truncated: program headers start past end");
    /* 1171 * 56 wraps to 40 in 16 bits: the size must be computed wide. */
    ta_valid(&t);
    t.eh.e_phnum = 1171;
    expect_fail(&t, ERR_TRUNCATED, "file truncated: program headers extend past end");
    t.eh.e_phnum = 0xffff;
    expect_fail(&t, ERR_TRUNCATED, "file truncated: program headers extend past end");
    /* A table ending exactly at the end of the file is fine; one byte later is not. */
    ta_valid(&t);
    t.size += PH_COUNT * sizeof(elf64_phdr_t);
    t.eh.e_phoff = t.size - PH_COUNT * sizeof(elf64_phdr_t);
    expect_ok(&t);
    t.eh.e_phoff++;
    expect_fail(&t, ERR_TRUNCATED, "file truncated: program headers extend past end");
}

static void test_load_count(void **state) {
    tapp_t t;
    ta_valid(&t);
    t.eh.e_phnum = 0;
    expect_fail(&t, ERR_BAD_FORMAT, "no PT_LOAD segment");
    ta_valid(&t);
    t.ph[PH_R].p_type = t.ph[PH_RX].p_type = t.ph[PH_RW].p_type = PT_NULL;
    expect_fail(&t, ERR_BAD_FORMAT, "no PT_LOAD segment");
    ta_many(&t, 1);
    expect_ok(&t);
    ta_many(&t, ELFAPP_MAX_SEGMENTS);
    elfapp_t app;
    expect_ok_app(&t, &app);
    assert_int_equal(app.nsegments, ELFAPP_MAX_SEGMENTS);
    assert_int_equal(app.span, ELFAPP_MAX_SEGMENTS * PAGE);
    ta_many(&t, ELFAPP_MAX_SEGMENTS + 1);
    expect_fail(&t, ERR_TOO_BIG, "too many PT_LOAD segments (more than 8)");
}

static void test_align(void **state) {
    static const uint64_t ok[] = {0, 1, 2, 8, PAGE, 0x200000, 1ull << 63};
    static const uint64_t bad[] = {3, 0x3000, 0x1001, UINT64_MAX, (1ull << 63) + PAGE};
    tapp_t t;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        ta_valid(&t);
        t.ph[PH_RW].p_align = ok[i];
        expect_ok(&t);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ta_valid(&t);
        t.ph[PH_RX].p_align = bad[i];
        expect_fail(&t, ERR_ALIGN, "PT_LOAD alignment is not a power of two");
    }
}

static void test_congruence(void **state) {
    tapp_t t;
    ta_valid(&t);
    t.ph[PH_RW].p_vaddr = 0x3110;
    expect_fail(&t, ERR_ALIGN, "PT_LOAD vaddr and file offset differ modulo the page size");
    ta_valid(&t);
    t.ph[PH_RX].p_offset = 0x1008;
    expect_fail(&t, ERR_ALIGN, "PT_LOAD vaddr and file offset differ modulo the page size");
    /* Congruent but not equal is the normal case (RW: vaddr 0x3100, offset 0x2100). */
    ta_valid(&t);
    t.ph[PH_RX].p_vaddr = 0x2000;
    t.eh.e_entry = 0x2010;
    expect_ok(&t);
}

static void test_filesz_memsz(void **state) {
    tapp_t t;
    ta_valid(&t);
    t.ph[PH_RX].p_filesz = t.ph[PH_RX].p_memsz + 1;
    expect_fail(&t, ERR_INVALID, "PT_LOAD has file size larger than memory size");
    ta_valid(&t);
    t.ph[PH_R].p_filesz = t.ph[PH_R].p_memsz = 0;
    expect_fail(&t, ERR_INVALID, "PT_LOAD has zero size in memory");
    /* A segment that is all bss is fine. */
    ta_valid(&t);
    t.ph[PH_RW].p_filesz = 0;
    t.ph[PH_DYN].p_type = PT_NULL;
    expect_ok(&t);
}

static void test_segment_in_file(void **state) {
    tapp_t t;
    /* The RW segment ends exactly at the end of the file; one byte more is past it. */
    ta_valid(&t);
    t.ph[PH_RW].p_filesz++;
    expect_fail(&t, ERR_TRUNCATED, "PT_LOAD file data extends past end of file");
    /* offset + filesz wraps to a small value: a naive sum would pass. */
    ta_valid(&t);
    t.ph[PH_RW].p_offset = 0xfffffffffffff100ull;
    t.ph[PH_RW].p_filesz = 0x1000; /* the sum is 0x100 */
    expect_fail(&t, ERR_TRUNCATED, "PT_LOAD file data extends past end of file");
    ta_valid(&t);
    t.ph[PH_RW].p_offset = 0x3100; /* past the end (0x2300) */
    t.ph[PH_RW].p_filesz = 0;
    expect_fail(&t, ERR_TRUNCATED, "PT_LOAD file data extends past end of file");
    /* An empty segment at the very end of the file is inside it. */
    ta_valid(&t);
    t.ph[PH_RW].p_offset = 0x2300;
    t.ph[PH_RW].p_vaddr = 0x3300;
    t.ph[PH_RW].p_filesz = 0;
    t.ph[PH_DYN].p_type = PT_NULL;
    expect_ok(&t);
}

static void test_order_and_overlap(void **state) {
    tapp_t t;
    ta_valid(&t);
    elf64_phdr_t tmp = t.ph[PH_R];
    t.ph[PH_R] = t.ph[PH_RX];
    t.ph[PH_RX] = tmp;
    expect_fail(&t, ERR_OVERLAP, "PT_LOAD segments are not in ascending order");
    /* RW starts in the page where RX ends. */
    ta_valid(&t);
    t.ph[PH_RW].p_vaddr = 0x1100;
    expect_fail(&t, ERR_OVERLAP, "PT_LOAD segments share a page");
    /* RX starts right after R ends, in the same page. */
    ta_valid(&t);
    t.ph[PH_RX].p_vaddr = 0x300;
    t.ph[PH_RX].p_offset = 0x1300;
    t.eh.e_entry = 0x310;
    expect_fail(&t, ERR_OVERLAP, "PT_LOAD segments share a page");
    /* Same start. */
    ta_valid(&t);
    t.ph[PH_RX].p_vaddr = 0;
    t.eh.e_entry = 0x10;
    expect_fail(&t, ERR_OVERLAP, "PT_LOAD segments share a page");
    /* Segments in adjacent pages are fine. */
    ta_valid(&t);
    t.ph[PH_RW].p_vaddr = 0x2100;
    ta_dyn_del(&t, DT_RELA);
    ta_dyn_del(&t, DT_RELASZ);
    expect_ok(&t);
}

static void test_write_execute(void **state) {
    tapp_t t;
    ta_valid(&t);
    t.ph[PH_RX].p_flags = PF_R | PF_W | PF_X;
    expect_fail(&t, ERR_PERM, "PT_LOAD is both writable and executable");
    ta_valid(&t);
    t.ph[PH_RW].p_flags = PF_W | PF_X;
    expect_fail(&t, ERR_PERM, "PT_LOAD is both writable and executable");
    /* Unknown flag bits are dropped, and execute-only is allowed. */
    ta_valid(&t);
    t.ph[PH_RX].p_flags = PF_X | 0xff00000;
    elfapp_t app;
    expect_ok_app(&t, &app);
    assert_int_equal(app.seg[1].prot, ELFAPP_PROT_X);
}

static void test_span(void **state) {
    tapp_t t;
    elfapp_t app;
    /* The RW segment ends exactly ELFAPP_MAX_SPAN above vaddr 0: allowed. */
    ta_valid(&t);
    t.ph[PH_RW].p_memsz = ELFAPP_MAX_SPAN - 0x3100;
    expect_ok_app(&t, &app);
    assert_int_equal(app.span, ELFAPP_MAX_SPAN);
    t.ph[PH_RW].p_memsz++;
    expect_fail(&t, ERR_TOO_BIG, "image spans more than 1 GiB");
    ta_valid(&t);
    t.ph[PH_RW].p_memsz = UINT64_MAX;
    expect_fail(&t, ERR_TOO_BIG, "image spans more than 1 GiB");
    ta_valid(&t);
    t.ph[PH_RW].p_memsz = (0 - t.ph[PH_RW].p_vaddr) + 0x1000; /* vaddr + memsz wraps */
    expect_fail(&t, ERR_TOO_BIG, "image spans more than 1 GiB");
    ta_valid(&t);
    t.ph[PH_RW].p_vaddr = ELFAPP_MAX_SPAN + 0x100;
    expect_fail(&t, ERR_TOO_BIG, "image spans more than 1 GiB");
    ta_valid(&t);
    t.ph[PH_RW].p_vaddr = 0xfffffffffffff100ull;
    t.ph[PH_RW].p_filesz = t.ph[PH_RW].p_memsz = 0x10;
    expect_fail(&t, ERR_TOO_BIG, "image spans more than 1 GiB");
}

static void test_interp(void **state) {
    tapp_t t;
    ta_valid(&t);
    t.ph[PH_RELRO].p_type = PT_INTERP;
    expect_fail(&t, ERR_UNSUPPORTED, "has PT_INTERP: needs a dynamic linker");
}

static void test_tls(void **state) {
    tapp_t t;
    ta_valid(&t);
    t.ph[PH_RELRO].p_type = PT_TLS;
    expect_fail(&t, ERR_UNSUPPORTED, "has PT_TLS: thread-local storage is not supported");
}

static void test_gnu_stack(void **state) {
    tapp_t t;
    ta_valid(&t);
    t.ph[PH_STACK].p_flags = PF_R | PF_W | PF_X;
    expect_fail(&t, ERR_PERM, "PT_GNU_STACK asks for an executable stack");
    t.ph[PH_STACK].p_flags = PF_X;
    expect_fail(&t, ERR_PERM, "PT_GNU_STACK asks for an executable stack");
    t.ph[PH_STACK].p_type = PT_NULL; /* no PT_GNU_STACK at all */
    expect_ok(&t);
}

static void test_entry(void **state) {
    tapp_t t;
    ta_valid(&t);
    t.eh.e_entry = 0x1000;
    expect_ok(&t);
    t.eh.e_entry = 0x117f; /* last byte of the executable segment */
    expect_ok(&t);
    t.eh.e_entry = 0x1180; /* page-rounded slack is not code */
    expect_fail(&t, ERR_RANGE, "entry point is not in an executable segment");
    t.eh.e_entry = 0x100; /* read-only data */
    expect_fail(&t, ERR_RANGE, "entry point is not in an executable segment");
    t.eh.e_entry = 0x3100; /* data */
    expect_fail(&t, ERR_RANGE, "entry point is not in an executable segment");
    t.eh.e_entry = 0xfff;
    expect_fail(&t, ERR_RANGE, "entry point is not in an executable segment");
    t.eh.e_entry = UINT64_MAX;
    expect_fail(&t, ERR_RANGE, "entry point is not in an executable segment");
}

/* PT_GNU_RELRO, PT_NOTE, PT_PHDR, PT_GNU_EH_FRAME and unknown types are not read at all. */
static void test_ignored_headers(void **state) {
    static const uint32_t types[] = {PT_NULL,         PT_NOTE,      PT_PHDR,
                                     PT_GNU_EH_FRAME, PT_GNU_RELRO, 0x60000000,
                                     0x6fffffff,      0x70000000,   0xffffffff};
    tapp_t t;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        ta_valid(&t);
        t.ph[PH_RELRO] = test_elf_phdr(types[i], PF_R | PF_W | PF_X, UINT64_MAX, UINT64_MAX - 1,
                                       UINT64_MAX, 3, 3);
        expect_ok(&t);
    }
}

static void test_dynamic_placement(void **state) {
    tapp_t t;
    ta_valid(&t);
    t.ph[PH_DYN].p_offset = t.size;
    expect_fail(&t, ERR_TRUNCATED, "PT_DYNAMIC extends past end of file");
    ta_valid(&t);
    t.ph[PH_DYN].p_offset = t.size - 0x70;
    expect_fail(&t, ERR_TRUNCATED, "PT_DYNAMIC extends past end of file");
    ta_valid(&t);
    t.ph[PH_DYN].p_offset = 0xfffffffffffffff0ull;
    expect_fail(&t, ERR_TRUNCATED, "PT_DYNAMIC extends past end of file");
    ta_valid(&t);
    t.ph[PH_DYN].p_filesz = UINT64_MAX - 0xf;
    expect_fail(&t, ERR_TRUNCATED, "PT_DYNAMIC extends past end of file");
    ta_valid(&t);
    t.ph[PH_DYN].p_filesz = 0x78;
    expect_fail(&t, ERR_BAD_FORMAT, "PT_DYNAMIC size is not a multiple of 16");
    ta_valid(&t);
    t.ph[PH_RELRO] = t.ph[PH_DYN];
    expect_fail(&t, ERR_BAD_FORMAT, "more than one PT_DYNAMIC");
}

/* Entries are read until DT_NULL or the end of PT_DYNAMIC, whichever comes first. */
static void test_dynamic_end(void **state) {
    tapp_t t;
    elfapp_t app;
    ta_valid(&t);
    t.dyn[6] = (elf64_dyn_t){DT_NEEDED, 1}; /* after DT_NULL: never read */
    t.dyn[7] = (elf64_dyn_t){DT_TEXTREL, 0};
    expect_ok(&t);
    /* No DT_NULL at all: the table ends with PT_DYNAMIC. */
    ta_valid(&t);
    t.dyn[5] = t.dyn[6] = t.dyn[7] = (elf64_dyn_t){DT_DEBUG, 0};
    expect_ok_app(&t, &app);
    assert_int_equal(app.rela_count, 4);
    /* Only entries inside PT_DYNAMIC count, even if the file goes on. */
    ta_valid(&t);
    t.ph[PH_DYN].p_filesz = 0x60;
    t.dyn[5] = t.dyn[6] = (elf64_dyn_t){DT_DEBUG, 0};
    t.dyn[7] = (elf64_dyn_t){DT_NEEDED, 1};
    expect_ok(&t);
    /* Cut before DT_RELASZ: DT_RELA is left alone. */
    ta_valid(&t);
    t.ph[PH_DYN].p_filesz = 0x10;
    expect_fail(&t, ERR_BAD_FORMAT, "DT_RELA without DT_RELASZ");
}

static void test_dt_needed(void **state) {
    tapp_t t;
    ta_valid(&t);
    ta_dyn_set(&t, DT_NEEDED, 1);
    expect_fail(&t, ERR_UNSUPPORTED, "needs shared libraries (DT_NEEDED)");
}

static void test_dt_rel(void **state) {
    tapp_t t;
    ta_valid(&t);
    ta_dyn_set(&t, DT_REL, 0x200);
    expect_fail(&t, ERR_UNSUPPORTED, "has REL relocations (DT_REL): only RELA is supported");
    ta_valid(&t);
    ta_dyn_set(&t, DT_RELSZ, 16);
    expect_fail(&t, ERR_UNSUPPORTED, "has REL relocations (DT_REL): only RELA is supported");
    ta_valid(&t);
    ta_dyn_set(&t, DT_RELR, 0x200);
    expect_fail(&t, ERR_UNSUPPORTED, "has packed RELR relocations: only RELA is supported");
    ta_valid(&t);
    ta_dyn_set(&t, DT_RELRSZ, 8);
    expect_fail(&t, ERR_UNSUPPORTED, "has packed RELR relocations: only RELA is supported");
}

static void test_dt_jmprel(void **state) {
    tapp_t t;
    ta_valid(&t);
    ta_dyn_set(&t, DT_JMPREL, 0x260);
    ta_dyn_set(&t, DT_PLTRELSZ, sizeof(elf64_rela_t));
    expect_fail(&t, ERR_UNSUPPORTED, "has PLT relocations (DT_JMPREL): only RELA is supported");
    /* An empty PLT table asks for nothing. */
    ta_valid(&t);
    ta_dyn_set(&t, DT_JMPREL, 0x260);
    ta_dyn_set(&t, DT_PLTRELSZ, 0);
    ta_dyn_set(&t, DT_PLTREL, DT_RELA);
    expect_ok(&t);
}

static void test_textrel(void **state) {
    tapp_t t;
    ta_valid(&t);
    ta_dyn_set(&t, DT_TEXTREL, 0);
    expect_fail(&t, ERR_PERM, "has text relocations (DT_TEXTREL)");
    ta_valid(&t);
    ta_dyn_set(&t, DT_FLAGS, DF_TEXTREL | DF_BIND_NOW);
    expect_fail(&t, ERR_PERM, "has text relocations (DF_TEXTREL in DT_FLAGS)");
    ta_valid(&t);
    ta_dyn_set(&t, DT_FLAGS, DF_BIND_NOW);
    expect_ok(&t);
}

static void test_relaent(void **state) {
    tapp_t t;
    ta_valid(&t);
    ta_dyn_set(&t, DT_RELAENT, 16);
    expect_fail(&t, ERR_BAD_FORMAT, "DT_RELAENT is not 24");
    ta_dyn_set(&t, DT_RELAENT, 0);
    expect_fail(&t, ERR_BAD_FORMAT, "DT_RELAENT is not 24");
    ta_valid(&t);
    ta_dyn_del(&t, DT_RELAENT); /* optional */
    expect_ok(&t);
}

static void test_rela_size(void **state) {
    tapp_t t;
    ta_valid(&t);
    ta_dyn_del(&t, DT_RELASZ);
    expect_fail(&t, ERR_BAD_FORMAT, "DT_RELA without DT_RELASZ");
    ta_valid(&t);
    ta_dyn_del(&t, DT_RELA);
    expect_fail(&t, ERR_BAD_FORMAT, "DT_RELASZ without DT_RELA");
    ta_valid(&t);
    ta_dyn_set(&t, DT_RELASZ, 4 * sizeof(elf64_rela_t) - 1);
    expect_fail(&t, ERR_BAD_FORMAT, "DT_RELASZ is not a multiple of 24");
    ta_valid(&t);
    t.dyn[5] = (elf64_dyn_t){DT_RELA, 0x200};
    expect_fail(&t, ERR_BAD_FORMAT, "more than one DT_RELA");
    ta_valid(&t);
    t.dyn[5] = (elf64_dyn_t){DT_RELASZ, 24};
    expect_fail(&t, ERR_BAD_FORMAT, "more than one DT_RELASZ");
    /* Fewer entries than the file holds: only those are applied. */
    ta_valid(&t);
    ta_dyn_set(&t, DT_RELASZ, 2 * sizeof(elf64_rela_t));
    elfapp_t app;
    expect_ok_app(&t, &app);
    assert_int_equal(app.rela_count, 2);
}

/* DT_RELA is a vaddr; the whole table must be file bytes of one PT_LOAD. */
static void test_rela_translation(void **state) {
    static const uint64_t bad[] = {0x2f0,  0x300,  0x1170, 0x2000,        0x3400,
                                   0x32f0, 0x4fe8, 0x5000, UINT64_MAX - 8};
    tapp_t t;
    elfapp_t app;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ta_valid(&t);
        ta_dyn_set(&t, DT_RELA, bad[i]);
        expect_fail(&t, ERR_RANGE, "DT_RELA table is not inside one segment's file bytes");
    }
    /* A table in the data segment: vaddr 0x3220 is file offset 0x2220. */
    ta_valid(&t);
    ta_dyn_set(&t, DT_RELA, 0x3220);
    t.rela_off = 0x2220;
    expect_ok_app(&t, &app);
    assert_int_equal(app.rela_off, 0x2220);
    /* A table ending exactly at the end of the segment's file bytes. */
    ta_valid(&t);
    ta_dyn_set(&t, DT_RELA, 0x300 - 4 * sizeof(elf64_rela_t));
    t.rela_off = 0x300 - 4 * sizeof(elf64_rela_t);
    expect_ok_app(&t, &app);
    assert_int_equal(app.rela_off, 0x2a0);
    /* A huge DT_RELASZ (a multiple of 24) must not wrap the bounds check. */
    ta_valid(&t);
    ta_dyn_set(&t, DT_RELASZ, 0xfffffffffffffff0ull);
    expect_fail(&t, ERR_RANGE, "DT_RELA table is not inside one segment's file bytes");
}

static void test_rela_type(void **state) {
    static const uint64_t infos[] = {
        ELF64_R_INFO(0, R_X86_64_NONE),
        ELF64_R_INFO(0, R_X86_64_64),
        ELF64_R_INFO(0, R_X86_64_PC32),
        ELF64_R_INFO(1, R_X86_64_GLOB_DAT),
        ELF64_R_INFO(1, R_X86_64_JUMP_SLOT),
        ELF64_R_INFO(0, R_X86_64_IRELATIVE),
        ELF64_R_INFO(0, 0x108),
    };
    tapp_t t;
    for (size_t i = 0; i < sizeof(infos) / sizeof(infos[0]); i++) {
        ta_valid(&t);
        t.rela[3].r_info = infos[i];
        elfapp_t app;
        const char *why;
        assert_int_equal(run(&t, &app, &why), ERR_UNSUPPORTED);
        assert_non_null(strstr(why, "only R_X86_64_RELATIVE"));
        assert_string_equal(why, "relocation of type other than R_X86_64_RELATIVE (only "
                                 "R_X86_64_RELATIVE is supported)");
    }
    ta_valid(&t);
    t.rela[0].r_info = ELF64_R_INFO(1, R_X86_64_RELATIVE);
    expect_fail(&t, ERR_UNSUPPORTED,
                "relocation names a symbol (only R_X86_64_RELATIVE with symbol 0)");
    ta_valid(&t);
    t.rela[0].r_info = ELF64_R_INFO(0xffffffffu, R_X86_64_RELATIVE);
    expect_fail(&t, ERR_UNSUPPORTED,
                "relocation names a symbol (only R_X86_64_RELATIVE with symbol 0)");
}

/* r_offset .. r_offset + 8 must lie inside a writable segment's [vaddr, vaddr + mem_size). */
static void test_rela_target(void **state) {
    static const uint64_t ok[] = {0x3100, 0x3101, 0x3300, 0x44f8};
    static const uint64_t bad[] = {0x100,  0x1000,         0x1100,    0x2000, 0x30ff,
                                   0x30f9, 0x44f9,         0x44ff,    0x4500, 0x4ff8,
                                   0x5000, UINT64_MAX - 3, UINT64_MAX};
    tapp_t t;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        ta_valid(&t);
        t.rela[3].r_offset = ok[i];
        expect_ok(&t);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ta_valid(&t);
        t.rela[3].r_offset = bad[i];
        expect_fail(&t, ERR_RANGE, "relocation target is not 8 bytes inside a writable segment");
    }
    /* A writable segment of fewer than 8 bytes holds no relocation at all. */
    ta_valid(&t);
    t.ph[PH_RW].p_memsz = t.ph[PH_RW].p_filesz = 4;
    for (int i = 0; i < 4; i++) {
        t.rela[i].r_offset = 0x3100;
    }
    expect_fail(&t, ERR_RANGE, "relocation target is not 8 bytes inside a writable segment");
}

/*
 * Mutates the valid file, mostly in its headers and tables, and requires every outcome to be
 * a clean failure with a reason, or a consistent description that loads inside [0, span).
 */
static void test_mutation_fuzz(void **state) {
    static const uint64_t interesting[] = {
        0,
        1,
        8,
        24,
        0x40,
        0x200,
        0x1000,
        0x3100,
        0x4000,
        0x2300,
        ELFAPP_MAX_SPAN,
        UINT64_MAX,
        UINT64_MAX - 0xfff,
        0x8000000000000000ull,
        ELF64_R_INFO(0, R_X86_64_RELATIVE),
        ELF64_R_INFO(1, R_X86_64_64),
        DT_RELA,
        DT_RELASZ,
        DT_NEEDED,
        DT_TEXTREL,
        DT_JMPREL,
        DT_PLTRELSZ,
    };
    /* Regions the parser reads: headers, the RELA table, the dynamic table. */
    static const uint64_t hot[][2] = {{0, 0x1c8}, {0x200, 0x260}, {0x2100, 0x2180}};
    tapp_t t;
    ta_valid(&t);
    uint8_t *valid = ta_emit(&t);
    uint8_t *buf = malloc(t.size);
    assert_non_null(buf);
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    unsigned ok = 0;
    unsigned failed = 0;

    for (int iter = 0; iter < 20000; iter++) {
        memcpy(buf, valid, t.size);
        int nmut = 1 + (int)(xorshift64(&seed) % 4);
        for (int m = 0; m < nmut; m++) {
            uint64_t r = xorshift64(&seed);
            uint64_t pos;
            if ((r & 7) == 0) {
                pos = (r >> 8) % t.size;
            } else {
                const uint64_t *h = hot[(r >> 58) % 3];
                pos = h[0] + (r >> 8) % (h[1] - h[0]);
            }
            switch ((r >> 5) % 3) {
            case 0:
                buf[pos] ^= (uint8_t)(1u << ((r >> 40) % 8));
                break;
            case 1:
                buf[pos] = (uint8_t)(r >> 48);
                break;
            default:
                pos &= ~7ull;
                uint64_t v = interesting[(r >> 40) % (sizeof(interesting) / sizeof(*interesting))];
                memcpy(buf + pos, &v, sizeof(v) <= t.size - pos ? sizeof(v) : t.size - pos);
                break;
            }
        }
        elfapp_t app;
        const char *why = NULL;
        status_t st = elfapp_parse(buf, t.size, &app, &why);
        assert_non_null(why);
        if (st != STATUS_OK) {
            failed++;
            assert_true(st < 0);
            continue;
        }
        ok++;
        if (!app_consistent(&app, t.size)) {
            fail_msg("iteration %d: inconsistent success", iter);
        }
        image_t img;
        image_open(&img, &app);
        if (image_load(&img, &app, buf, t.size, BASE) != STATUS_OK) {
            fail_msg("iteration %d: accepted but does not load", iter);
        }
        if (img.buf != NULL) {
            uint8_t *ref = reference_image(&app, buf, BASE);
            assert_memory_equal(img.buf, ref, app.span);
            free(ref);
        }
        free(img.buf);
    }
    free(buf);
    free(valid);
    print_message("mutations: %u accepted, %u rejected\n", ok, failed);
    /* Both outcomes must occur, or the loop is not exercising the parser. */
    assert_true(ok > 1000);
    assert_true(failed > 1000);
}

/* A static PIE linked by clang + ld.lld from test/fuzz/seed_app.c. */
static void test_real_pie(void **state) {
    const char *path = getenv("ELFAPP_TEST_SEED");
    FILE *fp = path != NULL && path[0] != '\0' ? fopen(path, "rb") : NULL;
    if (fp == NULL) {
        print_message("skipping: ELFAPP_TEST_SEED (the seed_app.elf static PIE) is %s\n",
                      path == NULL || path[0] == '\0' ? "not set" : "unreadable");
        skip();
        return;
    }
    static uint8_t raw[1 << 20];
    size_t n = fread(raw, 1, sizeof(raw), fp);
    fclose(fp);
    assert_true(n > sizeof(elf64_ehdr_t) && n < sizeof(raw));
    uint8_t *file = malloc(n); /* exact size, for ASan */
    assert_non_null(file);
    memcpy(file, raw, n);

    elfapp_t app;
    const char *why = NULL;
    status_t st = elfapp_parse(file, n, &app, &why);
    if (st != STATUS_OK) {
        fail_msg("%s: %s: %s", path, status_str(st), why);
    }
    assert_true(app_consistent(&app, n));
    assert_true(app.rela_count >= 5); /* seed_hooks, seed_table, seed_names */
    bool has_x = false;
    bool has_bss = false;
    for (uint32_t i = 0; i < app.nsegments; i++) {
        has_x |= (app.seg[i].prot & ELFAPP_PROT_X) != 0;
        has_bss |= (app.seg[i].prot & ELFAPP_PROT_W) != 0 &&
                   app.seg[i].mem_size >= app.seg[i].file_size + 8192;
    }
    assert_true(has_x);
    assert_true(has_bss);

    image_t img;
    image_open(&img, &app);
    assert_int_equal(image_load(&img, &app, file, n, BASE), STATUS_OK);
    uint8_t *ref = reference_image(&app, file, BASE);
    assert_memory_equal(img.buf, ref, app.span);
    free(ref);
    /* Every relocated word holds base + addend; every such word points into the image. */
    for (uint64_t i = 0; i < app.rela_count; i++) {
        elf64_rela_t r;
        memcpy(&r, file + app.rela_off + i * sizeof(r), sizeof(r));
        assert_int_equal(get64(img.buf + r.r_offset), BASE + (uint64_t)r.r_addend);
        assert_true(r.r_addend >= 0 && (uint64_t)r.r_addend < app.span);
    }
    /* Past each segment's file bytes all is zero (the seed relocates only file-backed data). */
    for (uint32_t i = 0; i < app.nsegments; i++) {
        const elfapp_segment_t *s = &app.seg[i];
        for (uint64_t a = s->vaddr + s->file_size; a < s->start + s->size; a++) {
            assert_int_equal(img.buf[a], 0);
        }
    }
    free(img.buf);
    free(file);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_parse),
        cmocka_unit_test(test_valid_load),
        cmocka_unit_test(test_no_dynamic),
        cmocka_unit_test(test_unaligned_buffer_and_null_why),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_load_base),
        cmocka_unit_test(test_load_rechecks),
        cmocka_unit_test(test_load_sink_error),
        cmocka_unit_test(test_truncated_every_length),
        cmocka_unit_test(test_magic),
        cmocka_unit_test(test_class),
        cmocka_unit_test(test_data),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_type),
        cmocka_unit_test(test_machine),
        cmocka_unit_test(test_phentsize),
        cmocka_unit_test(test_phdr_table),
        cmocka_unit_test(test_load_count),
        cmocka_unit_test(test_align),
        cmocka_unit_test(test_congruence),
        cmocka_unit_test(test_filesz_memsz),
        cmocka_unit_test(test_segment_in_file),
        cmocka_unit_test(test_order_and_overlap),
        cmocka_unit_test(test_write_execute),
        cmocka_unit_test(test_span),
        cmocka_unit_test(test_interp),
        cmocka_unit_test(test_tls),
        cmocka_unit_test(test_gnu_stack),
        cmocka_unit_test(test_entry),
        cmocka_unit_test(test_ignored_headers),
        cmocka_unit_test(test_dynamic_placement),
        cmocka_unit_test(test_dynamic_end),
        cmocka_unit_test(test_dt_needed),
        cmocka_unit_test(test_dt_rel),
        cmocka_unit_test(test_dt_jmprel),
        cmocka_unit_test(test_textrel),
        cmocka_unit_test(test_relaent),
        cmocka_unit_test(test_rela_size),
        cmocka_unit_test(test_rela_translation),
        cmocka_unit_test(test_rela_type),
        cmocka_unit_test(test_rela_target),
        cmocka_unit_test(test_mutation_fuzz),
        cmocka_unit_test(test_real_pie),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
