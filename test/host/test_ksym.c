/*
 * Host tests for the kernel symbolizer (kernel/lib/ksym.c): lookups on a synthetic ELF with
 * .symtab/.strtab, and corrupt files that must give an error or a safe answer, never a
 * read outside the file (the file is an exact-size malloc, so ASan sees any overread).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include <exo/bootinfo.h>
#include <exo/elf64.h>
#include <kernel/ksym.h>

#define KB BOOT_KERNEL_BASE
#define SHT_PROGBITS 1
#define SHN_TEXT 1 /* section index the test's defined symbols claim */

enum { SEC_NULL, SEC_TEXT, SEC_SYMTAB, SEC_STRTAB, NSEC };
enum { NSYMS = 9, STRTAB_MAX = 128 };

/* File layout: ehdr | symbols | section headers | string table (last, so it ends the file). */
typedef struct tks {
    elf64_ehdr_t eh;
    elf64_sym_t syms[NSYMS];
    elf64_shdr_t sh[NSEC];
    char strtab[STRTAB_MAX];
    uint64_t strtab_len;
    uint64_t size;
} tks_t;

#define OFF_SYMS ((uint64_t)sizeof(elf64_ehdr_t))
#define OFF_SHDRS (OFF_SYMS + NSYMS * sizeof(elf64_sym_t))
#define OFF_STRTAB (OFF_SHDRS + NSEC * sizeof(elf64_shdr_t))

static void add_sym(tks_t *k, int i, const char *name, uint8_t type, uint16_t shndx, uint64_t value,
                    uint64_t size) {
    elf64_sym_t *s = &k->syms[i];
    s->st_name = (uint32_t)k->strtab_len;
    size_t len = strlen(name) + 1;
    assert_true(k->strtab_len + len <= STRTAB_MAX);
    memcpy(k->strtab + k->strtab_len, name, len);
    k->strtab_len += len;
    s->st_info = (uint8_t)(0x10 | type); /* STB_GLOBAL */
    s->st_shndx = shndx;
    s->st_value = value;
    s->st_size = size;
}

/*
 * kmain [KB+0x1000, +0x100), panic [KB+0x1100, +0x80), an object right after panic, a
 * NOTYPE label inside kmain, an unnamed function at KB+0x2000, a size-0 isr_stub at
 * KB+0x3000, an undefined function at 0, late_fn far above. late_fn's name ends strtab.
 */
static void tks_valid(tks_t *k) {
    memset(k, 0, sizeof(*k));
    k->strtab_len = 1; /* index 0 is the empty name */
    add_sym(k, 1, "kmain", STT_FUNC, SHN_TEXT, KB + 0x1000, 0x100);
    add_sym(k, 2, "panic", STT_FUNC, SHN_TEXT, KB + 0x1100, 0x80);
    add_sym(k, 3, "boot_data", STT_OBJECT, SHN_TEXT, KB + 0x1180, 0x1000);
    add_sym(k, 4, "label", STT_NOTYPE, SHN_TEXT, KB + 0x1050, 0);
    add_sym(k, 5, "", STT_FUNC, SHN_TEXT, KB + 0x2000, 0x100);
    k->syms[5].st_name = 0;
    add_sym(k, 6, "isr_stub", STT_FUNC, SHN_TEXT, KB + 0x3000, 0);
    add_sym(k, 7, "undef_fn", STT_FUNC, SHN_UNDEF, 0, 0);
    add_sym(k, 8, "late_fn", STT_FUNC, SHN_TEXT, KB + 0x20000, 0x10);

    test_elf_header(&k->eh);
    k->eh.e_shoff = OFF_SHDRS;
    k->eh.e_shnum = NSEC;

    k->sh[SEC_TEXT].sh_type = SHT_PROGBITS;
    k->sh[SEC_SYMTAB].sh_type = SHT_SYMTAB;
    k->sh[SEC_SYMTAB].sh_offset = OFF_SYMS;
    k->sh[SEC_SYMTAB].sh_size = NSYMS * sizeof(elf64_sym_t);
    k->sh[SEC_SYMTAB].sh_link = SEC_STRTAB;
    k->sh[SEC_SYMTAB].sh_entsize = sizeof(elf64_sym_t);
    k->sh[SEC_STRTAB].sh_type = SHT_STRTAB;
    k->sh[SEC_STRTAB].sh_offset = OFF_STRTAB;
    k->sh[SEC_STRTAB].sh_size = k->strtab_len;
    k->size = OFF_STRTAB + k->strtab_len;
}

/* Writes the file (k->size bytes, clipped) at buf. */
static void tks_write(const tks_t *k, uint8_t *buf) {
    uint8_t full[OFF_STRTAB + STRTAB_MAX];
    memset(full, 0, sizeof(full));
    memcpy(full, &k->eh, sizeof(k->eh));
    memcpy(full + OFF_SYMS, k->syms, sizeof(k->syms));
    memcpy(full + OFF_SHDRS, k->sh, sizeof(k->sh));
    memcpy(full + OFF_STRTAB, k->strtab, sizeof(k->strtab));
    assert_true(k->size <= sizeof(full));
    memcpy(buf, full, k->size);
}

static uint8_t *tks_emit(const tks_t *k) {
    uint8_t *buf = malloc(k->size ? k->size : 1);
    assert_non_null(buf);
    tks_write(k, buf);
    return buf;
}

static status_t tks_init(const tks_t *k, ksym_table_t *t, uint8_t **buf) {
    *buf = tks_emit(k);
    memset(t, 0, sizeof(*t));
    return ksym_init(t, *buf, k->size);
}

static void expect_sym(const ksym_table_t *t, uint64_t addr, const char *name, uint64_t off) {
    uint64_t got_off = 0xdead;
    const char *got = ksym_lookup(t, addr, &got_off);
    if (got == NULL || strcmp(got, name) != 0 || got_off != off) {
        fail_msg("addr %#llx: got %s+%#llx, want %s+%#llx", (unsigned long long)addr,
                 got ? got : "NULL", (unsigned long long)got_off, name, (unsigned long long)off);
    }
}

static void expect_none(const ksym_table_t *t, uint64_t addr) {
    uint64_t off = 0;
    const char *got = ksym_lookup(t, addr, &off);
    if (got != NULL) {
        fail_msg("addr %#llx: got %s, want NULL", (unsigned long long)addr, got);
    }
}

static void test_init_fills_table(void **state) {
    (void)state;
    tks_t k;
    ksym_table_t t;
    uint8_t *buf;
    tks_valid(&k);
    assert_int_equal(tks_init(&k, &t, &buf), STATUS_OK);
    assert_ptr_equal(t.file, buf);
    assert_int_equal(t.file_size, k.size);
    assert_ptr_equal(t.syms, buf + OFF_SYMS);
    assert_int_equal(t.nsyms, NSYMS);
    assert_ptr_equal(t.strtab, (const char *)buf + OFF_STRTAB);
    assert_int_equal(t.strtab_size, k.strtab_len);
    free(buf);
}

static void test_lookup_rules(void **state) {
    (void)state;
    tks_t k;
    ksym_table_t t;
    uint8_t *buf;
    tks_valid(&k);
    assert_int_equal(tks_init(&k, &t, &buf), STATUS_OK);
    expect_sym(&t, KB + 0x1000, "kmain", 0);     /* at start */
    expect_sym(&t, KB + 0x1050, "kmain", 0x50);  /* inside; the NOTYPE label is ignored */
    expect_sym(&t, KB + 0x10ff, "kmain", 0xff);  /* end - 1 */
    expect_sym(&t, KB + 0x1100, "panic", 0);     /* kmain's end is panic's start */
    expect_sym(&t, KB + 0x1180, "panic", 0x80);  /* past panic, inside an object: nearest below */
    expect_sym(&t, KB + 0x2050, "panic", 0xf50); /* the unnamed function is skipped */
    expect_sym(&t, KB + 0x3000, "isr_stub", 0);  /* size-0 function */
    expect_sym(&t, KB + 0x3010, "isr_stub", 0x10);
    expect_sym(&t, KB + 0x3000 + 0xffff, "isr_stub", 0xffff);
    expect_none(&t, KB + 0x3000 + 0x10000); /* 64 KiB past the nearest function */
    expect_none(&t, KB + 0x1fff0);
    expect_sym(&t, KB + 0x20008, "late_fn", 8);
    free(buf);
}

static void test_lookup_below_all_and_edges(void **state) {
    (void)state;
    tks_t k;
    ksym_table_t t;
    uint8_t *buf;
    tks_valid(&k);
    assert_int_equal(tks_init(&k, &t, &buf), STATUS_OK);
    expect_none(&t, KB + 0xfff); /* below every function */
    expect_none(&t, 0x10);       /* the undefined function at 0 does not count */
    expect_none(&t, 0);
    assert_string_equal(ksym_lookup(&t, KB + 0x1001, NULL), "kmain");
    ksym_table_t empty;
    memset(&empty, 0, sizeof(empty));
    assert_null(ksym_lookup(&empty, KB + 0x1000, NULL));
    assert_null(ksym_lookup(NULL, KB + 0x1000, NULL));
    free(buf);
}

/* The file buffer has no alignment promise; UBSan checks every access. */
static void test_unaligned_file(void **state) {
    (void)state;
    tks_t k;
    ksym_table_t t;
    tks_valid(&k);
    uint8_t *raw = malloc(k.size + 7);
    assert_non_null(raw);
    for (int shift = 1; shift < 8; shift += 3) {
        tks_write(&k, raw + shift);
        assert_int_equal(ksym_init(&t, raw + shift, k.size), STATUS_OK);
        expect_sym(&t, KB + 0x1104, "panic", 4);
    }
    free(raw);
}

static void expect_init(const tks_t *k, status_t want) {
    ksym_table_t t;
    uint8_t *buf;
    status_t st = tks_init(k, &t, &buf);
    free(buf);
    if (st != want) {
        fail_msg("ksym_init: got %d, want %d", st, want);
    }
}

static void test_not_elf(void **state) {
    (void)state;
    tks_t k;
    tks_valid(&k);
    k.eh.e_ident[0] = 'M';
    k.eh.e_ident[1] = 'Z';
    expect_init(&k, ERR_BAD_FORMAT);
    k.size = 2;
    expect_init(&k, ERR_BAD_FORMAT);
    tks_valid(&k);
    k.eh.e_ident[EI_CLASS] = 1;
    expect_init(&k, ERR_BAD_FORMAT);
    tks_valid(&k);
    k.eh.e_ident[EI_DATA] = 2;
    expect_init(&k, ERR_BAD_FORMAT);
    tks_valid(&k);
    k.size = 40; /* starts like ELF, ends inside the header */
    expect_init(&k, ERR_TRUNCATED);
    ksym_table_t t;
    assert_int_equal(ksym_init(&t, NULL, 0), ERR_TRUNCATED);
    assert_int_equal(ksym_init(NULL, &k, sizeof(k)), ERR_INVALID);
}

static void test_section_headers_bounds(void **state) {
    (void)state;
    tks_t k;
    tks_valid(&k);
    k.size = OFF_SHDRS + NSEC * sizeof(elf64_shdr_t) - 1; /* headers cut by one byte */
    expect_init(&k, ERR_TRUNCATED);
    tks_valid(&k);
    k.eh.e_shoff = k.size;
    expect_init(&k, ERR_TRUNCATED);
    k.eh.e_shoff = UINT64_MAX - 0x40; /* shoff + table wraps */
    expect_init(&k, ERR_TRUNCATED);
    tks_valid(&k);
    k.eh.e_shnum = 0xffff;
    expect_init(&k, ERR_TRUNCATED);
    tks_valid(&k);
    k.eh.e_shentsize = 40;
    expect_init(&k, ERR_BAD_FORMAT);
    tks_valid(&k);
    k.eh.e_shnum = 0;
    expect_init(&k, ERR_NOT_FOUND);
}

static void test_symtab_and_link(void **state) {
    (void)state;
    tks_t k;
    tks_valid(&k);
    k.sh[SEC_SYMTAB].sh_type = SHT_PROGBITS;
    expect_init(&k, ERR_NOT_FOUND);
    tks_valid(&k);
    k.sh[SEC_SYMTAB].sh_link = NSEC;
    expect_init(&k, ERR_NOT_FOUND);
    k.sh[SEC_SYMTAB].sh_link = 0xffffffffu;
    expect_init(&k, ERR_NOT_FOUND);
    k.sh[SEC_SYMTAB].sh_link = SEC_TEXT; /* in range but not a string table */
    expect_init(&k, ERR_NOT_FOUND);
    tks_valid(&k);
    k.sh[SEC_SYMTAB].sh_offset = k.size;
    expect_init(&k, ERR_RANGE);
    tks_valid(&k);
    k.sh[SEC_SYMTAB].sh_size = UINT64_MAX - 0x10; /* offset + size wraps */
    expect_init(&k, ERR_RANGE);
    tks_valid(&k);
    k.sh[SEC_SYMTAB].sh_entsize = 16;
    expect_init(&k, ERR_BAD_FORMAT);
    tks_valid(&k);
    k.sh[SEC_SYMTAB].sh_size -= 1;
    expect_init(&k, ERR_BAD_FORMAT);
}

static void test_strtab_bounds(void **state) {
    (void)state;
    tks_t k;
    tks_valid(&k);
    k.sh[SEC_STRTAB].sh_offset = k.size + 1;
    expect_init(&k, ERR_RANGE);
    tks_valid(&k);
    k.sh[SEC_STRTAB].sh_size += 1; /* one byte past the end of the file */
    expect_init(&k, ERR_RANGE);
    tks_valid(&k);
    k.sh[SEC_STRTAB].sh_offset = 0xffffffffffffff00ull;
    expect_init(&k, ERR_RANGE);
}

static void test_st_name_beyond_strtab(void **state) {
    (void)state;
    tks_t k;
    ksym_table_t t;
    uint8_t *buf;
    tks_valid(&k);
    k.syms[1].st_name = (uint32_t)k.strtab_len; /* kmain: one past the last byte */
    k.syms[2].st_name = 0xffffffffu;            /* panic */
    assert_int_equal(tks_init(&k, &t, &buf), STATUS_OK);
    expect_none(&t, KB + 0x1000);
    expect_none(&t, KB + 0x1104);
    expect_sym(&t, KB + 0x3004, "isr_stub", 4);
    free(buf);
}

/* late_fn's terminator is cut off the table and the file: its name must not be used. */
static void test_strtab_not_terminated(void **state) {
    (void)state;
    tks_t k;
    ksym_table_t t;
    uint8_t *buf;
    tks_valid(&k);
    k.sh[SEC_STRTAB].sh_size -= 1;
    k.size -= 1;
    assert_int_equal(tks_init(&k, &t, &buf), STATUS_OK);
    expect_none(&t, KB + 0x20008);
    expect_sym(&t, KB + 0x1004, "kmain", 4);
    free(buf);
    /* Terminator kept in the file but outside the table: still refused. */
    tks_valid(&k);
    k.sh[SEC_STRTAB].sh_size -= 1;
    assert_int_equal(tks_init(&k, &t, &buf), STATUS_OK);
    expect_none(&t, KB + 0x20008);
    free(buf);
}

/* Random byte damage anywhere: init may fail, but every returned name is in the strtab. */
static void test_mutation_fuzz(void **state) {
    (void)state;
    tks_t k;
    tks_valid(&k);
    uint8_t *valid = tks_emit(&k);
    uint8_t *buf = malloc(k.size);
    assert_non_null(buf);
    uint64_t seed = 0x2545f4914f6cdd1dull;
    unsigned named = 0;
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(buf, valid, k.size);
        int nmut = 1 + (int)(xorshift64(&seed) % 4);
        for (int m = 0; m < nmut; m++) {
            uint64_t r = xorshift64(&seed);
            buf[(r >> 8) % k.size] = (r & 1) ? (uint8_t)(r >> 40) : (uint8_t)(r >> 40) & 0x3;
        }
        ksym_table_t t;
        if (ksym_init(&t, buf, k.size) != STATUS_OK) {
            continue;
        }
        assert_true(t.strtab >= (const char *)buf && t.strtab_size <= k.size);
        for (uint64_t a = KB; a < KB + 0x4000; a += 0x3f8) {
            const char *name = ksym_lookup(&t, a, NULL);
            if (name != NULL) {
                named++;
                assert_true(name > t.strtab && name < t.strtab + t.strtab_size);
                assert_non_null(memchr(name, 0, (size_t)(t.strtab + t.strtab_size - name)));
            }
        }
    }
    free(buf);
    free(valid);
    assert_true(named > 1000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_fills_table),
        cmocka_unit_test(test_lookup_rules),
        cmocka_unit_test(test_lookup_below_all_and_edges),
        cmocka_unit_test(test_unaligned_file),
        cmocka_unit_test(test_not_elf),
        cmocka_unit_test(test_section_headers_bounds),
        cmocka_unit_test(test_symtab_and_link),
        cmocka_unit_test(test_strtab_bounds),
        cmocka_unit_test(test_st_name_beyond_strtab),
        cmocka_unit_test(test_strtab_not_terminated),
        cmocka_unit_test(test_mutation_fuzz),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
