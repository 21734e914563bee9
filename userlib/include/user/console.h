/*
 * userlib: the console (docs/userlib.md#console). Output and input go through the default
 * console cap (user/caps.h: exo_console_cap): writing needs its WRITE right, reading its
 * READ right, which init's console cap has and exo_domain_start's copies do not (a shell
 * gives its foreground app one that reads). Apps on the C library use stdio instead: fds
 * 0..2 are this console (userlib/libc/syscalls.c).
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Writes n bytes; returns how many were written or an error. */
int64_t exo_write(const char *s, size_t n);
/* printf on the kernel's own formatter (kernel/fmt.h: %d %u %x %s %c %p, l and ll, widths;
 * no floating point: use the C library for that). At most 511 bytes a call. */
int exo_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int exo_vprintf(const char *fmt, va_list ap);
/* Up to n (<= 4096) bytes typed so far (serial line or PS/2 keyboard), taken out of the
 * kernel's buffer; 0 when there are none. Never waits: poll, yielding in between, or wait
 * with a ring's EXO_OP_CONSOLE_READ (user/ring.h). */
int64_t exo_console_read(void *buf, size_t n);
