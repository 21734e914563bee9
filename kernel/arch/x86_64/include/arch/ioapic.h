/*
 * I/O APIC routing (82093AA datasheet; ACPI MADT for the GSI bases and ISA overrides)
 * and the legacy 8259 PIC pair, which is remapped and masked so it never interferes.
 */
#pragma once

#include <dev/acpi.h>
#include <exo/status.h>
#include <stdint.h>

#define VEC_ISA_BASE 0x20 /* ISA IRQ n arrives on vector 0x20 + n */

/* Masks every redirection entry of every IOAPIC the MADT lists. */
void ioapic_init(const acpi_info_t *acpi);
/* Routes ISA IRQ irq (after MADT overrides) to vector VEC_ISA_BASE + irq on the core with
 * APIC ID dest, unmasked. ERR_NOT_FOUND if no IOAPIC covers its GSI. */
status_t ioapic_route_isa(uint8_t irq, uint32_t dest);
status_t ioapic_mask_isa(uint8_t irq);

/* Remaps the 8259s to vectors 0x20..0x2f and masks all their lines. */
void pic_disable(void);
