/* The console (user/console.h): output and input through the default console cap, and
 * formatted output on the kernel's own pure formatter (lib/fmt.c). */
#include <user/exo.h>
#include <user/trap.h>

#define PRINT_BUF 512

int64_t exo_write(const char *s, size_t n) {
    return exo_trap(SYS_CONSOLE_WRITE, exo_console_cap(), (uint64_t)(uintptr_t)s, n, 0, 0);
}

int64_t exo_console_read(void *buf, size_t n) {
    return exo_trap(SYS_CONSOLE_READ, exo_console_cap(), (uint64_t)(uintptr_t)buf, n, 0, 0);
}

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
