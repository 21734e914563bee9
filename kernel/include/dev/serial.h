/*
 * 16550 UART on COM1 (0x3f8) at 115200 8N1: polled output, and the receive registers the
 * console input path (dev/console.h) drives. Output is serialised by the console lock;
 * the receive calls belong to console_in.c (its interrupt handler and its set-up).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIAL_MCR_LOOPBACK 0x10 /* MCR bit 4: THR feeds RBR internally, the line is idle */
#define SERIAL_ISA_IRQ 4         /* COM1's ISA interrupt line */

void serial_init(void);
/* False when nothing answers at COM1 (LSR reads all ones). */
bool serial_present(void);
void serial_write(const char *s, size_t n);
/* One byte to THR as is (no "\r\n"), waiting a bounded time for THRE. */
void serial_put_raw(uint8_t b);

/* IER: the received-data-available interrupt on or off (every other source stays off). */
void serial_rx_enable(bool on);
/* The next received byte (0..255), or -1 when LSR.DR is clear. *overrun: LSR.OE was set
 * (the UART itself lost bytes since the last LSR read). */
int serial_rx_byte(bool *overrun);
/* The modem control register, for the loopback ktest to set and restore. */
uint8_t serial_mcr(void);
void serial_set_mcr(uint8_t mcr);
