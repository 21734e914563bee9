/*
 * printf-style formatting, freestanding and pure: the engine behind kprintf, the loader's
 * messages and snprintf. Same file compiles into the kernel, the loader and host tests.
 *
 * Supported: %d %i %u %x %X %o %p %s %c %% ; flags '-' '0' '+' ' ' '#'; width and
 * precision (numbers or '*'); length modifiers hh h l ll z t j. %p prints 0x + 16 hex
 * digits. A NULL %s prints "(null)". Unknown conversions print verbatim ("%q").
 * No floating point (the kernel has none).
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

/* Receives formatted output in pieces; n may be 0. */
typedef void (*fmt_sink_t)(void *ctx, const char *s, size_t n);

/* Formats into sink; returns the number of characters produced. */
int fmt_vformat(fmt_sink_t sink, void *ctx, const char *fmt, va_list ap);

/* C99 snprintf semantics: writes at most size-1 chars plus NUL (if size > 0) and returns
 * the length the full output would have had. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
