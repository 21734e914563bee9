/*
 * Host tests for kernel/arch/x86_64/pagetable.c on malloc'd, identity-"mapped" table frames:
 * 4 KiB / 2 MiB / 1 GiB leaves read back and walked raw, every error path, exact table-frame
 * counts, and a seeded random run checked page by page against a model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arch/mmu.h>
#include <mm/pagetable.h>

#define KiB4 PAGE_SIZE
#define MiB2 LARGE_PAGE_SIZE
#define GiB1 HUGE_PAGE_SIZE
#define UNLIMITED (-1)
#define MAX_FRAMES 2048

/* One page table under test: every frame it got (root first) and an allocation budget. */
typedef struct tpt {
    pt_ctx_t ctx;
    void *frames[MAX_FRAMES];
    size_t nframes;
    size_t allocs; /* alloc_table calls that returned a frame */
    long budget;   /* frames alloc_table may still hand out; UNLIMITED for no limit */
} tpt_t;

static uint64_t frame_new(tpt_t *t) {
    void *p = aligned_alloc(KiB4, KiB4);
    assert_non_null(p);
    memset(p, 0, KiB4);
    assert_true(t->nframes < MAX_FRAMES);
    t->frames[t->nframes++] = p;
    return (uint64_t)(uintptr_t)p;
}

static uint64_t tpt_alloc_table(void *arg) {
    tpt_t *t = arg;
    if (t->budget == 0) {
        return 0;
    }
    if (t->budget > 0) {
        t->budget--;
    }
    t->allocs++;
    return frame_new(t);
}

/* Identity: the "physical address" is the pointer; it must name a frame we handed out. */
static void *tpt_table_ptr(void *arg, uint64_t phys) {
    tpt_t *t = arg;
    for (size_t i = 0; i < t->nframes; i++) {
        if ((uint64_t)(uintptr_t)t->frames[i] == phys) {
            return t->frames[i];
        }
    }
    fail_msg("table_ptr(%#llx): not a table frame", (unsigned long long)phys);
    return NULL;
}

static int tpt_setup(void **state) {
    tpt_t *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    t->budget = UNLIMITED;
    t->ctx = (pt_ctx_t){
        .root = frame_new(t), .alloc_table = tpt_alloc_table, .table_ptr = tpt_table_ptr, .arg = t};
    *state = t;
    return 0;
}

static int tpt_teardown(void **state) {
    tpt_t *t = *state;
    for (size_t i = 0; i < t->nframes; i++) {
        free(t->frames[i]);
    }
    free(t);
    return 0;
}

/* The raw entry for va at level (4 = PML4 .. 1 = PT), walked without the module; NULL if a
 * non-present or large entry above stops the walk. */
static uint64_t *raw_entry(tpt_t *t, uint64_t va, int level) {
    uint64_t *table = (uint64_t *)(uintptr_t)t->ctx.root;
    for (int l = 4;; l--) {
        uint64_t *e = &table[(va >> (12 + 9 * (l - 1))) & 511];
        if (l == level) {
            return e;
        }
        if (!(*e & PTE_P) || (*e & PTE_PS)) {
            return NULL;
        }
        table = (uint64_t *)(uintptr_t)(*e & PTE_ADDR_MASK);
    }
}

static void expect_mapped(tpt_t *t, uint64_t va, uint64_t pa, uint64_t flags, uint64_t size) {
    uint64_t got_pa = 0, got_flags = 0, got_size = 0;
    assert_int_equal(pt_query(&t->ctx, va, &got_pa, &got_flags, &got_size), STATUS_OK);
    assert_int_equal(got_pa, pa);
    assert_int_equal(got_flags, flags);
    assert_int_equal(got_size, size);
}

static void expect_unmapped(tpt_t *t, uint64_t va) {
    uint64_t pa = 0xdead;
    assert_int_equal(pt_query(&t->ctx, va, &pa, NULL, NULL), ERR_NOT_FOUND);
}

/* One mapping per page size, each in its own PML4 slot, read back at every page's first
 * and last byte, and the leaf entry checked raw. */
static void test_pt_map_page_sizes(void **state) {
    tpt_t *t = *state;
    static const struct {
        uint64_t va, pa, size, flags, page_size;
        int level;
        size_t tables;
    } c[] = {
        {0x400000, 0x12345000, 3 * KiB4, PTE_W | PTE_NX, KiB4, 1, 3}, /* PDPT, PD, PT */
        {0xffffffff80000000ull, 0x40000000, 2 * MiB2, PTE_W | PTE_G, MiB2, 2, 2},
        {0xffff800000000000ull, 0, 4 * GiB1, PTE_W | PTE_NX | PTE_G, GiB1, 3, 1},
    };
    for (size_t i = 0; i < 3; i++) {
        uint64_t ps = c[i].page_size, leaf = c[i].flags | PTE_P | (ps > KiB4 ? PTE_PS : 0);
        size_t before = t->allocs;
        assert_int_equal(pt_map(&t->ctx, c[i].va, c[i].pa, c[i].size, c[i].flags, ps), 0);
        assert_int_equal(t->allocs - before, c[i].tables);
        for (uint64_t off = 0; off < c[i].size; off += ps) {
            expect_mapped(t, c[i].va + off, c[i].pa + off, leaf, ps);
            expect_mapped(t, c[i].va + off + ps / 3, c[i].pa + off + ps / 3, leaf, ps);
            expect_mapped(t, c[i].va + off + ps - 1, c[i].pa + off + ps - 1, leaf, ps);
        }
        expect_unmapped(t, c[i].va - 1);
        expect_unmapped(t, c[i].va + c[i].size);
        assert_int_equal(*raw_entry(t, c[i].va + ps, c[i].level), (c[i].pa + ps) | leaf);
        if (c[i].level > 1) {
            assert_null(raw_entry(t, c[i].va, c[i].level - 1)); /* no table below a leaf */
        }
    }
    uint64_t pa = 0; /* out pointers are optional */
    assert_int_equal(pt_query(&t->ctx, 0x400005, &pa, NULL, NULL), STATUS_OK);
    assert_int_equal(pa, 0x12345005);
    assert_int_equal(pt_query(&t->ctx, 0x400000, NULL, NULL, NULL), STATUS_OK);
}

/* Same low 47 bits in both halves, and the last page of each half, must not alias. */
static void test_pt_lower_and_upper_half(void **state) {
    tpt_t *t = *state;
    expect_unmapped(t, 0); /* empty tables */
    expect_unmapped(t, 0xffffffffffffffffull);
    static const uint64_t va[] = {0x1000, 0xffff800000001000ull, 0x00007ffffffff000ull,
                                  0xfffffffffffff000ull, 0xffffffff80000000ull};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(pt_map(&t->ctx, va[i], (i + 1) * 0x100000, KiB4, PTE_W, KiB4), 0);
    }
    for (size_t i = 0; i < 5; i++) {
        expect_mapped(t, va[i] + 0xabc, (i + 1) * 0x100000 + 0xabc, PTE_W | PTE_P, KiB4);
    }
    expect_unmapped(t, 0xffff800000000000ull);
    expect_unmapped(t, 0x0000800000000000ull); /* non-canonical */
    expect_unmapped(t, 0x0000800000001000ull); /* would alias 0xffff800000001000 */
}

static void test_pt_flags_at_leaf_and_user_intermediates(void **state) {
    tpt_t *t = *state;
    static const uint64_t fl[] = {
        0, PTE_W, PTE_NX, PTE_U, PTE_G, PTE_PWT | PTE_PCD, PTE_W | PTE_U | PTE_NX, PTE_G | PTE_NX};
    const uint64_t kva = 0x40000000, uva = kva + 16 * KiB4;
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(pt_map(&t->ctx, kva + i * KiB4, 0x9000, KiB4, fl[i] & ~PTE_U, KiB4), 0);
        expect_mapped(t, kva + i * KiB4, 0x9000, (fl[i] & ~PTE_U) | PTE_P, KiB4);
    }
    for (int l = 4; l >= 2; l--) { /* kernel-only so far: P|W, no U */
        assert_int_equal(*raw_entry(t, kva, l) & (PTE_P | PTE_W | PTE_U | PTE_NX), PTE_P | PTE_W);
    }
    /* A user leaf under the same tables opens the path, not the kernel leaves. */
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(pt_map(&t->ctx, uva + i * KiB4, 0xa000, KiB4, fl[i], KiB4), 0);
        expect_mapped(t, uva + i * KiB4, 0xa000, fl[i] | PTE_P, KiB4);
    }
    for (int l = 4; l >= 2; l--) {
        assert_int_equal(*raw_entry(t, kva, l) & (PTE_P | PTE_W | PTE_U), PTE_P | PTE_W | PTE_U);
    }
    expect_mapped(t, kva + 4 * KiB4, 0x9000, PTE_G | PTE_P, KiB4);
    /* A kernel large page in another subtree keeps its intermediates kernel-only, and a
     * later kernel page under a user path does not take PTE_U away. */
    assert_int_equal(pt_map(&t->ctx, 0xffff800000000000ull, 0, MiB2, PTE_W, MiB2), 0);
    for (int l = 4; l >= 3; l--) {
        assert_int_equal(*raw_entry(t, 0xffff800000000000ull, l) & PTE_U, 0);
    }
    assert_int_equal(pt_map(&t->ctx, uva + 9 * KiB4, 0xb000, KiB4, PTE_W, KiB4), 0);
    assert_int_equal(*raw_entry(t, uva, 2) & PTE_U, PTE_U);
}

static void test_pt_map_align_errors(void **state) {
    tpt_t *t = *state;
    assert_int_equal(pt_map(&t->ctx, 0x1001, 0x1000, KiB4, 0, KiB4), ERR_ALIGN);
    assert_int_equal(pt_map(&t->ctx, 0x1000, 0x1001, KiB4, 0, KiB4), ERR_ALIGN);
    assert_int_equal(pt_map(&t->ctx, 0x1000, 0x1000, KiB4 + 1, 0, KiB4), ERR_ALIGN);
    assert_int_equal(pt_map(&t->ctx, 0x201000, 0x200000, MiB2, 0, MiB2), ERR_ALIGN);
    assert_int_equal(pt_map(&t->ctx, 0x200000, 0x201000, MiB2, 0, MiB2), ERR_ALIGN);
    assert_int_equal(pt_map(&t->ctx, 0x200000, 0x200000, KiB4, 0, MiB2), ERR_ALIGN);
    assert_int_equal(pt_map(&t->ctx, MiB2, 0, GiB1, 0, GiB1), ERR_ALIGN);
    assert_int_equal(pt_map(&t->ctx, GiB1, MiB2, GiB1, 0, GiB1), ERR_ALIGN);
    assert_int_equal(pt_map(&t->ctx, GiB1, GiB1, GiB1 + MiB2, 0, GiB1), ERR_ALIGN);
    assert_int_equal(t->allocs, 0);
    expect_unmapped(t, 0x1000);
    expect_unmapped(t, GiB1);
}

static void test_pt_map_invalid(void **state) {
    tpt_t *t = *state;
    static const uint64_t bad_size[] = {0, 8192, 3 * KiB4, 1ull << 16, 1ull << 39, 2 * GiB1};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(pt_map(&t->ctx, 0, 0, bad_size[i], 0, bad_size[i]), ERR_INVALID);
    }
    static const uint64_t bad_va[] = {0x0000800000000000ull, 0xffff7ffffffff000ull,
                                      0x1000000000000000ull, 0x7ffffffffffff000ull};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(pt_map(&t->ctx, bad_va[i], 0, KiB4, 0, KiB4), ERR_INVALID);
    }
    /* Canonical start, but the range runs into the hole. */
    assert_int_equal(pt_map(&t->ctx, 0x00007ffffffff000ull, 0, 2 * KiB4, 0, KiB4), ERR_INVALID);
    assert_int_equal(t->allocs, 0);
    expect_unmapped(t, 0x00007ffffffff000ull);
}

/* Both ends canonical, but the range wraps past 2^64 into the lower half, or spans the hole
 * from the lower half into the upper one: neither is a canonical range. */
static void test_pt_map_range_wraps(void **state) {
    tpt_t *t = *state;
    assert_int_equal(pt_map(&t->ctx, 0xffffffffc0000000ull, 0, 2 * GiB1, PTE_W, GiB1), ERR_INVALID);
    expect_unmapped(t, 0);
    const uint64_t va = 0x00007fffc0000000ull, last = 0xffff80003fffffffull;
    assert_int_equal(pt_map(&t->ctx, va, 0, last - va + 1, PTE_W, GiB1), ERR_INVALID);
    expect_unmapped(t, va);
    expect_unmapped(t, 0xffff800000000000ull);
}

static void test_pt_map_overlap(void **state) {
    tpt_t *t = *state;
    assert_int_equal(pt_map(&t->ctx, 0x5000, 0x5000, KiB4, PTE_W, KiB4), STATUS_OK);
    assert_int_equal(pt_map(&t->ctx, 0x5000, 0x9000, KiB4, 0, KiB4), ERR_OVERLAP);
    /* Pages before the failing one stay mapped, the ones after are not touched. */
    assert_int_equal(pt_map(&t->ctx, 0x4000, 0x7000, 3 * KiB4, 0, KiB4), ERR_OVERLAP);
    expect_mapped(t, 0x4000, 0x7000, PTE_P, KiB4);
    expect_mapped(t, 0x5000, 0x5000, PTE_W | PTE_P, KiB4);
    expect_unmapped(t, 0x6000);
    /* 4 KiB or 2 MiB inside a 2 MiB page; 2 MiB over a PT; 1 GiB over a PD. */
    assert_int_equal(pt_map(&t->ctx, 0x400000, 0x800000, MiB2, PTE_W, MiB2), STATUS_OK);
    assert_int_equal(pt_map(&t->ctx, 0x401000, 0x1000, KiB4, 0, KiB4), ERR_OVERLAP);
    assert_int_equal(pt_map(&t->ctx, 0x400000, 0, MiB2, 0, MiB2), ERR_OVERLAP);
    assert_int_equal(pt_map(&t->ctx, 0, 0, MiB2, 0, MiB2), ERR_OVERLAP);
    assert_int_equal(pt_map(&t->ctx, 0, 0, GiB1, 0, GiB1), ERR_OVERLAP);
    expect_mapped(t, 0x401234, 0x801234, PTE_W | PTE_P | PTE_PS, MiB2);
    /* 2 MiB or 4 KiB inside a 1 GiB page, and 1 GiB over it. */
    assert_int_equal(pt_map(&t->ctx, GiB1, 0, GiB1, 0, GiB1), STATUS_OK);
    assert_int_equal(pt_map(&t->ctx, GiB1 + MiB2, 0, MiB2, 0, MiB2), ERR_OVERLAP);
    assert_int_equal(pt_map(&t->ctx, GiB1 + 0x3000, 0, KiB4, 0, KiB4), ERR_OVERLAP);
    assert_int_equal(pt_map(&t->ctx, GiB1, 0, GiB1, 0, GiB1), ERR_OVERLAP);
    expect_mapped(t, GiB1 + MiB2 + 5, 5 + MiB2, PTE_P | PTE_PS, GiB1);
}

static void test_pt_map_no_memory(void **state) {
    tpt_t *t = *state;
    t->budget = 0;
    assert_int_equal(pt_map(&t->ctx, 0x1000, 0x1000, KiB4, 0, KiB4), ERR_NO_MEMORY);
    t->budget = 2; /* PDPT and PD, then the PT fails */
    assert_int_equal(pt_map(&t->ctx, 0x1000, 0x1000, KiB4, 0, KiB4), ERR_NO_MEMORY);
    expect_unmapped(t, 0x1000);
    assert_int_equal(t->allocs, 2);
    t->budget = 1; /* the tables made before the failure are reused */
    assert_int_equal(pt_map(&t->ctx, 0x1000, 0x1000, KiB4, 0, KiB4), STATUS_OK);
    assert_int_equal(t->allocs, 3);
    /* Two pages across a PT boundary: the first maps, the second needs a PT. */
    t->budget = 0;
    assert_int_equal(pt_map(&t->ctx, MiB2 - KiB4, 0x7000, 2 * KiB4, 0, KiB4), ERR_NO_MEMORY);
    expect_mapped(t, MiB2 - KiB4, 0x7000, PTE_P, KiB4);
    expect_unmapped(t, MiB2);
    assert_int_equal(pt_map(&t->ctx, 0xffff800000000000ull, 0, GiB1, 0, GiB1), ERR_NO_MEMORY);
    expect_unmapped(t, 0xffff800000000000ull);
}

static void test_pt_unmap(void **state) {
    tpt_t *t = *state;
    uint64_t size = 0;
    assert_int_equal(pt_map(&t->ctx, 0x10000, 0x20000, 3 * KiB4, PTE_W, KiB4), STATUS_OK);
    assert_int_equal(pt_unmap(&t->ctx, 0x11fff, &size), STATUS_OK);
    assert_int_equal(size, KiB4);
    expect_unmapped(t, 0x11000);
    expect_mapped(t, 0x10000, 0x20000, PTE_W | PTE_P, KiB4);
    expect_mapped(t, 0x12000, 0x22000, PTE_W | PTE_P, KiB4);
    assert_int_equal(pt_unmap(&t->ctx, 0x11000, &size), ERR_NOT_FOUND);
    size_t allocs = t->allocs; /* remapping reuses the tables */
    assert_int_equal(pt_map(&t->ctx, 0x11000, 0x5000, KiB4, 0, KiB4), STATUS_OK);
    assert_int_equal(t->allocs, allocs);
    expect_mapped(t, 0x11000, 0x5000, PTE_P, KiB4);

    assert_int_equal(pt_map(&t->ctx, 0x40000000, 0, 2 * MiB2, 0, MiB2), STATUS_OK);
    assert_int_equal(pt_unmap(&t->ctx, 0x40000000 + 0x1234, &size), STATUS_OK);
    assert_int_equal(size, MiB2);
    expect_unmapped(t, 0x40000000 + 0x1fffff);
    expect_mapped(t, 0x40000000 + MiB2, MiB2, PTE_P | PTE_PS, MiB2);
    assert_int_equal(pt_map(&t->ctx, 0xffff800000000000ull, 0, 2 * GiB1, 0, GiB1), 0);
    assert_int_equal(pt_unmap(&t->ctx, 0xffff800000000000ull + GiB1 + 7, NULL), STATUS_OK);
    expect_unmapped(t, 0xffff800000000000ull + GiB1);
    expect_mapped(t, 0xffff800000000000ull + 9, 9, PTE_P | PTE_PS, GiB1);
    assert_int_equal(pt_unmap(&t->ctx, 0x0000800000000000ull, &size), ERR_NOT_FOUND);
    assert_int_equal(pt_unmap(&t->ctx, 0xdead000, &size), ERR_NOT_FOUND);
}

static void test_pt_table_frame_count(void **state) {
    tpt_t *t = *state;
    assert_int_equal(pt_map(&t->ctx, 0, 0, 4 * GiB1, PTE_W, MiB2), STATUS_OK);
    assert_int_equal(t->allocs, 1 + 4); /* 1 PDPT + 4 PDs below the given PML4 */
    for (uint64_t va = 0; va < 4 * GiB1; va += MiB2) {
        expect_mapped(t, va + (va >> 20), va + (va >> 20), PTE_W | PTE_P | PTE_PS, MiB2);
    }
    /* 256 pages in one PT of a new PML4 slot: PDPT + PD + PT. */
    assert_int_equal(pt_map(&t->ctx, 1ull << 39, 0, 256 * KiB4, 0, KiB4), STATUS_OK);
    assert_int_equal(t->allocs, 5 + 3);
    /* The next PD entry over needs only a PT. */
    assert_int_equal(pt_map(&t->ctx, (1ull << 39) + MiB2, 0, KiB4, 0, KiB4), STATUS_OK);
    assert_int_equal(t->allocs, 8 + 1);
}

/* xorshift64*: deterministic per seed. */
static uint64_t rng_next(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

/* A random canonical page address: anywhere in either half, or clustered near one of four
 * bases so that pages share tables. */
static uint64_t random_va(uint64_t *s) {
    static const uint64_t base[] = {0, 0x00007fffff000000ull, 0xffff800000000000ull,
                                    0xffffffff80000000ull};
    uint64_t r = rng_next(s);
    uint64_t va = (r % 2 ? rng_next(s) : base[r / 2 % 4] + rng_next(s) % (64ull << 20));
    va &= 0x0000fffffffff000ull;
    return (va & (1ull << 47)) ? va | 0xffff000000000000ull : va;
}

#define NRAND 400

typedef struct model_page {
    uint64_t va, pa, flags;
} model_page_t;

/* Whether a model page lies under the entry covering va at mask and has all of `flags`. */
static bool model_has(const model_page_t *m, size_t n, uint64_t va, uint64_t mask, uint64_t flags) {
    for (size_t i = 0; i < n; i++) {
        if ((m[i].va & mask) == (va & mask) && (m[i].flags & flags) == flags) {
            return true;
        }
    }
    return false;
}

static void test_pt_random_against_model(void **state) {
    tpt_t *t = *state;
    static const uint64_t bits[] = {PTE_W, PTE_U, PTE_NX, PTE_G, PTE_PWT, PTE_PCD};
    static model_page_t m[NRAND];
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    size_t n = 0, tables = 0;
    while (n < NRAND) {
        uint64_t va = random_va(&seed), pa = rng_next(&seed) & 0x000ffffffffff000ull, fl = 0;
        for (size_t b = 0; b < 6; b++) {
            fl |= (rng_next(&seed) & 1) ? bits[b] : 0;
        }
        if (model_has(m, n, va, ~0ull, 0)) {
            assert_int_equal(pt_map(&t->ctx, va, pa, KiB4, fl, KiB4), ERR_OVERLAP);
            continue;
        }
        /* Expected new tables: one per level whose covering entry is still empty. */
        tables += !model_has(m, n, va, ~0ull << 39, 0) + !model_has(m, n, va, ~0ull << 30, 0) +
                  !model_has(m, n, va, ~0ull << 21, 0);
        assert_int_equal(pt_map(&t->ctx, va, pa, KiB4, fl, KiB4), STATUS_OK);
        m[n++] = (model_page_t){va, pa, fl};
    }
    assert_int_equal(t->allocs, tables);
    for (size_t i = 0; i < n; i++) {
        uint64_t off = rng_next(&seed) % KiB4;
        expect_mapped(t, m[i].va + off, m[i].pa + off, m[i].flags | PTE_P, KiB4);
        for (int l = 4; l >= 2; l--) { /* PTE_U above exactly the user leaves */
            uint64_t mask = ~0ull << (12 + 9 * (l - 1));
            bool user = model_has(m, n, m[i].va, mask, PTE_U);
            assert_int_equal(*raw_entry(t, m[i].va, l) & (PTE_P | PTE_W | PTE_U),
                             PTE_P | PTE_W | (user ? PTE_U : 0));
        }
    }
    size_t misses = 0;
    for (size_t i = 0; i < 4 * NRAND; i++) {
        uint64_t va = i % 2 ? random_va(&seed) : m[i / 2 % n].va + KiB4 * (i % 4 ? 1 : -1ull);
        if (!model_has(m, n, va, ~0xfffull, 0)) {
            expect_unmapped(t, va + rng_next(&seed) % KiB4);
            misses++;
        }
    }
    assert_true(misses > 2 * NRAND);
    /* Unmap every other page; the rest must be untouched. */
    for (size_t i = 0; i < n; i += 2) {
        uint64_t size = 0;
        assert_int_equal(pt_unmap(&t->ctx, m[i].va, &size), STATUS_OK);
        assert_int_equal(size, KiB4);
    }
    for (size_t i = 0; i < n; i++) {
        if (i % 2 == 0) {
            expect_unmapped(t, m[i].va);
        } else {
            expect_mapped(t, m[i].va, m[i].pa, m[i].flags | PTE_P, KiB4);
        }
    }
}

#define PT_TEST(fn) cmocka_unit_test_setup_teardown(fn, tpt_setup, tpt_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        PT_TEST(test_pt_map_page_sizes),
        PT_TEST(test_pt_lower_and_upper_half),
        PT_TEST(test_pt_flags_at_leaf_and_user_intermediates),
        PT_TEST(test_pt_map_align_errors),
        PT_TEST(test_pt_map_invalid),
        PT_TEST(test_pt_map_range_wraps),
        PT_TEST(test_pt_map_overlap),
        PT_TEST(test_pt_map_no_memory),
        PT_TEST(test_pt_unmap),
        PT_TEST(test_pt_table_frame_count),
        PT_TEST(test_pt_random_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
