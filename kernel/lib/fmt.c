/*
 * printf-style formatting engine: parses a format string and pushes the output in pieces to a
 * sink. Freestanding (only <kernel/string.h> from libc), LP64 and LLP64 clean, no floating
 * point; fmt_vsnprintf adds C99 snprintf truncation semantics on top.
 */
#include <kernel/fmt.h>
#include <kernel/string.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Widths and precisions are clamped to this so no arithmetic on them can overflow. */
#define FMT_MAX_FIELD 0x10000000u

enum {
    FMT_LEFT = 1u << 0,  /* '-': pad on the right */
    FMT_ZERO = 1u << 1,  /* '0': pad numbers with zeros (ignored with '-' or a precision) */
    FMT_PLUS = 1u << 2,  /* '+': signed conversions always show a sign */
    FMT_SPACE = 1u << 3, /* ' ': space instead of '+' (loses to '+') */
    FMT_ALT = 1u << 4,   /* '#': 0x/0X prefix for non-zero hex, leading 0 for octal */
};

typedef enum fmt_len {
    FMT_LEN_NONE,
    FMT_LEN_HH,
    FMT_LEN_H,
    FMT_LEN_L,
    FMT_LEN_LL,
    FMT_LEN_Z,
    FMT_LEN_T,
    FMT_LEN_J,
} fmt_len_t;

/* One parsed conversion specification. */
typedef struct fmt_spec {
    unsigned flags;
    size_t width; /* 0 when absent */
    size_t prec;  /* meaningful only if has_prec */
    bool has_prec;
    fmt_len_t len;
    char conv;
} fmt_spec_t;

/* Output state: count includes every character produced, whatever the sink keeps. */
typedef struct fmt_out {
    fmt_sink_t sink;
    void *ctx;
    size_t count;
} fmt_out_t;

/* fmt_vsnprintf's sink state: buf[0, pos) is filled, pos <= size - 1 whenever size > 0. */
typedef struct fmt_buf {
    char *buf;
    size_t size;
    size_t pos;
} fmt_buf_t;

static void fmt_emit(fmt_out_t *o, const char *s, size_t n) {
    if (n > 0) {
        o->sink(o->ctx, s, n);
        o->count += n;
    }
}

/* Emits n copies of c ('0' or ' ') in sink-sized chunks. */
static void fmt_pad(fmt_out_t *o, char c, size_t n) {
    static const char zeros[32] = "00000000000000000000000000000000";
    static const char spaces[32] = "                                ";
    const char *src = c == '0' ? zeros : spaces;
    while (n > 0) {
        size_t k = n < sizeof(zeros) ? n : sizeof(zeros);
        fmt_emit(o, src, k);
        n -= k;
    }
}

/* Reads a decimal field, clamped to FMT_MAX_FIELD; *p is left on the first non-digit. */
static size_t fmt_parse_num(const char **p) {
    size_t v = 0;
    while (**p >= '0' && **p <= '9') {
        v = v * 10 + (size_t)(**p - '0');
        if (v > FMT_MAX_FIELD) {
            v = FMT_MAX_FIELD;
        }
        (*p)++;
    }
    return v;
}

/* Fetches an unsigned argument of the given length, zero-extended to 64 bits. size_t and
 * ptrdiff_t have the same width on every target we build for. */
static uint64_t fmt_arg_unsigned(va_list *ap, fmt_len_t len) {
    switch (len) {
    case FMT_LEN_HH:
        return (unsigned char)va_arg(*ap, unsigned int);
    case FMT_LEN_H:
        return (unsigned short)va_arg(*ap, unsigned int);
    case FMT_LEN_L:
        return va_arg(*ap, unsigned long);
    case FMT_LEN_LL:
        return va_arg(*ap, unsigned long long);
    case FMT_LEN_Z:
        return va_arg(*ap, size_t);
    case FMT_LEN_T:
        return (size_t)va_arg(*ap, ptrdiff_t);
    case FMT_LEN_J:
        return va_arg(*ap, uintmax_t);
    case FMT_LEN_NONE:
        break;
    }
    return va_arg(*ap, unsigned int);
}

/* Fetches a signed argument of the given length, sign-extended to 64 bits. */
static int64_t fmt_arg_signed(va_list *ap, fmt_len_t len) {
    switch (len) {
    case FMT_LEN_HH:
        return (signed char)va_arg(*ap, int);
    case FMT_LEN_H:
        return (short)va_arg(*ap, int);
    case FMT_LEN_L:
        return va_arg(*ap, long);
    case FMT_LEN_LL:
        return va_arg(*ap, long long);
    case FMT_LEN_Z:
        return (ptrdiff_t)va_arg(*ap, size_t);
    case FMT_LEN_T:
        return va_arg(*ap, ptrdiff_t);
    case FMT_LEN_J:
        return va_arg(*ap, intmax_t);
    case FMT_LEN_NONE:
        break;
    }
    return va_arg(*ap, int);
}

/* Lays out [spaces][sign or 0x][zeros][digits][spaces] for d i u x X o, as C99 does. */
static void fmt_integer(fmt_out_t *o, const fmt_spec_t *sp, uint64_t mag, bool neg) {
    char digits[24]; /* 22 octal digits hold 2^64 - 1 */
    char prefix[2];
    size_t nd = 0, np = 0, zeros = 0;
    bool is_signed = sp->conv == 'd' || sp->conv == 'i';
    bool is_hex = sp->conv == 'x' || sp->conv == 'X';
    unsigned base = is_hex ? 16 : (sp->conv == 'o' ? 8 : 10);
    const char *tab = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    bool nonzero = mag != 0;

    /* "%.0d" of 0 prints no digits at all. */
    if (nonzero || !sp->has_prec || sp->prec != 0) {
        do {
            digits[sizeof(digits) - ++nd] = tab[mag % base];
            mag /= base;
        } while (mag != 0);
    }
    if (is_signed) {
        if (neg) {
            prefix[np++] = '-';
        } else if (sp->flags & FMT_PLUS) {
            prefix[np++] = '+';
        } else if (sp->flags & FMT_SPACE) {
            prefix[np++] = ' ';
        }
    }
    if (is_hex && (sp->flags & FMT_ALT) && nonzero) {
        prefix[np++] = '0';
        prefix[np++] = sp->conv;
    }
    if (sp->has_prec && sp->prec > nd) {
        zeros = sp->prec - nd;
    }
    /* '#' with 'o' raises the precision just enough for the first digit to be 0. */
    if (sp->conv == 'o' && (sp->flags & FMT_ALT) && zeros == 0 &&
        (nd == 0 || digits[sizeof(digits) - nd] != '0')) {
        zeros = 1;
    }
    size_t body = np + zeros + nd;
    if ((sp->flags & FMT_ZERO) && !(sp->flags & FMT_LEFT) && !sp->has_prec && sp->width > body) {
        zeros += sp->width - body;
        body = sp->width;
    }
    size_t pad = sp->width > body ? sp->width - body : 0;
    if (!(sp->flags & FMT_LEFT)) {
        fmt_pad(o, ' ', pad);
    }
    fmt_emit(o, prefix, np);
    fmt_pad(o, '0', zeros);
    fmt_emit(o, digits + sizeof(digits) - nd, nd);
    if (sp->flags & FMT_LEFT) {
        fmt_pad(o, ' ', pad);
    }
}

/* Emits s[0, n) space-padded to the field width ('0' is not honoured for text). */
static void fmt_text(fmt_out_t *o, const fmt_spec_t *sp, const char *s, size_t n) {
    size_t pad = sp->width > n ? sp->width - n : 0;
    if (!(sp->flags & FMT_LEFT)) {
        fmt_pad(o, ' ', pad);
    }
    fmt_emit(o, s, n);
    if (sp->flags & FMT_LEFT) {
        fmt_pad(o, ' ', pad);
    }
}

/* %p: always "0x" and 16 lowercase hex digits, whatever the pointer width. */
static void fmt_pointer(fmt_out_t *o, const fmt_spec_t *sp, uint64_t v) {
    char text[18];
    text[0] = '0';
    text[1] = 'x';
    for (int i = 17; i >= 2; i--) {
        text[i] = "0123456789abcdef"[v & 0xf];
        v >>= 4;
    }
    fmt_text(o, sp, text, sizeof(text));
}

/* Parses flags, width, precision and length after a '%'; *p is left on the conversion
 * character. '*' operands are taken from ap; a negative '*' width means '-' plus its
 * magnitude, a negative '*' precision means no precision (C99 7.19.6.1). */
static void fmt_parse_spec(const char **p, va_list *ap, fmt_spec_t *sp) {
    const char *f = *p;
    sp->flags = 0;
    sp->width = 0;
    sp->prec = 0;
    sp->has_prec = false;
    sp->len = FMT_LEN_NONE;
    for (;; f++) {
        if (*f == '-') {
            sp->flags |= FMT_LEFT;
        } else if (*f == '0') {
            sp->flags |= FMT_ZERO;
        } else if (*f == '+') {
            sp->flags |= FMT_PLUS;
        } else if (*f == ' ') {
            sp->flags |= FMT_SPACE;
        } else if (*f == '#') {
            sp->flags |= FMT_ALT;
        } else {
            break;
        }
    }
    if (*f == '*') {
        int w = va_arg(*ap, int);
        unsigned mag = w < 0 ? 0u - (unsigned)w : (unsigned)w;
        if (w < 0) {
            sp->flags |= FMT_LEFT;
        }
        sp->width = mag > FMT_MAX_FIELD ? FMT_MAX_FIELD : mag;
        f++;
    } else {
        sp->width = fmt_parse_num(&f);
    }
    if (*f == '.') {
        f++;
        if (*f == '*') {
            int pr = va_arg(*ap, int);
            f++;
            if (pr >= 0) {
                sp->has_prec = true;
                sp->prec = (unsigned)pr > FMT_MAX_FIELD ? FMT_MAX_FIELD : (size_t)pr;
            }
        } else {
            sp->has_prec = true;
            sp->prec = fmt_parse_num(&f);
        }
    }
    switch (*f) {
    case 'h':
        f++;
        sp->len = FMT_LEN_H;
        if (*f == 'h') {
            f++;
            sp->len = FMT_LEN_HH;
        }
        break;
    case 'l':
        f++;
        sp->len = FMT_LEN_L;
        if (*f == 'l') {
            f++;
            sp->len = FMT_LEN_LL;
        }
        break;
    case 'z':
        f++;
        sp->len = FMT_LEN_Z;
        break;
    case 't':
        f++;
        sp->len = FMT_LEN_T;
        break;
    case 'j':
        f++;
        sp->len = FMT_LEN_J;
        break;
    default:
        break;
    }
    sp->conv = *f;
    *p = f;
}

int fmt_vformat(fmt_sink_t sink, void *ctx, const char *fmt, va_list ap) {
    fmt_out_t out = {.sink = sink, .ctx = ctx, .count = 0};
    va_list args;
    va_copy(args, ap);
    const char *p = fmt;
    for (;;) {
        const char *lit = p;
        while (*p != '\0' && *p != '%') {
            p++;
        }
        fmt_emit(&out, lit, (size_t)(p - lit));
        if (*p == '\0') {
            break;
        }
        const char *start = p++;
        fmt_spec_t sp;
        fmt_parse_spec(&p, &args, &sp);
        if (sp.conv == '\0') {
            /* A specification cut off by the end of the string is printed as written. */
            fmt_emit(&out, start, (size_t)(p - start));
            break;
        }
        switch (sp.conv) {
        case 'd':
        case 'i': {
            int64_t v = fmt_arg_signed(&args, sp.len);
            uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
            fmt_integer(&out, &sp, mag, v < 0);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            fmt_integer(&out, &sp, fmt_arg_unsigned(&args, sp.len), false);
            break;
        case 'p':
            fmt_pointer(&out, &sp, (uintptr_t)va_arg(args, void *));
            break;
        case 's': {
            const char *s = va_arg(args, const char *);
            if (s == NULL) {
                s = "(null)";
            }
            fmt_text(&out, &sp, s, sp.has_prec ? strnlen(s, sp.prec) : strlen(s));
            break;
        }
        case 'c': {
            char c = (char)va_arg(args, int);
            fmt_text(&out, &sp, &c, 1);
            break;
        }
        case '%':
            fmt_emit(&out, "%", 1);
            break;
        default:
            /* Unknown conversion: print the whole specification verbatim ("%q", "%5q"). */
            fmt_emit(&out, start, (size_t)(p + 1 - start));
            break;
        }
        p++;
    }
    va_end(args);
    /* The return type is int; a total past INT32_MAX saturates rather than wrapping. */
    return out.count > (size_t)INT32_MAX ? INT32_MAX : (int)out.count;
}

static void fmt_buf_sink(void *ctx, const char *s, size_t n) {
    fmt_buf_t *b = ctx;
    if (b->pos + 1 >= b->size) {
        return;
    }
    size_t room = b->size - 1 - b->pos;
    size_t k = n < room ? n : room;
    memcpy(b->buf + b->pos, s, k);
    b->pos += k;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) {
    fmt_buf_t b = {.buf = buf, .size = size, .pos = 0};
    int n = fmt_vformat(fmt_buf_sink, &b, fmt, ap);
    if (size > 0) {
        buf[b.pos] = '\0';
    }
    return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
