/*
 * Host tests for caps/cspace.c and caps/cdt.c: handle encoding and every lookup failure,
 * table full, generations (unreserve, wrap and retirement), re-parenting order on delete,
 * moves keeping their place in the tree, deep trees, and seeded random create / derive / copy
 * / move / delete / revoke runs over several tables checked after every step against a model.
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

#include <caps/cdt.h>
#include <caps/cspace.h>

#include "test_util.h"

static int objs[4];

/* Big enough for a full-size table; tests that use it initialise it first. */
static cap_slot_t big_slots[CSPACE_MAX_SLOTS];

static exo_handle_t mk(uint64_t index, uint64_t gen) {
    return index | gen << EXO_HANDLE_INDEX_BITS;
}

static cap_slot_t *reserve_ok(cspace_t *cs) {
    cap_slot_t *s = NULL;
    assert_int_equal(cspace_reserve(cs, &s), STATUS_OK);
    assert_non_null(s);
    assert_int_equal(s->state, CAP_SLOT_RESERVED);
    return s;
}

static cap_slot_t *install(cspace_t *cs, uint32_t rights, cap_slot_t *parent) {
    cap_slot_t *s = reserve_ok(cs);
    cap_install(s, CAP_REGION, rights, &objs[0], 0, parent);
    assert_int_equal(s->state, CAP_SLOT_LIVE);
    return s;
}

static status_t lookup(const cspace_t *cs, exo_handle_t h) {
    cap_slot_t *s = NULL;
    status_t st = cspace_lookup(cs, h, &s);
    if (st == STATUS_OK) {
        assert_int_equal(cap_handle(s), h);
    }
    return st;
}

/* p's children are exactly kids[0..n), in order, doubly linked, each with parent p. */
static void expect_children(const cap_slot_t *p, cap_slot_t *const *kids, size_t n) {
    const cap_slot_t *prev = NULL;
    const cap_slot_t *c = p->first_child;
    for (size_t i = 0; i < n; i++) {
        assert_ptr_equal(c, kids[i]);
        assert_ptr_equal(c->parent, p);
        assert_ptr_equal(c->prev_sibling, prev);
        prev = c;
        c = c->next_sibling;
    }
    assert_null(c);
}

static void expect_unlinked(const cap_slot_t *s) {
    assert_null(s->parent);
    assert_null(s->first_child);
    assert_null(s->next_sibling);
    assert_null(s->prev_sibling);
}

static void test_init_rejects_bad_sizes(void **state) {
    cap_slot_t slots[2];
    cspace_t cs;
    assert_int_equal(cspace_init(&cs, slots, 0, NULL), ERR_INVALID);
    assert_int_equal(cspace_init(&cs, slots, 1, NULL), ERR_INVALID);
    assert_int_equal(cspace_init(&cs, NULL, 2, NULL), ERR_INVALID);
    assert_int_equal(cspace_init(&cs, big_slots, CSPACE_MAX_SLOTS + 1, NULL), ERR_INVALID);
    assert_int_equal(cspace_init(&cs, slots, 2, NULL), STATUS_OK);
    assert_int_equal(cspace_live(&cs), 0);
}

static void test_handle_encode_lookup(void **state) {
    cap_slot_t slots[8];
    cspace_t cs;
    int owner;
    assert_int_equal(cspace_init(&cs, slots, 8, &owner), STATUS_OK);
    assert_ptr_equal(cs.owner, &owner);
    for (int i = 0; i < 8; i++) {
        assert_ptr_equal(slots[i].owner, &cs);
        assert_int_equal(slots[i].gen, 1);
    }
    cap_slot_t *a = reserve_ok(&cs);
    assert_ptr_equal(a, &slots[1]);
    assert_int_equal(cap_handle(a), mk(1, 1));
    assert_int_equal(cspace_live(&cs), 1);
    cap_install(a, CAP_MEMORY, CAP_RIGHTS_MEMORY, &objs[1], 0x1234, NULL);
    assert_ptr_equal(a->owner, &cs);
    expect_unlinked(a);

    cap_slot_t *b = reserve_ok(&cs);
    assert_ptr_equal(b, &slots[2]);
    cap_install(b, CAP_MEMORY, CAP_RIGHT_GRANT, &objs[2], 7, a);
    assert_int_equal(cspace_live(&cs), 2);

    cap_slot_t *out = NULL;
    assert_int_equal(cspace_lookup(&cs, mk(1, 1), &out), STATUS_OK);
    assert_ptr_equal(out, a);
    assert_int_equal(out->type, CAP_MEMORY);
    assert_int_equal(out->rights, CAP_RIGHTS_MEMORY);
    assert_ptr_equal(out->obj, &objs[1]);
    assert_int_equal(out->badge, 0x1234);
    assert_int_equal(cspace_lookup(&cs, mk(2, 1), &out), STATUS_OK);
    assert_ptr_equal(out, b);
    assert_ptr_equal(b->parent, a);
    assert_ptr_equal(a->first_child, b);
    assert_int_equal(cdt_count_descendants(a), 1);
    assert_true(cdt_is_ancestor(a, b));
    assert_false(cdt_is_ancestor(b, a));
    assert_false(cdt_is_ancestor(a, a));
}

static void test_full_size_table(void **state) {
    cspace_t cs;
    assert_int_equal(cspace_init(&cs, big_slots, CSPACE_MAX_SLOTS, NULL), STATUS_OK);
    cap_slot_t *s = NULL;
    for (uint32_t i = 1; i < CSPACE_MAX_SLOTS; i++) {
        s = reserve_ok(&cs);
        assert_ptr_equal(s, &big_slots[i]);
    }
    assert_int_equal(cspace_reserve(&cs, &s), ERR_TABLE_FULL);
    assert_int_equal(cspace_live(&cs), CSPACE_MAX_SLOTS - 1);
    s = &big_slots[CSPACE_MAX_SLOTS - 1];
    cap_install(s, CAP_CONSOLE, CAP_RIGHT_WRITE, NULL, 0, NULL);
    assert_int_equal(cap_handle(s), mk(0xffff, 1));
    assert_int_equal(lookup(&cs, mk(0xffff, 1)), STATUS_OK);
    assert_int_equal(lookup(&cs, mk(0xffff, 2)), ERR_BAD_HANDLE);
}

static void test_forged_handles(void **state) {
    cap_slot_t slots[8];
    cspace_t cs;
    assert_int_equal(cspace_init(&cs, slots, 8, NULL), STATUS_OK);
    cap_slot_t *a = install(&cs, CAP_RIGHT_READ, NULL);
    cap_slot_t *r = reserve_ok(&cs);
    exo_handle_t h = cap_handle(a);
    assert_int_equal(lookup(&cs, h), STATUS_OK);

    assert_int_equal(lookup(&cs, EXO_HANDLE_NONE), ERR_BAD_HANDLE);
    assert_int_equal(lookup(&cs, mk(0, 1)), ERR_BAD_HANDLE);           /* index 0 */
    assert_int_equal(lookup(&cs, mk(8, 1)), ERR_BAD_HANDLE);           /* == nslots */
    assert_int_equal(lookup(&cs, mk(0xffff, 1)), ERR_BAD_HANDLE);      /* far out */
    assert_int_equal(lookup(&cs, mk(1, 0)), ERR_BAD_HANDLE);           /* generation 0 */
    assert_int_equal(lookup(&cs, mk(1, 2)), ERR_BAD_HANDLE);           /* future */
    assert_int_equal(lookup(&cs, mk(1, CAP_GEN_MAX)), ERR_BAD_HANDLE); /* future */
    assert_int_equal(lookup(&cs, cap_handle(r)), ERR_BAD_HANDLE);      /* reserved slot */
    assert_int_equal(lookup(&cs, mk(5, 1)), ERR_BAD_HANDLE);           /* free slot */
    for (int bit = 48; bit < 64; bit++) {
        assert_int_equal(lookup(&cs, h | 1ull << bit), ERR_BAD_HANDLE); /* reserved bits */
    }
    assert_int_equal(lookup(&cs, h), STATUS_OK);
}

static void test_stale_after_release(void **state) {
    cap_slot_t slots[4];
    cspace_t cs;
    assert_int_equal(cspace_init(&cs, slots, 4, NULL), STATUS_OK);
    cap_slot_t *a = install(&cs, CAP_RIGHT_READ, NULL);
    a->mapped = 1;
    a->map_prot = 3;
    exo_handle_t h1 = cap_handle(a);
    cspace_release(a);
    assert_int_equal(a->state, CAP_SLOT_FREE);
    assert_int_equal(a->gen, 2);
    assert_int_equal(a->type, CAP_NONE);
    assert_null(a->obj);
    assert_int_equal(a->rights, 0);
    assert_int_equal(a->mapped, 0);
    assert_int_equal(a->map_prot, 0);
    assert_int_equal(a->badge, 0);
    assert_int_equal(cspace_live(&cs), 0);
    assert_int_equal(lookup(&cs, h1), ERR_STALE);
    assert_int_equal(lookup(&cs, mk(1, 2)), ERR_BAD_HANDLE); /* free, not yet installed */

    cap_slot_t *b = install(&cs, CAP_RIGHT_WRITE, NULL);
    assert_ptr_equal(b, a); /* the freed slot is reused first, with the next generation */
    assert_int_equal(cap_handle(b), mk(1, 2));
    assert_int_equal(lookup(&cs, h1), ERR_STALE);
    assert_int_equal(lookup(&cs, mk(1, 2)), STATUS_OK);
}

static void test_table_full(void **state) {
    cap_slot_t slots[5];
    cspace_t cs;
    assert_int_equal(cspace_init(&cs, slots, 5, NULL), STATUS_OK);
    cap_slot_t *s[4];
    for (int i = 0; i < 4; i++) {
        s[i] = install(&cs, CAP_RIGHT_READ, i == 0 ? NULL : s[0]);
    }
    cap_slot_t *out = NULL;
    assert_int_equal(cspace_reserve(&cs, &out), ERR_TABLE_FULL);
    assert_null(out);
    assert_int_equal(cspace_live(&cs), 4);
    cspace_release(s[2]);
    assert_int_equal(cspace_live(&cs), 3);
    cap_slot_t *r = reserve_ok(&cs);
    assert_ptr_equal(r, s[2]);
    assert_int_equal(cspace_reserve(&cs, &out), ERR_TABLE_FULL);
    cspace_unreserve(r);
    assert_int_equal(cspace_live(&cs), 3);
    assert_ptr_equal(reserve_ok(&cs), s[2]);
    assert_int_equal(cspace_live(&cs), 4);
}

static void test_unreserve_keeps_generation(void **state) {
    cap_slot_t slots[4];
    cspace_t cs;
    assert_int_equal(cspace_init(&cs, slots, 4, NULL), STATUS_OK);
    cap_slot_t *r = reserve_ok(&cs);
    exo_handle_t h = cap_handle(r);
    cspace_unreserve(r);
    assert_int_equal(r->state, CAP_SLOT_FREE);
    assert_int_equal(r->gen, 1);
    assert_int_equal(cspace_live(&cs), 0);
    assert_int_equal(lookup(&cs, h), ERR_BAD_HANDLE); /* never named a cap */
    cap_slot_t *s = install(&cs, CAP_RIGHT_READ, NULL);
    assert_ptr_equal(s, r);
    assert_int_equal(cap_handle(s), h);
    assert_int_equal(lookup(&cs, h), STATUS_OK);
}

static void test_generation_wrap_retires(void **state) {
    cap_slot_t slots[3];
    cspace_t cs;
    assert_int_equal(cspace_init(&cs, slots, 3, NULL), STATUS_OK);
    slots[1].gen = CAP_GEN_MAX - 1;
    cap_slot_t *a = install(&cs, CAP_RIGHT_READ, NULL);
    assert_ptr_equal(a, &slots[1]);
    exo_handle_t h1 = cap_handle(a);
    assert_int_equal(h1, mk(1, CAP_GEN_MAX - 1));
    cspace_release(a);
    assert_int_equal(a->gen, CAP_GEN_MAX);
    a = install(&cs, CAP_RIGHT_READ, NULL);
    assert_ptr_equal(a, &slots[1]);
    exo_handle_t h2 = cap_handle(a);
    assert_int_equal(h2, mk(1, CAP_GEN_MAX));
    assert_int_equal(h2 >> 48, 0);
    assert_int_equal(lookup(&cs, h2), STATUS_OK);
    cspace_release(a);
    assert_int_equal(a->state, CAP_SLOT_RETIRED);
    assert_int_equal(cspace_live(&cs), 0);
    assert_int_equal(lookup(&cs, h1), ERR_STALE);
    assert_int_equal(lookup(&cs, h2), ERR_STALE);

    /* Only slot 2 is ever handed out again. */
    for (int i = 0; i < 10; i++) {
        cap_slot_t *s = install(&cs, CAP_RIGHT_READ, NULL);
        assert_ptr_equal(s, &slots[2]);
        cap_slot_t *out = NULL;
        assert_int_equal(cspace_reserve(&cs, &out), ERR_TABLE_FULL);
        cspace_release(s);
    }
    assert_int_equal(slots[2].gen, 11);
    assert_int_equal(lookup(&cs, h1), ERR_STALE);
    assert_int_equal(lookup(&cs, h2), ERR_STALE);
    assert_int_equal(slots[1].state, CAP_SLOT_RETIRED);
}

static void test_detach_reparents_in_order(void **state) {
    cap_slot_t slots[16];
    cspace_t cs;
    assert_int_equal(cspace_init(&cs, slots, 16, NULL), STATUS_OK);
    cap_slot_t *p = install(&cs, CAP_RIGHTS_REGION, NULL);
    cap_slot_t *a = install(&cs, CAP_RIGHT_READ, p);
    cap_slot_t *x = install(&cs, CAP_RIGHT_READ, p);
    cap_slot_t *b = install(&cs, CAP_RIGHT_READ, p);
    cap_slot_t *x1 = install(&cs, CAP_RIGHT_READ, x);
    cap_slot_t *x2 = install(&cs, CAP_RIGHT_READ, x);
    cap_slot_t *x3 = install(&cs, CAP_RIGHT_READ, x);
    cap_slot_t *g = install(&cs, CAP_RIGHT_READ, x2);
    assert_int_equal(cdt_count_descendants(p), 7);
    assert_ptr_equal(cdt_leaf_descendant(p), a);
    assert_ptr_equal(cdt_leaf_descendant(x), x1);

    cspace_release(x);
    expect_unlinked(x);
    expect_children(p, (cap_slot_t *[]){a, x1, x2, x3, b}, 5);
    expect_children(x2, (cap_slot_t *[]){g}, 1);
    assert_int_equal(cdt_count_descendants(p), 6);

    cspace_release(a); /* first child, no children */
    expect_children(p, (cap_slot_t *[]){x1, x2, x3, b}, 4);
    cspace_release(b); /* last child */
    expect_children(p, (cap_slot_t *[]){x1, x2, x3}, 3);
    cspace_release(x2); /* middle, one child */
    expect_children(p, (cap_slot_t *[]){x1, g, x3}, 3);
    cspace_release(x1);
    cspace_release(x3);
    expect_children(p, (cap_slot_t *[]){g}, 1);

    /* A root's children become roots, with no sibling links. */
    cap_slot_t *h = install(&cs, CAP_RIGHT_READ, p);
    cap_slot_t *gg = install(&cs, CAP_RIGHT_READ, g);
    cspace_release(p);
    expect_unlinked(h);
    assert_null(g->parent);
    assert_null(g->next_sibling);
    assert_null(g->prev_sibling);
    expect_children(g, (cap_slot_t *[]){gg}, 1);
    assert_int_equal(cspace_live(&cs), 3);
}

static void test_move_keeps_tree_place(void **state) {
    cap_slot_t sa[8], sb[8];
    cspace_t ca, cb;
    assert_int_equal(cspace_init(&ca, sa, 8, NULL), STATUS_OK);
    assert_int_equal(cspace_init(&cb, sb, 8, NULL), STATUS_OK);
    cap_slot_t *r = install(&ca, CAP_RIGHTS_REGION, NULL);
    cap_slot_t *before = install(&ca, CAP_RIGHT_READ, r);
    cap_slot_t *m = install(&ca, CAP_RIGHT_READ | CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE, r);
    cap_slot_t *after = install(&ca, CAP_RIGHT_READ, r);
    cap_slot_t *c1 = install(&cb, CAP_RIGHT_READ, m);
    cap_slot_t *c2 = install(&ca, CAP_RIGHT_READ, m);
    m->badge = 99;
    m->obj = &objs[3];
    m->mapped = 1;
    m->map_prot = 5;
    exo_handle_t old = cap_handle(m);

    cap_slot_t *dst = reserve_ok(&cb);
    cap_move_to(dst, m);
    assert_int_equal(m->state, CAP_SLOT_FREE);
    expect_unlinked(m);
    assert_int_equal(lookup(&ca, old), ERR_STALE);
    assert_int_equal(cspace_live(&ca), 4);
    assert_int_equal(cspace_live(&cb), 2);

    cap_slot_t *out = NULL;
    assert_int_equal(cspace_lookup(&cb, cap_handle(dst), &out), STATUS_OK);
    assert_ptr_equal(out, dst);
    assert_ptr_equal(dst->owner, &cb);
    assert_int_equal(dst->type, CAP_REGION);
    assert_int_equal(dst->rights, CAP_RIGHT_READ | CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE);
    assert_ptr_equal(dst->obj, &objs[3]);
    assert_int_equal(dst->badge, 99);
    assert_int_equal(dst->mapped, 1);
    assert_int_equal(dst->map_prot, 5);
    expect_children(r, (cap_slot_t *[]){before, dst, after}, 3);
    expect_children(dst, (cap_slot_t *[]){c1, c2}, 2);
    assert_true(cdt_is_ancestor(r, c2));
    assert_int_equal(cdt_count_descendants(r), 5);

    /* A root with children moves back; the tree follows. */
    cap_slot_t *dst2 = reserve_ok(&cb);
    cap_move_to(dst2, r);
    assert_int_equal(cspace_live(&ca), 3);
    expect_unlinked(r);
    assert_null(dst2->parent);
    assert_null(dst2->next_sibling);
    expect_children(dst2, (cap_slot_t *[]){before, dst, after}, 3);
    assert_int_equal(cdt_count_descendants(dst2), 5);
}

static void test_deep_chain(void **state) {
    enum { DEPTH = 5000 };
    cspace_t cs;
    assert_int_equal(cspace_init(&cs, big_slots, DEPTH + 1, NULL), STATUS_OK);
    cap_slot_t *root = install(&cs, CAP_RIGHT_READ, NULL);
    cap_slot_t *s = root;
    for (int i = 1; i < DEPTH; i++) {
        s = install(&cs, CAP_RIGHT_READ, s);
    }
    assert_int_equal(cdt_count_descendants(root), DEPTH - 1);
    assert_ptr_equal(cdt_leaf_descendant(root), s);
    assert_true(cdt_is_ancestor(root, s));
    assert_false(cdt_is_ancestor(s, root));
    /* Revoke, leaf by leaf: nothing is re-parented on the way. */
    uint32_t n = 0;
    for (cap_slot_t *l; (l = cdt_leaf_descendant(root)) != NULL; n++) {
        assert_null(l->first_child);
        cspace_release(l);
    }
    assert_int_equal(n, DEPTH - 1);
    assert_int_equal(cspace_live(&cs), 1);
    assert_null(root->first_child);
}

/* Random runs. The model keeps, per model cap, its table, handle and attributes, and the
 * whole forest as one pre-order array of (cap, depth): a subtree is a contiguous run, delete
 * drops one entry and lifts its subtree a level, revoke drops the run, a move changes
 * nothing there. Children order is the array order, so it is checked too. */
#define RT_TABLES 6
#define RT_SLOTS 48
#define RT_CAPS (RT_TABLES * (RT_SLOTS - 1))
#define RT_SEEDS 20
#define RT_STEPS 20000
#define RT_RECENT 256 /* dead handles checked after every step; all at the end of a run */

typedef struct mcap {
    bool alive, doomed; /* doomed: in the subtree being revoked */
    uint8_t table, mapped;
    uint16_t type;
    uint32_t rights, map_prot;
    uint64_t badge;
    exo_handle_t handle;
} mcap_t;

static struct {
    cspace_t cs[RT_TABLES];
    cap_slot_t slots[RT_TABLES][RT_SLOTS];
    int32_t slot_cap[RT_TABLES][RT_SLOTS]; /* the model cap in each slot, or -1 */
    uint32_t max_gen[RT_TABLES][RT_SLOTS]; /* newest generation installed in each slot */
    uint32_t count[RT_TABLES];
    mcap_t caps[RT_STEPS + 1]; /* a step makes at most one cap */
    char objs[RT_STEPS + 1];
    uint32_t ncaps;
    int32_t ord[RT_CAPS];
    uint32_t depth[RT_CAPS];
    uint32_t end[RT_CAPS]; /* rt_check scratch: end of each entry's subtree run */
    uint32_t nord;
    uint8_t dead_table[RT_STEPS + 1]; /* a step issues at most one handle */
    exo_handle_t dead[RT_STEPS + 1];
    uint32_t ndead;
    uint64_t rng, seed;
    uint32_t step;
} rt;

static struct {
    uint64_t full, made, moved, deleted, revoked, max_depth;
} rt_stats; /* over all seeds */

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fail_msg("seed %llu step %u line %d: %s", (unsigned long long)rt.seed, rt.step,        \
                     __LINE__, #c);                                                                \
        }                                                                                          \
    } while (0)

static uint32_t rnd(uint32_t n) {
    return (uint32_t)(xorshift64(&rt.rng) % n);
}

/* A random table other than t. */
static uint32_t rt_other(uint32_t t) {
    return (t + 1 + rnd(RT_TABLES - 1)) % RT_TABLES;
}

static uint32_t h_index(exo_handle_t h) {
    return (uint32_t)(h & 0xffff);
}

static cap_slot_t *rt_slot(uint32_t id) {
    return &rt.slots[rt.caps[id].table][h_index(rt.caps[id].handle)];
}

static uint32_t rt_find(uint32_t id) {
    for (uint32_t i = 0; i < rt.nord; i++) {
        if (rt.ord[i] == (int32_t)id) {
            return i;
        }
    }
    fail_msg("model cap %u not in the forest", id);
    return 0;
}

static uint32_t rt_sub_end(uint32_t i) {
    uint32_t j = i + 1;
    while (j < rt.nord && rt.depth[j] > rt.depth[i]) {
        j++;
    }
    return j;
}

/* Reserves in table t; a failure must be exactly a full table in the model. */
static cap_slot_t *rt_reserve(uint32_t t) {
    cap_slot_t *s = NULL;
    status_t st = cspace_reserve(&rt.cs[t], &s);
    if (rt.count[t] == RT_SLOTS - 1) {
        CHECK(st == ERR_TABLE_FULL);
        rt_stats.full++;
        return NULL;
    }
    CHECK(st == STATUS_OK && s->state == CAP_SLOT_RESERVED && s->owner == &rt.cs[t]);
    return s;
}

/* Records the handle of cap id, just put in slot s of table t. */
static void rt_issue(uint32_t id, cap_slot_t *s, uint32_t t) {
    exo_handle_t h = cap_handle(s);
    uint32_t idx = h_index(h), gen = (uint32_t)(h >> 16);
    CHECK(h >> 48 == 0 && idx >= 1 && idx < RT_SLOTS && &rt.slots[t][idx] == s);
    CHECK(gen > rt.max_gen[t][idx] && rt.slot_cap[t][idx] < 0);
    rt.max_gen[t][idx] = gen;
    rt.slot_cap[t][idx] = (int32_t)id;
    rt.count[t]++;
    rt.caps[id].table = (uint8_t)t;
    rt.caps[id].handle = h;
}

/* Cap id's slot was just freed: its handle is dead from now on. */
static void rt_drop_handle(uint32_t id) {
    mcap_t *m = &rt.caps[id];
    cap_slot_t *s = rt_slot(id);
    CHECK(s->state == CAP_SLOT_FREE && s->gen == (uint32_t)(m->handle >> 16) + 1);
    rt.slot_cap[m->table][h_index(m->handle)] = -1;
    rt.count[m->table]--;
    rt.dead_table[rt.ndead] = m->table;
    rt.dead[rt.ndead++] = m->handle;
}

/* A root cap (parent < 0) or a child of parent in table t. */
static void rt_make(uint32_t t, int32_t parent) {
    cap_slot_t *s = rt_reserve(t);
    if (s == NULL) {
        return;
    }
    uint32_t id = rt.ncaps++;
    mcap_t *m = &rt.caps[id];
    if (parent < 0) {
        m->type = (uint16_t)(1 + rnd(CAP_TYPE_COUNT - 1));
        m->rights = rnd(0x10000);
    } else {
        m->type = rt.caps[parent].type;
        m->rights = rt.caps[parent].rights & rnd(0x10000);
    }
    m->badge = xorshift64(&rt.rng);
    m->mapped = (uint8_t)rnd(2);
    m->map_prot = rnd(8);
    m->alive = true;
    cap_install(s, m->type, m->rights, &rt.objs[id], m->badge,
                parent < 0 ? NULL : rt_slot((uint32_t)parent));
    s->mapped = m->mapped; /* as the kernel does once it maps a region */
    s->map_prot = m->map_prot;
    rt_issue(id, s, t);
    rt_stats.made++;

    uint32_t pos = rt.nord, d = 0;
    if (parent >= 0) {
        uint32_t pi = rt_find((uint32_t)parent);
        pos = rt_sub_end(pi);
        d = rt.depth[pi] + 1;
    }
    memmove(&rt.ord[pos + 1], &rt.ord[pos], (rt.nord - pos) * sizeof(rt.ord[0]));
    memmove(&rt.depth[pos + 1], &rt.depth[pos], (rt.nord - pos) * sizeof(rt.depth[0]));
    rt.ord[pos] = (int32_t)id;
    rt.depth[pos] = d;
    rt.nord++;
}

static void rt_move(uint32_t id) {
    uint32_t t = rt_other(rt.caps[id].table);
    cap_slot_t *dst = rt_reserve(t);
    if (dst == NULL) {
        return;
    }
    cap_move_to(dst, rt_slot(id));
    rt_drop_handle(id);
    rt_issue(id, dst, t);
    rt_stats.moved++;
}

static void rt_remove(uint32_t i) {
    memmove(&rt.ord[i], &rt.ord[i + 1], (rt.nord - i - 1) * sizeof(rt.ord[0]));
    memmove(&rt.depth[i], &rt.depth[i + 1], (rt.nord - i - 1) * sizeof(rt.depth[0]));
    rt.nord--;
}

static void rt_delete(uint32_t id) {
    cspace_release(rt_slot(id));
    rt_drop_handle(id);
    rt.caps[id].alive = false;
    uint32_t i = rt_find(id), e = rt_sub_end(i);
    for (uint32_t j = i + 1; j < e; j++) {
        rt.depth[j]--;
    }
    rt_remove(i);
    rt_stats.deleted++;
}

static void rt_revoke(uint32_t id) {
    uint32_t i = rt_find(id), e = rt_sub_end(i);
    for (uint32_t j = i + 1; j < e; j++) {
        rt.caps[rt.ord[j]].doomed = true;
    }
    cap_slot_t *top = rt_slot(id);
    uint32_t n = 0;
    for (cap_slot_t *l; (l = cdt_leaf_descendant(top)) != NULL; n++) {
        CHECK(n < e - i - 1 && l->state == CAP_SLOT_LIVE && l->first_child == NULL);
        int32_t lid = rt.slot_cap[l->owner - rt.cs][l - l->owner->slots];
        CHECK(lid >= 0 && rt.caps[lid].alive && rt.caps[lid].doomed);
        cspace_release(l);
        rt_drop_handle((uint32_t)lid);
        rt.caps[lid].alive = false;
        rt.caps[lid].doomed = false;
    }
    CHECK(n == e - i - 1);
    for (uint32_t j = i + 1; j < e; j++) {
        rt_remove(i + 1);
    }
    rt_stats.revoked += n;
}

/* A reservation given back: the slot keeps its generation and names nothing. */
static void rt_unreserve(uint32_t t) {
    cap_slot_t *s = rt_reserve(t);
    if (s == NULL) {
        return;
    }
    exo_handle_t h = cap_handle(s);
    cap_slot_t *out = NULL;
    CHECK(cspace_lookup(&rt.cs[t], h, &out) == ERR_BAD_HANDLE);
    cspace_unreserve(s);
    CHECK(s->state == CAP_SLOT_FREE && cap_handle(s) == h);
    CHECK(cspace_lookup(&rt.cs[t], h, &out) == ERR_BAD_HANDLE);
}

static void rt_lookups(void) {
    cap_slot_t *out = NULL;
    if (rt.ndead > 0) {
        uint32_t k = rnd(rt.ndead);
        CHECK(cspace_lookup(&rt.cs[rt.dead_table[k]], rt.dead[k], &out) == ERR_STALE);
    }
    if (rt.nord == 0) {
        return;
    }
    const mcap_t *m = &rt.caps[rt.ord[rnd(rt.nord)]];
    const cspace_t *cs = &rt.cs[m->table];
    exo_handle_t h = m->handle, idx = h & 0xffff, gen = h >> 16;
    CHECK(cspace_lookup(cs, h, &out) == STATUS_OK && out->obj == &rt.objs[m - rt.caps]);
    CHECK(cspace_lookup(cs, h | 1ull << (48 + rnd(16)), &out) == ERR_BAD_HANDLE);
    CHECK(cspace_lookup(cs, mk(0, gen), &out) == ERR_BAD_HANDLE);
    CHECK(cspace_lookup(cs, mk(RT_SLOTS + rnd(0x10000 - RT_SLOTS), gen), &out) == ERR_BAD_HANDLE);
    CHECK(cspace_lookup(cs, mk(idx, 0), &out) == ERR_BAD_HANDLE);
    CHECK(cspace_lookup(cs, mk(idx, gen + 1 + rnd(1000)), &out) == ERR_BAD_HANDLE);
}

/* Everything the model knows against the tables, after every step. */
static void rt_check(void) {
    uint32_t total = 0;
    for (uint32_t t = 0; t < RT_TABLES; t++) {
        CHECK(cspace_live(&rt.cs[t]) == rt.count[t]);
        uint32_t nlive = 0, nfree = 0;
        for (uint32_t i = 1; i < RT_SLOTS; i++) {
            const cap_slot_t *s = &rt.slots[t][i];
            CHECK(s->owner == &rt.cs[t]);
            if (s->state == CAP_SLOT_LIVE) {
                CHECK(rt.slot_cap[t][i] >= 0);
                nlive++;
                continue;
            }
            CHECK(s->state == CAP_SLOT_FREE && rt.slot_cap[t][i] < 0);
            CHECK(s->type == CAP_NONE && s->obj == NULL && s->rights == 0 && s->badge == 0);
            CHECK(s->parent == NULL && s->first_child == NULL && s->next_sibling == NULL &&
                  s->prev_sibling == NULL && s->mapped == 0);
        }
        for (const cap_slot_t *f = rt.cs[t].free_head; f != NULL; f = f->next_free) {
            CHECK(f->state == CAP_SLOT_FREE && ++nfree < RT_SLOTS);
        }
        CHECK(nlive == rt.count[t] && nfree == RT_SLOTS - 1 - nlive);
        total += nlive;
    }
    CHECK(total == rt.nord);

    /* Every model cap by its handle, and the tree links in pre-order. last[d]: the previous
     * child at depth d under the current parent, whose next_sibling is still unchecked. */
    static cap_slot_t *stack[RT_CAPS + 1], *last[RT_CAPS + 1];
    uint32_t top = 0, stk = 0;
    for (uint32_t i = 0; i < rt.nord; i++) {
        uint32_t id = (uint32_t)rt.ord[i], d = rt.depth[i];
        const mcap_t *m = &rt.caps[id];
        cap_slot_t *s = NULL;
        CHECK(m->alive);
        CHECK(cspace_lookup(&rt.cs[m->table], m->handle, &s) == STATUS_OK && s == rt_slot(id));
        CHECK(s->type == m->type && s->rights == m->rights && s->obj == &rt.objs[id]);
        CHECK(s->badge == m->badge && s->mapped == m->mapped && s->map_prot == m->map_prot);
        for (; top > d; top--) {
            CHECK(last[top]->next_sibling == NULL);
        }
        if (d == 0) {
            CHECK(s->parent == NULL && s->prev_sibling == NULL && s->next_sibling == NULL);
        } else {
            CHECK(d <= stk && s->parent == stack[d - 1]);
            if (top == d) {
                CHECK(s->prev_sibling == last[d] && last[d]->next_sibling == s);
            } else {
                CHECK(s->prev_sibling == NULL && stack[d - 1]->first_child == s);
            }
            last[d] = s;
            top = d;
        }
        stack[d] = s;
        stk = d + 1;
        bool has_child = i + 1 < rt.nord && rt.depth[i + 1] == d + 1;
        CHECK(s->first_child == (has_child ? rt_slot((uint32_t)rt.ord[i + 1]) : NULL));
        rt_stats.max_depth = d > rt_stats.max_depth ? d : rt_stats.max_depth;
    }
    for (; top > 0; top--) {
        CHECK(last[top]->next_sibling == NULL);
    }

    /* Subtree sizes against cdt_count_descendants; ancestry of random pairs. */
    uint32_t open[RT_CAPS], nopen = 0;
    for (uint32_t i = 0; i <= rt.nord; i++) {
        while (nopen > 0 && (i == rt.nord || rt.depth[open[nopen - 1]] >= rt.depth[i])) {
            rt.end[open[--nopen]] = i;
        }
        if (i < rt.nord) {
            open[nopen++] = i;
        }
    }
    for (uint32_t i = 0; i < rt.nord; i++) {
        CHECK(cdt_count_descendants(rt_slot((uint32_t)rt.ord[i])) == rt.end[i] - i - 1);
    }
    for (int k = 0; k < 4 && rt.nord > 0; k++) {
        uint32_t i = rnd(rt.nord), j = rnd(rt.nord);
        bool anc = j > i && j < rt.end[i];
        CHECK(cdt_is_ancestor(rt_slot((uint32_t)rt.ord[i]), rt_slot((uint32_t)rt.ord[j])) == anc);
    }

    for (uint32_t k = rt.ndead > RT_RECENT ? rt.ndead - RT_RECENT : 0; k < rt.ndead; k++) {
        cap_slot_t *out = NULL;
        CHECK(cspace_lookup(&rt.cs[rt.dead_table[k]], rt.dead[k], &out) == ERR_STALE);
    }
}

static void rt_run(uint64_t seed) {
    memset(&rt, 0, sizeof(rt));
    memset(rt.slot_cap, 0xff, sizeof(rt.slot_cap));
    rt.seed = seed;
    rt.rng = seed * 0x9e3779b97f4a7c15ull + 1;
    for (uint32_t t = 0; t < RT_TABLES; t++) {
        assert_int_equal(cspace_init(&rt.cs[t], rt.slots[t], RT_SLOTS, NULL), STATUS_OK);
    }
    /* Cumulative weights per op: make root, derive, copy, move, delete, revoke, unreserve,
     * lookups. Phases alternate between growing (tables fill up) and shrinking. */
    static const uint32_t grow[] = {8, 33, 53, 63, 73, 76, 80, 100};
    static const uint32_t shrink[] = {3, 11, 17, 29, 62, 72, 76, 100};
    for (rt.step = 0; rt.step < RT_STEPS; rt.step++) {
        const uint32_t *w = (rt.step / 1000) % 2 == 0 ? grow : shrink;
        uint32_t r = rnd(100), op = 0;
        while (r >= w[op]) {
            op++;
        }
        int32_t id = rt.nord > 0 ? rt.ord[rnd(rt.nord)] : -1;
        if (id < 0 && op >= 1 && op <= 5) {
            op = 0;
        }
        uint32_t t = rnd(RT_TABLES);
        if (op == 0) {
            rt_make(t, -1);
        } else if (op <= 2) { /* derive in the same table, copy into another */
            uint32_t pt = rt.caps[id].table;
            rt_make(op == 1 ? pt : rt_other(pt), id);
        } else if (op == 3) {
            rt_move((uint32_t)id);
        } else if (op == 4) {
            rt_delete((uint32_t)id);
        } else if (op == 5) {
            rt_revoke((uint32_t)id);
        } else if (op == 6) {
            rt_unreserve(t);
        } else {
            rt_lookups();
        }
        rt_check();
    }
    for (uint32_t k = 0; k < rt.ndead; k++) {
        cap_slot_t *out = NULL;
        CHECK(cspace_lookup(&rt.cs[rt.dead_table[k]], rt.dead[k], &out) == ERR_STALE);
    }
}

static void test_random_ops(void **state) {
    for (uint64_t seed = 1; seed <= RT_SEEDS; seed++) {
        rt_run(seed);
    }
    printf("caps random: %llu made, %llu moved, %llu deleted, %llu revoked, %llu table-full, "
           "depth %llu\n",
           (unsigned long long)rt_stats.made, (unsigned long long)rt_stats.moved,
           (unsigned long long)rt_stats.deleted, (unsigned long long)rt_stats.revoked,
           (unsigned long long)rt_stats.full, (unsigned long long)rt_stats.max_depth);
    assert_true(rt_stats.full > 100 && rt_stats.moved > 1000 && rt_stats.revoked > 1000 &&
                rt_stats.max_depth >= 4);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_rejects_bad_sizes),
        cmocka_unit_test(test_handle_encode_lookup),
        cmocka_unit_test(test_full_size_table),
        cmocka_unit_test(test_forged_handles),
        cmocka_unit_test(test_stale_after_release),
        cmocka_unit_test(test_table_full),
        cmocka_unit_test(test_unreserve_keeps_generation),
        cmocka_unit_test(test_generation_wrap_retires),
        cmocka_unit_test(test_detach_reparents_in_order),
        cmocka_unit_test(test_move_keeps_tree_place),
        cmocka_unit_test(test_deep_chain),
        cmocka_unit_test(test_random_ops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
