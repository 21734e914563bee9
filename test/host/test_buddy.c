/*
 * Host tests for kernel/mm/buddy.c: seeded random alloc/free runs checked frame by frame
 * against a byte-per-frame model, exact block layouts for unaligned bases, holes and span
 * ends, full coalescing back to the start state, and every error path changing nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mm/buddy.h>

/* Model states of one frame. */
enum { M_RESERVED = 0, M_FREE = 1, M_ALLOC = 2 };

/* A byte-exact copy of the allocator, to prove a failed call changed nothing. */
typedef struct snapshot {
    buddy_t b;
    buddy_frame_t *frames;
} snapshot_t;

static buddy_t *tbuddy_new(uint64_t base, uint64_t n) {
    buddy_t *b = malloc(sizeof(*b));
    buddy_frame_t *frames = malloc(n * sizeof(*frames));
    assert_non_null(b);
    assert_non_null(frames);
    memset(frames, 0xa5, n * sizeof(*frames)); /* buddy_init must overwrite all of it */
    buddy_init(b, base, n, frames);
    assert_true(buddy_check(b));
    assert_int_equal(buddy_free_frames(b), 0);
    return b;
}

static void tbuddy_delete(buddy_t *b) {
    free(b->frames);
    free(b);
}

static void snapshot_take(const buddy_t *b, snapshot_t *s) {
    memcpy(&s->b, b, sizeof(*b));
    s->frames = malloc(b->nframes * sizeof(buddy_frame_t));
    assert_non_null(s->frames);
    memcpy(s->frames, b->frames, b->nframes * sizeof(buddy_frame_t));
}

static void snapshot_expect_same(const buddy_t *b, snapshot_t *s) {
    assert_memory_equal(b, &s->b, sizeof(*b));
    assert_memory_equal(b->frames, s->frames, b->nframes * sizeof(buddy_frame_t));
    free(s->frames);
    s->frames = NULL;
}

static void expect_unchanged_add(buddy_t *b, uint64_t pfn, uint64_t count, status_t want) {
    snapshot_t s;
    snapshot_take(b, &s);
    assert_int_equal(buddy_add_range(b, pfn, count), want);
    snapshot_expect_same(b, &s);
}

static void expect_unchanged_free(buddy_t *b, uint64_t pfn, unsigned order, status_t want) {
    snapshot_t s;
    snapshot_take(b, &s);
    assert_int_equal(buddy_free(b, pfn, order), want);
    snapshot_expect_same(b, &s);
}

static void expect_blocks(const buddy_t *b, const uint64_t want[BUDDY_MAX_ORDER + 1]) {
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        assert_int_equal(b->free_blocks[k], want[k]);
    }
}

/* xorshift64*: deterministic per seed, good enough to drive the sequences. */
static uint64_t rng_next(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

static void test_buddy_order_for(void **state) {
    static const uint64_t n[] = {1, 2, 3, 4, 5, 512, 513, 1u << 20, (1u << 20) + 1, UINT64_MAX};
    static const unsigned want[] = {0, 1, 2, 2, 3, 9, 10, 20, 21, 21};
    _Static_assert(BUDDY_MAX_ORDER + 1 == 21, "table assumes BUDDY_MAX_ORDER 20");
    for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
        assert_int_equal(buddy_order_for(n[i]), want[i]);
    }
}

static void test_buddy_aligned_range_is_one_block(void **state) {
    buddy_t *b = tbuddy_new(0, 4096);
    uint64_t pfn = 0;
    assert_int_equal(buddy_alloc(b, 0, &pfn), ERR_NO_MEMORY);
    assert_int_equal(buddy_add_range(b, 1024, 1024), STATUS_OK);
    uint64_t want[BUDDY_MAX_ORDER + 1] = {[10] = 1};
    expect_blocks(b, want);
    assert_int_equal(buddy_free_frames(b), 1024);
    assert_int_equal(buddy_alloc(b, 11, &pfn), ERR_NO_MEMORY);
    assert_int_equal(buddy_alloc(b, 10, &pfn), STATUS_OK);
    assert_int_equal(pfn, 1024);
    assert_int_equal(buddy_free_frames(b), 0);
    assert_true(buddy_check(b));
    /* Splitting for an order-0 block leaves one free block of each order 0..9. */
    assert_int_equal(buddy_free(b, 1024, 10), STATUS_OK);
    assert_int_equal(buddy_alloc(b, 0, &pfn), STATUS_OK);
    assert_int_equal(pfn, 1024);
    for (unsigned k = 0; k < 10; k++) {
        assert_int_equal(b->free_blocks[k], 1);
    }
    assert_true(buddy_check(b));
    assert_int_equal(buddy_free(b, pfn, 0), STATUS_OK);
    expect_blocks(b, want);
    assert_true(buddy_check(b));
    tbuddy_delete(b);
}

/* Adding frame by frame in scrambled order must coalesce into the same single block. */
static void test_buddy_piecewise_add_coalesces(void **state) {
    enum { N = 1024 };
    buddy_t *b = tbuddy_new(2048, N);
    for (uint32_t i = 0; i < N; i++) {
        /* 389 is odd, so i * 389 mod 1024 visits every frame exactly once. */
        assert_int_equal(buddy_add_range(b, 2048 + (i * 389u) % N, 1), STATUS_OK);
        if (i % 64 == 0) {
            assert_true(buddy_check(b));
        }
    }
    uint64_t want[BUDDY_MAX_ORDER + 1] = {[10] = 1};
    expect_blocks(b, want);
    assert_true(buddy_check(b));
    tbuddy_delete(b);
}

/* base 0x1003: blocks follow absolute alignment, and 0x1002 (outside) is never a buddy. */
static void test_buddy_unaligned_base(void **state) {
    buddy_t *b = tbuddy_new(0x1003, 100); /* covers 0x1003 .. 0x1066 */
    assert_int_equal(buddy_add_range(b, 0x1003, 100), STATUS_OK);
    /* 0x1003 o0, 0x1004 o2, 0x1008 o3, 0x1010 o4, 0x1020 o5, 0x1040 o5, 0x1060 o2,
     * 0x1064 o1, 0x1066 o0 */
    uint64_t want[BUDDY_MAX_ORDER + 1] = {[0] = 2, [1] = 1, [2] = 2, [3] = 1, [4] = 1, [5] = 2};
    expect_blocks(b, want);
    assert_int_equal(buddy_free_frames(b), 100);
    assert_true(buddy_check(b));
    uint64_t pfn;
    assert_int_equal(buddy_alloc(b, 6, &pfn), ERR_NO_MEMORY);
    for (unsigned k = 0; k <= 5; k++) {
        while (b->free_blocks[k] > 0) {
            assert_int_equal(buddy_alloc(b, k, &pfn), STATUS_OK);
            assert_int_equal(pfn % (1u << k), 0);
            assert_true(pfn >= 0x1003 && pfn + (1u << k) <= 0x1003 + 100);
        }
    }
    assert_int_equal(buddy_free_frames(b), 0);
    assert_true(buddy_check(b));
    tbuddy_delete(b);
}

static void test_buddy_range_touching_end(void **state) {
    buddy_t *b = tbuddy_new(0, 1000);
    expect_unchanged_add(b, 995, 6, ERR_RANGE);
    assert_int_equal(buddy_add_range(b, 990, 10), STATUS_OK); /* 990 o1, 992 o3 */
    uint64_t want[BUDDY_MAX_ORDER + 1] = {[1] = 1, [3] = 1};
    expect_blocks(b, want);
    assert_true(buddy_check(b));
    assert_int_equal(buddy_add_range(b, 0, 990), STATUS_OK);
    /* 0 o9, 512 o8, 768 o7, 896 o6, 960 o5, 992 o3: the span end stops further merging. */
    uint64_t all[BUDDY_MAX_ORDER + 1] = {[3] = 1, [5] = 1, [6] = 1, [7] = 1, [8] = 1, [9] = 1};
    expect_blocks(b, all);
    assert_int_equal(buddy_free_frames(b), 1000);
    assert_true(buddy_check(b));
    uint64_t pfn;
    assert_int_equal(buddy_alloc(b, 3, &pfn), STATUS_OK);
    assert_int_equal(pfn, 992);
    assert_int_equal(buddy_free(b, 992, 3), STATUS_OK);
    expect_blocks(b, all);
    tbuddy_delete(b);
}

static void test_buddy_errors(void **state) {
    buddy_t *b = tbuddy_new(100, 900); /* covers 100 .. 999 */
    uint64_t pfn = 0;
    expect_unchanged_add(b, 99, 2, ERR_RANGE);
    expect_unchanged_add(b, 999, 2, ERR_RANGE);
    expect_unchanged_add(b, 500, UINT64_MAX - 10, ERR_RANGE); /* pfn + count wraps */
    expect_unchanged_add(b, 2000, 0, ERR_RANGE);
    assert_int_equal(buddy_add_range(b, 256, 256), STATUS_OK);
    expect_unchanged_add(b, 256, 256, ERR_STATE); /* double add */
    expect_unchanged_add(b, 200, 57, ERR_STATE);  /* overlaps the first frame only */
    expect_unchanged_add(b, 511, 2, ERR_STATE);   /* overlaps the last frame only */
    assert_int_equal(buddy_alloc(b, BUDDY_MAX_ORDER + 1, &pfn), ERR_INVALID);
    assert_int_equal(buddy_alloc(b, 4, &pfn), STATUS_OK);
    assert_int_equal(pfn % 16, 0);
    uint64_t blk = pfn;
    expect_unchanged_add(b, blk + 3, 1, ERR_STATE); /* frame of an allocated block */
    expect_unchanged_free(b, blk, BUDDY_MAX_ORDER + 1, ERR_INVALID);
    expect_unchanged_free(b, 99, 0, ERR_RANGE);
    expect_unchanged_free(b, 1000, 0, ERR_RANGE);
    expect_unchanged_free(b, 992, 4, ERR_RANGE); /* block would cross the span end */
    expect_unchanged_free(b, blk + 1, 1, ERR_ALIGN);
    expect_unchanged_free(b, blk + 8, 4, ERR_ALIGN);
    expect_unchanged_free(b, blk, 3, ERR_STATE);       /* wrong order, smaller */
    expect_unchanged_free(b, blk, 5, ERR_STATE);       /* wrong order, larger */
    expect_unchanged_free(b, blk + 8, 3, ERR_STATE);   /* tail of the block */
    expect_unchanged_free(b, 128, 0, ERR_STATE);       /* reserved frame */
    expect_unchanged_free(b, 256 + 128, 7, ERR_STATE); /* free block, never allocated */
    assert_int_equal(buddy_free(b, blk, 4), STATUS_OK);
    expect_unchanged_free(b, blk, 4, ERR_STATE); /* double free */
    uint64_t want[BUDDY_MAX_ORDER + 1] = {[8] = 1};
    expect_blocks(b, want);
    assert_true(buddy_check(b));
    tbuddy_delete(b);
}

static void test_buddy_out_of_memory(void **state) {
    buddy_t *b = tbuddy_new(7, 300);
    assert_int_equal(buddy_add_range(b, 7, 300), STATUS_OK);
    uint64_t pfn, n = 0, first = 0;
    while (buddy_alloc(b, 0, &pfn) == STATUS_OK) {
        first = n == 0 ? pfn : first;
        n++;
    }
    assert_int_equal(n, 300);
    assert_int_equal(buddy_free_frames(b), 0);
    snapshot_t s;
    snapshot_take(b, &s);
    pfn = 12345;
    assert_int_equal(buddy_alloc(b, 0, &pfn), ERR_NO_MEMORY);
    assert_int_equal(buddy_alloc(b, 3, &pfn), ERR_NO_MEMORY);
    assert_int_equal(pfn, 12345); /* untouched on failure */
    snapshot_expect_same(b, &s);
    assert_true(buddy_check(b));
    assert_int_equal(buddy_free(b, first, 0), STATUS_OK);
    assert_int_equal(buddy_alloc(b, 0, &pfn), STATUS_OK);
    assert_int_equal(pfn, first);
    tbuddy_delete(b);
}

/* Two order-20 buddies (0 and 2^20) must not merge past BUDDY_MAX_ORDER. */
static void test_buddy_max_order(void **state) {
    const uint64_t n = (2ull << BUDDY_MAX_ORDER) + 5;
    buddy_t *b = tbuddy_new(0, n);
    assert_int_equal(buddy_add_range(b, 0, n), STATUS_OK);
    uint64_t want[BUDDY_MAX_ORDER + 1] = {[0] = 1, [2] = 1, [BUDDY_MAX_ORDER] = 2};
    expect_blocks(b, want);
    assert_true(buddy_check(b));
    uint64_t p1, p2, p3;
    assert_int_equal(buddy_alloc(b, BUDDY_MAX_ORDER, &p1), STATUS_OK);
    assert_int_equal(buddy_alloc(b, BUDDY_MAX_ORDER, &p2), STATUS_OK);
    assert_int_equal(buddy_alloc(b, BUDDY_MAX_ORDER, &p3), ERR_NO_MEMORY);
    assert_int_equal(p1 + p2, 1ull << BUDDY_MAX_ORDER);
    assert_int_equal(buddy_free(b, p1, BUDDY_MAX_ORDER), STATUS_OK);
    assert_int_equal(buddy_free(b, p2, BUDDY_MAX_ORDER), STATUS_OK);
    expect_blocks(b, want);
    assert_true(buddy_check(b));
    tbuddy_delete(b);
}

static void snapshot_restore(buddy_t *b, const snapshot_t *s) {
    memcpy(b, &s->b, sizeof(*b));
    memcpy(b->frames, s->frames, b->nframes * sizeof(buddy_frame_t));
}

/* buddy_check must notice each kind of corruption on its own. */
static void test_buddy_check_detects_corruption(void **state) {
    buddy_t *b = tbuddy_new(0, 64);
    uint64_t pfn;
    assert_int_equal(buddy_add_range(b, 0, 64), STATUS_OK);
    assert_int_equal(buddy_alloc(b, 0, &pfn), STATUS_OK); /* free: 1 o0, 2 o1, 4 o2, ... */
    assert_int_equal(pfn, 0);
    assert_true(buddy_check(b));
    snapshot_t s;
    snapshot_take(b, &s);

    b->free_frames++;
    assert_false(buddy_check(b));
    snapshot_restore(b, &s);
    b->free_blocks[3]++;
    assert_false(buddy_check(b));
    snapshot_restore(b, &s);
    b->frames[9].state = BUDDY_RESERVED; /* tail of the free order-3 block at 8 */
    assert_false(buddy_check(b));
    snapshot_restore(b, &s);
    b->frames[8].order = 2;
    assert_false(buddy_check(b));
    snapshot_restore(b, &s);
    b->frames[8].prev = 3;
    assert_false(buddy_check(b));
    snapshot_restore(b, &s);
    b->frames[8].next = 8; /* self-loop */
    assert_false(buddy_check(b));
    snapshot_restore(b, &s);
    b->frames[0].state = BUDDY_FREE; /* allocated block marked free but on no list */
    assert_false(buddy_check(b));
    snapshot_restore(b, &s);

    /* Well-linked and correctly counted, but the order-1 block at 2 split into two free
     * order-0 buddies that were never merged. */
    b->frames[2] = (buddy_frame_t){.next = 3, .prev = BUDDY_NIL, .state = BUDDY_FREE};
    b->frames[3] = (buddy_frame_t){.next = 1, .prev = 2, .state = BUDDY_FREE};
    b->frames[1].prev = 3;
    b->free_head[0] = 2;
    b->free_head[1] = BUDDY_NIL;
    b->free_blocks[0] = 3;
    b->free_blocks[1] = 0;
    assert_false(buddy_check(b));
    snapshot_restore(b, &s);
    assert_true(buddy_check(b));
    free(s.frames);
    tbuddy_delete(b);
}

/* Random-run geometry: unaligned base, three ranges with holes, the last touching the end. */
#define RUN_BASE 4099ull /* 0x1003 */
#define RUN_N 6000ull
#define RUN_MAX_LIVE 8192

typedef struct run {
    buddy_t *b;
    uint8_t model[RUN_N];
    uint64_t live_pfn[RUN_MAX_LIVE];
    uint8_t live_order[RUN_MAX_LIVE];
    size_t nlive;
    uint64_t model_free;
} run_t;

static void run_add(run_t *r, uint64_t pfn, uint64_t count) {
    assert_int_equal(buddy_add_range(r->b, pfn, count), STATUS_OK);
    for (uint64_t i = 0; i < count; i++) {
        assert_int_equal(r->model[pfn - RUN_BASE + i], M_RESERVED);
        r->model[pfn - RUN_BASE + i] = M_FREE;
    }
    r->model_free += count;
}

/* With full coalescing, an order-k alloc succeeds iff some aligned 2^k run is all free. */
static bool run_model_can_alloc(const run_t *r, unsigned order) {
    uint64_t size = 1ull << order;
    uint64_t p = (RUN_BASE + size - 1) & ~(size - 1);
    for (; p + size <= RUN_BASE + RUN_N; p += size) {
        uint64_t i = 0;
        while (i < size && r->model[p - RUN_BASE + i] == M_FREE) {
            i++;
        }
        if (i == size) {
            return true;
        }
    }
    return false;
}

static void run_mark(run_t *r, uint64_t pfn, unsigned order, uint8_t from, uint8_t to) {
    for (uint64_t i = 0; i < (1ull << order); i++) {
        assert_int_equal(r->model[pfn - RUN_BASE + i], from); /* catches overlap */
        r->model[pfn - RUN_BASE + i] = to;
    }
}

static void run_alloc(run_t *r, unsigned order) {
    uint64_t pfn = 0;
    bool can = run_model_can_alloc(r, order);
    if (!can) {
        snapshot_t s;
        snapshot_take(r->b, &s);
        assert_int_equal(buddy_alloc(r->b, order, &pfn), ERR_NO_MEMORY);
        snapshot_expect_same(r->b, &s);
        return;
    }
    assert_int_equal(buddy_alloc(r->b, order, &pfn), STATUS_OK);
    assert_int_equal(pfn & ((1ull << order) - 1), 0);
    assert_true(pfn >= RUN_BASE && pfn + (1ull << order) <= RUN_BASE + RUN_N);
    run_mark(r, pfn, order, M_FREE, M_ALLOC);
    assert_true(r->nlive < RUN_MAX_LIVE);
    r->live_pfn[r->nlive] = pfn;
    r->live_order[r->nlive] = (uint8_t)order;
    r->nlive++;
    r->model_free -= 1ull << order;
}

static void run_free(run_t *r, size_t i) {
    uint64_t pfn = r->live_pfn[i];
    unsigned order = r->live_order[i];
    assert_int_equal(buddy_free(r->b, pfn, order), STATUS_OK);
    run_mark(r, pfn, order, M_ALLOC, M_FREE);
    r->live_pfn[i] = r->live_pfn[r->nlive - 1];
    r->live_order[i] = r->live_order[r->nlive - 1];
    r->nlive--;
    r->model_free += 1ull << order;
}

static bool run_is_live(const run_t *r, uint64_t pfn, unsigned order) {
    for (size_t i = 0; i < r->nlive; i++) {
        if (r->live_pfn[i] == pfn && r->live_order[i] == order) {
            return true;
        }
    }
    return false;
}

/* A free that must fail: a wrong order for a live block, or an aligned (pfn, order) that
 * is not a live block (double free, free of free or reserved memory). */
static void run_bad_free(run_t *r, uint64_t *seed) {
    if (r->nlive > 0 && rng_next(seed) % 2 == 0) {
        size_t i = rng_next(seed) % r->nlive;
        if (r->live_order[i] > 0) {
            expect_unchanged_free(r->b, r->live_pfn[i], r->live_order[i] - 1u, ERR_STATE);
        }
        return;
    }
    unsigned order = (unsigned)(rng_next(seed) % 11);
    uint64_t size = 1ull << order;
    uint64_t pfn = (RUN_BASE + rng_next(seed) % RUN_N) & ~(size - 1);
    if (pfn < RUN_BASE || pfn + size > RUN_BASE + RUN_N) {
        expect_unchanged_free(r->b, pfn, order, ERR_RANGE);
    } else if (!run_is_live(r, pfn, order)) {
        expect_unchanged_free(r->b, pfn, order, ERR_STATE);
    }
    if (order > 0 && pfn + 1 >= RUN_BASE && pfn + size < RUN_BASE + RUN_N) {
        expect_unchanged_free(r->b, pfn + 1, order, ERR_ALIGN);
    }
}

static void run_expect_model(const run_t *r) {
    assert_int_equal(buddy_free_frames(r->b), r->model_free);
    assert_true(buddy_check(r->b));
}

static void run_seed(uint64_t seed, unsigned steps) {
    run_t *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    r->b = tbuddy_new(RUN_BASE, RUN_N);
    run_add(r, RUN_BASE, 1500);                /* unaligned start */
    run_add(r, 6144, 2048);                    /* one aligned order-11 block */
    run_add(r, 8500, RUN_BASE + RUN_N - 8500); /* ends at the span end */
    run_expect_model(r);
    assert_int_equal(r->b->free_blocks[11], 1);
    snapshot_t start;
    snapshot_take(r->b, &start);

    for (unsigned step = 0; step < steps; step++) {
        uint64_t roll = rng_next(&seed) % 100;
        if (roll < 55 || r->nlive == 0) {
            run_alloc(r, (unsigned)(rng_next(&seed) % 11));
        } else if (roll < 95) {
            run_free(r, rng_next(&seed) % r->nlive);
        } else {
            run_bad_free(r, &seed);
        }
        run_expect_model(r);
    }
    while (r->nlive > 0) {
        run_free(r, rng_next(&seed) % r->nlive);
        if (r->nlive % 16 == 0) {
            run_expect_model(r);
        }
    }
    /* Full coalescing: the canonical layout is unique, so every counter and every frame's
     * state and order match the start; only the free-list link order may differ. */
    run_expect_model(r);
    assert_int_equal(r->b->free_frames, start.b.free_frames);
    assert_memory_equal(r->b->free_blocks, start.b.free_blocks, sizeof(start.b.free_blocks));
    for (uint64_t i = 0; i < RUN_N; i++) {
        assert_int_equal(r->b->frames[i].state, start.frames[i].state);
        assert_int_equal(r->b->frames[i].order, start.frames[i].order);
    }
    free(start.frames);
    uint64_t pfn;
    assert_int_equal(buddy_alloc(r->b, 11, &pfn), STATUS_OK);
    assert_int_equal(pfn, 6144);
    tbuddy_delete(r->b);
    free(r);
}

static void test_buddy_random_sequences(void **state) {
    static const uint64_t seeds[] = {1, 0xdeadbeefcafef00dull, 42, 0x0123456789abcdefull,
                                     0x8000000000000001ull};
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        run_seed(seeds[i], 5000);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buddy_order_for),
        cmocka_unit_test(test_buddy_aligned_range_is_one_block),
        cmocka_unit_test(test_buddy_piecewise_add_coalesces),
        cmocka_unit_test(test_buddy_unaligned_base),
        cmocka_unit_test(test_buddy_range_touching_end),
        cmocka_unit_test(test_buddy_errors),
        cmocka_unit_test(test_buddy_out_of_memory),
        cmocka_unit_test(test_buddy_max_order),
        cmocka_unit_test(test_buddy_check_detects_corruption),
        cmocka_unit_test(test_buddy_random_sequences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
