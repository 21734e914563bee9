/*
 * Host tests for kernel/mm/vspace.c: init rules, exact block layouts, every error path
 * changing nothing, node allocation failures, full coalescing, and seeded random runs
 * against a page-exact oracle (small space) and a sorted range model (2^46-byte space).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <mm/vspace.h>

#include "test_util.h"

#define PG VSPACE_PAGE

/* ---- Node allocator with accounting and failure injection ------------------------------ */

typedef struct pool {
    uint64_t live;  /* nodes handed out and not yet returned */
    uint64_t calls; /* node_alloc calls, failed ones included */
    int64_t budget; /* successful calls left; negative: unlimited */
} pool_t;

static void *pool_alloc(void *arg) {
    pool_t *p = arg;
    p->calls++;
    if (p->budget == 0) {
        return NULL;
    }
    if (p->budget > 0) {
        p->budget--;
    }
    void *n = malloc(sizeof(vspace_node_t));
    assert_non_null(n);
    memset(n, 0xa5, sizeof(vspace_node_t)); /* vspace must initialise what it uses */
    p->live++;
    return n;
}

static void pool_free(void *arg, void *node) {
    pool_t *p = arg;
    assert_true(p->live > 0);
    p->live--;
    free(node);
}

static void tvs_init(vspace_t *vs, pool_t *p, uint64_t base, uint64_t size) {
    *p = (pool_t){.budget = -1};
    assert_int_equal(vspace_init(vs, base, size, pool_alloc, pool_free, p), STATUS_OK);
    assert_true(vspace_check(vs));
    assert_int_equal(vspace_free_bytes(vs), size);
    assert_int_equal(vs->nodes, 1);
    assert_int_equal(p->live, 1);
}

static void tvs_destroy(vspace_t *vs, pool_t *p) {
    vspace_destroy(vs);
    assert_int_equal(p->live, 0);
}

/* The space is back to one free block: every node but one returned. */
static void expect_whole(const vspace_t *vs, const pool_t *p) {
    assert_true(vspace_check(vs));
    assert_int_equal(vspace_free_bytes(vs), PG << vs->top_order);
    assert_int_equal(vs->free_blocks[vs->top_order], 1);
    assert_int_equal(vs->nodes, 1);
    assert_int_equal(vs->spares, 0);
    assert_int_equal(p->live, 1);
}

/* ---- Snapshots: the struct, every node's address and contents, in tree order ------------ */

typedef struct snapshot {
    vspace_t vs;
    size_t n;
    const vspace_node_t **ptr;
    vspace_node_t *copy;
} snapshot_t;

static void snapshot_add(snapshot_t *s, const vspace_node_t *n) {
    assert_true(s->n < s->vs.nodes);
    s->ptr[s->n] = n;
    s->copy[s->n] = *n;
    s->n++;
}

static void snapshot_tree(snapshot_t *s, const vspace_node_t *n) {
    if (n != NULL) {
        snapshot_add(s, n);
        snapshot_tree(s, n->left);
        snapshot_tree(s, n->right);
    }
}

static void snapshot_take(const vspace_t *vs, snapshot_t *s) {
    s->vs = *vs;
    s->n = 0;
    s->ptr = calloc(vs->nodes, sizeof(*s->ptr));
    s->copy = calloc(vs->nodes, sizeof(*s->copy));
    assert_non_null(s->ptr);
    assert_non_null(s->copy);
    snapshot_tree(s, vs->root);
    for (const vspace_node_t *n = vs->spare; n != NULL; n = n->left) {
        snapshot_add(s, n);
    }
    assert_int_equal(s->n, vs->nodes);
}

static void snapshot_expect_same(const vspace_t *vs, snapshot_t *s) {
    snapshot_t now;
    assert_memory_equal(vs, &s->vs, sizeof(*vs));
    snapshot_take(vs, &now);
    assert_int_equal(now.n, s->n);
    assert_memory_equal(now.ptr, s->ptr, s->n * sizeof(*s->ptr));
    for (size_t i = 0; i < s->n; i++) {
        assert_int_equal(now.copy[i].addr, s->copy[i].addr);
        assert_ptr_equal(now.copy[i].left, s->copy[i].left);
        assert_ptr_equal(now.copy[i].right, s->copy[i].right);
        assert_int_equal(now.copy[i].orders, s->copy[i].orders);
        assert_int_equal(now.copy[i].order, s->copy[i].order);
        assert_int_equal(now.copy[i].height, s->copy[i].height);
    }
    free(now.ptr);
    free(now.copy);
    free(s->ptr);
    free(s->copy);
}

static void expect_unchanged_free(vspace_t *vs, uint64_t addr, unsigned order, status_t want) {
    snapshot_t s;
    snapshot_take(vs, &s);
    assert_int_equal(vspace_free(vs, addr, order), want);
    snapshot_expect_same(vs, &s);
}

static void expect_unchanged_alloc(vspace_t *vs, unsigned order, status_t want) {
    snapshot_t s;
    uint64_t addr = 0x1234;
    snapshot_take(vs, &s);
    assert_int_equal(vspace_alloc(vs, order, &addr), want);
    assert_int_equal(addr, 0x1234);
    snapshot_expect_same(vs, &s);
}

static uint64_t alloc_ok(vspace_t *vs, unsigned order) {
    uint64_t addr = 0;
    assert_int_equal(vspace_alloc(vs, order, &addr), STATUS_OK);
    assert_int_equal(addr & ((PG << order) - 1), 0);
    assert_true(vspace_check(vs));
    return addr;
}

static void free_ok(vspace_t *vs, uint64_t addr, unsigned order) {
    assert_int_equal(vspace_free(vs, addr, order), STATUS_OK);
    assert_true(vspace_check(vs));
}

/* ---- Unit tests ------------------------------------------------------------------------- */

static void test_vspace_order_for(void **state) {
    static const uint64_t size[] = {0,
                                    1,
                                    PG,
                                    PG + 1,
                                    2 * PG,
                                    3 * PG,
                                    2 * PG + 1,
                                    PG << 20,
                                    (PG << 20) + 1,
                                    PG << 40,
                                    (PG << 40) + 1,
                                    UINT64_MAX};
    static const unsigned want[] = {0, 0, 0, 1, 1, 2, 2, 20, 21, 40, 41, 41};
    _Static_assert(VSPACE_MAX_ORDER == 40, "table assumes VSPACE_MAX_ORDER 40");
    for (size_t i = 0; i < sizeof(size) / sizeof(size[0]); i++) {
        assert_int_equal(vspace_order_for(size[i]), want[i]);
    }
}

static void test_vspace_init_rules(void **state) {
    vspace_t vs;
    pool_t p = {.budget = -1};
    assert_int_equal(vspace_init(&vs, 0, 0, pool_alloc, pool_free, &p), ERR_INVALID);
    assert_int_equal(vspace_init(&vs, 0, PG - 1, pool_alloc, pool_free, &p), ERR_INVALID);
    assert_int_equal(vspace_init(&vs, 0, PG + 1, pool_alloc, pool_free, &p), ERR_INVALID);
    assert_int_equal(vspace_init(&vs, 0, 3 * PG, pool_alloc, pool_free, &p), ERR_INVALID);
    assert_int_equal(vspace_init(&vs, 0, PG << 41, pool_alloc, pool_free, &p), ERR_INVALID);
    assert_int_equal(vspace_init(&vs, 0, PG, NULL, pool_free, &p), ERR_INVALID);
    assert_int_equal(vspace_init(&vs, 0, PG, pool_alloc, NULL, &p), ERR_INVALID);
    assert_int_equal(vspace_init(&vs, PG, 2 * PG, pool_alloc, pool_free, &p), ERR_ALIGN);
    assert_int_equal(vspace_init(&vs, 1ull << 40, 1ull << 46, pool_alloc, pool_free, &p),
                     ERR_ALIGN);
    assert_int_equal(vspace_init(&vs, 123, PG, pool_alloc, pool_free, &p), ERR_ALIGN);
    assert_int_equal(p.calls, 0);
    p.budget = 0;
    assert_int_equal(vspace_init(&vs, 0, PG, pool_alloc, pool_free, &p), ERR_NO_MEMORY);
    assert_int_equal(p.live, 0);

    tvs_init(&vs, &p, 5 * PG, PG);
    assert_int_equal(vs.top_order, 0);
    assert_int_equal(alloc_ok(&vs, 0), 5 * PG);
    expect_unchanged_alloc(&vs, 0, ERR_NO_MEMORY);
    free_ok(&vs, 5 * PG, 0);
    expect_whole(&vs, &p);
    tvs_destroy(&vs, &p);

    tvs_init(&vs, &p, 1ull << 46, 1ull << 46);
    assert_int_equal(vs.top_order, 34);
    assert_int_equal(vs.base, 1ull << 46);
    tvs_destroy(&vs, &p);

    tvs_init(&vs, &p, 0, PG << VSPACE_MAX_ORDER);
    assert_int_equal(vs.top_order, VSPACE_MAX_ORDER);
    assert_int_equal(alloc_ok(&vs, 0), 0);
    for (unsigned k = 0; k < VSPACE_MAX_ORDER; k++) {
        assert_int_equal(vs.free_blocks[k], 1);
    }
    assert_int_equal(vs.nodes, VSPACE_MAX_ORDER + 1);
    free_ok(&vs, 0, 0);
    expect_whole(&vs, &p);
    tvs_destroy(&vs, &p);

    /* The last block of the address space: base + size is 2^64. */
    tvs_init(&vs, &p, 0ull - (PG << 4), PG << 4);
    assert_int_equal(alloc_ok(&vs, 3), 0ull - (PG << 4));
    assert_int_equal(alloc_ok(&vs, 3), 0ull - (PG << 3));
    expect_unchanged_alloc(&vs, 0, ERR_NO_MEMORY);
    expect_unchanged_free(&vs, 0, 0, ERR_RANGE);
    free_ok(&vs, 0ull - (PG << 3), 3);
    free_ok(&vs, 0ull - (PG << 4), 3);
    expect_whole(&vs, &p);
    tvs_destroy(&vs, &p);
}

/* Exact layouts: smallest sufficient block first, lowest address within its order. */
static void test_vspace_alloc_free_basic(void **state) {
    const uint64_t base = 1ull << 30;
    vspace_t vs;
    pool_t p;
    tvs_init(&vs, &p, base, PG << 8);
    assert_int_equal(vs.top_order, 8);
    expect_unchanged_alloc(&vs, 9, ERR_INVALID);
    expect_unchanged_alloc(&vs, 200, ERR_INVALID);

    assert_int_equal(alloc_ok(&vs, 0), base);
    for (unsigned k = 0; k < 8; k++) {
        assert_int_equal(vs.free_blocks[k], 1);
    }
    assert_int_equal(vs.free_blocks[8], 0);
    assert_int_equal(vs.nodes, 8 + 1); /* 8 free halves + the spare for the block */
    assert_int_equal(vs.spares, 1);
    assert_int_equal(vspace_free_bytes(&vs), 255 * PG);

    assert_int_equal(alloc_ok(&vs, 0), base + PG);      /* the order-0 buddy */
    assert_int_equal(alloc_ok(&vs, 3), base + 8 * PG);  /* the order-3 block, no split */
    assert_int_equal(alloc_ok(&vs, 1), base + 2 * PG);  /* the order-1 block */
    assert_int_equal(alloc_ok(&vs, 0), base + 4 * PG);  /* splits the order-2 block at 4 */
    assert_int_equal(alloc_ok(&vs, 2), base + 16 * PG); /* splits the order-4 block at 16 */
    assert_int_equal(alloc_ok(&vs, 0), base + 5 * PG);
    assert_int_equal(alloc_ok(&vs, 7), base + 128 * PG); /* the order-7 block */
    assert_int_equal(vs.spares, 8);
    assert_int_equal(vspace_free_bytes(&vs), (256 - 1 - 1 - 8 - 2 - 1 - 4 - 1 - 128) * PG);

    free_ok(&vs, base + 128 * PG, 7);
    free_ok(&vs, base + PG, 0);
    free_ok(&vs, base + 4 * PG, 0);
    free_ok(&vs, base + 16 * PG, 2);
    free_ok(&vs, base + 8 * PG, 3);
    free_ok(&vs, base + 5 * PG, 0);
    free_ok(&vs, base + 2 * PG, 1);
    assert_int_equal(vs.free_blocks[8], 0);
    free_ok(&vs, base, 0);
    expect_whole(&vs, &p);
    assert_int_equal(vs.root->addr, base);
    tvs_destroy(&vs, &p);
}

/* Every block is aligned to its own size in absolute terms, whatever was split before. */
static void test_vspace_alignment(void **state) {
    const uint64_t base = 1ull << 40;
    vspace_t vs;
    pool_t p;
    uint64_t seed = 7;
    uint64_t addr[64];
    unsigned order[64];
    tvs_init(&vs, &p, base, PG << 24);
    for (int i = 0; i < 64; i++) {
        order[i] = (unsigned)(xorshift64(&seed) % 21);
        addr[i] = alloc_ok(&vs, order[i]);
        assert_int_equal(addr[i] % (PG << order[i]), 0);
        assert_true(addr[i] >= base && addr[i] + (PG << order[i]) <= base + (PG << 24));
    }
    for (int i = 63; i >= 0; i--) {
        free_ok(&vs, addr[i], order[i]);
    }
    expect_whole(&vs, &p);
    tvs_destroy(&vs, &p);
}

static void test_vspace_exhaustion(void **state) {
    const uint64_t base = 16 * PG;
    vspace_t vs;
    pool_t p;
    tvs_init(&vs, &p, base, 16 * PG);
    for (uint64_t i = 0; i < 16; i++) {
        assert_int_equal(alloc_ok(&vs, 0), base + i * PG); /* ascending, lowest first */
    }
    assert_int_equal(vspace_free_bytes(&vs), 0);
    assert_null(vs.root);
    assert_int_equal(vs.nodes, 16); /* only spares left */
    expect_unchanged_alloc(&vs, 0, ERR_NO_MEMORY);
    expect_unchanged_alloc(&vs, 4, ERR_NO_MEMORY);
    for (uint64_t i = 1; i < 16; i += 2) {
        free_ok(&vs, base + i * PG, 0); /* no two buddies: nothing merges */
    }
    assert_int_equal(vs.free_blocks[0], 8);
    expect_unchanged_alloc(&vs, 1, ERR_NO_MEMORY);
    assert_int_equal(alloc_ok(&vs, 0), base + PG);
    free_ok(&vs, base + PG, 0);
    for (uint64_t i = 0; i < 16; i += 2) {
        free_ok(&vs, base + i * PG, 0);
    }
    expect_whole(&vs, &p);
    assert_int_equal(alloc_ok(&vs, 4), base);
    expect_unchanged_alloc(&vs, 0, ERR_NO_MEMORY);
    free_ok(&vs, base, 4);
    expect_whole(&vs, &p);
    tvs_destroy(&vs, &p);
}

static void test_vspace_bad_frees(void **state) {
    const uint64_t base = 1ull << 32;
    vspace_t vs;
    pool_t p;
    tvs_init(&vs, &p, base, PG << 6);
    /* Nothing allocated: any free overlaps the one free block. */
    expect_unchanged_free(&vs, base, 6, ERR_STATE);
    expect_unchanged_free(&vs, base + 8 * PG, 0, ERR_STATE);

    uint64_t a = alloc_ok(&vs, 2); /* [0,4) allocated; free: 4 (o2), 8 (o3), 16, 32 */
    uint64_t b = alloc_ok(&vs, 0); /* 4 allocated; free: 5 (o0), 6 (o1), 8, 16, 32 */
    assert_int_equal(a, base);
    assert_int_equal(b, base + 4 * PG);

    expect_unchanged_free(&vs, base, 7, ERR_INVALID);
    expect_unchanged_free(&vs, base, 64, ERR_INVALID);
    expect_unchanged_free(&vs, base - PG, 0, ERR_RANGE);
    expect_unchanged_free(&vs, 0, 0, ERR_RANGE);
    expect_unchanged_free(&vs, base + 64 * PG, 0, ERR_RANGE);
    expect_unchanged_free(&vs, UINT64_MAX & ~(PG - 1), 0, ERR_RANGE);
    expect_unchanged_free(&vs, base + 2 * PG, 2, ERR_ALIGN);
    expect_unchanged_free(&vs, base + 4 * PG, 3, ERR_ALIGN);
    expect_unchanged_free(&vs, base + 1, 0, ERR_ALIGN);
    expect_unchanged_free(&vs, base + 5 * PG, 0, ERR_STATE);  /* exactly a free block */
    expect_unchanged_free(&vs, base + 32 * PG, 5, ERR_STATE); /* exactly a free block */
    expect_unchanged_free(&vs, base + 40 * PG, 2, ERR_STATE); /* inside a free block */
    expect_unchanged_free(&vs, base + 7 * PG, 0, ERR_STATE);  /* inside a free block */
    expect_unchanged_free(&vs, base + 4 * PG, 2, ERR_STATE);  /* holds free blocks 5, 6 */
    expect_unchanged_free(&vs, base, 3, ERR_STATE);           /* holds free blocks */
    expect_unchanged_free(&vs, base, 6, ERR_STATE);           /* the whole space */

    free_ok(&vs, b, 0);
    expect_unchanged_free(&vs, b, 0, ERR_STATE); /* double free, merged into order 2 at 4 */
    free_ok(&vs, a, 2);
    expect_unchanged_free(&vs, a, 2, ERR_STATE); /* double free, merged into the whole */
    expect_whole(&vs, &p);

    /* Freeing both halves of a whole-space block: the first is accepted (it cannot be told
     * from a real block), the second finds no allocation outstanding. */
    assert_int_equal(alloc_ok(&vs, 6), base);
    free_ok(&vs, base, 5);
    assert_int_equal(vs.spares, 0);
    expect_unchanged_free(&vs, base + 32 * PG, 5, ERR_STATE);
    tvs_destroy(&vs, &p);
}

/* A split needs all its nodes up front; a failed node_alloc leaves everything as it was,
 * and freeing never asks for a node. */
static void test_vspace_node_alloc_failure(void **state) {
    const uint64_t base = 1ull << 40;
    vspace_t vs;
    pool_t p;
    tvs_init(&vs, &p, base, PG << 20);
    for (int64_t budget = 0; budget < 20; budget++) {
        p.budget = budget;
        expect_unchanged_alloc(&vs, 0, ERR_NO_MEMORY);
        assert_int_equal(p.live, vs.nodes);
        assert_true(vspace_check(&vs));
    }
    p.budget = 20; /* exactly enough: one node per split level */
    assert_int_equal(alloc_ok(&vs, 0), base);
    assert_int_equal(p.budget, 0);
    assert_int_equal(p.live, vs.nodes);
    assert_int_equal(vs.nodes, 21);

    /* No split needed: succeeds with no node to spare. */
    assert_int_equal(alloc_ok(&vs, 0), base + PG);
    assert_int_equal(alloc_ok(&vs, 5), base + 32 * PG);
    expect_unchanged_alloc(&vs, 5, ERR_NO_MEMORY); /* splits the order-6 block: one node */

    uint64_t calls = p.calls;
    free_ok(&vs, base + PG, 0);
    free_ok(&vs, base + 32 * PG, 5);
    free_ok(&vs, base, 0);
    assert_int_equal(p.calls, calls);
    expect_whole(&vs, &p);

    /* Later operations work once memory is back. */
    p.budget = -1;
    assert_int_equal(alloc_ok(&vs, 1), base);
    assert_int_equal(alloc_ok(&vs, 1), base + 2 * PG);
    p.budget = 0;
    free_ok(&vs, base + 2 * PG, 1);
    free_ok(&vs, base, 1);
    expect_whole(&vs, &p);
    tvs_destroy(&vs, &p);
}

/* Fill a space with random orders until nothing fits, free in random order: one block. */
static void test_vspace_full_coalesce(void **state) {
    const uint64_t base = 1ull << 36;
    enum { TOP = 12, MAX_LIVE = 1 << TOP };
    static uint64_t addr[MAX_LIVE];
    static unsigned order[MAX_LIVE];
    vspace_t vs;
    pool_t p;
    uint64_t seed = 0x5eed;
    tvs_init(&vs, &p, base, PG << TOP);
    size_t n = 0;
    for (unsigned k = 8;; k = (unsigned)(xorshift64(&seed) % 9)) {
        uint64_t a;
        status_t st = vspace_alloc(&vs, k, &a);
        if (st == ERR_NO_MEMORY) {
            if (k == 0) {
                break;
            }
            continue;
        }
        assert_int_equal(st, STATUS_OK);
        addr[n] = a;
        order[n] = k;
        n++;
    }
    assert_int_equal(vspace_free_bytes(&vs), 0);
    assert_int_equal(vs.spares, n);
    assert_true(vspace_check(&vs));
    while (n > 0) {
        size_t i = xorshift64(&seed) % n;
        free_ok(&vs, addr[i], order[i]);
        addr[i] = addr[n - 1];
        order[i] = order[n - 1];
        n--;
    }
    expect_whole(&vs, &p);
    tvs_destroy(&vs, &p);
}

/* vspace_check must notice each kind of corruption on its own. */
static void test_vspace_check_detects_corruption(void **state) {
    const uint64_t base = 1ull << 20;
    vspace_t vs;
    pool_t p;
    tvs_init(&vs, &p, base, PG << 6);
    assert_int_equal(alloc_ok(&vs, 0), base); /* free: one block of each order 0..5 */
    snapshot_t s;
    snapshot_take(&vs, &s);
    vspace_node_t *r = vs.root;

#define CORRUPT(stmt)                                                                              \
    do {                                                                                           \
        stmt;                                                                                      \
        assert_false(vspace_check(&vs));                                                           \
        vs = s.vs;                                                                                 \
        for (size_t i_ = 0; i_ < s.n; i_++) {                                                      \
            *(vspace_node_t *)s.ptr[i_] = s.copy[i_];                                              \
        }                                                                                          \
        assert_true(vspace_check(&vs));                                                            \
    } while (0)

    CORRUPT(vs.free_pages++);
    CORRUPT(vs.free_blocks[3]++);
    CORRUPT(vs.nodes++);
    CORRUPT(vs.spares++);
    CORRUPT(vs.spares--);
    CORRUPT(vs.base += PG);
    CORRUPT(vs.top_order = VSPACE_MAX_ORDER + 1);
    CORRUPT(r->height++);
    CORRUPT(r->orders |= 1ull << 7);
    CORRUPT(r->orders &= ~(1ull << r->order));
    CORRUPT(r->addr += PG);              /* misaligned or overlapping */
    CORRUPT(r->addr = base + (PG << 6)); /* outside the space */
    CORRUPT(r->order = 7);               /* larger than the space */
    CORRUPT(r->left->left = r);          /* a cycle */
    CORRUPT(vs.spare->left = vs.spare);  /* a cyclic spare list */
    CORRUPT(r->right = NULL);            /* lost blocks, unbalanced */
    CORRUPT({
        vspace_node_t *t = r->left; /* swap children: keys out of order */
        r->left = r->right;
        r->right = t;
    });
#undef CORRUPT

    free(s.ptr);
    free(s.copy);
    tvs_destroy(&vs, &p);

    /* Well-formed, balanced and correctly counted, but two free order-0 buddies left
     * unmerged: with pages 0 and 1 allocated the free order-1 block at 2 is the only node;
     * relabel it as page 2 and hang page 3, built in a spare node, to its right. */
    tvs_init(&vs, &p, base, PG << 2);
    assert_int_equal(alloc_ok(&vs, 0), base);
    assert_int_equal(alloc_ok(&vs, 0), base + PG);
    assert_int_equal(vs.root->addr, base + 2 * PG);
    assert_int_equal(vs.root->order, 1);
    assert_int_equal(vs.spares, 2);
    vspace_node_t *extra = vs.spare;
    vs.spare = extra->left;
    vs.spares--;
    *extra = (vspace_node_t){.addr = base + 3 * PG, .order = 0, .height = 1, .orders = 1};
    vs.root->order = 0;
    vs.root->orders = 1;
    vs.root->height = 2;
    vs.root->right = extra;
    vs.free_blocks[0] = 2;
    vs.free_blocks[1] = 0;
    assert_false(vspace_check(&vs));
    extra->addr = base + 3 * PG + PG; /* no longer buddies, but now outside the space */
    assert_false(vspace_check(&vs));
    tvs_destroy(&vs, &p);
}

/* ---- Random run with a page-exact oracle (small space) ---------------------------------- */

#define SMALL_TOP 9
#define SMALL_N (1u << SMALL_TOP)
#define SMALL_BASE (3ull << 40)

typedef struct small_run {
    vspace_t vs;
    pool_t pool;
    uint8_t used[SMALL_N];
    uint64_t live_page[SMALL_N];
    unsigned live_order[SMALL_N];
    size_t nlive;
    uint64_t free_pages;
} small_run_t;

static bool small_all_free(const small_run_t *r, uint64_t page, unsigned order) {
    for (uint64_t i = 0; i < (1ull << order); i++) {
        if (r->used[page + i]) {
            return false;
        }
    }
    return true;
}

/* With full merging the free blocks are exactly the maximal all-free aligned blocks. */
static bool small_is_free_block(const small_run_t *r, uint64_t page, unsigned order) {
    if (!small_all_free(r, page, order)) {
        return false;
    }
    if (order == SMALL_TOP) {
        return true;
    }
    return !small_all_free(r, page & ~((2ull << order) - 1), order + 1);
}

/* The block vspace must hand out: smallest free order >= order, lowest page in it. */
static bool small_expected(const small_run_t *r, unsigned order, uint64_t *page) {
    for (unsigned k = order; k <= SMALL_TOP; k++) {
        for (uint64_t a = 0; a < SMALL_N; a += 1ull << k) {
            if (small_is_free_block(r, a, k)) {
                *page = a;
                return true;
            }
        }
    }
    return false;
}

static void small_expect_model(const small_run_t *r) {
    assert_true(vspace_check(&r->vs));
    assert_int_equal(vspace_free_bytes(&r->vs), r->free_pages * PG);
    assert_int_equal(r->vs.spares, r->nlive);
    assert_int_equal(r->pool.live, r->vs.nodes);
    for (unsigned k = 0; k <= SMALL_TOP; k++) {
        uint64_t blocks = 0;
        for (uint64_t a = 0; a < SMALL_N; a += 1ull << k) {
            blocks += small_is_free_block(r, a, k);
        }
        assert_int_equal(r->vs.free_blocks[k], blocks);
    }
}

static void small_mark(small_run_t *r, uint64_t page, unsigned order, uint8_t to) {
    for (uint64_t i = 0; i < (1ull << order); i++) {
        assert_int_not_equal(r->used[page + i], to);
        r->used[page + i] = to;
    }
}

static void small_alloc(small_run_t *r, unsigned order) {
    uint64_t want;
    if (!small_expected(r, order, &want)) {
        expect_unchanged_alloc(&r->vs, order, ERR_NO_MEMORY);
        return;
    }
    uint64_t addr = 0;
    assert_int_equal(vspace_alloc(&r->vs, order, &addr), STATUS_OK);
    assert_int_equal(addr, SMALL_BASE + want * PG);
    small_mark(r, want, order, 1);
    r->live_page[r->nlive] = want;
    r->live_order[r->nlive] = order;
    r->nlive++;
    r->free_pages -= 1ull << order;
}

static void small_free(small_run_t *r, size_t i) {
    uint64_t page = r->live_page[i];
    unsigned order = r->live_order[i];
    assert_int_equal(vspace_free(&r->vs, SMALL_BASE + page * PG, order), STATUS_OK);
    small_mark(r, page, order, 0);
    r->nlive--;
    r->live_page[i] = r->live_page[r->nlive];
    r->live_order[i] = r->live_order[r->nlive];
    r->free_pages += 1ull << order;
}

/* Any aligned block with a free page in it must be refused, unchanged; a misaligned one
 * too. */
static void small_bad_free(small_run_t *r, uint64_t *seed) {
    unsigned order = (unsigned)(xorshift64(seed) % (SMALL_TOP + 1));
    uint64_t page = (xorshift64(seed) % SMALL_N) & ~((1ull << order) - 1);
    uint64_t addr = SMALL_BASE + page * PG;
    bool any_free = false;
    for (uint64_t i = 0; i < (1ull << order); i++) {
        any_free |= r->used[page + i] == 0;
    }
    if (any_free) {
        expect_unchanged_free(&r->vs, addr, order, ERR_STATE);
    }
    if (order > 0) {
        expect_unchanged_free(&r->vs, addr + PG, order, ERR_ALIGN);
    }
}

static void small_run_seed(uint64_t seed, unsigned steps) {
    small_run_t *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    tvs_init(&r->vs, &r->pool, SMALL_BASE, PG << SMALL_TOP);
    r->free_pages = SMALL_N;
    for (unsigned step = 0; step < steps; step++) {
        uint64_t roll = xorshift64(&seed) % 100;
        if (roll < 55 || r->nlive == 0) {
            small_alloc(r, (unsigned)(xorshift64(&seed) % 7));
        } else if (roll < 95) {
            small_free(r, xorshift64(&seed) % r->nlive);
        } else {
            small_bad_free(r, &seed);
        }
        if (step % 8 == 0) {
            small_expect_model(r);
        }
    }
    while (r->nlive > 0) {
        small_free(r, xorshift64(&seed) % r->nlive);
    }
    small_expect_model(r);
    expect_whole(&r->vs, &r->pool);
    tvs_destroy(&r->vs, &r->pool);
    free(r);
}

static void test_vspace_random_exact(void **state) {
    static const uint64_t seeds[] = {1, 0xdeadbeefcafef00dull, 42, 0x8000000000000001ull};
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        small_run_seed(seeds[i], 20000);
    }
}

/* ---- Long random run over a 2^46-byte space against a sorted range model ---------------- */

#define BIG_BASE (1ull << 46) /* [2^46, 2^47): base must be aligned to the size */
#define BIG_SIZE (1ull << 46)
#define BIG_MAX_ORDER 20
#define BIG_STEPS 200000u
/* Live blocks stay below 2^14 (the number of order-20 slots), so every alloc must succeed:
 * a live block of order <= 20 occupies exactly one aligned order-20 slot. */
#define BIG_MAX_LIVE 4096

typedef struct big_block {
    uint64_t addr;
    unsigned order;
} big_block_t;

typedef struct big_run {
    vspace_t vs;
    pool_t pool;
    big_block_t live[BIG_MAX_LIVE]; /* sorted by address */
    size_t nlive;
    uint64_t used_bytes;
} big_run_t;

static uint64_t big_end(const big_block_t *b) {
    return b->addr + (PG << b->order);
}

/* First index whose block starts after addr. */
static size_t big_upper(const big_run_t *r, uint64_t addr) {
    size_t lo = 0;
    size_t hi = r->nlive;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->live[mid].addr <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static void big_alloc(big_run_t *r, unsigned order) {
    big_block_t b = {.order = order};
    assert_int_equal(vspace_alloc(&r->vs, order, &b.addr), STATUS_OK);
    assert_int_equal(b.addr % (PG << order), 0);
    assert_true(b.addr >= BIG_BASE && big_end(&b) <= BIG_BASE + BIG_SIZE);
    size_t i = big_upper(r, b.addr);
    assert_true(i == 0 || big_end(&r->live[i - 1]) <= b.addr);
    assert_true(i == r->nlive || r->live[i].addr >= big_end(&b));
    assert_true(r->nlive < BIG_MAX_LIVE);
    memmove(&r->live[i + 1], &r->live[i], (r->nlive - i) * sizeof(r->live[0]));
    r->live[i] = b;
    r->nlive++;
    r->used_bytes += PG << order;
}

static void big_free(big_run_t *r, size_t i, bool probe) {
    big_block_t b = r->live[i];
    assert_int_equal(vspace_free(&r->vs, b.addr, b.order), STATUS_OK);
    memmove(&r->live[i], &r->live[i + 1], (r->nlive - i - 1) * sizeof(r->live[0]));
    r->nlive--;
    r->used_bytes -= PG << b.order;
    if (probe) {
        /* The block's pages are free now: the block itself, its first page and its parent
         * all overlap free space. Counters are enough here; snapshots are for small runs. */
        uint64_t nodes = r->vs.nodes;
        assert_int_equal(vspace_free(&r->vs, b.addr, b.order), ERR_STATE);
        assert_int_equal(vspace_free(&r->vs, b.addr, 0), ERR_STATE);
        if (b.order < r->vs.top_order) {
            uint64_t parent = b.addr & ~((PG << (b.order + 1)) - 1);
            assert_int_equal(vspace_free(&r->vs, parent, b.order + 1), ERR_STATE);
        }
        assert_int_equal(r->vs.nodes, nodes);
    }
}

static void big_expect_model(const big_run_t *r) {
    assert_int_equal(vspace_free_bytes(&r->vs), BIG_SIZE - r->used_bytes);
    assert_int_equal(r->vs.spares, r->nlive);
    assert_int_equal(r->pool.live, r->vs.nodes);
}

static void test_vspace_random_large(void **state) {
    big_run_t *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    tvs_init(&r->vs, &r->pool, BIG_BASE, BIG_SIZE);
    assert_int_equal(r->vs.top_order, 34);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t allocs = 0;
    uint64_t max_nodes = 0;
    for (unsigned step = 0; step < BIG_STEPS; step++) {
        /* Allocation is likelier while few blocks are live: hovers around 2048. */
        if (xorshift64(&seed) % 4096 >= r->nlive) {
            big_alloc(r, (unsigned)(xorshift64(&seed) % (BIG_MAX_ORDER + 1)));
            allocs++;
        } else {
            big_free(r, xorshift64(&seed) % r->nlive, step % 16 == 0);
        }
        big_expect_model(r);
        max_nodes = r->vs.nodes > max_nodes ? r->vs.nodes : max_nodes;
        if (step % 4096 == 0) {
            assert_true(vspace_check(&r->vs));
        }
    }
    while (r->nlive > 0) {
        big_free(r, xorshift64(&seed) % r->nlive, false);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    expect_whole(&r->vs, &r->pool);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    print_message("vspace random: %u steps (%llu allocs), peak %llu nodes, %.0f ms\n", BIG_STEPS,
                  (unsigned long long)allocs, (unsigned long long)max_nodes, ms);
    tvs_destroy(&r->vs, &r->pool);
    free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vspace_order_for),
        cmocka_unit_test(test_vspace_init_rules),
        cmocka_unit_test(test_vspace_alloc_free_basic),
        cmocka_unit_test(test_vspace_alignment),
        cmocka_unit_test(test_vspace_exhaustion),
        cmocka_unit_test(test_vspace_bad_frees),
        cmocka_unit_test(test_vspace_node_alloc_failure),
        cmocka_unit_test(test_vspace_full_coalesce),
        cmocka_unit_test(test_vspace_check_detects_corruption),
        cmocka_unit_test(test_vspace_random_exact),
        cmocka_unit_test(test_vspace_random_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
