/*
 * Host tests for the boot protocol in kernel/include/exo/bootinfo.h: every field's size and
 * offset pinned to literals worked out by hand (LP64 here, LLP64 in the loader, so a long or
 * pointer-sized field shows up), the magic's bytes, the memory-type values and the layout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <exo/bootinfo.h>

#define FIELD_SIZE(type, field) sizeof(((type *)0)->field)

/* Checks one field: its offset and its size in bytes. */
#define EXPECT_FIELD(type, field, off, size)                                                       \
    do {                                                                                           \
        assert_int_equal(offsetof(type, field), (off));                                            \
        assert_int_equal(FIELD_SIZE(type, field), (size));                                         \
    } while (0)

static void test_bootinfo_mmap_entry_layout(void **state) {
    EXPECT_FIELD(bootinfo_mmap_entry_t, base, 0, 8);
    EXPECT_FIELD(bootinfo_mmap_entry_t, pages, 8, 8);
    EXPECT_FIELD(bootinfo_mmap_entry_t, type, 16, 4);
    EXPECT_FIELD(bootinfo_mmap_entry_t, efi_type, 20, 4);
    EXPECT_FIELD(bootinfo_mmap_entry_t, efi_attr, 24, 8);
    assert_int_equal(sizeof(bootinfo_mmap_entry_t), 32);
    assert_int_equal(_Alignof(bootinfo_mmap_entry_t), 8);
}

static void test_bootinfo_framebuffer_layout(void **state) {
    EXPECT_FIELD(bootinfo_framebuffer_t, base, 0, 8);
    EXPECT_FIELD(bootinfo_framebuffer_t, size, 8, 8);
    EXPECT_FIELD(bootinfo_framebuffer_t, width, 16, 4);
    EXPECT_FIELD(bootinfo_framebuffer_t, height, 20, 4);
    EXPECT_FIELD(bootinfo_framebuffer_t, pitch, 24, 4);
    EXPECT_FIELD(bootinfo_framebuffer_t, format, 28, 4);
    EXPECT_FIELD(bootinfo_framebuffer_t, red_mask, 32, 4);
    EXPECT_FIELD(bootinfo_framebuffer_t, green_mask, 36, 4);
    EXPECT_FIELD(bootinfo_framebuffer_t, blue_mask, 40, 4);
    EXPECT_FIELD(bootinfo_framebuffer_t, reserved_mask, 44, 4);
    assert_int_equal(sizeof(bootinfo_framebuffer_t), 48);
    assert_int_equal(_Alignof(bootinfo_framebuffer_t), 8);
}

static void test_bootinfo_module_layout(void **state) {
    EXPECT_FIELD(bootinfo_module_t, base, 0, 8);
    EXPECT_FIELD(bootinfo_module_t, size, 8, 8);
    EXPECT_FIELD(bootinfo_module_t, name, 16, 64);
    assert_int_equal(sizeof(bootinfo_module_t), 80);
    assert_int_equal(_Alignof(bootinfo_module_t), 8);
}

static void test_bootinfo_time_layout(void **state) {
    EXPECT_FIELD(bootinfo_time_t, year, 0, 2);
    EXPECT_FIELD(bootinfo_time_t, month, 2, 1);
    EXPECT_FIELD(bootinfo_time_t, day, 3, 1);
    EXPECT_FIELD(bootinfo_time_t, hour, 4, 1);
    EXPECT_FIELD(bootinfo_time_t, minute, 5, 1);
    EXPECT_FIELD(bootinfo_time_t, second, 6, 1);
    EXPECT_FIELD(bootinfo_time_t, valid, 7, 1);
    EXPECT_FIELD(bootinfo_time_t, timezone, 8, 2);
    EXPECT_FIELD(bootinfo_time_t, daylight, 10, 1);
    EXPECT_FIELD(bootinfo_time_t, _pad, 11, 1);
    EXPECT_FIELD(bootinfo_time_t, nanosecond, 12, 4);
    EXPECT_FIELD(bootinfo_time_t, tsc, 16, 8);
    assert_int_equal(sizeof(bootinfo_time_t), 24);
}

static void test_bootinfo_layout(void **state) {
    EXPECT_FIELD(bootinfo_t, magic, 0, 8);
    EXPECT_FIELD(bootinfo_t, version, 8, 4);
    EXPECT_FIELD(bootinfo_t, size, 12, 4);
    EXPECT_FIELD(bootinfo_t, kernel_phys, 16, 8);
    EXPECT_FIELD(bootinfo_t, kernel_virt, 24, 8);
    EXPECT_FIELD(bootinfo_t, kernel_size, 32, 8);
    EXPECT_FIELD(bootinfo_t, kernel_file, 40, 8);
    EXPECT_FIELD(bootinfo_t, kernel_file_size, 48, 8);
    EXPECT_FIELD(bootinfo_t, rsdp, 56, 8);
    EXPECT_FIELD(bootinfo_t, efi_system_table, 64, 8);
    EXPECT_FIELD(bootinfo_t, loader_pml4, 72, 8);
    EXPECT_FIELD(bootinfo_t, tsc_loader_entry, 80, 8);
    EXPECT_FIELD(bootinfo_t, tsc_handoff, 88, 8);
    EXPECT_FIELD(bootinfo_t, exit_bs_tries, 96, 4);
    EXPECT_FIELD(bootinfo_t, mmap_count, 100, 4);
    EXPECT_FIELD(bootinfo_t, module_count, 104, 4);
    EXPECT_FIELD(bootinfo_t, _pad0, 108, 4);
    EXPECT_FIELD(bootinfo_t, fb, 112, 48);
    EXPECT_FIELD(bootinfo_t, cmdline, 160, 512);
    EXPECT_FIELD(bootinfo_t, mmap, 672, 16384);     /* 512 entries of 32 */
    EXPECT_FIELD(bootinfo_t, modules, 17056, 5120); /* 64 modules of 80 */
    EXPECT_FIELD(bootinfo_t, time, 22176, 24);
    assert_int_equal(sizeof(bootinfo_t), 22200); /* no tail padding */
    assert_int_equal(_Alignof(bootinfo_t), 8);
    /* Capacities as the layout above assumes them; a change here is a new BOOTINFO_VERSION. */
    assert_int_equal(BOOTINFO_CMDLINE_MAX, 512);
    assert_int_equal(BOOTINFO_MAX_MMAP, 512);
    assert_int_equal(BOOTINFO_MAX_MODULES, 64);
    assert_int_equal(BOOTINFO_MODULE_NAME_MAX, 64);
    assert_int_equal(BOOTINFO_VERSION, 3);
}

/* Explicit padding only: the fields' sizes add up to the struct's size. */
static void test_bootinfo_no_implicit_padding(void **state) {
    size_t sum = 8 + 4 + 4 + 5 * 8 + 5 * 8 + 4 * 4 + sizeof(bootinfo_framebuffer_t) +
                 BOOTINFO_CMDLINE_MAX + sizeof(bootinfo_mmap_entry_t) * BOOTINFO_MAX_MMAP +
                 sizeof(bootinfo_module_t) * BOOTINFO_MAX_MODULES + sizeof(bootinfo_time_t);
    assert_int_equal(sum, sizeof(bootinfo_t));
    assert_int_equal(2 + 6 * 1 + 2 + 1 + 1 + 4 + 8, sizeof(bootinfo_time_t));
    assert_int_equal(8 + 8 + 4 + 4 + 8, sizeof(bootinfo_mmap_entry_t));
    assert_int_equal(8 + 8 + 8 * 4, sizeof(bootinfo_framebuffer_t));
    assert_int_equal(8 + 8 + BOOTINFO_MODULE_NAME_MAX, sizeof(bootinfo_module_t));
}

static void test_bootinfo_magic_spells_bootinfo(void **state) {
    const uint64_t magic = BOOTINFO_MAGIC;
    const uint32_t one = 1;
    unsigned char bytes[8];
    assert_int_equal(*(const unsigned char *)&one, 1); /* host is little-endian, as x86-64 */
    memcpy(bytes, &magic, sizeof(bytes));
    assert_memory_equal(bytes, "BOOTINFO", 8);
    for (int i = 0; i < 8; i++) { /* and byte i is bits 8i..8i+7, whatever the host */
        assert_int_equal((magic >> (8 * i)) & 0xff, (unsigned char)"BOOTINFO"[i]);
    }
    bootinfo_t *bi = calloc(1, sizeof(*bi));
    assert_non_null(bi);
    bi->magic = BOOTINFO_MAGIC;
    assert_memory_equal(bi, "BOOTINFO", 8); /* what a hex dump of the handoff page shows */
    free(bi);
}

static void test_bootinfo_memory_types(void **state) {
    static const int types[] = {
        BOOT_MEM_USABLE,   BOOT_MEM_RECLAIMABLE, BOOT_MEM_ACPI_RECLAIM, BOOT_MEM_ACPI_NVS,
        BOOT_MEM_RESERVED, BOOT_MEM_RUNTIME,     BOOT_MEM_MMIO,         BOOT_MEM_KERNEL,
        BOOT_MEM_MODULE,   BOOT_MEM_BOOTDATA,    BOOT_MEM_PERSISTENT,
    };
    unsigned seen = 0;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        assert_in_range(types[i], 1, 11);
        assert_int_equal(seen & (1u << types[i]), 0); /* distinct */
        seen |= 1u << types[i];
    }
    assert_int_equal(seen, 0xffeu); /* exactly 1..11: 0 stays "no type" */
    static const int formats[] = {BOOT_FB_NONE, BOOT_FB_RGBX, BOOT_FB_BGRX, BOOT_FB_MASK};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(formats[i], i);
    }
}

static int canonical_half(uint64_t va) {
    uint64_t top = va >> 47;
    return top == 0 ? 0 : top == 0x1ffff ? 1 : -1;
}

static void test_bootinfo_address_layout(void **state) {
    assert_int_equal(canonical_half(BOOT_PHYSMAP_BASE), 1);
    assert_int_equal(canonical_half(BOOT_KERNEL_BASE), 1);
    assert_int_equal(BOOT_PHYSMAP_BASE, 0ull - (1ull << 47)); /* first upper-half address */
    assert_int_equal(0ull - BOOT_KERNEL_BASE, 2ull << 30);    /* top 2 GiB: -mcmodel=kernel */
    assert_int_equal(BOOT_KERNEL_BASE % (1ull << 30), 0);
    assert_true(BOOT_PHYSMAP_BASE < BOOT_KERNEL_BASE);
    /* The physmap starts a PML4 slot (256, the first of the upper half). */
    assert_int_equal(BOOT_PHYSMAP_BASE % (1ull << 39), 0);
    assert_int_equal(BOOT_USER_TOP, 1ull << 47);
    assert_int_equal(canonical_half(BOOT_USER_TOP - 1), 0); /* last lower-half byte */
    assert_int_equal(canonical_half(BOOT_USER_TOP), -1);    /* first non-canonical one */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bootinfo_mmap_entry_layout),
        cmocka_unit_test(test_bootinfo_framebuffer_layout),
        cmocka_unit_test(test_bootinfo_module_layout),
        cmocka_unit_test(test_bootinfo_time_layout),
        cmocka_unit_test(test_bootinfo_layout),
        cmocka_unit_test(test_bootinfo_no_implicit_padding),
        cmocka_unit_test(test_bootinfo_magic_spells_bootinfo),
        cmocka_unit_test(test_bootinfo_memory_types),
        cmocka_unit_test(test_bootinfo_address_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
