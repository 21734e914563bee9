/*
 * PC Screen Font (PSF1 and PSF2) parsing, for the framebuffer console's embedded font
 * (taken at build time from Debian's console-setup-linux). Pure and host-tested.
 */
#pragma once

#include <exo/status.h>
#include <stdint.h>

typedef struct psf_font {
    const uint8_t *glyphs; /* glyph bitmaps, bytes_per_glyph each */
    uint32_t nglyphs;
    uint32_t width;           /* pixels */
    uint32_t height;          /* pixels */
    uint32_t bytes_per_row;   /* (width + 7) / 8 */
    uint32_t bytes_per_glyph; /* height * bytes_per_row for valid fonts */
    uint32_t ascii_map[128];  /* glyph index for each ASCII code point (from the unicode
                                 table if present, else identity); missing -> '?' glyph */
} psf_font_t;

/* Parses a decompressed PSF1 or PSF2 file. ERR_BAD_FORMAT (magic/mode/header),
 * ERR_TRUNCATED (glyphs or unicode table beyond len), ERR_INVALID (zero glyphs, bad sizes). */
status_t psf_parse(const void *data, uint64_t len, psf_font_t *out);

/* Bitmap of the glyph for code point c (non-ASCII -> the '?' glyph); rows are
 * bytes_per_row bytes, MSB = leftmost pixel. */
const uint8_t *psf_glyph(const psf_font_t *f, uint32_t c);
