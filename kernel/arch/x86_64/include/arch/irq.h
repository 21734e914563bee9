/*
 * Interrupt vectors 32..255: a handler per vector, called by trap_dispatch with
 * interrupts off on the interrupted core's stack; the LAPIC EOI follows the handler.
 * Handlers must be short and must not block.
 */
#pragma once

#include <stdint.h>

typedef void (*irq_handler_t)(void);

/* Installs h for vector vec (32..254). Boot-time only: not synchronised with delivery. */
void irq_set_handler(uint8_t vec, irq_handler_t h);
/* Called by trap_dispatch for vectors >= 32. */
void irq_dispatch(uint8_t vec);
