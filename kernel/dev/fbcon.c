/*
 * Text console on the GOP linear framebuffer, drawn with the PSF font embedded at build
 * time (Debian console-setup-linux, see kernel/CMakeLists.txt). Light grey on black,
 * scrolls by moving pixel rows. Only the console lock's holder calls fbcon_write.
 */
#include <dev/console.h>
#include <dev/font.h>
#include <dev/psf.h>
#include <kernel/string.h>
#include <mm/physmap.h>

static struct {
    volatile uint32_t *pixels;
    uint32_t width, height, pitch; /* pitch in pixels */
    uint32_t fg, bg;
    unsigned cols, rows, x, y;
    psf_font_t font;
    int ready;
} fb;

static uint32_t pack_rgb(const bootinfo_framebuffer_t *info, uint8_t r, uint8_t g, uint8_t b) {
    switch (info->format) {
    case BOOT_FB_RGBX:
        return r | (g << 8) | ((uint32_t)b << 16);
    case BOOT_FB_BGRX:
        return b | (g << 8) | ((uint32_t)r << 16);
    default: {
        /* PixelBitMask: scale each 8-bit channel into its mask. */
        uint32_t masks[3] = {info->red_mask, info->green_mask, info->blue_mask};
        uint8_t vals[3] = {r, g, b};
        uint32_t px = 0;
        for (int i = 0; i < 3; i++) {
            uint32_t m = masks[i];
            if (m == 0) {
                continue;
            }
            int shift = __builtin_ctz(m);
            uint32_t max = m >> shift;
            px |= ((vals[i] * max / 255) << shift) & m;
        }
        return px;
    }
    }
}

status_t fbcon_init(const bootinfo_framebuffer_t *info) {
    if (info->base == 0 || info->format == BOOT_FB_NONE || info->width == 0) {
        return ERR_UNSUPPORTED;
    }
    status_t st = psf_parse(exo_font_psf, exo_font_psf_size, &fb.font);
    if (st != STATUS_OK) {
        return ERR_BAD_FORMAT;
    }
    fb.pixels = phys_to_virt(info->base);
    fb.width = info->width;
    fb.height = info->height;
    fb.pitch = info->pitch;
    fb.fg = pack_rgb(info, 0xc0, 0xc0, 0xc0);
    fb.bg = pack_rgb(info, 0, 0, 0);
    fb.cols = fb.width / fb.font.width;
    fb.rows = fb.height / fb.font.height;
    fb.x = fb.y = 0;
    for (uint32_t i = 0; i < fb.pitch * fb.height; i++) {
        fb.pixels[i] = fb.bg;
    }
    fb.ready = 1;
    return STATUS_OK;
}

void fbcon_size(unsigned *cols, unsigned *rows) {
    *cols = fb.ready ? fb.cols : 0;
    *rows = fb.ready ? fb.rows : 0;
}

static void draw_glyph(unsigned cx, unsigned cy, char c) {
    const uint8_t *g = psf_glyph(&fb.font, (unsigned char)c);
    uint32_t x0 = cx * fb.font.width, y0 = cy * fb.font.height;
    for (uint32_t row = 0; row < fb.font.height; row++) {
        volatile uint32_t *line = fb.pixels + (y0 + row) * fb.pitch + x0;
        const uint8_t *bits = g + row * fb.font.bytes_per_row;
        for (uint32_t col = 0; col < fb.font.width; col++) {
            line[col] = (bits[col / 8] & (0x80 >> (col % 8))) ? fb.fg : fb.bg;
        }
    }
}

static void scroll(void) {
    uint32_t row_px = fb.font.height * fb.pitch;
    uint32_t keep = (fb.rows - 1) * row_px;
    memmove((void *)fb.pixels, (const void *)(fb.pixels + row_px), keep * sizeof(uint32_t));
    for (uint32_t i = keep; i < fb.rows * row_px; i++) {
        fb.pixels[i] = fb.bg;
    }
}

static void newline(void) {
    fb.x = 0;
    if (++fb.y == fb.rows) {
        scroll();
        fb.y = fb.rows - 1;
    }
}

void fbcon_write(const char *s, size_t n) {
    if (!fb.ready) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n') {
            newline();
        } else if (c == '\r') {
            fb.x = 0;
        } else if (c == '\b') {
            fb.x = fb.x ? fb.x - 1 : 0;
        } else if (c == '\t') {
            fb.x = (fb.x + 8) & ~7u;
            if (fb.x >= fb.cols) {
                newline();
            }
        } else {
            draw_glyph(fb.x, fb.y, c);
            if (++fb.x == fb.cols) {
                newline();
            }
        }
    }
}
