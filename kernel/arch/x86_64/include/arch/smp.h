/*
 * Bringing up application processors (INIT-SIPI-SIPI through a real-mode trampoline
 * below 1 MiB) and the inter-processor calls other subsystems build on.
 */
#pragma once

#include <dev/acpi.h>
#include <stdbool.h>
#include <stdint.h>

/* Starts every enabled CPU the MADT lists; each runs ap_main(cpu) when it is up.
 * Returns the number of cores online (including the boot core). */
uint32_t smp_boot_aps(const acpi_info_t *acpi, uint64_t low_page, void (*ap_main)(void *cpu));

/* Runs fn(arg) on core `index` from its IPI handler (interrupts off, must not block);
 * waits for completion if wait. On the calling core itself, runs it directly. */
void smp_call(uint32_t index, void (*fn)(void *arg), void *arg, bool wait);

/* Wakes core `index` if it is halted (VEC_IPI_WAKE; the handler does nothing else). */
void smp_wake(uint32_t index);

/* TLB shootdown: invalidates [va, va + pages * 4 KiB) on every core in mask (bit = core
 * index; the calling core included if set), waiting until all have done it. */
void tlb_shootdown(uint64_t mask, uint64_t va, uint64_t pages);

/* Installs the IPI handlers (call it once, on the boot core, before smp_boot_aps). */
void smp_init_ipis(void);
