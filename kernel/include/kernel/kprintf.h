/*
 * Kernel console output: formatted text to every console (serial, framebuffer).
 * Safe from any context once console_init() ran; output from several CPUs is serialized
 * line by line by the console lock.
 */
#pragma once

#include <kernel/fmt.h>

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);
