/*
 * MADT decoder (ACPI 6.5, 5.2.12): CPUs (local APIC and x2APIC entries), I/O APICs,
 * interrupt source overrides and the local APIC address. The entry list is validated as
 * a whole before anything is recorded, so a malformed MADT contributes nothing.
 */
#include "acpi_priv.h"

#include <dev/acpi.h>
#include <exo/status.h>
#include <kernel/string.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MADT_LAPIC_ADDR 36
#define MADT_FLAGS 40
#define MADT_ENTRIES 44
#define MADT_PCAT_COMPAT 0x1u

/* Interrupt controller structure types (ACPI 6.5, table 5.21) and their fixed lengths. */
#define MADT_LAPIC 0          /* 5.2.12.2, 8 bytes */
#define MADT_IOAPIC 1         /* 5.2.12.3, 12 bytes */
#define MADT_ISO 2            /* 5.2.12.5, 10 bytes */
#define MADT_LAPIC_OVERRIDE 5 /* 5.2.12.8, 12 bytes */
#define MADT_X2APIC 9         /* 5.2.12.12, 16 bytes */

/* Local APIC flags (table 5.23); Online Capable is defined from MADT revision 5 (6.3). */
#define LAPIC_ENABLED 0x1u
#define LAPIC_ONLINE_CAPABLE 0x2u
#define MADT_REV_ONLINE_CAPABLE 5

/* The overflow warnings below spell the limits out. */
_Static_assert(ACPI_MAX_CPUS == 64 && ACPI_MAX_IOAPICS == 8 && ACPI_MAX_OVERRIDES == 16,
               "update the MADT overflow warnings");

/* Smallest length an entry of this type may have to hold the fields read from it. */
static uint8_t entry_min_len(uint8_t type) {
    switch (type) {
    case MADT_LAPIC:
        return 8;
    case MADT_IOAPIC:
        return 12;
    case MADT_ISO:
        return 10;
    case MADT_LAPIC_OVERRIDE:
        return 12;
    case MADT_X2APIC:
        return 16;
    default:
        return 2;
    }
}

/* True when the entries tile [44, len) exactly, each long enough for its type. */
static bool entries_ok(const acpi_platform_t *plat, const uint8_t *t, uint32_t len) {
    uint32_t off = MADT_ENTRIES;
    while (off < len) {
        if (len - off < 2) {
            acpi_warn(plat, "MADT", "ends inside an entry header, table ignored");
            return false;
        }
        uint8_t type = acpi_rd8(t, off);
        uint8_t elen = acpi_rd8(t, off + 1);
        if (elen < 2) {
            acpi_warn(plat, "MADT", "has an entry of length < 2, table ignored");
            return false;
        }
        if (elen > len - off) {
            acpi_warn(plat, "MADT", "has an entry running past the table end, table ignored");
            return false;
        }
        if (elen < entry_min_len(type)) {
            acpi_warn(plat, "MADT", "has an entry too short for its type, table ignored");
            return false;
        }
        off += elen;
    }
    return true;
}

/* Tracks which arrays overflowed, so each gets one warning rather than one per entry. */
typedef struct madt_drops {
    bool cpus, ioapics, overrides;
} madt_drops_t;

static void add_cpu(acpi_info_t *out, madt_drops_t *drops, uint32_t apic_id, uint32_t uid,
                    uint32_t flags, bool online_defined) {
    if (out->ncpus == ACPI_MAX_CPUS) {
        drops->cpus = true;
        return;
    }
    acpi_cpu_t *c = &out->cpus[out->ncpus++];
    c->apic_id = apic_id;
    c->acpi_uid = uid;
    c->enabled = (flags & LAPIC_ENABLED) != 0;
    c->online_capable = online_defined && (flags & LAPIC_ONLINE_CAPABLE) != 0;
}

static void add_ioapic(acpi_info_t *out, madt_drops_t *drops, const uint8_t *e) {
    if (out->nioapics == ACPI_MAX_IOAPICS) {
        drops->ioapics = true;
        return;
    }
    acpi_ioapic_t *io = &out->ioapics[out->nioapics++];
    io->id = acpi_rd8(e, 2);
    io->base = acpi_rd32(e, 4);
    io->gsi_base = acpi_rd32(e, 8);
}

static void add_override(acpi_info_t *out, madt_drops_t *drops, const uint8_t *e) {
    if (out->noverrides == ACPI_MAX_OVERRIDES) {
        drops->overrides = true;
        return;
    }
    acpi_override_t *o = &out->overrides[out->noverrides++];
    o->bus = acpi_rd8(e, 2);
    o->source = acpi_rd8(e, 3);
    o->gsi = acpi_rd32(e, 4);
    o->flags = acpi_rd16(e, 8);
}

void acpi_parse_madt(const acpi_platform_t *plat, const uint8_t *t, uint32_t len,
                     acpi_info_t *out) {
    madt_drops_t drops = {false, false, false};
    bool online_defined = acpi_rd8(t, ACPI_SDT_REVISION) >= MADT_REV_ONLINE_CAPABLE;

    if (!entries_ok(plat, t, len)) {
        return;
    }
    out->lapic_base = acpi_rd32(t, MADT_LAPIC_ADDR);
    out->pic_present = (acpi_rd32(t, MADT_FLAGS) & MADT_PCAT_COMPAT) != 0;
    for (uint32_t off = MADT_ENTRIES; off < len; off += acpi_rd8(t, off + 1)) {
        const uint8_t *e = t + off;
        switch (acpi_rd8(e, 0)) {
        case MADT_LAPIC:
            add_cpu(out, &drops, acpi_rd8(e, 3), acpi_rd8(e, 2), acpi_rd32(e, 4), online_defined);
            break;
        case MADT_X2APIC:
            add_cpu(out, &drops, acpi_rd32(e, 4), acpi_rd32(e, 12), acpi_rd32(e, 8),
                    online_defined);
            break;
        case MADT_IOAPIC:
            add_ioapic(out, &drops, e);
            break;
        case MADT_ISO:
            add_override(out, &drops, e);
            break;
        case MADT_LAPIC_OVERRIDE:
            out->lapic_base = acpi_rd64(e, 4);
            break;
        default:
            break;
        }
    }
    if (drops.cpus) {
        acpi_warn(plat, "MADT", "lists more than ACPI_MAX_CPUS (64) CPUs, extra ones dropped");
    }
    if (drops.ioapics) {
        acpi_warn(plat, "MADT", "lists more than ACPI_MAX_IOAPICS (8) I/O APICs, extra dropped");
    }
    if (drops.overrides) {
        acpi_warn(plat, "MADT", "lists more than ACPI_MAX_OVERRIDES (16) overrides, extra dropped");
    }
    out->has_madt = true;
}
