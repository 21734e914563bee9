/*
 * The kernel console: every byte kprintf produces goes to the serial port and, once
 * fbcon_init succeeded, to the GOP framebuffer. Writers are serialized by one lock
 * (taken with interrupts off; never held across anything but the device writes).
 * Input comes from the serial port's receive interrupt and the PS/2 keyboard's (dev/ps2kbd.h)
 * into a bounded buffer (dev/console_in.c) that readers drain and continuations wait on.
 */
#pragma once

#include <exo/bootinfo.h>
#include <exo/status.h>
#include <sched/sched.h>
#include <stddef.h>
#include <stdint.h>

void console_init(void);
void console_write(const char *s, size_t n);
/* The same, to the serial port only: bulk output the framebuffer would take too long to
 * scroll through (the trace drain). */
void console_write_serial(const char *s, size_t n);
/* From now on the console lock is only tried for a bounded time (panics, exceptions). */
void console_panic_mode(void);
/* For the crash tests only: takes the console lock and never gives it back. */
void console_wedge(void);
/* The framebuffer is no longer drawn (a fault happened inside a console write). */
void console_fault_in_write(void);

/* Framebuffer console (dev/fbcon.c): draws with the embedded PSF font. ERR_UNSUPPORTED
 * when there is no linear framebuffer; ERR_BAD_FORMAT if the embedded font is broken. */
status_t fbcon_init(const bootinfo_framebuffer_t *fb);
void fbcon_write(const char *s, size_t n);
/* Text grid size in characters, 0x0 before init. */
void fbcon_size(unsigned *cols, unsigned *rows);

/* --- Input (dev/console_in.c) ------------------------------------------------------ */

#define CONSOLE_INPUT_BUF 1024 /* bytes buffered; past that the newest are dropped */

/* Routes COM1's receive interrupt (ISA IRQ 4, after MADT overrides) to the core with APIC
 * ID dest and turns it on. Boot only, after the IOAPIC is set up. */
void console_input_init(uint32_t dest);
/* Copies up to n buffered bytes to buf and takes them out; returns how many (0: none).
 * Never waits. Any context. */
uint64_t console_read(void *buf, uint64_t n);
/* c is spawned (sched_spawn) once at least one byte is buffered: at once if one is,
 * else by the receive interrupt. Every waiter is spawned; they race to read, and one that
 * finds the buffer empty must wait again. c must not be queued anywhere else. */
void console_read_wait(cont_t *c);
/* Takes c off the waiters if it is still there (true: the caller owns it again). */
bool console_read_cancel(cont_t *c);
/* Puts bytes in as the receive interrupt does (storing, dropping, waking): the serial and
 * keyboard interrupt handlers' path, and the ktests'. */
void console_input_feed(const uint8_t *b, uint64_t n);

typedef struct console_input_stats {
    uint64_t received; /* bytes taken in (from the UART, the keyboard, console_input_feed) */
    uint64_t dropped;  /* of those, bytes that found the buffer full: lost, newest first */
    uint64_t overruns; /* times the UART reported an overrun (it lost bytes itself) */
    uint64_t irqs;     /* COM1 receive interrupts handled (the keyboard counts its own) */
    uint64_t buffered; /* bytes in the buffer now */
} console_input_stats_t;

void console_input_get_stats(console_input_stats_t *out);
