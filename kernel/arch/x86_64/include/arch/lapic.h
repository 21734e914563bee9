/*
 * The local APIC (Intel SDM vol. 3A, ch. 11): x2APIC through MSRs where the CPU has it,
 * else xAPIC through its MMIO page (reached via the physmap). Each core programs its own.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Vectors the kernel owns (32..47 are the IOAPIC's ISA IRQs, see arch/irq.h). */
#define VEC_TIMER 0xf0
#define VEC_IPI_WAKE 0xf1
#define VEC_IPI_CALL 0xf2
#define VEC_IPI_TLB 0xf3
#define VEC_SPURIOUS 0xff

/* Enables this core's LAPIC (software enable, spurious vector, task priority 0).
 * The boot core calls it first; mmio_phys is the MADT's LAPIC base. */
void lapic_init(uint64_t mmio_phys);
uint32_t lapic_id(void);
bool lapic_x2apic(void);
void lapic_eoi(void);

/* Sends a fixed-vector IPI to the core with APIC ID dest. */
void lapic_send_ipi(uint32_t dest, uint8_t vector);
/* INIT and STARTUP IPIs for bringing up an application processor. */
void lapic_send_init(uint32_t dest);
void lapic_send_sipi(uint32_t dest, uint8_t page);
/* Waits (bounded) until the last IPI was accepted; false on timeout (xAPIC only). */
bool lapic_ipi_wait(void);

/* One-shot timer: fire VEC_TIMER at TSC value `deadline` (TSC-deadline mode when the CPU
 * has it, else the LAPIC count-down timer converted from TSC ticks). 0 disarms. */
void lapic_timer_arm(uint64_t deadline);
bool lapic_tsc_deadline(void);
/* Measures the LAPIC timer's rate against the TSC (needs clock_init). */
void lapic_timer_calibrate(void);
