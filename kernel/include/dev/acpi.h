/*
 * ACPI static tables (ACPI 6.5 spec, chapter 5): everything the kernel needs from the
 * RSDP onwards, parsed once at boot into one plain struct. Pure: tables are reached
 * through a map callback (the kernel's physmap; plain memory in host tests), every
 * length and checksum is verified, and a malformed table is skipped and reported, never
 * trusted.
 */
#pragma once

#include <exo/status.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 64
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 16
#define ACPI_MAX_MCFG 4

typedef struct acpi_cpu {
    uint32_t apic_id;  /* local APIC (or x2APIC) ID */
    uint32_t acpi_uid; /* processor UID */
    bool enabled;      /* usable now (flags bit 0) */
    bool online_capable;
} acpi_cpu_t;

typedef struct acpi_ioapic {
    uint32_t id;
    uint32_t gsi_base;
    uint64_t base; /* physical MMIO address */
} acpi_ioapic_t;

/* Interrupt source override: ISA IRQ `source` arrives on GSI `gsi` with MPS INTI flags. */
typedef struct acpi_override {
    uint8_t bus;
    uint8_t source;
    uint16_t flags; /* bits 0-1 polarity, 2-3 trigger mode (ACPI 6.5 table 5.50) */
    uint32_t gsi;
} acpi_override_t;

typedef struct acpi_mcfg {
    uint64_t base; /* ECAM physical base */
    uint16_t segment;
    uint8_t bus_start, bus_end;
} acpi_mcfg_t;

/* A Generic Address Structure (ACPI 6.5, 5.2.3.2). */
typedef struct acpi_gas {
    uint8_t space; /* 0 = system memory, 1 = system I/O */
    uint8_t bit_width, bit_offset, access_size;
    uint64_t address;
} acpi_gas_t;

typedef struct acpi_info {
    uint8_t revision; /* RSDP revision: 0 = ACPI 1.0 (RSDT), >= 2 (XSDT) */
    char oem_id[7];

    /* MADT */
    bool has_madt;
    uint64_t lapic_base; /* physical (64-bit override applied) */
    bool pic_present;    /* PCAT_COMPAT: a legacy 8259 pair to mask */
    uint32_t ncpus;
    acpi_cpu_t cpus[ACPI_MAX_CPUS];
    uint32_t nioapics;
    acpi_ioapic_t ioapics[ACPI_MAX_IOAPICS];
    uint32_t noverrides;
    acpi_override_t overrides[ACPI_MAX_OVERRIDES];

    /* HPET */
    bool has_hpet;
    uint64_t hpet_base;

    /* MCFG (PCIe ECAM) */
    uint32_t nmcfg;
    acpi_mcfg_t mcfg[ACPI_MAX_MCFG];

    /* FADT (+ \_S5 from the DSDT) */
    bool has_fadt;
    uint16_t sci_irq;
    uint32_t pm1a_cnt, pm1b_cnt; /* I/O ports, 0 if absent */
    uint32_t pm_tmr_port;        /* ACPI PM timer I/O port, 0 if absent */
    bool pm_tmr_32bit;
    bool has_reset;
    acpi_gas_t reset_reg;
    uint8_t reset_value;
    bool has_s5;
    uint8_t s5_typa, s5_typb; /* SLP_TYP values for soft-off */
    /* IAPC_BOOT_ARCH (table 5.11); valid only in FADT revision 2 and later (has_boot_arch):
     * an older FADT says nothing about legacy devices. */
    bool has_boot_arch;
    uint16_t boot_arch;
} acpi_info_t;

#define ACPI_BOOT_ARCH_LEGACY_DEVICES (1u << 0) /* ISA/LPC devices the OS may probe */
#define ACPI_BOOT_ARCH_8042 (1u << 1)           /* a keyboard controller at ports 0x60/0x64 */

typedef struct acpi_platform {
    /* Returns a pointer to len readable bytes at physical phys, or NULL if that range
     * cannot be mapped (outside RAM/physmap). */
    const void *(*map)(void *ctx, uint64_t phys, uint64_t len);
    /* Receives one line per problem found (a skipped table, a bad checksum); may be NULL. */
    void (*warn)(void *ctx, const char *msg);
    void *ctx;
} acpi_platform_t;

/*
 * Parses from the RSDP at physical rsdp. Fails only when nothing can be trusted:
 * ERR_NOT_FOUND (rsdp 0 or unmappable), ERR_BAD_FORMAT (bad signature), ERR_CHECKSUM
 * (RSDP checksum), ERR_INVALID (neither a valid XSDT nor RSDT). A malformed MADT, HPET,
 * MCFG, FADT or DSDT is skipped with a warning and its has_* flag stays false; a bad
 * XSDT falls back to the RSDT with a warning. Entries beyond the array limits are
 * dropped with a warning.
 */
status_t acpi_parse(const acpi_platform_t *plat, uint64_t rsdp, acpi_info_t *out);

/* Finds \_S5's SLP_TYPa/b in DSDT AML bytes (the "_S5_" Name with a Package of integers).
 * ERR_NOT_FOUND or ERR_BAD_FORMAT. */
status_t acpi_find_s5(const uint8_t *aml, uint64_t len, uint8_t *typa, uint8_t *typb);
