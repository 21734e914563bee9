/*
 * Host tests for the ACPI static-table parser (kernel/dev/acpi/): the exact acpi_info_t of
 * a reference image, one hostile variant per rule (status, or warning + has_* flag), and a
 * seeded mutation fuzz loop. acpi_find_s5's own tests are in test_acpi_s5.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_acpi_image.h"
#include "test_util.h"

static fake_t *fake_of(void **state) {
    return *state;
}

static int setup(void **state) {
    fake_t *f = malloc(sizeof(*f));
    if (f == NULL) {
        return -1;
    }
    fake_init(f);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fake_fini(*state);
    free(*state);
    return 0;
}

static bool warned(const fake_t *f, const char *msg) {
    for (size_t i = 0; i < f->nwarn && i < MAX_WARN; i++) {
        if (strcmp(f->warn[i], msg) == 0) {
            return true;
        }
    }
    return false;
}

static void dump_warnings(const fake_t *f) {
    for (size_t i = 0; i < f->nwarn && i < MAX_WARN; i++) {
        print_message("  warning: %s\n", f->warn[i]);
    }
}

static void assert_warned(const fake_t *f, const char *msg) {
    if (!warned(f, msg)) {
        dump_warnings(f);
        fail_msg("missing warning \"%s\"", msg);
    }
}

static void assert_no_warnings(const fake_t *f) {
    if (f->nwarn != 0) {
        dump_warnings(f);
        fail_msg("%zu unexpected warnings", f->nwarn);
    }
}

/* Parses from the image's RSDP and requires success. */
static void parse_ok(fake_t *f, acpi_info_t *out) {
    status_t st = fake_parse(f, PHYS(OFF_RSDP), out);
    if (st != STATUS_OK) {
        dump_warnings(f);
        fail_msg("acpi_parse: %s", status_str(st));
    }
}

static void assert_cpu(const acpi_cpu_t *c, uint32_t id, uint32_t uid, bool en, bool oc) {
    assert_int_equal(c->apic_id, id);
    assert_int_equal(c->acpi_uid, uid);
    assert_int_equal(c->enabled, en);
    assert_int_equal(c->online_capable, oc);
}

static void assert_default_madt(const acpi_info_t *a) {
    assert_true(a->has_madt);
    assert_int_equal(a->lapic_base, 0xfee00000u);
    assert_true(a->pic_present);
    assert_int_equal(a->ncpus, 4);
    assert_cpu(&a->cpus[0], 0, 0, true, false);
    assert_cpu(&a->cpus[1], 2, 1, true, false);
    assert_cpu(&a->cpus[2], 4, 2, false, true);
    assert_cpu(&a->cpus[3], 0x100, 3, true, false);
    assert_int_equal(a->nioapics, 1);
    assert_int_equal(a->ioapics[0].id, 1);
    assert_int_equal(a->ioapics[0].base, 0xfec00000u);
    assert_int_equal(a->ioapics[0].gsi_base, 0);
    assert_int_equal(a->noverrides, 2);
    assert_int_equal(a->overrides[0].bus, 0);
    assert_int_equal(a->overrides[0].source, 0);
    assert_int_equal(a->overrides[0].gsi, 2);
    assert_int_equal(a->overrides[0].flags, 0);
    assert_int_equal(a->overrides[1].bus, 0);
    assert_int_equal(a->overrides[1].source, 9);
    assert_int_equal(a->overrides[1].gsi, 9);
    assert_int_equal(a->overrides[1].flags, 0x000d);
}

static void assert_default_tables(const acpi_info_t *a) {
    assert_default_madt(a);
    assert_true(a->has_hpet);
    assert_int_equal(a->hpet_base, 0xfed00000u);
    assert_int_equal(a->nmcfg, 2);
    assert_int_equal(a->mcfg[0].base, 0xb0000000u);
    assert_int_equal(a->mcfg[0].segment, 0);
    assert_int_equal(a->mcfg[0].bus_start, 0);
    assert_int_equal(a->mcfg[0].bus_end, 0xff);
    assert_int_equal(a->mcfg[1].base, 0x410000000ull);
    assert_int_equal(a->mcfg[1].segment, 1);
    assert_int_equal(a->mcfg[1].bus_start, 0x10);
    assert_int_equal(a->mcfg[1].bus_end, 0x1f);
    assert_true(a->has_fadt);
    assert_int_equal(a->sci_irq, 9);
    assert_int_equal(a->pm1a_cnt, 0xb004); /* X_PM1a_CNT_BLK, not the legacy 0x604 */
    assert_int_equal(a->pm1b_cnt, 0);
    assert_int_equal(a->pm_tmr_port, 0xb008);
    assert_true(a->pm_tmr_32bit);
    assert_true(a->has_reset);
    assert_int_equal(a->reset_reg.space, 1);
    assert_int_equal(a->reset_reg.bit_width, 8);
    assert_int_equal(a->reset_reg.bit_offset, 0);
    assert_int_equal(a->reset_reg.access_size, 1);
    assert_int_equal(a->reset_reg.address, 0xcf9);
    assert_int_equal(a->reset_value, 6);
    assert_true(a->has_boot_arch);
    assert_int_equal(a->boot_arch, ACPI_BOOT_ARCH_LEGACY_DEVICES | ACPI_BOOT_ARCH_8042);
    assert_true(a->has_s5); /* found through X_DSDT; the legacy DSDT field is the SSDT */
    assert_int_equal(a->s5_typa, 5);
    assert_int_equal(a->s5_typb, 6);
}

/* Everything not covered by a table stays zero (the poison from fake_parse is gone). */
static void assert_tail_zero(const acpi_info_t *a) {
    for (uint32_t i = a->ncpus; i < ACPI_MAX_CPUS; i++) {
        assert_int_equal(a->cpus[i].apic_id, 0);
    }
    for (uint32_t i = a->nmcfg; i < ACPI_MAX_MCFG; i++) {
        assert_int_equal(a->mcfg[i].base, 0);
    }
}

static void test_reference_image(void **state) {
    fake_t *f = fake_of(state);
    acpi_info_t a;
    parse_ok(f, &a);
    assert_no_warnings(f);
    assert_int_equal(a.revision, 2);
    assert_string_equal(a.oem_id, "EXOSPC");
    assert_default_tables(&a);
    assert_tail_zero(&a);
}

static void test_bad_arguments(void **state) {
    fake_t *f = fake_of(state);
    acpi_info_t a;
    acpi_platform_t nomap = {NULL, fake_warn, f};
    assert_int_equal(acpi_parse(NULL, PHYS(OFF_RSDP), &a), ERR_INVALID);
    assert_int_equal(acpi_parse(&f->plat, PHYS(OFF_RSDP), NULL), ERR_INVALID);
    assert_int_equal(acpi_parse(&nomap, PHYS(OFF_RSDP), &a), ERR_INVALID);
}

/* Each RSDP failure returns its status and leaves *out entirely zero. */
static void expect_rsdp_fail(fake_t *f, uint64_t rsdp, status_t want, const char *msg) {
    static const acpi_info_t zero;
    acpi_info_t a;
    status_t st = fake_parse(f, rsdp, &a);
    if (st != want) {
        dump_warnings(f);
        fail_msg("got %s, want %s", status_str(st), status_str(want));
    }
    assert_warned(f, msg);
    assert_memory_equal(&a, &zero, sizeof(a));
}

static void test_rsdp_rejects(void **state) {
    fake_t *f = fake_of(state);

    expect_rsdp_fail(f, 0, ERR_NOT_FOUND, "ACPI: RSDP is absent or unmappable");
    expect_rsdp_fail(f, PHYS(MEM_SIZE), ERR_NOT_FOUND, "ACPI: RSDP is absent or unmappable");

    f->mem[OFF_RSDP + 3] = 'X';
    seal_rsdp(f);
    expect_rsdp_fail(f, PHYS(OFF_RSDP), ERR_BAD_FORMAT, "ACPI: RSDP signature mismatch");

    fake_build(f);
    f->mem[OFF_RSDP + 16] ^= 0x40; /* RSDT address, inside the v1 checksum */
    expect_rsdp_fail(f, PHYS(OFF_RSDP), ERR_CHECKSUM, "ACPI: RSDP checksum mismatch");

    fake_build(f);
    f->mem[OFF_RSDP + 24] ^= 0x40; /* XSDT address: only the extended checksum covers it */
    expect_rsdp_fail(f, PHYS(OFF_RSDP), ERR_CHECKSUM, "ACPI: RSDP extended checksum mismatch");

    fake_build(f);
    put32(f, OFF_RSDP + 20, 20);
    seal_rsdp(f);
    expect_rsdp_fail(f, PHYS(OFF_RSDP), ERR_BAD_FORMAT, "ACPI: RSDP length field is implausible");
    put32(f, OFF_RSDP + 20, 0x10000);
    seal_rsdp(f);
    expect_rsdp_fail(f, PHYS(OFF_RSDP), ERR_BAD_FORMAT, "ACPI: RSDP length field is implausible");

    /* A v2 RSDP in the last 36 bytes of memory claiming 40. */
    fake_build(f);
    memcpy(f->mem + MEM_SIZE - 36, f->mem + OFF_RSDP, 36);
    put32(f, MEM_SIZE - 36 + 20, 40);
    fix_sum(f, MEM_SIZE - 36, 20, 8);
    expect_rsdp_fail(f, PHYS(MEM_SIZE - 36), ERR_NOT_FOUND,
                     "ACPI: RSDP length runs past mapped memory");

    /* A v2 RSDP whose first 20 bytes are the last 20 of memory. */
    fake_build(f);
    memcpy(f->mem + MEM_SIZE - 20, f->mem + OFF_RSDP, 20);
    expect_rsdp_fail(f, PHYS(MEM_SIZE - 20), ERR_NOT_FOUND,
                     "ACPI: RSDP revision 2 structure runs past mapped memory");
}

/* A revision 0 RSDP has no XSDT fields: whatever follows byte 20 must not be read. */
static void test_rsdp_v1_uses_rsdt(void **state) {
    fake_t *f = fake_of(state);
    acpi_info_t a;
    put8(f, OFF_RSDP + 15, 0);
    fix_sum(f, OFF_RSDP, 20, 8);
    put64(f, OFF_RSDP + 24, 0xdeadbeef); /* garbage, extended checksum now wrong too */
    put8(f, OFF_XSDT, 'Y');              /* and the XSDT is unusable */
    parse_ok(f, &a);
    assert_no_warnings(f);
    assert_int_equal(a.revision, 0);
    assert_string_equal(a.oem_id, "EXOSPC");
    assert_default_tables(&a);
}

static void test_xsdt_falls_back_to_rsdt(void **state) {
    fake_t *f = fake_of(state);
    acpi_info_t a;

    f->mem[OFF_XSDT + 36] ^= 1; /* an entry, not resealed */
    parse_ok(f, &a);
    assert_warned(f, "ACPI: XSDT checksum mismatch, table ignored");
    assert_warned(f, "ACPI: XSDT unusable, falling back to the RSDT");
    assert_int_equal(a.revision, 2);
    assert_default_tables(&a);

    /* XSDT address 0 in a v2 RSDP: straight to the RSDT, nothing to warn about. */
    fake_build(f);
    put64(f, OFF_RSDP + 24, 0);
    seal_rsdp(f);
    parse_ok(f, &a);
    assert_no_warnings(f);
    assert_default_tables(&a);

    /* Wrong signature on the XSDT. */
    fake_build(f);
    memcpy(f->mem + OFF_XSDT, "RSDT", 4);
    seal_all(f);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: XSDT signature mismatch, table ignored");
    assert_default_tables(&a);
}

static void test_both_roots_bad(void **state) {
    fake_t *f = fake_of(state);
    static const acpi_info_t zero;
    acpi_info_t a;

    f->mem[OFF_XSDT + 36] ^= 1;
    f->mem[OFF_RSDT + 36] ^= 1;
    assert_int_equal(fake_parse(f, PHYS(OFF_RSDP), &a), ERR_INVALID);
    assert_warned(f, "ACPI: XSDT checksum mismatch, table ignored");
    assert_warned(f, "ACPI: RSDT checksum mismatch, table ignored");
    assert_warned(f, "ACPI: RSDP leads to neither a valid XSDT nor a valid RSDT");
    assert_memory_equal(&a, &zero, sizeof(a));

    /* XSDT bad and no RSDT at all. */
    fake_build(f);
    f->mem[OFF_XSDT + 36] ^= 1;
    put32(f, OFF_RSDP + 16, 0);
    seal_rsdp(f);
    assert_int_equal(fake_parse(f, PHYS(OFF_RSDP), &a), ERR_INVALID);

    /* RSDT pointing outside memory (v1 RSDP). */
    fake_build(f);
    put8(f, OFF_RSDP + 15, 0);
    put32(f, OFF_RSDP + 16, 0x10);
    seal_rsdp(f);
    assert_int_equal(fake_parse(f, PHYS(OFF_RSDP), &a), ERR_INVALID);
    assert_warned(f, "ACPI: RSDT is at an unmappable address, table ignored");
}

/* Root tables: a whole number of entries, null entries skipped, bad entries reported. */
static void test_root_entries(void **state) {
    fake_t *f = fake_of(state);
    acpi_info_t a;
    const uint64_t with_holes[] = {0,
                                   PHYS(OFF_MADT),
                                   PHYS(MEM_SIZE - 8),
                                   PHYS(OFF_HPET),
                                   PHYS(OFF_MCFG),
                                   PHYS(OFF_FADT),
                                   0x100000000000ull};

    xsdt_put(f, with_holes, 7);
    seal_all(f);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: XSDT entry points to unmappable memory, skipped");
    assert_int_equal(f->nwarn, 2);
    assert_default_tables(&a);

    /* A length that leaves half an entry: the tail is ignored, the rest used. */
    fake_build(f);
    put32(f, OFF_XSDT + 4, 36 + 8 * NROOT + 4);
    seal_all(f);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: XSDT length is not a whole number of entries, tail ignored");
    assert_default_tables(&a);
}

static void test_table_length_checks(void **state) {
    fake_t *f = fake_of(state);
    acpi_info_t a;

    /* MADT length past the end of memory. */
    put32(f, OFF_MADT + 4, MEM_SIZE - OFF_MADT + 1);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: MADT length runs past mapped memory, table ignored");
    assert_false(a.has_madt);
    assert_int_equal(a.ncpus, 0);
    assert_true(a.has_hpet && a.has_fadt && a.has_s5 && a.nmcfg == 2);

    put32(f, OFF_MADT + 4, 17u << 20);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: MADT length is over 16 MiB, table ignored");
    assert_false(a.has_madt);

    put32(f, OFF_MADT + 4, 20);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: MADT is shorter than its fixed fields, table ignored");
    assert_false(a.has_madt);

    /* Longer than the header but shorter than the fixed MADT fields. */
    put32(f, OFF_MADT + 4, 40);
    seal(f, OFF_MADT);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: MADT is shorter than its fixed fields, table ignored");
    assert_false(a.has_madt);

    fake_build(f);
    put32(f, OFF_HPET + 4, 52);
    seal(f, OFF_HPET);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: HPET is shorter than its fixed fields, table ignored");
    assert_false(a.has_hpet);
    assert_int_equal(a.hpet_base, 0);

    fake_build(f);
    put32(f, OFF_FADT + 4, 115);
    seal(f, OFF_FADT);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: FADT is shorter than its fixed fields, table ignored");
    assert_false(a.has_fadt);
    assert_false(a.has_s5);
    assert_int_equal(a.sci_irq, 0);

    /* The XSDT itself running past memory falls back to the RSDT. */
    fake_build(f);
    put32(f, OFF_XSDT + 4, MEM_SIZE);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: XSDT length runs past mapped memory, table ignored");
    assert_default_tables(&a);
}

static void test_table_checksums(void **state) {
    fake_t *f = fake_of(state);
    acpi_info_t a;
    static const struct {
        uint32_t off;
        const char *msg;
    } cases[] = {
        {OFF_MADT, "ACPI: MADT checksum mismatch, table ignored"},
        {OFF_HPET, "ACPI: HPET checksum mismatch, table ignored"},
        {OFF_MCFG, "ACPI: MCFG checksum mismatch, table ignored"},
        {OFF_FADT, "ACPI: FADT checksum mismatch, table ignored"},
        {OFF_DSDT, "ACPI: DSDT checksum mismatch, table ignored"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fake_build(f);
        f->mem[cases[i].off + 20] ^= 0x10; /* OEM table ID: checksummed, never read */
        parse_ok(f, &a);
        assert_warned(f, cases[i].msg);
        assert_int_equal(f->nwarn, 1);
        assert_int_equal(a.has_madt, cases[i].off != OFF_MADT);
        assert_int_equal(a.has_hpet, cases[i].off != OFF_HPET);
        assert_int_equal(a.nmcfg, cases[i].off != OFF_MCFG ? 2 : 0);
        assert_int_equal(a.has_fadt, cases[i].off != OFF_FADT);
        assert_int_equal(a.has_s5, cases[i].off != OFF_FADT && cases[i].off != OFF_DSDT);
    }
}

/* The first verified copy of a table wins; a broken first copy does not block a good one. */
static void test_duplicate_tables(void **state) {
    fake_t *f = fake_of(state);
    acpi_info_t a;
    uint64_t entries[NROOT + 1];

    memcpy(entries, root_entries, sizeof(root_entries));
    entries[NROOT] = PHYS(OFF_SPARE);
    memcpy(f->mem + OFF_SPARE, f->mem + OFF_MADT, 44);
    put32(f, OFF_SPARE + 4, 44);
    put32(f, OFF_SPARE + 36, 0x12345000);
    xsdt_put(f, entries, NROOT + 1);
    seal_all(f);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: MADT appears twice, later copy ignored");
    assert_default_tables(&a);

    f->mem[OFF_MADT + 20] ^= 1;
    parse_ok(f, &a);
    assert_warned(f, "ACPI: MADT checksum mismatch, table ignored");
    assert_true(a.has_madt);
    assert_int_equal(a.lapic_base, 0x12345000);
    assert_int_equal(a.ncpus, 0);
}

static void expect_madt_rejected(fake_t *f, const char *msg) {
    acpi_info_t a;
    seal(f, OFF_MADT);
    parse_ok(f, &a);
    assert_warned(f, msg);
    assert_false(a.has_madt);
    assert_int_equal(a.lapic_base, 0);
    assert_false(a.pic_present);
    assert_int_equal(a.ncpus, 0);
    assert_int_equal(a.nioapics, 0);
    assert_int_equal(a.noverrides, 0);
    assert_true(a.has_fadt && a.has_hpet);
}

static void test_madt_bad_entries(void **state) {
    fake_t *f = fake_of(state);
    static const uint8_t pad[16] = {0};

    /* Length 0 and 1 after valid entries: must stop, not loop. */
    madt_default(f);
    madt_entry(f, 0, 0, NULL);
    put32(f, OFF_MADT + 4, f->madt_len + 2); /* cover the entry's two bytes */
    expect_madt_rejected(f, "ACPI: MADT has an entry of length < 2, table ignored");
    madt_default(f);
    madt_entry(f, 0x7f, 1, NULL);
    put32(f, OFF_MADT + 4, f->madt_len + 1); /* the length byte itself is inside */
    expect_madt_rejected(f, "ACPI: MADT has an entry of length < 2, table ignored");

    /* An entry whose length runs past the table end. */
    madt_default(f);
    madt_lapic(f, 7, 7, 1);
    put32(f, OFF_MADT + 4, f->madt_len - 1);
    expect_madt_rejected(f, "ACPI: MADT has an entry running past the table end, table ignored");
    madt_default(f);
    madt_entry(f, 0x7f, 8, pad);
    put8(f, OFF_MADT + f->madt_len - 7, 0xff);
    expect_madt_rejected(f, "ACPI: MADT has an entry running past the table end, table ignored");

    /* One stray byte after the last entry. */
    madt_default(f);
    put32(f, OFF_MADT + 4, f->madt_len + 1);
    expect_madt_rejected(f, "ACPI: MADT ends inside an entry header, table ignored");

    /* Entries shorter than their type's layout. */
    static const struct {
        uint8_t type, len;
    } shorts[] = {{0, 7}, {1, 11}, {2, 9}, {5, 11}, {9, 15}};
    for (size_t i = 0; i < sizeof(shorts) / sizeof(shorts[0]); i++) {
        madt_default(f);
        madt_entry(f, shorts[i].type, shorts[i].len, pad);
        expect_madt_rejected(f, "ACPI: MADT has an entry too short for its type, table ignored");
    }

    /* Longer entries than the layout are fine (future revisions append fields). */
    madt_start(f, 5, 0xfee00000u, 0);
    madt_entry(f, 0, 12, (const uint8_t[10]){3, 9, 1, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd});
    seal(f, OFF_MADT);
    acpi_info_t a;
    parse_ok(f, &a);
    assert_no_warnings(f);
    assert_int_equal(a.ncpus, 1);
    assert_cpu(&a.cpus[0], 9, 3, true, false);
    assert_false(a.pic_present);

    /* An empty entry list is a valid MADT. */
    madt_start(f, 5, 0xfee00000u, 1);
    seal(f, OFF_MADT);
    parse_ok(f, &a);
    assert_no_warnings(f);
    assert_true(a.has_madt);
    assert_int_equal(a.ncpus, 0);
}

static void test_madt_limits(void **state) {
    fake_t *f = fake_of(state);
    acpi_info_t a;

    madt_start(f, 5, 0xfee00000u, 1);
    for (uint32_t i = 0; i < ACPI_MAX_CPUS + 6; i++) {
        madt_lapic(f, (uint8_t)i, (uint8_t)(2 * i), 1);
    }
    for (uint32_t i = 0; i < ACPI_MAX_IOAPICS + 1; i++) {
        madt_ioapic(f, (uint8_t)i, 0xfec00000u + 0x1000 * i, 24 * i);
    }
    for (uint32_t i = 0; i < ACPI_MAX_OVERRIDES + 1; i++) {
        madt_iso(f, 0, (uint8_t)i, i + 100, 5);
    }
    seal(f, OFF_MADT);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: MADT lists more than ACPI_MAX_CPUS (64) CPUs, extra ones dropped");
    assert_warned(f, "ACPI: MADT lists more than ACPI_MAX_IOAPICS (8) I/O APICs, extra dropped");
    assert_warned(f, "ACPI: MADT lists more than ACPI_MAX_OVERRIDES (16) overrides, extra dropped");
    assert_int_equal(f->nwarn, 3);
    assert_true(a.has_madt);
    assert_int_equal(a.ncpus, ACPI_MAX_CPUS);
    assert_cpu(&a.cpus[ACPI_MAX_CPUS - 1], 2 * (ACPI_MAX_CPUS - 1), ACPI_MAX_CPUS - 1, true, false);
    assert_int_equal(a.nioapics, ACPI_MAX_IOAPICS);
    assert_int_equal(a.ioapics[ACPI_MAX_IOAPICS - 1].gsi_base, 24 * (ACPI_MAX_IOAPICS - 1));
    assert_int_equal(a.noverrides, ACPI_MAX_OVERRIDES);
    assert_int_equal(a.overrides[ACPI_MAX_OVERRIDES - 1].gsi, ACPI_MAX_OVERRIDES - 1 + 100);
    assert_int_equal(a.overrides[ACPI_MAX_OVERRIDES - 1].flags, 5);

    /* Exactly at the limits: no warning. */
    madt_start(f, 5, 0xfee00000u, 1);
    for (uint32_t i = 0; i < ACPI_MAX_CPUS; i++) {
        madt_x2apic(f, 1000 + i, 1, i);
    }
    seal(f, OFF_MADT);
    parse_ok(f, &a);
    assert_no_warnings(f);
    assert_int_equal(a.ncpus, ACPI_MAX_CPUS);
    assert_cpu(&a.cpus[ACPI_MAX_CPUS - 1], 1000 + ACPI_MAX_CPUS - 1, ACPI_MAX_CPUS - 1, true,
               false);
}

static void test_madt_lapic_override_and_revision(void **state) {
    fake_t *f = fake_of(state);
    acpi_info_t a;

    madt_start(f, 4, 0xfee00000u, 0);
    madt_lapic(f, 0, 0, 3);      /* online-capable bit is reserved before revision 5 */
    madt_x2apic(f, 300, 2, 300); /* likewise */
    madt_lapic_override(f, 0x1fee00000ull);
    seal(f, OFF_MADT);
    parse_ok(f, &a);
    assert_no_warnings(f);
    assert_int_equal(a.lapic_base, 0x1fee00000ull);
    assert_false(a.pic_present);
    assert_int_equal(a.ncpus, 2);
    assert_cpu(&a.cpus[0], 0, 0, true, false);
    assert_cpu(&a.cpus[1], 300, 300, false, false);

    put8(f, OFF_MADT + 8, 5);
    seal(f, OFF_MADT);
    parse_ok(f, &a);
    assert_cpu(&a.cpus[0], 0, 0, true, true);
    assert_cpu(&a.cpus[1], 300, 300, false, true);
}

/* An ACPI 1.0 FADT: 116 bytes, no RESET_REG, no X_ fields; the bytes after it are a valid
 * 6.5 tail that must not be read (the exact-size map makes ASan enforce it). */
static void test_fadt_revision1(void **state) {
    fake_t *f = fake_of(state);
    acpi_info_t a;

    put32(f, OFF_FADT + 4, 116);
    put8(f, OFF_FADT + 8, 1);
    put32(f, OFF_FADT + 40, (uint32_t)PHYS(OFF_DSDT));
    seal_all(f);
    parse_ok(f, &a);
    assert_no_warnings(f);
    assert_true(a.has_fadt);
    assert_int_equal(a.sci_irq, 9);
    assert_int_equal(a.pm1a_cnt, 0x604);
    assert_int_equal(a.pm1b_cnt, 0);
    assert_int_equal(a.pm_tmr_port, 0x608);
    assert_true(a.pm_tmr_32bit);
    assert_false(a.has_reset);     /* RESET_REG_SUP is set, but the register is not there */
    assert_false(a.has_boot_arch); /* reserved bytes in ACPI 1.0, whatever they hold */
    assert_int_equal(a.boot_arch, 0);
    assert_true(a.has_s5);
    assert_int_equal(a.s5_typa, 5);
    assert_int_equal(a.s5_typb, 6);

    /* ACPI 2.0-era length with RESET_REG but without X_DSDT. */
    put32(f, OFF_FADT + 4, 129);
    seal(f, OFF_FADT);
    parse_ok(f, &a);
    assert_true(a.has_reset);
    assert_int_equal(a.reset_value, 6);
    assert_true(a.has_s5);
    assert_false(a.has_boot_arch);

    /* Revision 2 (the ACPI 1.0b-era FADT with RESET_REG) has IAPC_BOOT_ARCH: here a
     * machine that says it has no 8042. */
    put8(f, OFF_FADT + 8, 2);
    put16(f, OFF_FADT + 109, T_BOOT_ARCH_LEGACY);
    seal(f, OFF_FADT);
    parse_ok(f, &a);
    assert_true(a.has_boot_arch);
    assert_int_equal(a.boot_arch, ACPI_BOOT_ARCH_LEGACY_DEVICES);
}

static void test_fadt_fields(void **state) {
    fake_t *f = fake_of(state);
    acpi_info_t a;

    /* X_ blocks in memory space or above 0xffff cannot be ports: the legacy field is read. */
    put_gas(f, OFF_FADT + 172, 0, 16, 2, 0xb004);
    put_gas(f, OFF_FADT + 208, 1, 32, 3, 0x10008);
    put_gas(f, OFF_FADT + 184, 1, 16, 2, 0xb104); /* X_PM1b_CNT_BLK over a legacy 0 */
    seal(f, OFF_FADT);
    parse_ok(f, &a);
    assert_int_equal(a.pm1a_cnt, 0x604);
    assert_int_equal(a.pm_tmr_port, 0x608);
    assert_int_equal(a.pm1b_cnt, 0xb104);

    /* No X_ blocks, no timer, no flags, legacy port beyond 16 bits. */
    fake_build(f);
    memset(f->mem + OFF_FADT + 148, 0, 276 - 148);
    put32(f, OFF_FADT + 76, 0);
    put32(f, OFF_FADT + 68, 0x12345);
    put32(f, OFF_FADT + 112, 0);
    seal(f, OFF_FADT);
    parse_ok(f, &a);
    assert_no_warnings(f);
    assert_int_equal(a.pm1a_cnt, 0x604);
    assert_int_equal(a.pm1b_cnt, 0);
    assert_int_equal(a.pm_tmr_port, 0);
    assert_false(a.pm_tmr_32bit);
    assert_false(a.has_reset);
    assert_int_equal(a.reset_value, 0);
    assert_int_equal(a.reset_reg.address, 0);

    /* 24-bit timer; reset supported but the register's address is 0. */
    fake_build(f);
    put32(f, OFF_FADT + 112, T_RESET_REG_SUP);
    put64(f, OFF_FADT + 120, 0);
    seal(f, OFF_FADT);
    parse_ok(f, &a);
    assert_int_equal(a.pm_tmr_port, 0xb008);
    assert_false(a.pm_tmr_32bit);
    assert_false(a.has_reset);
}

static void test_dsdt_problems(void **state) {
    fake_t *f = fake_of(state);
    acpi_info_t a;
    static const uint8_t no_s5[] = {0x08, '_',  'S',  '4',  '_',  0x12, 0x06,
                                    0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00};
    /* Scope (\\) { Name (_S5, Package (2) { Zero, One }) } */
    static const uint8_t zero_one[] = {0x10, 0x0c, '\\', 0x08, '_',  'S', '5',
                                       '_',  0x12, 0x04, 0x02, 0x00, 0x01};
    static const uint8_t truncated[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0a, 0x05};

    dsdt_put(f, OFF_DSDT, no_s5, sizeof(no_s5));
    seal(f, OFF_DSDT);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: DSDT has no \\_S5 package, soft-off unavailable");
    assert_true(a.has_fadt);
    assert_false(a.has_s5);
    assert_int_equal(a.s5_typa, 0);

    dsdt_put(f, OFF_DSDT, zero_one, sizeof(zero_one));
    seal(f, OFF_DSDT);
    parse_ok(f, &a);
    assert_no_warnings(f);
    assert_true(a.has_s5);
    assert_int_equal(a.s5_typa, 0);
    assert_int_equal(a.s5_typb, 1);

    /* The package runs past the end of the DSDT. */
    dsdt_put(f, OFF_DSDT, truncated, sizeof(truncated));
    seal(f, OFF_DSDT);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: DSDT \\_S5 package is malformed, soft-off unavailable");
    assert_false(a.has_s5);

    /* An empty DSDT (header only). */
    dsdt_put(f, OFF_DSDT, NULL, 0);
    seal(f, OFF_DSDT);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: DSDT has no \\_S5 package, soft-off unavailable");

    /* Neither DSDT field set. */
    fake_build(f);
    put32(f, OFF_FADT + 40, 0);
    put64(f, OFF_FADT + 140, 0);
    seal(f, OFF_FADT);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: FADT names no DSDT, soft-off unavailable");
    assert_true(a.has_fadt);
    assert_false(a.has_s5);

    /* X_DSDT 0: the legacy field is used, and here it names an SSDT. */
    put32(f, OFF_FADT + 40, (uint32_t)PHYS(OFF_SSDT));
    seal(f, OFF_FADT);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: DSDT signature mismatch, table ignored");
    assert_false(a.has_s5);

    /* DSDT length past memory. */
    fake_build(f);
    put32(f, OFF_DSDT + 4, MEM_SIZE);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: DSDT length runs past mapped memory, table ignored");
    assert_false(a.has_s5);
    assert_true(a.has_fadt);
}

static void test_hpet_mcfg_problems(void **state) {
    fake_t *f = fake_of(state);
    acpi_info_t a;

    put8(f, OFF_HPET + 40, 1);
    seal(f, OFF_HPET);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: HPET base address is not in system memory, table ignored");
    assert_false(a.has_hpet);
    assert_int_equal(a.hpet_base, 0);

    fake_build(f);
    put64(f, OFF_HPET + 44, 0);
    seal(f, OFF_HPET);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: HPET base address is zero, table ignored");
    assert_false(a.has_hpet);

    static const char *const mcfg_bad = "ACPI: MCFG has an entry with a zero, wrapping or "
                                        "reversed range, table ignored";
    fake_build(f);
    put8(f, OFF_MCFG + 44 + 16 + 10, 0x20); /* second entry: start 0x20 > end 0x1f */
    seal(f, OFF_MCFG);
    parse_ok(f, &a);
    assert_warned(f, mcfg_bad);
    assert_int_equal(a.nmcfg, 0);
    assert_int_equal(a.mcfg[0].base, 0);

    fake_build(f);
    put64(f, OFF_MCFG + 44, 0);
    seal(f, OFF_MCFG);
    parse_ok(f, &a);
    assert_warned(f, mcfg_bad);
    assert_int_equal(a.nmcfg, 0);

    fake_build(f);
    put64(f, OFF_MCFG + 44, UINT64_MAX - 0xfffff); /* 256 buses from here wrap */
    seal(f, OFF_MCFG);
    parse_ok(f, &a);
    assert_warned(f, mcfg_bad);

    fake_build(f);
    mcfg_put(f, OFF_MCFG, 6);
    seal(f, OFF_MCFG);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: MCFG lists more than ACPI_MAX_MCFG (4) windows, extra dropped");
    assert_int_equal(a.nmcfg, ACPI_MAX_MCFG);
    assert_int_equal(a.mcfg[3].base, 0x430000000ull);
    assert_int_equal(a.mcfg[3].segment, 3);

    fake_build(f);
    put32(f, OFF_MCFG + 4, 44 + 16 + 8);
    seal(f, OFF_MCFG);
    parse_ok(f, &a);
    assert_warned(f, "ACPI: MCFG length is not 44 + 16n, trailing bytes ignored");
    assert_int_equal(a.nmcfg, 1);

    fake_build(f);
    mcfg_put(f, OFF_MCFG, 0);
    seal(f, OFF_MCFG);
    parse_ok(f, &a);
    assert_no_warnings(f);
    assert_int_equal(a.nmcfg, 0);
}

/* Hostile input with no warn callback must still be handled. */
static void test_null_warn(void **state) {
    fake_t *f = fake_of(state);
    acpi_info_t a;
    f->plat.warn = NULL;
    f->mem[OFF_XSDT + 36] ^= 1;
    madt_default(f);
    madt_entry(f, 0, 0, NULL);
    put32(f, OFF_MADT + 4, f->madt_len + 2);
    seal(f, OFF_MADT);
    parse_ok(f, &a);
    assert_false(a.has_madt);
    assert_true(a.has_fadt);
    assert_int_equal(f->nwarn, 0);
    f->plat.warn = fake_warn;
}

/* Invariants every acpi_parse result must satisfy, whatever the input. */
static void check_invariants(const acpi_info_t *a, status_t st) {
    static const acpi_info_t zero;
    if (st != STATUS_OK) {
        assert_true(st == ERR_NOT_FOUND || st == ERR_BAD_FORMAT || st == ERR_CHECKSUM ||
                    st == ERR_INVALID);
        assert_memory_equal(a, &zero, sizeof(*a));
        return;
    }
    assert_true(a->ncpus <= ACPI_MAX_CPUS);
    assert_true(a->nioapics <= ACPI_MAX_IOAPICS);
    assert_true(a->noverrides <= ACPI_MAX_OVERRIDES);
    assert_true(a->nmcfg <= ACPI_MAX_MCFG);
    assert_int_equal(a->oem_id[6], '\0');
    if (!a->has_madt) {
        assert_true(a->ncpus == 0 && a->nioapics == 0 && a->noverrides == 0);
        assert_true(a->lapic_base == 0 && !a->pic_present);
    }
    if (!a->has_hpet) {
        assert_int_equal(a->hpet_base, 0);
    }
    if (!a->has_fadt) {
        assert_true(a->sci_irq == 0 && a->pm1a_cnt == 0 && !a->has_reset && !a->has_s5);
    }
    if (a->has_s5) {
        assert_true(a->s5_typa <= 7 && a->s5_typb <= 7);
    }
    assert_true(a->pm1a_cnt <= 0xffff && a->pm1b_cnt <= 0xffff && a->pm_tmr_port <= 0xffff);
    for (uint32_t i = 0; i < a->nmcfg; i++) {
        assert_true(a->mcfg[i].base != 0 && a->mcfg[i].bus_start <= a->mcfg[i].bus_end);
    }
}

/*
 * Mutates the reference image, mostly inside the tables, and re-parses. On odd iterations
 * every checksum is fixed up afterwards so the mutations reach the table decoders; on even
 * ones they mostly stop at a checksum. Nothing may crash, hang or read unmapped bytes.
 */
static void test_mutation_fuzz(void **state) {
    fake_t *f = fake_of(state);
    static const uint8_t interesting[] = {0x00, 0x01, 0x02, 0x07, 0x08, 0x0a, 0x10,
                                          0x12, 0x24, 0x2c, 0x7f, 0x80, 0xfe, 0xff};
    uint8_t *pristine = malloc(MEM_SIZE);
    assert_non_null(pristine);
    memcpy(pristine, f->mem, MEM_SIZE);
    uint64_t seed = 0xac91ac91deadbeefull;
    unsigned ok = 0, failed = 0, madt = 0, fadt = 0, s5 = 0, hpet = 0, mcfg = 0;

    for (int iter = 0; iter < 20000; iter++) {
        memcpy(f->mem, pristine, MEM_SIZE);
        int nmut = 1 + (int)(xorshift64(&seed) % 6);
        for (int m = 0; m < nmut; m++) {
            uint64_t r = xorshift64(&seed);
            /* Aim at a table: its header (lengths, signatures) half the time. */
            uint32_t base = table_offsets[(r >> 4) % NTABLES];
            if ((r & 0xf) == 0) {
                base = OFF_RSDP;
            }
            uint32_t span = (r >> 12) & 1 ? 36 : 0x120;
            uint32_t pos = base + (uint32_t)((r >> 16) % span);
            if (pos >= MEM_SIZE) {
                continue;
            }
            switch ((r >> 40) % 3) {
            case 0:
                f->mem[pos] ^= (uint8_t)(1u << ((r >> 44) % 8));
                break;
            case 1:
                f->mem[pos] = (uint8_t)(r >> 48);
                break;
            default:
                f->mem[pos] = interesting[(r >> 48) % sizeof(interesting)];
                break;
            }
        }
        if (iter & 1) {
            seal_all(f);
        }
        acpi_info_t a;
        status_t st = fake_parse(f, PHYS(OFF_RSDP), &a);
        check_invariants(&a, st);
        if (st == STATUS_OK) {
            ok++;
            madt += a.has_madt;
            fadt += a.has_fadt;
            s5 += a.has_s5;
            hpet += a.has_hpet;
            mcfg += a.nmcfg != 0;
        } else {
            failed++;
        }
    }
    free(pristine);
    print_message("fuzz: %u ok, %u failed; madt %u fadt %u s5 %u hpet %u mcfg %u\n", ok, failed,
                  madt, fadt, s5, hpet, mcfg);
    /* Both outcomes and every decoder must be reached, or the loop tests nothing. */
    assert_true(ok > 5000 && failed > 100);
    assert_true(madt > 1000 && fadt > 1000 && s5 > 1000 && hpet > 1000 && mcfg > 1000);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_reference_image),
        T(test_bad_arguments),
        T(test_rsdp_rejects),
        T(test_rsdp_v1_uses_rsdt),
        T(test_xsdt_falls_back_to_rsdt),
        T(test_both_roots_bad),
        T(test_root_entries),
        T(test_table_length_checks),
        T(test_table_checksums),
        T(test_duplicate_tables),
        T(test_madt_bad_entries),
        T(test_madt_limits),
        T(test_madt_lapic_override_and_revision),
        T(test_fadt_revision1),
        T(test_fadt_fields),
        T(test_dsdt_problems),
        T(test_hpet_mcfg_problems),
        T(test_null_warn),
        T(test_mutation_fuzz),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
