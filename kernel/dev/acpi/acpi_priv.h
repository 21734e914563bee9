/*
 * Shared by the ACPI table parsers (kernel/dev/acpi/): bounded little-endian readers, the
 * verified-table mapper and the warning helper. Nothing here is visible outside acpi/.
 */
#pragma once

#include <dev/acpi.h>
#include <exo/status.h>
#include <kernel/string.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* System description table header (ACPI 6.5, 5.2.6): every table but the RSDP starts so. */
#define ACPI_SDT_HDR_LEN 36u
#define ACPI_SDT_LENGTH 4   /* uint32 table length, header included */
#define ACPI_SDT_REVISION 8 /* uint8 */

/* No table the kernel reads is anywhere near this; a larger length is corruption. */
#define ACPI_MAX_TABLE_LEN (16u << 20)

/*
 * Unaligned-safe little-endian reads at byte offset off. The caller has checked that the
 * field lies inside the mapped, length-verified table; x86-64 is little-endian.
 */
static inline uint8_t acpi_rd8(const uint8_t *p, uint32_t off) {
    return p[off];
}

static inline uint16_t acpi_rd16(const uint8_t *p, uint32_t off) {
    uint16_t v;
    memcpy(&v, p + off, sizeof(v));
    return v;
}

static inline uint32_t acpi_rd32(const uint8_t *p, uint32_t off) {
    uint32_t v;
    memcpy(&v, p + off, sizeof(v));
    return v;
}

static inline uint64_t acpi_rd64(const uint8_t *p, uint32_t off) {
    uint64_t v;
    memcpy(&v, p + off, sizeof(v));
    return v;
}

/* A Generic Address Structure (ACPI 6.5, 5.2.3.2): 12 bytes at off. */
#define ACPI_GAS_LEN 12u
#define ACPI_GAS_SPACE_MEMORY 0
#define ACPI_GAS_SPACE_IO 1

static inline acpi_gas_t acpi_rd_gas(const uint8_t *p, uint32_t off) {
    acpi_gas_t g = {
        .space = p[off],
        .bit_width = p[off + 1],
        .bit_offset = p[off + 2],
        .access_size = p[off + 3],
        .address = acpi_rd64(p, off + 4),
    };
    return g;
}

/* Sends "ACPI: <table> <problem>" to plat->warn (if any) as one line. */
void acpi_warn(const acpi_platform_t *plat, const char *table, const char *problem);

/* True when the len bytes at p sum to 0 mod 256 (ACPI 6.5, 5.2.5.3 and 5.2.6). */
bool acpi_checksum_ok(const uint8_t *p, uint64_t len);

/*
 * Maps the table at phys and verifies it: signature sig (4 chars), min_len <= length <=
 * ACPI_MAX_TABLE_LEN, all length bytes mappable, checksum. On success *tab points to
 * *len verified bytes. On failure warns naming the table `name` and the problem, and
 * returns ERR_RANGE (unmappable), ERR_BAD_FORMAT (signature), ERR_TRUNCATED (too short),
 * ERR_TOO_BIG or ERR_CHECKSUM.
 */
status_t acpi_map_table(const acpi_platform_t *plat, uint64_t phys, const char *sig,
                        const char *name, uint32_t min_len, const uint8_t **tab, uint32_t *len);

/* Fixed part of each decoded table; acpi_map_table rejects anything shorter. */
#define ACPI_MADT_MIN_LEN 44u  /* header, local APIC address, flags (5.2.12) */
#define ACPI_HPET_LEN 56u      /* IA-PC HPET 1.0a, table 3 */
#define ACPI_MCFG_MIN_LEN 44u  /* header, 8 reserved bytes (PCI Firmware 3.2, 4.1.2) */
#define ACPI_FADT_MIN_LEN 116u /* the ACPI 1.0 FADT, up to and including Flags (5.2.9) */

/*
 * Per-table decoders. Each gets a table acpi_map_table has verified (signature, checksum,
 * at least the minimum length above) and fills only its own fields of *out; a table it
 * rejects leaves them zero (has_* false) and is reported through plat->warn.
 */
void acpi_parse_madt(const acpi_platform_t *plat, const uint8_t *t, uint32_t len, acpi_info_t *out);
void acpi_parse_hpet(const acpi_platform_t *plat, const uint8_t *t, uint32_t len, acpi_info_t *out);
void acpi_parse_mcfg(const acpi_platform_t *plat, const uint8_t *t, uint32_t len, acpi_info_t *out);
/* Also maps the DSDT the FADT names and looks up \_S5 in it (has_s5). */
void acpi_parse_fadt(const acpi_platform_t *plat, const uint8_t *t, uint32_t len, acpi_info_t *out);
