/*
 * PSF1/PSF2 font parsing (contract in <dev/psf.h>). The input is treated as hostile: every
 * offset is checked against len in 64-bit arithmetic that cannot overflow (all operands are
 * at most 32-bit values before a single multiply or add), and data may be unaligned.
 */
#include <dev/psf.h>
#include <kernel/string.h>
#include <stdbool.h>
#include <stddef.h>

#define PSF1_MAGIC0 0x36
#define PSF1_MAGIC1 0x04
#define PSF1_HEADER_SIZE 4
#define PSF1_MODE_512 0x01
#define PSF1_MODE_HASTAB 0x02
#define PSF1_MODE_SEQ 0x04
#define PSF1_SEPARATOR 0xFFFF
#define PSF1_STARTSEQ 0xFFFE

#define PSF2_MAGIC 0x864ab572u
#define PSF2_HEADER_SIZE 32
#define PSF2_FLAG_HASTAB 0x01
#define PSF2_SEPARATOR 0xFF
#define PSF2_STARTSEQ 0xFE

#define PSF_UNMAPPED UINT32_MAX

/*
 * *out is written only on success. Trailing bytes after the glyphs (no table) or after the
 * table are ignored. Status choices: input too short to hold the magic, or a wrong magic, is
 * ERR_BAD_FORMAT; a right magic with the header cut off, a PSF2 headersize past the end,
 * glyphs past the end or a unicode table ending mid-glyph is ERR_TRUNCATED; unknown mode or
 * flag bits, PSF2 version != 0, headersize < 32 and malformed UTF-8 in the table are
 * ERR_BAD_FORMAT; zero glyphs, zero width/height/charsize and charsize != height *
 * bytes_per_row are ERR_INVALID.
 *
 * ascii_map: when a code point < 128 is listed for several glyphs, the lowest glyph wins.
 * Sequences (after 0xFFFE / 0xFE) never map. Multi-byte UTF-8 never maps (so overlong
 * encodings of ASCII are ignored). Every ascii_map entry is < nglyphs on success.
 */

static uint32_t psf_rd16(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t psf_rd32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void psf_map_set(psf_font_t *f, uint32_t cp, uint32_t glyph) {
    if (cp < 128 && f->ascii_map[cp] == PSF_UNMAPPED) {
        f->ascii_map[cp] = glyph;
    }
}

/* Reads the PSF1 table at [p, p+n): per glyph, LE uint16 entries up to 0xFFFF. */
static status_t psf1_read_table(const uint8_t *p, uint64_t n, psf_font_t *f) {
    uint64_t off = 0;
    for (uint32_t g = 0; g < f->nglyphs; g++) {
        bool in_seq = false;
        for (;;) {
            if (n - off < 2) {
                return ERR_TRUNCATED;
            }
            uint32_t u = psf_rd16(p + off);
            off += 2;
            if (u == PSF1_SEPARATOR) {
                break;
            }
            if (u == PSF1_STARTSEQ) {
                in_seq = true;
            } else if (!in_seq) {
                psf_map_set(f, u, g);
            }
        }
    }
    return STATUS_OK;
}

/* Length of the UTF-8 sequence that lead byte b starts, 0 if b cannot start one. */
static uint32_t psf_utf8_len(uint8_t b) {
    if (b < 0x80) {
        return 1;
    }
    if ((b & 0xE0) == 0xC0) {
        return 2;
    }
    if ((b & 0xF0) == 0xE0) {
        return 3;
    }
    if ((b & 0xF8) == 0xF0) {
        return 4;
    }
    return 0;
}

/* Reads the PSF2 table at [p, p+n): per glyph, UTF-8 characters up to 0xFF. */
static status_t psf2_read_table(const uint8_t *p, uint64_t n, psf_font_t *f) {
    uint64_t off = 0;
    for (uint32_t g = 0; g < f->nglyphs; g++) {
        bool in_seq = false;
        for (;;) {
            if (off >= n) {
                return ERR_TRUNCATED;
            }
            uint8_t b = p[off];
            if (b == PSF2_SEPARATOR) {
                off++;
                break;
            }
            if (b == PSF2_STARTSEQ) {
                in_seq = true;
                off++;
                continue;
            }
            uint32_t clen = psf_utf8_len(b);
            if (clen == 0) {
                return ERR_BAD_FORMAT;
            }
            if (n - off < clen) {
                return ERR_TRUNCATED;
            }
            for (uint32_t i = 1; i < clen; i++) {
                if ((p[off + i] & 0xC0) != 0x80) {
                    return ERR_BAD_FORMAT;
                }
            }
            if (clen == 1 && !in_seq) {
                psf_map_set(f, b, g);
            }
            off += clen;
        }
    }
    return STATUS_OK;
}

/* Parses the PSF1 header and locates glyphs and table; fills f except ascii_map. */
static status_t psf1_parse(const uint8_t *d, uint64_t len, psf_font_t *f, uint64_t *table_off,
                           bool *has_table) {
    if (len < PSF1_HEADER_SIZE) {
        return ERR_TRUNCATED;
    }
    uint32_t mode = d[2];
    uint32_t charsize = d[3];
    if ((mode & ~(uint32_t)(PSF1_MODE_512 | PSF1_MODE_HASTAB | PSF1_MODE_SEQ)) != 0) {
        return ERR_BAD_FORMAT;
    }
    if (charsize == 0) {
        return ERR_INVALID;
    }
    f->nglyphs = (mode & PSF1_MODE_512) ? 512 : 256;
    f->width = 8;
    f->height = charsize;
    f->bytes_per_row = 1;
    f->bytes_per_glyph = charsize;
    uint64_t end = PSF1_HEADER_SIZE + (uint64_t)f->nglyphs * charsize;
    if (end > len) {
        return ERR_TRUNCATED;
    }
    f->glyphs = d + PSF1_HEADER_SIZE;
    *table_off = end;
    *has_table = (mode & (PSF1_MODE_HASTAB | PSF1_MODE_SEQ)) != 0;
    return STATUS_OK;
}

/* Parses the PSF2 header and locates glyphs and table; fills f except ascii_map. */
static status_t psf2_parse(const uint8_t *d, uint64_t len, psf_font_t *f, uint64_t *table_off,
                           bool *has_table) {
    if (len < PSF2_HEADER_SIZE) {
        return ERR_TRUNCATED;
    }
    uint32_t version = psf_rd32(d + 4);
    uint32_t headersize = psf_rd32(d + 8);
    uint32_t flags = psf_rd32(d + 12);
    uint32_t length = psf_rd32(d + 16);
    uint32_t charsize = psf_rd32(d + 20);
    uint32_t height = psf_rd32(d + 24);
    uint32_t width = psf_rd32(d + 28);

    if (version != 0 || headersize < PSF2_HEADER_SIZE || (flags & ~PSF2_FLAG_HASTAB) != 0) {
        return ERR_BAD_FORMAT;
    }
    if (headersize > len) {
        return ERR_TRUNCATED;
    }
    if (length == 0 || width == 0 || height == 0 || charsize == 0) {
        return ERR_INVALID;
    }
    uint64_t bpr = ((uint64_t)width + 7) / 8;
    if ((uint64_t)height * bpr != charsize) {
        return ERR_INVALID;
    }
    uint64_t end = (uint64_t)headersize + (uint64_t)length * charsize;
    if (end > len) {
        return ERR_TRUNCATED;
    }
    f->glyphs = d + headersize;
    f->nglyphs = length;
    f->width = width;
    f->height = height;
    f->bytes_per_row = (uint32_t)bpr;
    f->bytes_per_glyph = charsize;
    *table_off = end;
    *has_table = (flags & PSF2_FLAG_HASTAB) != 0;
    return STATUS_OK;
}

/* Resolves unmapped entries: identity without a table, then the '?' glyph, then glyph 0. */
static void psf_map_finish(psf_font_t *f, bool had_table) {
    if (!had_table) {
        for (uint32_t c = 0; c < 128 && c < f->nglyphs; c++) {
            f->ascii_map[c] = c;
        }
    }
    uint32_t fallback = f->ascii_map['?'] != PSF_UNMAPPED ? f->ascii_map['?'] : 0;
    for (uint32_t c = 0; c < 128; c++) {
        if (f->ascii_map[c] == PSF_UNMAPPED) {
            f->ascii_map[c] = fallback;
        }
    }
}

status_t psf_parse(const void *data, uint64_t len, psf_font_t *out) {
    const uint8_t *d = data;
    psf_font_t f;
    uint64_t table_off = 0;
    bool has_table = false;
    bool is_psf1 = false;
    status_t st;

    if (out == NULL || (d == NULL && len != 0)) {
        return ERR_INVALID;
    }
    memset(&f, 0, sizeof(f));
    if (len >= 2 && d[0] == PSF1_MAGIC0 && d[1] == PSF1_MAGIC1) {
        is_psf1 = true;
        st = psf1_parse(d, len, &f, &table_off, &has_table);
    } else if (len >= 4 && psf_rd32(d) == PSF2_MAGIC) {
        st = psf2_parse(d, len, &f, &table_off, &has_table);
    } else {
        return ERR_BAD_FORMAT;
    }
    if (st != STATUS_OK) {
        return st;
    }

    for (uint32_t c = 0; c < 128; c++) {
        f.ascii_map[c] = PSF_UNMAPPED;
    }
    if (has_table) {
        st = is_psf1 ? psf1_read_table(d + table_off, len - table_off, &f)
                     : psf2_read_table(d + table_off, len - table_off, &f);
        if (st != STATUS_OK) {
            return st;
        }
    }
    psf_map_finish(&f, has_table);
    *out = f;
    return STATUS_OK;
}

/* f must come from a successful psf_parse; an out-of-range map entry (a hand-built f) still
 * yields glyph 0 rather than a pointer past the glyphs. */
const uint8_t *psf_glyph(const psf_font_t *f, uint32_t c) {
    uint32_t g = f->ascii_map[c < 128 ? c : '?'];
    if (g >= f->nglyphs) {
        g = 0;
    }
    return f->glyphs + (size_t)g * f->bytes_per_glyph;
}
