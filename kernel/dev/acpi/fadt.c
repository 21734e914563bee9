/*
 * FADT decoder (ACPI 6.5, 5.2.9): SCI, PM1 control and PM timer ports, the reset register,
 * the IA-PC boot architecture flags, and the DSDT, searched for \_S5 (soft-off). Which
 * fields exist is decided by the table's length, so an ACPI 1.0 FADT (116 bytes, no X_
 * fields) reads correctly; IAPC_BOOT_ARCH also by the revision, as ACPI 1.0 reserved it.
 */
#include "acpi_priv.h"

#include <dev/acpi.h>
#include <exo/status.h>
#include <kernel/string.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Byte offsets (ACPI 6.5, table 5.9). */
#define FADT_DSDT 40
#define FADT_SCI_INT 46
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM1B_CNT_BLK 68
#define FADT_PM_TMR_BLK 76
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_X_DSDT 140
#define FADT_X_PM1A_CNT_BLK 172
#define FADT_X_PM1B_CNT_BLK 184
#define FADT_X_PM_TMR_BLK 208

/* IAPC_BOOT_ARCH was reserved in the ACPI 1.0 FADT (revision 1). */
#define FADT_BOOT_ARCH_MIN_REVISION 2

/* Fixed feature flags (table 5.10). */
#define FADT_TMR_VAL_EXT (1u << 8)
#define FADT_RESET_REG_SUP (1u << 10)

#define IO_PORT_MAX 0xffffu

/* True when the len-byte table holds the size-byte field at off. */
static bool has_field(uint32_t len, uint32_t off, uint32_t size) {
    return off <= len && size <= len - off;
}

/*
 * The I/O port of a fixed register block, 0 if absent. A present, non-zero X_ block
 * supersedes the legacy 32-bit field (5.2.9); one that is not a valid I/O port (memory
 * space, or above 0xffff) cannot be used as a port, so the legacy field is read instead.
 */
static uint32_t block_port(const uint8_t *t, uint32_t len, uint32_t legacy, uint32_t x) {
    if (has_field(len, x, ACPI_GAS_LEN)) {
        acpi_gas_t g = acpi_rd_gas(t, x);
        if (g.space == ACPI_GAS_SPACE_IO && g.address != 0 && g.address <= IO_PORT_MAX) {
            return (uint32_t)g.address;
        }
    }
    uint32_t port = acpi_rd32(t, legacy);
    return port <= IO_PORT_MAX ? port : 0;
}

/* Looks up \_S5 in the DSDT at phys; sets has_s5 and the SLP_TYP values, or warns. */
static void dsdt_find_s5(const acpi_platform_t *plat, uint64_t phys, acpi_info_t *out) {
    const uint8_t *t;
    uint32_t len;
    uint8_t a, b;

    if (phys == 0) {
        acpi_warn(plat, "FADT", "names no DSDT, soft-off unavailable");
        return;
    }
    if (acpi_map_table(plat, phys, "DSDT", "DSDT", ACPI_SDT_HDR_LEN, &t, &len) != STATUS_OK) {
        return;
    }
    status_t st = acpi_find_s5(t + ACPI_SDT_HDR_LEN, len - ACPI_SDT_HDR_LEN, &a, &b);
    if (st == ERR_NOT_FOUND) {
        acpi_warn(plat, "DSDT", "has no \\_S5 package, soft-off unavailable");
        return;
    }
    if (st != STATUS_OK) {
        acpi_warn(plat, "DSDT", "\\_S5 package is malformed, soft-off unavailable");
        return;
    }
    out->s5_typa = a;
    out->s5_typb = b;
    out->has_s5 = true;
}

void acpi_parse_fadt(const acpi_platform_t *plat, const uint8_t *t, uint32_t len,
                     acpi_info_t *out) {
    uint32_t flags = acpi_rd32(t, FADT_FLAGS);

    out->sci_irq = acpi_rd16(t, FADT_SCI_INT);
    out->pm1a_cnt = block_port(t, len, FADT_PM1A_CNT_BLK, FADT_X_PM1A_CNT_BLK);
    out->pm1b_cnt = block_port(t, len, FADT_PM1B_CNT_BLK, FADT_X_PM1B_CNT_BLK);
    out->pm_tmr_port = block_port(t, len, FADT_PM_TMR_BLK, FADT_X_PM_TMR_BLK);
    out->pm_tmr_32bit = out->pm_tmr_port != 0 && (flags & FADT_TMR_VAL_EXT) != 0;
    if (acpi_rd8(t, ACPI_SDT_REVISION) >= FADT_BOOT_ARCH_MIN_REVISION) {
        out->boot_arch = acpi_rd16(t, FADT_IAPC_BOOT_ARCH);
        out->has_boot_arch = true;
    }

    /* RESET_REG and RESET_VALUE arrived with ACPI 2.0; RESET_REG_SUP says they are valid. */
    if ((flags & FADT_RESET_REG_SUP) != 0 && has_field(len, FADT_RESET_VALUE, 1)) {
        acpi_gas_t reg = acpi_rd_gas(t, FADT_RESET_REG);
        if (reg.address != 0) {
            out->reset_reg = reg;
            out->reset_value = acpi_rd8(t, FADT_RESET_VALUE);
            out->has_reset = true;
        }
    }
    out->has_fadt = true;

    /* A non-zero X_DSDT is used instead of DSDT (5.2.9). */
    uint64_t dsdt = 0;
    if (has_field(len, FADT_X_DSDT, 8)) {
        dsdt = acpi_rd64(t, FADT_X_DSDT);
    }
    if (dsdt == 0) {
        dsdt = acpi_rd32(t, FADT_DSDT);
    }
    dsdt_find_s5(plat, dsdt, out);
}
