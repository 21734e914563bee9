/*
 * Loader messages: formatted with the kernel's fmt engine, widened to UCS-2 and written to
 * ConOut, which OVMF and real firmware mirror to the screen and the serial console.
 */
#include "loader.h"

#include <kernel/fmt.h>

void ldr_printf(const char *fmt, ...) {
    char text[512];
    CHAR16 wide[2 * sizeof(text) + 1];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);

    size_t n = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            wide[n++] = L'\r';
        }
        wide[n++] = (CHAR16)(unsigned char)*p;
    }
    wide[n] = 0;
    ldr_st->ConOut->OutputString(ldr_st->ConOut, wide);
}
