/*
 * QEMU's isa-debug-exit device (iobase 0xf4): writing v ends QEMU with exit status
 * (v << 1) | 1. On real hardware the write goes nowhere and the caller halts instead.
 * The codes are the contract with scripts/exoqemu.py.
 */
#pragma once

#include <stdint.h>

#define QEMU_EXIT_PORT 0xf4
#define QEMU_EXIT_PASS 0x10  /* host sees 33 */
#define QEMU_EXIT_FAIL 0x11  /* host sees 35: a ktest failed */
#define QEMU_EXIT_PANIC 0x12 /* host sees 37: panic or fatal exception */

__attribute__((noreturn)) void qemu_exit(uint32_t code);
