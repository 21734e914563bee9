/* kprintf: the fmt engine writing into the console (see kernel/kprintf.h). The output is
 * gathered in a buffer and handed to the console in one write, so a line from one core is
 * never split by another core's output (lines longer than the buffer may be). */
#include <dev/console.h>
#include <kernel/kprintf.h>
#include <kernel/string.h>

#define KPRINTF_BUF 512

typedef struct kbuf {
    char data[KPRINTF_BUF];
    size_t len;
} kbuf_t;

static void kbuf_flush(kbuf_t *b) {
    if (b->len) {
        console_write(b->data, b->len);
        b->len = 0;
    }
}

static void kbuf_sink(void *ctx, const char *s, size_t n) {
    kbuf_t *b = ctx;
    while (n > 0) {
        if (b->len == sizeof(b->data)) {
            kbuf_flush(b);
        }
        size_t room = sizeof(b->data) - b->len;
        size_t k = n < room ? n : room;
        memcpy(b->data + b->len, s, k);
        b->len += k;
        s += k;
        n -= k;
    }
}

int kvprintf(const char *fmt, va_list ap) {
    kbuf_t b;
    b.len = 0;
    int n = fmt_vformat(kbuf_sink, &b, fmt, ap);
    kbuf_flush(&b);
    return n;
}

int kprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}
