/*
 * acpi_parse: checks the RSDP (ACPI 6.5, 5.2.5), walks the XSDT (5.2.8) or, failing that,
 * the RSDT (5.2.7), and hands each table the kernel reads to its decoder. Owns the two
 * rules every table obeys here: map the 36-byte header before trusting its length, and
 * verify the checksum over exactly that length (5.2.6).
 */
#include "acpi_priv.h"

#include <dev/acpi.h>
#include <exo/status.h>
#include <kernel/string.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RSDP (ACPI 6.5, table 5.3): the ACPI 1.0 part is checksummed over 20 bytes, the whole
 * revision >= 2 structure over its Length field (the extended checksum). */
#define RSDP_V1_LEN 20u
#define RSDP_V2_LEN 36u
#define RSDP_MAX_LEN 4096u /* only 36 is defined; more is corruption */
#define RSDP_OEMID 9
#define RSDP_REVISION 15
#define RSDP_RSDT 16
#define RSDP_LENGTH 20
#define RSDP_XSDT 24

void acpi_warn(const acpi_platform_t *plat, const char *table, const char *problem) {
    static const char prefix[] = "ACPI: ";
    char line[128];
    size_t n = 0;
    const char *parts[3] = {table, " ", problem};

    if (plat->warn == NULL) {
        return;
    }
    memcpy(line, prefix, sizeof(prefix) - 1);
    n = sizeof(prefix) - 1;
    for (size_t i = 0; i < 3; i++) {
        size_t len = strnlen(parts[i], sizeof(line) - 1 - n);
        memcpy(line + n, parts[i], len);
        n += len;
    }
    line[n] = '\0';
    plat->warn(plat->ctx, line);
}

bool acpi_checksum_ok(const uint8_t *p, uint64_t len) {
    uint8_t sum = 0;
    for (uint64_t i = 0; i < len; i++) {
        sum = (uint8_t)(sum + p[i]);
    }
    return sum == 0;
}

status_t acpi_map_table(const acpi_platform_t *plat, uint64_t phys, const char *sig,
                        const char *name, uint32_t min_len, const uint8_t **tab, uint32_t *len) {
    const uint8_t *hdr = phys == 0 ? NULL : plat->map(plat->ctx, phys, ACPI_SDT_HDR_LEN);
    if (hdr == NULL) {
        acpi_warn(plat, name, "is at an unmappable address, table ignored");
        return ERR_RANGE;
    }
    if (memcmp(hdr, sig, 4) != 0) {
        acpi_warn(plat, name, "signature mismatch, table ignored");
        return ERR_BAD_FORMAT;
    }
    uint32_t n = acpi_rd32(hdr, ACPI_SDT_LENGTH);
    if (n < ACPI_SDT_HDR_LEN || n < min_len) {
        acpi_warn(plat, name, "is shorter than its fixed fields, table ignored");
        return ERR_TRUNCATED;
    }
    if (n > ACPI_MAX_TABLE_LEN) {
        acpi_warn(plat, name, "length is over 16 MiB, table ignored");
        return ERR_TOO_BIG;
    }
    const uint8_t *t = plat->map(plat->ctx, phys, n);
    if (t == NULL) {
        acpi_warn(plat, name, "length runs past mapped memory, table ignored");
        return ERR_RANGE;
    }
    if (!acpi_checksum_ok(t, n)) {
        acpi_warn(plat, name, "checksum mismatch, table ignored");
        return ERR_CHECKSUM;
    }
    *tab = t;
    *len = n;
    return STATUS_OK;
}

typedef struct rsdp_info {
    uint8_t revision;
    char oem_id[6];
    uint32_t rsdt;
    uint64_t xsdt; /* 0 unless revision >= 2 */
} rsdp_info_t;

static status_t rsdp_check(const acpi_platform_t *plat, uint64_t phys, rsdp_info_t *r) {
    const uint8_t *p = phys == 0 ? NULL : plat->map(plat->ctx, phys, RSDP_V1_LEN);
    if (p == NULL) {
        acpi_warn(plat, "RSDP", "is absent or unmappable");
        return ERR_NOT_FOUND;
    }
    if (memcmp(p, "RSD PTR ", 8) != 0) {
        acpi_warn(plat, "RSDP", "signature mismatch");
        return ERR_BAD_FORMAT;
    }
    if (!acpi_checksum_ok(p, RSDP_V1_LEN)) {
        acpi_warn(plat, "RSDP", "checksum mismatch");
        return ERR_CHECKSUM;
    }
    r->revision = acpi_rd8(p, RSDP_REVISION);
    memcpy(r->oem_id, p + RSDP_OEMID, sizeof(r->oem_id));
    r->rsdt = acpi_rd32(p, RSDP_RSDT);
    r->xsdt = 0;
    if (r->revision < 2) {
        return STATUS_OK;
    }

    p = plat->map(plat->ctx, phys, RSDP_V2_LEN);
    if (p == NULL) {
        acpi_warn(plat, "RSDP", "revision 2 structure runs past mapped memory");
        return ERR_NOT_FOUND;
    }
    uint32_t len = acpi_rd32(p, RSDP_LENGTH);
    if (len < RSDP_V2_LEN || len > RSDP_MAX_LEN) {
        acpi_warn(plat, "RSDP", "length field is implausible");
        return ERR_BAD_FORMAT;
    }
    p = plat->map(plat->ctx, phys, len);
    if (p == NULL) {
        acpi_warn(plat, "RSDP", "length runs past mapped memory");
        return ERR_NOT_FOUND;
    }
    if (!acpi_checksum_ok(p, len)) {
        acpi_warn(plat, "RSDP", "extended checksum mismatch");
        return ERR_CHECKSUM;
    }
    r->xsdt = acpi_rd64(p, RSDP_XSDT);
    return STATUS_OK;
}

typedef void (*acpi_decoder_t)(const acpi_platform_t *plat, const uint8_t *t, uint32_t len,
                               acpi_info_t *out);

/* The tables the kernel reads; min_len is what each decoder may assume is present. */
#define NDECODERS 4
static const struct {
    char sig[4];
    const char *name;
    uint32_t min_len;
    acpi_decoder_t decode;
} decoders[NDECODERS] = {
    {{'A', 'P', 'I', 'C'}, "MADT", ACPI_MADT_MIN_LEN, acpi_parse_madt},
    {{'H', 'P', 'E', 'T'}, "HPET", ACPI_HPET_LEN, acpi_parse_hpet},
    {{'M', 'C', 'F', 'G'}, "MCFG", ACPI_MCFG_MIN_LEN, acpi_parse_mcfg},
    {{'F', 'A', 'C', 'P'}, "FADT", ACPI_FADT_MIN_LEN, acpi_parse_fadt},
};

/* Peeks at the signature of the table at phys and decodes it if the kernel wants it. The
 * first table of each kind that passes acpi_map_table wins; later copies are ignored. */
static void dispatch(const acpi_platform_t *plat, const char *root, uint64_t phys,
                     bool seen[NDECODERS], acpi_info_t *out) {
    const uint8_t *hdr = plat->map(plat->ctx, phys, ACPI_SDT_HDR_LEN);
    if (hdr == NULL) {
        acpi_warn(plat, root, "entry points to unmappable memory, skipped");
        return;
    }
    for (size_t i = 0; i < NDECODERS; i++) {
        if (memcmp(hdr, decoders[i].sig, 4) != 0) {
            continue;
        }
        if (seen[i]) {
            acpi_warn(plat, decoders[i].name, "appears twice, later copy ignored");
            return;
        }
        const uint8_t *t;
        uint32_t len;
        if (acpi_map_table(plat, phys, decoders[i].sig, decoders[i].name, decoders[i].min_len, &t,
                           &len) == STATUS_OK) {
            seen[i] = true;
            decoders[i].decode(plat, t, len, out);
        }
        return;
    }
}

/* Walks the XSDT (8-byte entries) or RSDT (4-byte entries) at phys. Fails, touching
 * nothing in *out, only when the root table itself does not verify. */
static status_t walk_root(const acpi_platform_t *plat, uint64_t phys, bool xsdt, acpi_info_t *out) {
    const char *name = xsdt ? "XSDT" : "RSDT";
    uint32_t esize = xsdt ? 8 : 4;
    const uint8_t *t;
    uint32_t len;
    bool seen[NDECODERS] = {false};

    status_t st = acpi_map_table(plat, phys, name, name, ACPI_SDT_HDR_LEN, &t, &len);
    if (st != STATUS_OK) {
        return st;
    }
    if ((len - ACPI_SDT_HDR_LEN) % esize != 0) {
        acpi_warn(plat, name, "length is not a whole number of entries, tail ignored");
    }
    uint32_t n = (len - ACPI_SDT_HDR_LEN) / esize;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t off = ACPI_SDT_HDR_LEN + i * esize;
        uint64_t entry = xsdt ? acpi_rd64(t, off) : acpi_rd32(t, off);
        if (entry != 0) {
            dispatch(plat, name, entry, seen, out);
        }
    }
    return STATUS_OK;
}

status_t acpi_parse(const acpi_platform_t *plat, uint64_t rsdp, acpi_info_t *out) {
    rsdp_info_t r;

    if (plat == NULL || plat->map == NULL || out == NULL) {
        return ERR_INVALID;
    }
    memset(out, 0, sizeof(*out));
    status_t st = rsdp_check(plat, rsdp, &r);
    if (st != STATUS_OK) {
        return st;
    }

    st = ERR_NOT_FOUND;
    if (r.xsdt != 0) {
        st = walk_root(plat, r.xsdt, true, out);
        if (st != STATUS_OK) {
            acpi_warn(plat, "XSDT", "unusable, falling back to the RSDT");
        }
    }
    if (st != STATUS_OK && r.rsdt != 0) {
        st = walk_root(plat, r.rsdt, false, out);
    }
    if (st != STATUS_OK) {
        acpi_warn(plat, "RSDP", "leads to neither a valid XSDT nor a valid RSDT");
        return ERR_INVALID;
    }
    out->revision = r.revision;
    memcpy(out->oem_id, r.oem_id, sizeof(r.oem_id));
    out->oem_id[sizeof(r.oem_id)] = '\0';
    return STATUS_OK;
}
