/*
 * The kernel console: every byte kprintf produces goes to the serial port and, once
 * fbcon_init succeeded, to the GOP framebuffer. Writers are serialized by one lock
 * (taken with interrupts off; never held across anything but the device writes).
 */
#pragma once

#include <exo/bootinfo.h>
#include <exo/status.h>
#include <stddef.h>

void console_init(void);
void console_write(const char *s, size_t n);
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
