/*
 * Synthetic firmware for test_acpi.c: a fake physical memory holding RSDP v2, XSDT, RSDT,
 * MADT, HPET, MCFG, FADT, DSDT and an SSDT, with builders to rewrite any of them. The map
 * callback hands out an exact-size heap copy of each requested range, so AddressSanitizer
 * reports any read past what the parser asked to map, not just past the fake memory.
 */
#pragma once

#include <dev/acpi.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PHYS_BASE 0xe0000ull
#define MEM_SIZE 0x1000u
#define PHYS(off) (PHYS_BASE + (uint64_t)(off))

/* Where each table lives; odd offsets keep every multi-byte read unaligned. */
enum {
    OFF_RSDP = 0x000,
    OFF_XSDT = 0x040,
    OFF_RSDT = 0x0a0,
    OFF_MADT = 0x0e1, /* room for 1074 bytes */
    OFF_HPET = 0x513,
    OFF_MCFG = 0x551,  /* room for 8 entries */
    OFF_FADT = 0x605,  /* 276 bytes */
    OFF_DSDT = 0x721,  /* room for 478 bytes */
    OFF_SSDT = 0x901,  /* a table the parser does not read */
    OFF_SPARE = 0xa01, /* for duplicates and variants */
};

static const uint32_t table_offsets[] = {OFF_XSDT, OFF_RSDT, OFF_MADT, OFF_HPET, OFF_MCFG,
                                         OFF_FADT, OFF_DSDT, OFF_SSDT, OFF_SPARE};
#define NTABLES (sizeof(table_offsets) / sizeof(table_offsets[0]))

#define MAX_WARN 64

typedef struct fake {
    uint8_t *mem; /* MEM_SIZE bytes of "physical memory" at PHYS_BASE */
    void **maps;  /* copies handed out by fake_map since the last fake_release */
    size_t nmaps, capmaps;
    size_t nmapcalls;
    size_t nwarn; /* warnings since the last run; only the first MAX_WARN are kept */
    char warn[MAX_WARN][160];
    uint32_t madt_len; /* current MADT length while it is being built */
    acpi_platform_t plat;
} fake_t;

static const void *fake_map(void *ctx, uint64_t phys, uint64_t len) {
    fake_t *f = ctx;
    f->nmapcalls++;
    if (phys < PHYS_BASE || phys - PHYS_BASE > MEM_SIZE || len > MEM_SIZE - (phys - PHYS_BASE)) {
        return NULL;
    }
    if (f->nmaps == f->capmaps) {
        f->capmaps = f->capmaps ? 2 * f->capmaps : 64;
        f->maps = realloc(f->maps, f->capmaps * sizeof(*f->maps));
        if (f->maps == NULL) {
            abort();
        }
    }
    void *copy = malloc(len ? len : 1);
    if (copy == NULL) {
        abort();
    }
    memcpy(copy, f->mem + (phys - PHYS_BASE), len);
    f->maps[f->nmaps++] = copy;
    return copy;
}

static void fake_warn(void *ctx, const char *msg) {
    fake_t *f = ctx;
    if (f->nwarn < MAX_WARN) {
        snprintf(f->warn[f->nwarn], sizeof(f->warn[0]), "%s", msg);
    }
    f->nwarn++;
}

/* Frees every mapped copy; the parser holds none once acpi_parse has returned. */
static void fake_release(fake_t *f) {
    for (size_t i = 0; i < f->nmaps; i++) {
        free(f->maps[i]);
    }
    f->nmaps = 0;
}

static void put8(fake_t *f, uint32_t off, uint8_t v) {
    f->mem[off] = v;
}

static void put16(fake_t *f, uint32_t off, uint16_t v) {
    memcpy(f->mem + off, &v, sizeof(v));
}

static void put32(fake_t *f, uint32_t off, uint32_t v) {
    memcpy(f->mem + off, &v, sizeof(v));
}

static void put64(fake_t *f, uint32_t off, uint64_t v) {
    memcpy(f->mem + off, &v, sizeof(v));
}

static uint32_t get32(const fake_t *f, uint32_t off) {
    uint32_t v;
    memcpy(&v, f->mem + off, sizeof(v));
    return v;
}

static void put_gas(fake_t *f, uint32_t off, uint8_t space, uint8_t width, uint8_t access,
                    uint64_t addr) {
    put8(f, off, space);
    put8(f, off + 1, width);
    put8(f, off + 2, 0);
    put8(f, off + 3, access);
    put64(f, off + 4, addr);
}

static uint8_t sum8(const uint8_t *p, uint32_t len) {
    uint8_t s = 0;
    for (uint32_t i = 0; i < len; i++) {
        s = (uint8_t)(s + p[i]);
    }
    return s;
}

/* Sets the checksum byte at off + at so that the len bytes at off sum to zero. */
static void fix_sum(fake_t *f, uint32_t off, uint32_t len, uint32_t at) {
    f->mem[off + at] = 0;
    f->mem[off + at] = (uint8_t)(0x100 - sum8(f->mem + off, len));
}

/* Reseals the table at off using its own length field, if that length fits in memory. */
static void seal(fake_t *f, uint32_t off) {
    uint32_t len = get32(f, off + 4);
    if (len >= 10 && len <= MEM_SIZE - off) {
        fix_sum(f, off, len, 9);
    }
}

static void seal_rsdp(fake_t *f) {
    fix_sum(f, OFF_RSDP, 20, 8);
    uint32_t len = get32(f, OFF_RSDP + 20);
    if (len >= 33 && len <= MEM_SIZE - OFF_RSDP) {
        fix_sum(f, OFF_RSDP, len, 32);
    }
}

/* Recomputes every checksum in the image: RSDP (both) and each table. */
static void seal_all(fake_t *f) {
    for (size_t i = 0; i < NTABLES; i++) {
        seal(f, table_offsets[i]);
    }
    seal_rsdp(f);
}

static void sdt_header(fake_t *f, uint32_t off, const char *sig, uint32_t len, uint8_t rev) {
    memcpy(f->mem + off, sig, 4);
    put32(f, off + 4, len);
    put8(f, off + 8, rev);
    put8(f, off + 9, 0);
    memcpy(f->mem + off + 10, "EXOSPC", 6);
    memcpy(f->mem + off + 16, "EXOTABLE", 8);
    put32(f, off + 24, 1);
    memcpy(f->mem + off + 28, "EXOT", 4);
    put32(f, off + 32, 0x20240101);
}

static void madt_start(fake_t *f, uint8_t rev, uint32_t lapic, uint32_t flags) {
    memset(f->mem + OFF_MADT, 0, OFF_HPET - OFF_MADT);
    f->madt_len = 44;
    sdt_header(f, OFF_MADT, "APIC", f->madt_len, rev);
    put32(f, OFF_MADT + 36, lapic);
    put32(f, OFF_MADT + 40, flags);
}

/* Appends one raw entry (type, length, then body) and updates the MADT length. */
static void madt_entry(fake_t *f, uint8_t type, uint8_t len, const uint8_t *body) {
    uint32_t off = OFF_MADT + f->madt_len;
    if (off + len > OFF_HPET) {
        abort();
    }
    put8(f, off, type);
    put8(f, off + 1, len);
    if (len > 2) {
        memcpy(f->mem + off + 2, body, len - 2u);
    }
    f->madt_len += len;
    put32(f, OFF_MADT + 4, f->madt_len);
}

static void madt_lapic(fake_t *f, uint8_t uid, uint8_t id, uint32_t flags) {
    uint8_t b[6] = {uid, id};
    memcpy(b + 2, &flags, 4);
    madt_entry(f, 0, 8, b);
}

static void madt_x2apic(fake_t *f, uint32_t id, uint32_t flags, uint32_t uid) {
    uint8_t b[14] = {0};
    memcpy(b + 2, &id, 4);
    memcpy(b + 6, &flags, 4);
    memcpy(b + 10, &uid, 4);
    madt_entry(f, 9, 16, b);
}

static void madt_ioapic(fake_t *f, uint8_t id, uint32_t addr, uint32_t gsi_base) {
    uint8_t b[10] = {id, 0};
    memcpy(b + 2, &addr, 4);
    memcpy(b + 6, &gsi_base, 4);
    madt_entry(f, 1, 12, b);
}

static void madt_iso(fake_t *f, uint8_t bus, uint8_t src, uint32_t gsi, uint16_t flags) {
    uint8_t b[8] = {bus, src};
    memcpy(b + 2, &gsi, 4);
    memcpy(b + 6, &flags, 2);
    madt_entry(f, 2, 10, b);
}

static void madt_lapic_override(fake_t *f, uint64_t addr) {
    uint8_t b[10] = {0};
    memcpy(b + 2, &addr, 8);
    madt_entry(f, 5, 12, b);
}

/* The reference MADT: 4 CPUs (one disabled but online-capable, one x2APIC), one I/O APIC,
 * IRQ0 -> GSI2 and a level/high SCI override, and an NMI entry the parser must skip. */
static void madt_default(fake_t *f) {
    static const uint8_t nmi[4] = {0xff, 0x05, 0x00, 0x01};
    madt_start(f, 5, 0xfee00000u, 1);
    madt_lapic(f, 0, 0, 1);
    madt_lapic(f, 1, 2, 1);
    madt_lapic(f, 2, 4, 2);
    madt_x2apic(f, 0x100, 1, 3);
    madt_ioapic(f, 1, 0xfec00000u, 0);
    madt_iso(f, 0, 0, 2, 0);
    madt_iso(f, 0, 9, 9, 0x000d);
    madt_entry(f, 4, 6, nmi);
}

static void mcfg_put(fake_t *f, uint32_t off, uint32_t n) {
    sdt_header(f, off, "MCFG", 44 + 16 * n, 1);
    memset(f->mem + off + 36, 0, 8);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t e = off + 44 + 16 * i;
        put64(f, e, i == 0 ? 0xb0000000ull : 0x400000000ull + 0x10000000ull * i);
        put16(f, e + 8, (uint16_t)i);
        put8(f, e + 10, i == 0 ? 0 : 0x10);
        put8(f, e + 11, i == 0 ? 0xff : 0x1f);
        put32(f, e + 12, 0);
    }
}

/* FADT flags used below (ACPI 6.5, table 5.10). */
#define T_TMR_VAL_EXT (1u << 8)
#define T_RESET_REG_SUP (1u << 10)
/* IAPC_BOOT_ARCH flags (table 5.11). */
#define T_BOOT_ARCH_LEGACY (1u << 0)
#define T_BOOT_ARCH_8042 (1u << 1)

/*
 * A full ACPI 6.5 FADT. The legacy DSDT field points at the SSDT and the X_ port blocks
 * differ from the legacy ones, so reading the wrong field of either pair shows.
 */
static void fadt_default(fake_t *f) {
    uint32_t o = OFF_FADT;
    memset(f->mem + o, 0, 276);
    sdt_header(f, o, "FACP", 276, 6);
    put32(f, o + 40, (uint32_t)PHYS(OFF_SSDT));
    put16(f, o + 46, 9);
    put32(f, o + 64, 0x604);
    put32(f, o + 68, 0);
    put32(f, o + 76, 0x608);
    put8(f, o + 91, 4);
    put16(f, o + 109, T_BOOT_ARCH_LEGACY | T_BOOT_ARCH_8042);
    put32(f, o + 112, T_TMR_VAL_EXT | T_RESET_REG_SUP);
    put_gas(f, o + 116, 1, 8, 1, 0xcf9);
    put8(f, o + 128, 0x06);
    put8(f, o + 131, 5);
    put64(f, o + 140, PHYS(OFF_DSDT));
    put_gas(f, o + 172, 1, 16, 2, 0xb004);
    put_gas(f, o + 208, 1, 32, 3, 0xb008);
}

/* Writes a DSDT at off whose AML body is aml[0..n). */
static void dsdt_put(fake_t *f, uint32_t off, const uint8_t *aml, uint32_t n) {
    sdt_header(f, off, "DSDT", 36 + n, 2);
    if (n != 0) {
        memcpy(f->mem + off + 36, aml, n);
    }
}

/* A decoy "_S5_" inside a String, then Name (\_S5_, Package (4) {5, 6}). */
static const uint8_t dsdt_default_aml[] = {
    0x0d, '_',  'S', '5', '_', 0x00,                                           /* "_S5_" */
    0x08, '\\', '_', 'S', '5', '_',  0x12, 0x06, 0x04, 0x0a, 0x05, 0x0a, 0x06, /* Name */
    0x00, 0x00,
};

static void xsdt_put(fake_t *f, const uint64_t *entries, uint32_t n) {
    sdt_header(f, OFF_XSDT, "XSDT", 36 + 8 * n, 1);
    for (uint32_t i = 0; i < n; i++) {
        put64(f, OFF_XSDT + 36 + 8 * i, entries[i]);
    }
}

static void rsdt_put(fake_t *f, const uint64_t *entries, uint32_t n) {
    sdt_header(f, OFF_RSDT, "RSDT", 36 + 4 * n, 1);
    for (uint32_t i = 0; i < n; i++) {
        put32(f, OFF_RSDT + 36 + 4 * i, (uint32_t)entries[i]);
    }
}

static const uint64_t root_entries[] = {PHYS(OFF_MADT), PHYS(OFF_HPET), PHYS(OFF_SSDT),
                                        PHYS(OFF_MCFG), PHYS(OFF_FADT)};
#define NROOT ((uint32_t)(sizeof(root_entries) / sizeof(root_entries[0])))

/* Lays out the whole reference image with valid checksums. */
static void fake_build(fake_t *f) {
    memset(f->mem, 0, MEM_SIZE);
    memcpy(f->mem + OFF_RSDP, "RSD PTR ", 8);
    memcpy(f->mem + OFF_RSDP + 9, "EXOSPC", 6);
    put8(f, OFF_RSDP + 15, 2);
    put32(f, OFF_RSDP + 16, (uint32_t)PHYS(OFF_RSDT));
    put32(f, OFF_RSDP + 20, 36);
    put64(f, OFF_RSDP + 24, PHYS(OFF_XSDT));

    xsdt_put(f, root_entries, NROOT);
    rsdt_put(f, root_entries, NROOT);
    madt_default(f);

    sdt_header(f, OFF_HPET, "HPET", 56, 1);
    put32(f, OFF_HPET + 36, 0x8086a201u);
    put_gas(f, OFF_HPET + 40, 0, 64, 0, 0xfed00000u);
    put8(f, OFF_HPET + 52, 0);
    put16(f, OFF_HPET + 53, 0x80);

    mcfg_put(f, OFF_MCFG, 2);
    fadt_default(f);
    dsdt_put(f, OFF_DSDT, dsdt_default_aml, sizeof(dsdt_default_aml));
    sdt_header(f, OFF_SSDT, "SSDT", 36, 2);
    seal_all(f);
}

static void fake_init(fake_t *f) {
    memset(f, 0, sizeof(*f));
    f->mem = malloc(MEM_SIZE);
    if (f->mem == NULL) {
        abort();
    }
    f->plat.map = fake_map;
    f->plat.warn = fake_warn;
    f->plat.ctx = f;
    fake_build(f);
}

static void fake_fini(fake_t *f) {
    fake_release(f);
    free(f->maps);
    free(f->mem);
}

/* Parses the image from its RSDP; out is poisoned first so stale fields would show. */
static status_t fake_parse(fake_t *f, uint64_t rsdp, acpi_info_t *out) {
    memset(out, 0xa5, sizeof(*out));
    f->nwarn = 0;
    f->nmapcalls = 0;
    status_t st = acpi_parse(&f->plat, rsdp, out);
    fake_release(f);
    return st;
}
