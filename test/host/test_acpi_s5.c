/*
 * Host tests for acpi_find_s5 (kernel/dev/acpi/aml_s5.c): \_S5's SLP_TYP values from
 * hand-written DSDT AML in every encoding, rejections, every truncation, and a fuzz loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dev/acpi.h>

#include "test_util.h"

/* acpi_find_s5 on an exact-size heap copy, so ASan sees any overread. */
static status_t find_s5(const uint8_t *aml, size_t n, uint8_t *a, uint8_t *b) {
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, aml, n);
    *a = 0xee;
    *b = 0xee;
    status_t st = acpi_find_s5(copy, n, a, b);
    free(copy);
    return st;
}

#define S5(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static void expect_s5(const uint8_t *aml, size_t n, uint8_t want_a, uint8_t want_b) {
    uint8_t a, b;
    status_t st = find_s5(aml, n, &a, &b);
    if (st != STATUS_OK) {
        fail_msg("acpi_find_s5: %s", status_str(st));
    }
    assert_int_equal(a, want_a);
    assert_int_equal(b, want_b);
}

static void expect_s5_fail(const uint8_t *aml, size_t n, status_t want) {
    uint8_t a, b;
    status_t st = find_s5(aml, n, &a, &b);
    if (st != want) {
        fail_msg("acpi_find_s5: got %s, want %s", status_str(st), status_str(want));
    }
    assert_int_equal(a, 0xee); /* untouched on failure */
    assert_int_equal(b, 0xee);
}

static void test_find_s5_encodings(void **state) {
    (void)state;
    /* The common firmware encoding, from the brief. */
    expect_s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00), 5,
              5);
    /* QEMU's: Package (4) { Zero, Zero, Zero, Zero }. */
    expect_s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00), 0, 0);
    expect_s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x01, 0x00), 1, 0);
    expect_s5(S5(0x08, '\\', '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x01), 0, 1);
    expect_s5(S5(0x08, '^', '^', '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x01, 0x01), 1, 1);
    expect_s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x0a, 0x02, 0x0b, 0x07, 0x00, 0x0c, 0x03, 0x00,
                 0x00, 0x00),
              7, 3);
    expect_s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x0c, 0x02, 0x0e, 2, 0, 0, 0, 0, 0, 0, 0, 0x01), 2,
              1);
    /* Two-byte PkgLength (lead 0x40: one byte follows, low nibble 5, then 0x00). */
    expect_s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x47, 0x00, 0x02, 0x0a, 0x03, 0x0a, 0x04), 3, 4);
    /* One integer carrying both values (SLP_TYPa in bits 0-7, SLP_TYPb in 8-15). */
    expect_s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x01, 0x0b, 0x05, 0x06), 5, 6);
    /* A bad candidate, then a good one: the good one is found. */
    expect_s5(S5(0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x02, 0x0a, 0x09, 0x08, '_', 'S', '5', '_',
                 0x12, 0x04, 0x02, 0x01, 0x00),
              1, 0);
    /* "_S5_" as a String and as a method name are not the Name. */
    expect_s5(S5(0x0d, '_', 'S', '5', '_', 0x00, 0x14, 0x06, '_', 'S', '5', '_', 0x00, 0x08, '_',
                 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x00),
              0, 0);
}

static void test_find_s5_rejects(void **state) {
    (void)state;
    uint8_t a, b;
    assert_int_equal(acpi_find_s5(NULL, 0, &a, &b), ERR_NOT_FOUND);
    expect_s5_fail(S5(0), ERR_NOT_FOUND);
    expect_s5_fail(S5('_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x00), ERR_NOT_FOUND);
    expect_s5_fail(S5(0x14, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x00), ERR_NOT_FOUND);
    expect_s5_fail(S5(0x08, '_', 'S', '4', '_', 0x12, 0x04, 0x02, 0x00, 0x00), ERR_NOT_FOUND);
    /* Name (_S5, 5): not a package. */
    expect_s5_fail(S5(0x08, '_', 'S', '5', '_', 0x0a, 0x05), ERR_NOT_FOUND);
    expect_s5_fail(S5(0x08, '_', 'S', '5', '_'), ERR_NOT_FOUND);
    /* Values beyond 3 bits, Ones, non-integers, empty packages, missing second element. */
    expect_s5_fail(S5(0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x08, 0x00),
                   ERR_BAD_FORMAT);
    expect_s5_fail(S5(0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0xff), ERR_BAD_FORMAT);
    expect_s5_fail(S5(0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0b, 0x00, 0x01, 0x00),
                   ERR_BAD_FORMAT);
    expect_s5_fail(S5(0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0d, 'x', 0x00), ERR_BAD_FORMAT);
    expect_s5_fail(S5(0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00), ERR_BAD_FORMAT);
    expect_s5_fail(S5(0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x02, 0x00), ERR_BAD_FORMAT);
    /* PkgLength shorter than its own encoding + NumElements, or past the end. */
    expect_s5_fail(S5(0x08, '_', 'S', '5', '_', 0x12, 0x01, 0x02, 0x00, 0x00), ERR_BAD_FORMAT);
    expect_s5_fail(S5(0x08, '_', 'S', '5', '_', 0x12, 0x41, 0x00, 0x02, 0x00, 0x00),
                   ERR_BAD_FORMAT);
    expect_s5_fail(S5(0x08, '_', 'S', '5', '_', 0x12, 0xc4, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00),
                   ERR_BAD_FORMAT);
    /* The second element lies past the end of the package (PkgLength 4). */
    expect_s5_fail(S5(0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x0a, 0x01, 0x00),
                   ERR_BAD_FORMAT);
}

/* Every truncation of a valid encoding fails cleanly; only the whole one succeeds. */
static void test_find_s5_truncations(void **state) {
    (void)state;
    static const uint8_t full[] = {0x08, '\\', '_', 'S', '5', '_', 0x12, 0x41, 0x01, 0x02, 0x0e, 5,
                                   0,    0,    0,   0,   0,   0,   0,    0x0c, 6,    0,    0,    0};
    for (size_t n = 0; n < sizeof(full); n++) {
        uint8_t a, b;
        status_t st = find_s5(full, n, &a, &b);
        if (st != (n <= 6 ? ERR_NOT_FOUND : ERR_BAD_FORMAT)) {
            fail_msg("length %zu: %s", n, status_str(st));
        }
    }
    expect_s5(full, sizeof(full), 5, 6);
}

/* One integer term with value v < 8, in a randomly chosen encoding; returns its size. */
static size_t put_aml_int(uint8_t *p, uint8_t v, uint64_t r) {
    static const uint8_t prefix[] = {0x0a, 0x0b, 0x0c, 0x0e};
    static const uint8_t size[] = {1, 2, 4, 8};
    if ((r & 3) == 0 && v <= 1) {
        p[0] = v; /* ZeroOp or OneOp */
        return 1;
    }
    unsigned k = (unsigned)(r >> 2) % 4;
    p[0] = prefix[k];
    memset(p + 1, 0, size[k]);
    p[1] = v;
    return 1u + size[k];
}

/*
 * Random AML holding a valid Name (_S5, Package) somewhere, then up to three random byte
 * mutations. Exact-size buffers catch any overread; every answer must be a clean one.
 */
static void test_find_s5_fuzz(void **state) {
    (void)state;
    uint64_t seed = 0x5eed5eed12345678ull;
    unsigned found = 0, bad = 0, missing = 0;
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t buf[64], pkg[32];
        size_t n = 0, plen = 0;
        uint8_t va = (uint8_t)(xorshift64(&seed) % 8), vb = (uint8_t)(xorshift64(&seed) % 8);

        pkg[plen++] = 0x08;
        memcpy(pkg + plen, "_S5_", 4);
        plen += 4;
        pkg[plen++] = 0x12;
        size_t len_at = plen++;
        pkg[plen++] = (uint8_t)(2 + xorshift64(&seed) % 3);
        plen += put_aml_int(pkg + plen, va, xorshift64(&seed));
        plen += put_aml_int(pkg + plen, vb, xorshift64(&seed));
        pkg[len_at] = (uint8_t)(plen - len_at);

        size_t before = xorshift64(&seed) % 16, after = xorshift64(&seed) % 16;
        for (size_t i = 0; i < before; i++) {
            buf[n++] = (uint8_t)xorshift64(&seed);
        }
        memcpy(buf + n, pkg, plen);
        n += plen;
        for (size_t i = 0; i < after; i++) {
            buf[n++] = (uint8_t)xorshift64(&seed);
        }
        int nmut = (int)(xorshift64(&seed) % 4);
        for (int m = 0; m < nmut; m++) {
            uint64_t r = xorshift64(&seed);
            buf[before + (r >> 8) % plen] = (uint8_t)(r >> 32);
        }
        if (xorshift64(&seed) % 8 == 0) {
            n = before + xorshift64(&seed) % plen; /* truncated inside the package */
        }

        uint8_t a, b;
        status_t st = find_s5(buf, n, &a, &b);
        if (st == STATUS_OK) {
            found++;
            assert_true(a <= 7 && b <= 7);
            if (nmut == 0 && n >= before + plen) {
                assert_int_equal(a, va);
                assert_int_equal(b, vb);
            }
        } else if (st == ERR_BAD_FORMAT) {
            bad++;
        } else {
            assert_int_equal(st, ERR_NOT_FOUND);
            missing++;
        }
    }
    print_message("s5 fuzz: %u found, %u malformed, %u not found\n", found, bad, missing);
    assert_true(found > 1000 && bad > 1000 && missing > 1000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_s5_encodings),
        cmocka_unit_test(test_find_s5_rejects),
        cmocka_unit_test(test_find_s5_truncations),
        cmocka_unit_test(test_find_s5_fuzz),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
