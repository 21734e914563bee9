/* The console font, a PSF file embedded by the build (generated font_data.c). */
#pragma once

#include <stdint.h>

extern const uint8_t exo_font_psf[];
extern const uint64_t exo_font_psf_size;
