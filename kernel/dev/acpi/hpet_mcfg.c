/*
 * The two small fixed-layout tables: HPET (IA-PC HPET spec 1.0a, 3.2.4: one event timer
 * block's MMIO base) and MCFG (PCI Firmware spec 3.2, 4.1.2: PCIe ECAM windows, one
 * 16-byte entry per segment bus range, after 8 reserved bytes).
 */
#include "acpi_priv.h"

#include <dev/acpi.h>
#include <exo/status.h>
#include <kernel/string.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HPET_BASE_GAS 40 /* GAS; its 64-bit address lands at offset 44 */

#define MCFG_ENTRIES 44
#define MCFG_ENTRY_LEN 16u
#define MCFG_E_BASE 0
#define MCFG_E_SEGMENT 8
#define MCFG_E_BUS_START 10
#define MCFG_E_BUS_END 11
#define ECAM_BUS_SHIFT 20 /* 1 MiB of configuration space per bus */

_Static_assert(ACPI_MAX_MCFG == 4, "update the MCFG overflow warning");

void acpi_parse_hpet(const acpi_platform_t *plat, const uint8_t *t, uint32_t len,
                     acpi_info_t *out) {
    (void)len; /* acpi_map_table guarantees ACPI_HPET_LEN */
    acpi_gas_t base = acpi_rd_gas(t, HPET_BASE_GAS);
    if (base.space != ACPI_GAS_SPACE_MEMORY) {
        acpi_warn(plat, "HPET", "base address is not in system memory, table ignored");
        return;
    }
    if (base.address == 0) {
        acpi_warn(plat, "HPET", "base address is zero, table ignored");
        return;
    }
    out->hpet_base = base.address;
    out->has_hpet = true;
}

/* An ECAM window is usable when its base is non-zero, its bus range is not reversed and
 * base + (bus_end + 1) MiB, the end of the window, does not wrap. */
static bool mcfg_entry_ok(const uint8_t *e) {
    uint64_t base = acpi_rd64(e, MCFG_E_BASE);
    uint8_t start = acpi_rd8(e, MCFG_E_BUS_START);
    uint8_t end = acpi_rd8(e, MCFG_E_BUS_END);
    uint64_t span = ((uint64_t)end + 1) << ECAM_BUS_SHIFT;
    return base != 0 && start <= end && base <= UINT64_MAX - span;
}

void acpi_parse_mcfg(const acpi_platform_t *plat, const uint8_t *t, uint32_t len,
                     acpi_info_t *out) {
    uint32_t n = (len - MCFG_ENTRIES) / MCFG_ENTRY_LEN;

    if ((len - MCFG_ENTRIES) % MCFG_ENTRY_LEN != 0) {
        acpi_warn(plat, "MCFG", "length is not 44 + 16n, trailing bytes ignored");
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!mcfg_entry_ok(t + MCFG_ENTRIES + i * MCFG_ENTRY_LEN)) {
            acpi_warn(plat, "MCFG",
                      "has an entry with a zero, wrapping or reversed range, "
                      "table ignored");
            return;
        }
    }
    if (n > ACPI_MAX_MCFG) {
        acpi_warn(plat, "MCFG", "lists more than ACPI_MAX_MCFG (4) windows, extra dropped");
        n = ACPI_MAX_MCFG;
    }
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = t + MCFG_ENTRIES + i * MCFG_ENTRY_LEN;
        acpi_mcfg_t *m = &out->mcfg[i];
        m->base = acpi_rd64(e, MCFG_E_BASE);
        m->segment = acpi_rd16(e, MCFG_E_SEGMENT);
        m->bus_start = acpi_rd8(e, MCFG_E_BUS_START);
        m->bus_end = acpi_rd8(e, MCFG_E_BUS_END);
    }
    out->nmcfg = n;
}
