/* Formatted console output for apps, on the kernel's own pure formatter (lib/fmt.c). */
#include <user/exo.h>

#define PRINT_BUF 512

int exo_vprintf(const char *fmt, va_list ap) {
    char buf[PRINT_BUF];
    int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
    size_t len = n < 0 ? 0 : ((size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
    exo_write(buf, len);
    return n;
}

int exo_printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = exo_vprintf(fmt, ap);
    va_end(ap);
    return n;
}
