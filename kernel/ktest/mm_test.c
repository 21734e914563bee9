/*
 * ktests for memory management on the real machine: frames, the kernel page tables'
 * W^X and physmap permissions, and the heap (including leak checks against the pmm).
 */
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <kernel/string.h>
#include <kernel/symbols.h>
#include <ktest/ktest.h>
#include <mm/heap.h>
#include <mm/physmap.h>
#include <mm/pmm.h>
#include <mm/vm.h>

static uint64_t free_frames(void) {
    pmm_stats_t s;
    pmm_get_stats(&s);
    return s.free_frames;
}

KTEST(pmm_alloc_orders_aligned) {
    uint64_t before = free_frames();
    uint64_t blocks[11];
    for (unsigned order = 0; order <= 10; order++) {
        blocks[order] = pmm_alloc_zeroed(order);
        KT_ASSERT(blocks[order] != 0);
        KT_ASSERT_EQ(blocks[order] & ((PAGE_SIZE << order) - 1), 0);
        KT_ASSERT(blocks[order] >= (1ull << 20)); /* never below 1 MiB */
        const uint64_t *words = phys_to_virt(blocks[order]);
        KT_ASSERT_EQ(words[0] | words[(PAGE_SIZE << order) / 8 - 1], 0);
    }
    for (unsigned order = 0; order <= 10; order++) {
        pmm_free(blocks[order], order);
    }
    KT_ASSERT_EQ(free_frames(), before);
}

KTEST(pmm_exhaust_and_recover) {
    /* Take every order-8 (1 MiB) block there is, check they are distinct, give them back. */
    static uint64_t blocks[8192];
    uint64_t before = free_frames();
    unsigned n = 0;
    while (n < 8192 && (blocks[n] = pmm_alloc(8)) != 0) {
        *(uint64_t *)phys_to_virt(blocks[n]) = n; /* the block is ours: write a tag */
        n++;
    }
    KT_ASSERT(n > 8);
    for (unsigned i = 0; i < n; i++) {
        KT_ASSERT_EQ(*(uint64_t *)phys_to_virt(blocks[i]), i);
    }
    for (unsigned i = 0; i < n; i++) {
        pmm_free(blocks[i], 8);
    }
    KT_ASSERT_EQ(free_frames(), before);
}

KTEST(pmm_reclaimed_boot_memory) {
    pmm_stats_t s;
    pmm_get_stats(&s);
    KT_ASSERT(s.reclaimed_frames > 0);
    KT_ASSERT(s.free_frames <= s.total_frames);
}

static uint64_t leaf_flags(uint64_t va) {
    uint64_t flags = 0;
    if (pt_query(vm_kernel(), va, NULL, &flags, NULL) != STATUS_OK) {
        return 0;
    }
    return flags;
}

KTEST(vm_kernel_wx) {
    uint64_t text = leaf_flags((uint64_t)(uintptr_t)__text_start);
    uint64_t rodata = leaf_flags((uint64_t)(uintptr_t)__rodata_start);
    uint64_t data = leaf_flags((uint64_t)(uintptr_t)__data_start);
    KT_ASSERT(text & PTE_P);
    uint64_t nx = cpu_features.nx ? PTE_NX : 0; /* without NX the bit must stay clear */
    KT_ASSERT(!(text & PTE_W) && !(text & PTE_NX));
    KT_ASSERT(!(rodata & PTE_W) && (rodata & PTE_NX) == nx);
    KT_ASSERT((data & PTE_W) && (data & PTE_NX) == nx);
    KT_ASSERT(!(text & PTE_U) && !(data & PTE_U));
}

KTEST(vm_physmap_and_no_identity) {
    uint64_t pa = 0, flags = 0;
    KT_ASSERT_EQ(pt_query(vm_kernel(), BOOT_PHYSMAP_BASE + 0x12345678, &pa, &flags, NULL),
                 STATUS_OK);
    KT_ASSERT_EQ(pa, 0x12345678);
    KT_ASSERT((flags & PTE_NX) == (cpu_features.nx ? PTE_NX : 0) && (flags & PTE_W));
    KT_ASSERT_EQ(pt_query(vm_kernel(), 0x100000, NULL, NULL, NULL), ERR_NOT_FOUND);
    KT_ASSERT_EQ(read_cr3() & PTE_ADDR_MASK, vm_kernel()->root);
}

KTEST(heap_sizes_and_alignment) {
    heap_stats_t before;
    heap_get_stats(&before);
    static const size_t sizes[] = {1, 8, 16, 17, 100, 512, 2048, 2049, 4096, 70000};
    void *p[sizeof(sizes) / sizeof(sizes[0])];
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        p[i] = kmalloc(sizes[i]);
        KT_ASSERT(p[i] != NULL);
        KT_ASSERT_EQ((uintptr_t)p[i] & 15, 0);
        memset(p[i], (int)i, sizes[i]);
    }
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        const uint8_t *b = p[i];
        KT_ASSERT(b[0] == i && b[sizes[i] - 1] == i);
        kfree(p[i]);
    }
    heap_stats_t after;
    heap_get_stats(&after);
    KT_ASSERT_EQ(after.live_objects, before.live_objects);
    KT_ASSERT_EQ(after.pages, before.pages);
}

KTEST(heap_stress_no_leak) {
    static void *slots[2048];
    uint64_t frames_before = free_frames();
    uint32_t x = 12345;
    for (int round = 0; round < 20000; round++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        unsigned i = x % 2048;
        if (slots[i]) {
            KT_ASSERT_EQ(*(uint32_t *)slots[i], i);
            kfree(slots[i]);
            slots[i] = NULL;
        } else {
            size_t size = 4 + (x >> 11) % 3000;
            slots[i] = kmalloc(size);
            KT_ASSERT(slots[i] != NULL);
            *(uint32_t *)slots[i] = i;
        }
    }
    for (unsigned i = 0; i < 2048; i++) {
        kfree(slots[i]);
        slots[i] = NULL;
    }
    KT_ASSERT_EQ(free_frames(), frames_before);
}
