/*
 * Host tests for the ring protocol: the kernel's half (rings/queue.c) and the app's half
 * (userlib/ring.c) over the same memory. Single-threaded: layout, geometry, index wrap
 * across 2^32 against a model, lying indices, full queues, the need-wakeup handshake, and
 * a kernel view over non-contiguous pages. Then real threads: an app and a kernel (busy or
 * parking poller) pushing SQEs and CQEs through a small ring, each exactly once and in
 * order, under a watchdog. Built both under ASan+UBSan (real reorderings) and under
 * ThreadSanitizer (happens-before); RING_TEST_FILTER picks tests, RING_TEST_VERBOSE prints
 * what the threaded runs went through.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <rings/queue.h>
#include <user/ring.h>

#include "test_util.h"

#define PAGE EXO_RING_PAGE

/* --- ring memory, entry contents --- */

/* One ring's memory as the kernel gets it: layout.size zeroed bytes, page-aligned (base),
 * and the array of page pointers ringq_init takes. */
typedef struct ring_mem {
    ringq_layout_t layout;
    uint8_t *base;
    void **pages;
    uint32_t npages;
} ring_mem_t;

static void ring_mem_alloc(ring_mem_t *m, uint32_t sq, uint32_t cq) {
    assert_int_equal(ringq_layout(sq, cq, &m->layout), STATUS_OK);
    m->npages = m->layout.size / PAGE;
    m->base = aligned_alloc(PAGE, m->layout.size);
    m->pages = calloc(m->npages, sizeof(*m->pages));
    assert_non_null(m->base);
    assert_non_null(m->pages);
    memset(m->base, 0, m->layout.size);
    for (uint32_t i = 0; i < m->npages; i++) {
        m->pages[i] = m->base + (size_t)i * PAGE;
    }
}

static void ring_mem_free(ring_mem_t *m) {
    free(m->pages);
    free(m->base);
}

/* Moves an idle ring's free-running indices, the kernel's copies and the shared ones
 * alike, to the given start values (before any traffic and before exo_ring_attach). */
static void ring_set_indices(ringq_t *q, uint32_t sq_start, uint32_t cq_start) {
    q->sq_head = sq_start;
    q->hdr->sq_head = sq_start;
    q->hdr->sq_tail = sq_start;
    q->cq_tail = cq_start;
    q->hdr->cq_head = cq_start;
    q->hdr->cq_tail = cq_start;
}

/* Both views of one ring, over contiguous memory. */
typedef struct ring_pair {
    ring_mem_t m;
    ringq_t q;
    exo_ring_t r;
} ring_pair_t;

static void ring_pair_init(ring_pair_t *p, uint32_t sq, uint32_t cq, uint32_t setup_flags,
                           uint32_t sq_start, uint32_t cq_start) {
    ring_mem_alloc(&p->m, sq, cq);
    ringq_init(&p->q, (void *const *)p->m.pages, sq, cq, setup_flags);
    ring_set_indices(&p->q, sq_start, cq_start);
    exo_ring_attach(&p->r, p->m.base, 0, 0);
}

static uint32_t load32(const uint32_t *p) {
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* SQE number seq as the app prepares it: opcode, flags and user_data always, then
 * seq % 7 arguments; everything else stays as exo_ring_get_sqe left it (zero). */
static uint64_t sqe_arg(uint64_t seq, unsigned i) {
    return (seq + 1) * 0x9e3779b97f4a7c15ull ^ ((uint64_t)(i + 1) << 56);
}

static void sqe_fill(exo_sqe_t *s, uint64_t seq) {
    s->opcode = (uint8_t)(seq % EXO_OP_COUNT);
    exo_sqe_set_flags(s, (uint8_t)(seq % (EXO_SQE_FLAGS_ALL + 1)));
    exo_sqe_set_data(s, seq);
    for (unsigned i = 0; i < seq % 7; i++) {
        s->arg[i] = sqe_arg(seq, i);
    }
}

static bool sqe_is(const exo_sqe_t *s, uint64_t seq) {
    exo_sqe_t want = {0};
    sqe_fill(&want, seq);
    return memcmp(s, &want, sizeof(want)) == 0;
}

static bool sqe_is_zero(const exo_sqe_t *s) {
    static const exo_sqe_t zero;
    return memcmp(s, &zero, sizeof(zero)) == 0;
}

/* The CQE the kernel posts for SQE seq: negative results too. */
static exo_cqe_t cqe_for(uint64_t seq) {
    exo_cqe_t c = {0};
    c.user_data = seq;
    c.res = seq % 3 == 0 ? -(int64_t)(seq % 22 + 1) : (int64_t)(seq * 5);
    c.aux = ~seq;
    return c;
}

static bool cqe_is(const exo_cqe_t *c, uint64_t seq) {
    exo_cqe_t want = cqe_for(seq);
    return memcmp(c, &want, sizeof(want)) == 0;
}

static uint32_t round_page(uint64_t n) {
    return (uint32_t)((n + PAGE - 1) / PAGE * PAGE);
}

/* --- layout and init --- */

static void test_ring_layout(void **state) {
    ringq_layout_t l;
    assert_int_equal(ringq_layout(1, 1, &l), STATUS_OK);
    assert_int_equal(l.sq_off, PAGE);
    assert_int_equal(l.cq_off, 2 * PAGE);
    assert_int_equal(l.size, 3 * PAGE);
    assert_int_equal(ringq_layout(128, 256, &l), STATUS_OK); /* two pages each */
    assert_int_equal(l.sq_off, PAGE);
    assert_int_equal(l.cq_off, 3 * PAGE);
    assert_int_equal(l.size, 5 * PAGE);
    assert_int_equal(ringq_layout(4096, 4096, &l), STATUS_OK);
    assert_int_equal(l.sq_off, PAGE);
    assert_int_equal(l.cq_off, PAGE + 4096 * 64);
    assert_int_equal(l.size, PAGE + 4096 * 64 + 4096 * 32);

    /* Every valid pair: each part starts on a page and is exactly as big as it must be. */
    for (uint32_t sq = 1; sq <= EXO_RING_MAX_ENTRIES; sq *= 2) {
        for (uint32_t cq = 1; cq <= EXO_RING_MAX_ENTRIES; cq *= 2) {
            status_t s = ringq_layout(sq, cq, &l);
            if (cq < sq) {
                assert_int_equal(s, ERR_INVALID);
                continue;
            }
            assert_int_equal(s, STATUS_OK);
            assert_int_equal(l.sq_off, PAGE);
            assert_int_equal(l.cq_off % PAGE, 0);
            assert_int_equal(l.size % PAGE, 0);
            assert_int_equal(l.cq_off - l.sq_off, round_page((uint64_t)sq * sizeof(exo_sqe_t)));
            assert_int_equal(l.size - l.cq_off, round_page((uint64_t)cq * sizeof(exo_cqe_t)));
        }
    }

    static const uint32_t bad[][2] = {
        {0, 0},
        {0, 8},
        {8, 0},
        {3, 8},
        {8, 12},
        {6, 6},
        {16, 8},
        {2, 1},
        {8192, 8192},
        {4096, 8192},
        {1, 8192},
        {1u << 31, 1u << 31},
        {UINT32_MAX, UINT32_MAX},
        {1, UINT32_MAX},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (ringq_layout(bad[i][0], bad[i][1], &l) != ERR_INVALID) {
            fail_msg("ringq_layout(%u, %u) accepted", bad[i][0], bad[i][1]);
        }
    }
}

static void test_ring_init_writes_geometry(void **state) {
    ring_mem_t m;
    ringq_t q;
    ring_mem_alloc(&m, 64, 256);
    ringq_init(&q, (void *const *)m.pages, 64, 256, EXO_RING_SQPOLL);
    exo_ring_hdr_t *h = (exo_ring_hdr_t *)m.base;
    assert_ptr_equal(q.hdr, h);
    assert_ptr_equal(q.sq_pages, m.pages + m.layout.sq_off / PAGE);
    assert_ptr_equal(q.cq_pages, m.pages + m.layout.cq_off / PAGE);
    assert_int_equal(q.sq_entries, 64);
    assert_int_equal(q.cq_entries, 256);
    assert_int_equal(q.sq_head, 0);
    assert_int_equal(q.cq_tail, 0);
    assert_int_equal(h->sq_entries, 64);
    assert_int_equal(h->cq_entries, 256);
    assert_int_equal(h->sq_off, m.layout.sq_off);
    assert_int_equal(h->cq_off, m.layout.cq_off);
    assert_int_equal(h->setup_flags, EXO_RING_SQPOLL);
    /* Nothing else written: indices, flags and every entry still zero. */
    exo_ring_hdr_t want = {0};
    want.sq_entries = 64;
    want.cq_entries = 256;
    want.sq_off = m.layout.sq_off;
    want.cq_off = m.layout.cq_off;
    want.setup_flags = EXO_RING_SQPOLL;
    assert_memory_equal(h, &want, sizeof(want));
    for (uint32_t i = sizeof(want); i < m.layout.size; i++) {
        if (m.base[i] != 0) {
            fail_msg("ringq_init wrote byte %u", i);
        }
    }

    /* The app finds the same geometry through the header. */
    exo_ring_t r;
    exo_ring_attach(&r, m.base, 5, 6);
    assert_int_equal(r.handle, 5);
    assert_int_equal(r.region, 6);
    assert_ptr_equal(r.hdr, h);
    assert_ptr_equal(r.sqes, (exo_sqe_t *)(m.base + m.layout.sq_off));
    assert_ptr_equal(r.cqes, (exo_cqe_t *)(m.base + m.layout.cq_off));
    assert_int_equal(r.sq_entries, 64);
    assert_int_equal(r.cq_entries, 256);
    assert_int_equal(r.sq_tail, 0);
    assert_int_equal(r.setup_flags, EXO_RING_SQPOLL);
    assert_int_equal(exo_ring_sq_space(&r), 64);
    assert_int_equal(exo_ring_cq_ready(&r), 0);
    ring_mem_free(&m);
}

/* --- one entry each way, and the app's half on its own --- */

static void test_ring_round_trip(void **state) {
    ring_pair_t p;
    ring_pair_init(&p, 4, 8, 0, 0, 0);
    exo_sqe_t *s = exo_ring_get_sqe(&p.r);
    assert_non_null(s);
    exo_prep_console_write(s, 3, (const void *)0x1000, 12);
    exo_sqe_set_data(s, 42);
    assert_int_equal(ringq_sq_ready(&p.q), 0); /* not published yet */
    assert_int_equal(exo_ring_flush(&p.r), 1);
    assert_int_equal(p.q.hdr->sq_tail, 1);
    assert_int_equal(ringq_sq_ready(&p.q), 1);

    exo_sqe_t got;
    ringq_sq_take(&p.q, &got);
    assert_int_equal(got.opcode, EXO_OP_CONSOLE_WRITE);
    assert_int_equal(got.user_data, 42);
    assert_int_equal(got.arg[0], 3);
    assert_int_equal(got.arg[1], 0x1000);
    assert_int_equal(got.arg[2], 12);
    assert_int_equal(p.q.hdr->sq_head, 1);
    assert_int_equal(ringq_sq_ready(&p.q), 0);
    assert_int_equal(exo_ring_sq_space(&p.r), 4);

    exo_cqe_t *c = NULL;
    assert_int_equal(exo_ring_peek_cqe(&p.r, &c), ERR_AGAIN);
    exo_cqe_t post = {.user_data = 42, .res = 12, .aux = 7};
    assert_true(ringq_cq_post(&p.q, &post));
    assert_int_equal(p.q.hdr->cq_tail, 1);
    assert_int_equal(ringq_cq_used(&p.q), 1);
    assert_int_equal(exo_ring_cq_ready(&p.r), 1);
    assert_int_equal(exo_ring_peek_cqe(&p.r, &c), STATUS_OK);
    assert_ptr_equal(c, &p.r.cqes[0]);
    assert_memory_equal(c, &post, sizeof(post));
    exo_ring_cqe_seen(&p.r, c);
    assert_int_equal(p.q.hdr->cq_head, 1);
    assert_int_equal(ringq_cq_used(&p.q), 0);
    assert_int_equal(exo_ring_cq_ready(&p.r), 0);
    assert_int_equal(exo_ring_peek_cqe(&p.r, &c), ERR_AGAIN);
    ring_mem_free(&p.m);
}

static void test_ring_app_sq_full_zeroed_flush(void **state) {
    ring_pair_t p;
    ring_pair_init(&p, 4, 8, 0, 0, 0);
    uint32_t sq_bytes = 4 * sizeof(exo_sqe_t);
    memset(p.r.sqes, 0xa5, sq_bytes); /* stale bytes a previous use could have left */
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(exo_ring_sq_space(&p.r), 4 - i);
        exo_sqe_t *s = exo_ring_get_sqe(&p.r);
        assert_ptr_equal(s, &p.r.sqes[i]);
        assert_true(sqe_is_zero(s));
        sqe_fill(s, 100 + i);
    }
    assert_int_equal(exo_ring_sq_space(&p.r), 0);
    uint8_t snap[4 * sizeof(exo_sqe_t)];
    memcpy(snap, p.r.sqes, sq_bytes);
    assert_null(exo_ring_get_sqe(&p.r));
    assert_null(exo_ring_get_sqe(&p.r));
    assert_int_equal(p.r.sq_tail, 4);
    assert_memory_equal(p.r.sqes, snap, sq_bytes); /* a refused get_sqe writes nothing */

    assert_int_equal(p.q.hdr->sq_tail, 0); /* handed out, not published */
    assert_int_equal(ringq_sq_ready(&p.q), 0);
    assert_int_equal(exo_ring_flush(&p.r), 4);
    assert_int_equal(p.q.hdr->sq_tail, 4);
    assert_int_equal(ringq_sq_ready(&p.q), 4);

    exo_sqe_t got;
    ringq_sq_take(&p.q, &got);
    assert_true(sqe_is(&got, 100));
    ringq_sq_take(&p.q, &got);
    assert_true(sqe_is(&got, 101));
    assert_int_equal(exo_ring_flush(&p.r), 2); /* published, not yet consumed */
    assert_int_equal(exo_ring_sq_space(&p.r), 2);
    /* The consumed slots come back zeroed although they still hold the old SQEs. */
    exo_sqe_t *s = exo_ring_get_sqe(&p.r);
    assert_ptr_equal(s, &p.r.sqes[0]);
    assert_true(sqe_is_zero(s));
    assert_true(sqe_is(&p.r.sqes[2], 102)); /* the unconsumed ones are untouched */
    assert_true(sqe_is(&p.r.sqes[3], 103));
    ring_mem_free(&p.m);
}

static void test_ring_app_cq(void **state) {
    ring_pair_t p;
    ring_pair_init(&p, 2, 8, 0, 0, 0);
    exo_cqe_t *c = (exo_cqe_t *)1;
    assert_int_equal(exo_ring_peek_cqe(&p.r, &c), ERR_AGAIN);
    for (uint64_t i = 0; i < 5; i++) {
        exo_cqe_t e = cqe_for(i);
        assert_true(ringq_cq_post(&p.q, &e));
        assert_int_equal(exo_ring_cq_ready(&p.r), i + 1);
    }
    /* Peeking does not consume. */
    assert_int_equal(exo_ring_peek_cqe(&p.r, &c), STATUS_OK);
    assert_int_equal(exo_ring_peek_cqe(&p.r, &c), STATUS_OK);
    assert_ptr_equal(c, &p.r.cqes[0]);
    assert_true(cqe_is(c, 0));
    exo_ring_cqe_seen(&p.r, c);
    assert_int_equal(exo_ring_cq_ready(&p.r), 4);
    assert_int_equal(exo_ring_peek_cqe(&p.r, &c), STATUS_OK);
    assert_true(cqe_is(c, 1));
    /* Several at once: the app read them in place. */
    for (uint32_t i = 1; i < 4; i++) {
        assert_true(cqe_is(&p.r.cqes[i], i));
    }
    exo_ring_cq_advance(&p.r, 3);
    assert_int_equal(p.q.hdr->cq_head, 4);
    assert_int_equal(ringq_cq_used(&p.q), 1);
    assert_int_equal(exo_ring_cq_ready(&p.r), 1);
    assert_int_equal(exo_ring_peek_cqe(&p.r, &c), STATUS_OK);
    assert_true(cqe_is(c, 4));
    exo_ring_cq_advance(&p.r, 1);
    assert_int_equal(exo_ring_peek_cqe(&p.r, &c), ERR_AGAIN);
    assert_int_equal(exo_ring_cq_ready(&p.r), 0);
    ring_mem_free(&p.m);
}

/* --- the kernel's half: copies, lying indices, full queues --- */

static void test_ring_sq_take_copies_and_publishes(void **state) {
    ring_pair_t p;
    ring_pair_init(&p, 2, 2, 0, 0, 0);
    exo_sqe_t *s = exo_ring_get_sqe(&p.r);
    memset(s, 0x5a, sizeof(*s)); /* every byte, reserved ones too: the copy is whole */
    s->user_data = 0x1122334455667788ull;
    exo_sqe_t want = *s;
    exo_ring_flush(&p.r);
    exo_sqe_t got;
    memset(&got, 0, sizeof(got));
    ringq_sq_take(&p.q, &got);
    assert_memory_equal(&got, &want, sizeof(want));
    assert_int_equal(p.q.sq_head, 1);
    assert_int_equal(p.q.hdr->sq_head, 1);
    memset(s, 0, sizeof(*s)); /* the app rewrites the slot: the copy stays */
    assert_memory_equal(&got, &want, sizeof(want));
    assert_int_equal(p.q.hdr->sq_tail, 1); /* the kernel never writes the app's index */
    ring_mem_free(&p.m);
}

static void test_ring_sq_ready_rejects_lying_tail(void **state) {
    static const uint32_t heads[] = {0, 5, 0x7fffffff, UINT32_MAX - 3, UINT32_MAX};
    static const uint32_t sizes[] = {1, 8, 4096};
    for (size_t si = 0; si < 3; si++) {
        uint32_t n = sizes[si];
        ring_pair_t p;
        ring_pair_init(&p, n, n, 0, 0, 0);
        for (size_t hi = 0; hi < sizeof(heads) / sizeof(heads[0]); hi++) {
            uint32_t head = heads[hi];
            ring_set_indices(&p.q, head, 0);
            for (uint32_t d = 0; d <= n; d++) {
                p.q.hdr->sq_tail = head + d;
                if (ringq_sq_ready(&p.q) != d) {
                    fail_msg("entries %u head %u: tail +%u not ready", n, head, d);
                }
            }
            /* More than a ring ahead, or behind the head: the app lies. */
            static const uint32_t lies[] = {1, 2, 1000, 0x7fffffff, 0x80000000u};
            for (size_t li = 0; li < sizeof(lies) / sizeof(lies[0]); li++) {
                p.q.hdr->sq_tail = head + n + lies[li];
                if (ringq_sq_ready(&p.q) != ERR_RANGE) {
                    fail_msg("entries %u head %u: tail +%u accepted", n, head, n + lies[li]);
                }
                p.q.hdr->sq_tail = head - lies[li];
                if (ringq_sq_ready(&p.q) != ERR_RANGE) {
                    fail_msg("entries %u head %u: tail -%u accepted", n, head, lies[li]);
                }
            }
            /* Reading a lie changes nothing. */
            assert_int_equal(p.q.sq_head, head);
            assert_int_equal(p.q.hdr->sq_head, head);
        }
        ring_mem_free(&p.m);
    }
}

/* Posts one probe CQE where it must be refused; checks nothing in the ring changed. */
static void expect_post_refused(ring_pair_t *p) {
    uint8_t *snap = malloc(p->m.layout.size);
    assert_non_null(snap);
    memcpy(snap, p->m.base, p->m.layout.size);
    ringq_t before = p->q;
    exo_cqe_t probe = {.user_data = 0xdead, .res = -1, .aux = 0xbeef, .flags = 1};
    assert_false(ringq_cq_post(&p->q, &probe));
    assert_memory_equal(p->m.base, snap, p->m.layout.size);
    assert_memory_equal(&p->q, &before, sizeof(before));
    free(snap);
}

/* The same, cheaper: the header, the kernel's copies and the slot a post would fill. */
static void expect_post_refused_quick(ring_pair_t *p) {
    exo_ring_hdr_t hdr = *p->q.hdr;
    ringq_t before = p->q;
    exo_cqe_t *slot = &p->r.cqes[p->q.cq_tail & (p->q.cq_entries - 1)];
    exo_cqe_t old = *slot;
    exo_cqe_t probe = {.user_data = 0xdead, .res = -1, .aux = 0xbeef, .flags = 1};
    assert_false(ringq_cq_post(&p->q, &probe));
    assert_memory_equal(p->q.hdr, &hdr, sizeof(hdr));
    assert_memory_equal(&p->q, &before, sizeof(before));
    assert_memory_equal(slot, &old, sizeof(old));
}

static void test_ring_cq_used_distrusts_head(void **state) {
    static const uint32_t tails[] = {0, 3, 0x80000000u, UINT32_MAX - 1, UINT32_MAX};
    ring_pair_t p;
    ring_pair_init(&p, 4, 16, 0, 0, 0);
    for (size_t ti = 0; ti < sizeof(tails) / sizeof(tails[0]); ti++) {
        uint32_t tail = tails[ti];
        ring_set_indices(&p.q, 0, tail);
        for (uint32_t d = 0; d <= 16; d++) {
            p.q.hdr->cq_head = tail - d;
            assert_int_equal(ringq_cq_used(&p.q), d);
        }
        expect_post_refused(&p); /* head exactly a ring behind: honestly full */
        /* Ahead of the tail, or more than a ring behind: counted as full, post refuses. */
        static const uint32_t lies[] = {1, 2, 15, 16, 1000, 0x80000000u};
        for (size_t li = 0; li < sizeof(lies) / sizeof(lies[0]); li++) {
            p.q.hdr->cq_head = tail + lies[li];
            assert_int_equal(ringq_cq_used(&p.q), 16);
            expect_post_refused(&p);
            p.q.hdr->cq_head = tail - 16 - lies[li];
            assert_int_equal(ringq_cq_used(&p.q), 16);
            expect_post_refused(&p);
        }
        /* An honest head again: posting works. */
        p.q.hdr->cq_head = tail;
        exo_cqe_t e = cqe_for(tail);
        assert_true(ringq_cq_post(&p.q, &e));
        assert_int_equal(p.q.hdr->cq_tail, tail + 1);
        assert_true(cqe_is(&p.r.cqes[tail & 15], tail));
    }
    ring_mem_free(&p.m);
}

static void test_ring_cq_full_overwrites_nothing(void **state) {
    ring_pair_t p;
    ring_pair_init(&p, 2, 4, 0, 0, UINT32_MAX - 1); /* the tail wraps while filling */
    for (uint64_t i = 0; i < 4; i++) {
        exo_cqe_t e = cqe_for(i);
        assert_true(ringq_cq_post(&p.q, &e));
    }
    assert_int_equal(ringq_cq_used(&p.q), 4);
    assert_int_equal(exo_ring_cq_ready(&p.r), 4);
    expect_post_refused(&p);
    expect_post_refused(&p);
    /* All four intact; once the oldest is read, the next goes exactly into its slot. */
    exo_cqe_t *c;
    assert_int_equal(exo_ring_peek_cqe(&p.r, &c), STATUS_OK);
    assert_ptr_equal(c, &p.r.cqes[2]); /* (2^32 - 2) & 3 */
    assert_true(cqe_is(c, 0));
    exo_ring_cqe_seen(&p.r, c);
    exo_cqe_t e = cqe_for(4);
    assert_true(ringq_cq_post(&p.q, &e));
    assert_true(cqe_is(&p.r.cqes[2], 4));
    expect_post_refused(&p);
    for (uint64_t i = 1; i < 5; i++) {
        assert_int_equal(exo_ring_peek_cqe(&p.r, &c), STATUS_OK);
        assert_true(cqe_is(c, i));
        exo_ring_cqe_seen(&p.r, c);
    }
    assert_int_equal(exo_ring_peek_cqe(&p.r, &c), ERR_AGAIN);
    assert_int_equal(p.q.hdr->cq_tail, (uint32_t)(UINT32_MAX - 1 + 5));
    ring_mem_free(&p.m);
}

/* --- need-wakeup --- */

static void test_ring_park_unpark(void **state) {
    ring_pair_t p;
    ring_pair_init(&p, 8, 8, EXO_RING_SQPOLL, UINT32_MAX, 0);
    exo_ring_hdr_t *h = p.q.hdr;

    /* Empty SQ: park, the flag stays and the app sees it. */
    assert_false(exo_ring_needs_wakeup(&p.r));
    assert_true(ringq_poller_park(&p.q));
    assert_int_equal(h->flags, EXO_RING_NEED_WAKEUP);
    assert_true(exo_ring_needs_wakeup(&p.r));
    ringq_poller_unpark(&p.q);
    assert_int_equal(h->flags, 0);
    assert_false(exo_ring_needs_wakeup(&p.r));

    /* Handed out but not flushed: still nothing for the poller. */
    sqe_fill(exo_ring_get_sqe(&p.r), 1);
    assert_true(ringq_poller_park(&p.q));
    assert_true(exo_ring_needs_wakeup(&p.r));
    ringq_poller_unpark(&p.q);

    /* Published: no park, and the flag is cleared again. */
    assert_int_equal(exo_ring_flush(&p.r), 1);
    assert_false(ringq_poller_park(&p.q));
    assert_int_equal(h->flags, 0);
    assert_false(exo_ring_needs_wakeup(&p.r));
    assert_int_equal(ringq_sq_ready(&p.q), 1); /* park consumed nothing */
    exo_sqe_t got;
    ringq_sq_take(&p.q, &got);
    assert_true(sqe_is(&got, 1));

    /* Parked, then the app submits: it finds the flag set after its flush. */
    assert_true(ringq_poller_park(&p.q));
    sqe_fill(exo_ring_get_sqe(&p.r), 2);
    exo_ring_flush(&p.r);
    assert_true(exo_ring_needs_wakeup(&p.r));
    ringq_poller_unpark(&p.q);
    assert_int_equal(ringq_sq_ready(&p.q), 1);
    ringq_sq_take(&p.q, &got);
    assert_true(sqe_is(&got, 2));

    /* A corrupt tail is not work: the poller parks (ring_enter reports the lie). */
    uint32_t head = p.q.sq_head;
    h->sq_tail = head + 9;
    assert_int_equal(ringq_sq_ready(&p.q), ERR_RANGE);
    assert_true(ringq_poller_park(&p.q));
    assert_int_equal(h->flags, EXO_RING_NEED_WAKEUP);
    ringq_poller_unpark(&p.q);
    h->sq_tail = head - 1;
    assert_true(ringq_poller_park(&p.q));
    assert_int_equal(h->flags, EXO_RING_NEED_WAKEUP);
    ringq_poller_unpark(&p.q);
    assert_int_equal(h->flags, 0);
    ring_mem_free(&p.m);
}

static void test_ring_flags_independent(void **state) {
    ring_pair_t p;
    ring_pair_init(&p, 1, 1, EXO_RING_SQPOLL, 0, 0);
    exo_ring_hdr_t *h = p.q.hdr;
    ringq_set_flag(&p.q, EXO_RING_CQ_BACKLOG, true);
    assert_int_equal(h->flags, EXO_RING_CQ_BACKLOG);
    assert_false(exo_ring_needs_wakeup(&p.r));
    assert_true(ringq_poller_park(&p.q));
    assert_int_equal(h->flags, EXO_RING_CQ_BACKLOG | EXO_RING_NEED_WAKEUP);
    ringq_set_flag(&p.q, EXO_RING_CQ_BACKLOG, false);
    assert_int_equal(h->flags, EXO_RING_NEED_WAKEUP);
    ringq_set_flag(&p.q, EXO_RING_CQ_BACKLOG, true);
    ringq_poller_unpark(&p.q);
    assert_int_equal(h->flags, EXO_RING_CQ_BACKLOG);
    /* A refused park clears only its own flag. */
    sqe_fill(exo_ring_get_sqe(&p.r), 0);
    exo_ring_flush(&p.r);
    assert_false(ringq_poller_park(&p.q));
    assert_int_equal(h->flags, EXO_RING_CQ_BACKLOG);
    ringq_set_flag(&p.q, EXO_RING_CQ_BACKLOG, false);
    assert_int_equal(h->flags, 0);
    ring_mem_free(&p.m);
}

static unsigned hook_calls;

static void count_wakeup(exo_ring_t *r) {
    hook_calls++;
}

/* Under SQPOLL, exo_ring_cq_advance calls r->wakeup when the poller parked (for want of CQ
 * room, say), and only then. */
static void test_ring_cq_advance_wakes_parked_poller(void **state) {
    for (int sqpoll = 0; sqpoll < 2; sqpoll++) {
        ring_pair_t p;
        ring_mem_alloc(&p.m, 2, 2);
        ringq_init(&p.q, (void *const *)p.m.pages, 2, 2, sqpoll ? EXO_RING_SQPOLL : 0);
        memset(&p.r, 0xa5, sizeof(p.r));
        exo_ring_attach(&p.r, p.m.base, 0, 0);
        assert_null(p.r.wakeup); /* attach leaves no stale hook */
        exo_cqe_t e = cqe_for(1);
        assert_true(ringq_cq_post(&p.q, &e));
        assert_true(ringq_cq_post(&p.q, &e));
        exo_ring_cq_advance(&p.r, 1); /* flag set, no hook: nothing to call */
        p.r.wakeup = count_wakeup;
        hook_calls = 0;
        ringq_set_flag(&p.q, EXO_RING_NEED_WAKEUP, true);
        exo_ring_cq_advance(&p.r, 1);
        assert_int_equal(hook_calls, sqpoll ? 1 : 0);
        ringq_poller_unpark(&p.q);
        assert_true(ringq_cq_post(&p.q, &e));
        exo_ring_cq_advance(&p.r, 1);
        assert_int_equal(hook_calls, sqpoll ? 1 : 0); /* not parked: no call */
        assert_int_equal(p.q.hdr->cq_head, 3);
        ring_mem_free(&p.m);
    }
}

/* --- index arithmetic across the 2^32 wrap, against a model --- */

/* Random app and kernel steps on one ring whose indices start at sq_start / cq_start,
 * until total SQEs went through both ways; every count either side reports is checked
 * against plain 64-bit counters. */
static void wrap_traffic(uint32_t sq, uint32_t cq, uint32_t sq_start, uint32_t cq_start,
                         uint64_t total, uint64_t seed) {
    ring_pair_t p;
    ring_pair_init(&p, sq, cq, 0, sq_start, cq_start);
    uint64_t handed = 0, published = 0, taken = 0, posted = 0, reaped = 0;
    uint64_t saw_sq_full = 0, saw_cq_full = 0; /* the walk met both full queues */
    for (uint64_t steps = 0; reaped < total; steps++) {
        uint64_t rnd = xorshift64(&seed);
        uint32_t k = (uint32_t)((rnd >> 8) % (cq + 2));
        /* Flushing and reaping less often, and a quarter of the time not at all, so that
         * both queues fill now and then. */
        static const uint8_t step[10] = {0, 0, 0, 1, 1, 2, 2, 2, 3, 3};
        bool hold = (steps / (64 + cq)) % 4 == 0;
        switch (step[rnd % 10] == 3 && hold ? 1 : step[rnd % 10]) {
        case 0: /* the app prepares up to k SQEs */
            for (uint32_t i = 0; i < k && handed < total; i++) {
                exo_sqe_t *s = exo_ring_get_sqe(&p.r);
                if (handed - taken == sq) {
                    assert_null(s);
                    saw_sq_full++;
                    break;
                }
                assert_ptr_equal(s, &p.r.sqes[(uint32_t)(sq_start + handed) & (sq - 1)]);
                assert_true(sqe_is_zero(s));
                sqe_fill(s, handed++);
            }
            break;
        case 1:
            assert_int_equal(exo_ring_flush(&p.r), handed - taken);
            published = handed;
            assert_int_equal(p.q.hdr->sq_tail, (uint32_t)(sq_start + published));
            break;
        case 2: /* the kernel takes up to k SQEs while the CQ has room, completing each */
            for (uint32_t i = 0; i < k; i++) {
                assert_int_equal(ringq_sq_ready(&p.q), published - taken);
                if (published == taken) {
                    break;
                }
                if (ringq_cq_used(&p.q) == cq) {
                    assert_int_equal(posted - reaped, cq);
                    expect_post_refused_quick(&p);
                    saw_cq_full++;
                    break;
                }
                exo_sqe_t got;
                ringq_sq_take(&p.q, &got);
                if (!sqe_is(&got, taken)) {
                    fail_msg("SQE %llu: got user_data %llu", (unsigned long long)taken,
                             (unsigned long long)got.user_data);
                }
                taken++;
                assert_int_equal(p.q.hdr->sq_head, (uint32_t)(sq_start + taken));
                exo_cqe_t c = cqe_for(got.user_data);
                assert_true(ringq_cq_post(&p.q, &c));
                posted++;
                assert_int_equal(p.q.hdr->cq_tail, (uint32_t)(cq_start + posted));
            }
            break;
        default: { /* the app reaps up to k CQEs: one by one, or read in place and advanced
                      at once */
            uint32_t m = posted - reaped < k ? (uint32_t)(posted - reaped) : k;
            bool one_by_one = rnd & (1u << 20);
            exo_cqe_t *c;
            status_t s = exo_ring_peek_cqe(&p.r, &c);
            if (posted == reaped) {
                assert_int_equal(s, ERR_AGAIN);
                break;
            }
            assert_int_equal(s, STATUS_OK);
            assert_ptr_equal(c, &p.r.cqes[(uint32_t)(cq_start + reaped) & (cq - 1)]);
            for (uint32_t i = 0; i < m; i++) {
                c = &p.r.cqes[(uint32_t)(cq_start + reaped + i) & (cq - 1)];
                if (one_by_one) {
                    exo_cqe_t *peeked;
                    assert_int_equal(exo_ring_peek_cqe(&p.r, &peeked), STATUS_OK);
                    assert_ptr_equal(peeked, c);
                }
                if (!cqe_is(c, reaped + i)) {
                    fail_msg("CQE %llu: got user_data %llu", (unsigned long long)(reaped + i),
                             (unsigned long long)c->user_data);
                }
                if (one_by_one) {
                    exo_ring_cqe_seen(&p.r, c);
                }
            }
            if (!one_by_one && m != 0) {
                exo_ring_cq_advance(&p.r, m);
            }
            reaped += m;
            break;
        }
        }
        assert_int_equal(exo_ring_sq_space(&p.r), sq - (handed - taken));
        assert_int_equal(exo_ring_cq_ready(&p.r), posted - reaped);
        assert_int_equal(ringq_cq_used(&p.q), posted - reaped);
        assert_int_equal(ringq_sq_ready(&p.q), published - taken);
    }
    assert_int_equal(taken, total);
    assert_true(saw_sq_full > 0);
    assert_true(saw_cq_full > 0);
    /* The indices really went through 2^32 (when started before it). */
    if (sq_start > UINT32_MAX - total) {
        assert_true(p.q.sq_head < sq_start);
        assert_true(p.r.sq_tail < sq_start);
    }
    if (cq_start > UINT32_MAX - total) {
        assert_true(p.q.cq_tail < cq_start);
        assert_true(p.q.hdr->cq_head < cq_start);
    }
    ring_mem_free(&p.m);
}

static void test_ring_wrap_traffic(void **state) {
    static const uint32_t geo[][2] = {
        {1, 1}, {1, 2}, {2, 2}, {2, 4}, {8, 16}, {8, 8}, {16, 128}, {128, 256}, {4096, 4096},
    };
    for (size_t i = 0; i < sizeof(geo) / sizeof(geo[0]); i++) {
        uint32_t sq = geo[i][0], cq = geo[i][1];
        uint64_t total = 6 * (uint64_t)cq + 64; /* several rings' worth */
        /* Both indices pass 2^32 midway, the SQ's and the CQ's at different points. */
        wrap_traffic(sq, cq, UINT32_MAX - (uint32_t)(total / 3), UINT32_MAX - (uint32_t)(total / 2),
                     total, 0x1234 + i);
        wrap_traffic(sq, cq, 0, UINT32_MAX, total, 0x9876 + i);
        /* Through 2^31 as well: no signed comparison of indices. */
        wrap_traffic(sq, cq, 0x80000000u - (uint32_t)(total / 3),
                     0x80000000u - (uint32_t)(total / 2), total, 0x4321 + i);
        wrap_traffic(sq, cq, 0, 0, total, 0x5555 + i);
    }
}

/* --- the kernel's view over non-contiguous pages --- */

/* Where slot idx of each queue lies, computed from the layout alone. */
static exo_sqe_t *sqe_at(void *const *pages, const ringq_layout_t *l, uint32_t sq, uint32_t idx) {
    uint32_t off = l->sq_off + (idx & (sq - 1)) * (uint32_t)sizeof(exo_sqe_t);
    return (exo_sqe_t *)((uint8_t *)pages[off / PAGE] + off % PAGE);
}

static exo_cqe_t *cqe_at(void *const *pages, const ringq_layout_t *l, uint32_t cq, uint32_t idx) {
    uint32_t off = l->cq_off + (idx & (cq - 1)) * (uint32_t)sizeof(exo_cqe_t);
    return (exo_cqe_t *)((uint8_t *)pages[off / PAGE] + off % PAGE);
}

static void test_ring_noncontiguous_pages(void **state) {
    enum { SQ = 256, CQ = 512 }; /* four pages each */
    ringq_layout_t l;
    assert_int_equal(ringq_layout(SQ, CQ, &l), STATUS_OK);
    uint32_t npages = l.size / PAGE;
    assert_int_equal(npages, 9);
    /* Each page its own allocation (ASan guards its ends), handed out in shuffled order. */
    void *pool[9], *pages[9];
    for (uint32_t i = 0; i < npages; i++) {
        pool[i] = aligned_alloc(PAGE, PAGE);
        assert_non_null(pool[i]);
        memset(pool[i], 0, PAGE);
    }
    uint64_t seed = 0xfeed;
    for (uint32_t i = npages; i-- > 1;) {
        uint32_t j = (uint32_t)(xorshift64(&seed) % (i + 1));
        void *t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
    }
    memcpy(pages, pool, sizeof(pages));
    ringq_t q;
    ringq_init(&q, pages, SQ, CQ, 0);
    exo_ring_hdr_t *h = pages[0];
    assert_int_equal(h->sq_off, l.sq_off);
    assert_int_equal(h->cq_off, l.cq_off);
    uint32_t start = UINT32_MAX - 300;
    ring_set_indices(&q, start, start);
    /* Garbage in every entry: a read from the wrong place cannot pass for an SQE. */
    for (uint32_t i = 1; i < npages; i++) {
        memset(pages[i], 0xc7, PAGE);
    }

    uint32_t cq_bytes = CQ * sizeof(exo_cqe_t);
    uint8_t *before = malloc(cq_bytes), *after = malloc(cq_bytes);
    assert_non_null(before);
    assert_non_null(after);
    uint64_t done = 0, total = 3 * CQ;
    while (done < total) {
        /* The app writes a batch where its contiguous view has the slots, and publishes. */
        uint32_t batch = 1 + (uint32_t)(xorshift64(&seed) % SQ);
        for (uint32_t i = 0; i < batch; i++) {
            exo_sqe_t *s = sqe_at(pages, &l, SQ, start + (uint32_t)done + i);
            memset(s, 0, sizeof(*s));
            sqe_fill(s, done + i);
        }
        h->sq_tail = start + (uint32_t)(done + batch);
        assert_int_equal(ringq_sq_ready(&q), batch);
        for (uint32_t i = 0; i < batch; i++, done++) {
            exo_sqe_t got;
            ringq_sq_take(&q, &got);
            if (!sqe_is(&got, done)) {
                fail_msg("SQE %llu (slot %u) read from the wrong place", (unsigned long long)done,
                         (start + (uint32_t)done) & (SQ - 1));
            }
            assert_int_equal(h->sq_head, start + (uint32_t)done + 1);
            /* The CQE lands in its slot's page, and nowhere else. */
            for (uint32_t pg = 0; pg < 4; pg++) {
                memcpy(before + pg * PAGE, pages[l.cq_off / PAGE + pg], PAGE);
            }
            exo_cqe_t c = cqe_for(done);
            assert_true(ringq_cq_post(&q, &c));
            uint32_t idx = start + (uint32_t)done;
            assert_true(cqe_is(cqe_at(pages, &l, CQ, idx), done));
            for (uint32_t pg = 0; pg < 4; pg++) {
                memcpy(after + pg * PAGE, pages[l.cq_off / PAGE + pg], PAGE);
            }
            uint32_t slot_off = (idx & (CQ - 1)) * (uint32_t)sizeof(exo_cqe_t);
            memcpy(after + slot_off, before + slot_off, sizeof(exo_cqe_t));
            if (memcmp(before, after, cq_bytes) != 0) {
                fail_msg("posting CQE %llu wrote outside slot %u", (unsigned long long)done,
                         idx & (CQ - 1));
            }
            assert_int_equal(h->cq_tail, idx + 1);
            h->cq_head = idx + 1; /* the app reads it at once */
        }
    }
    assert_true(q.sq_head < start); /* wrapped */
    free(before);
    free(after);
    for (uint32_t i = 0; i < npages; i++) {
        free(pool[i]);
    }
}

/* --- real threads --- */

/*
 * The app (exo_ring_* on the test's thread, or a submitter thread and the test's thread as
 * reaper) and the kernel (ringq_* on a thread of its own) share one ring whose indices start
 * just below 2^32. The kernel takes an SQE only while (ringq_cq_used + in flight) leaves
 * the CQ room, holds a random number of taken SQEs in flight, and completes them in order.
 * Either side checks every entry's contents and sequence number. SQPOLL: the kernel thread
 * parks on a condition variable via ringq_poller_park when idle; after each flush the app
 * asks exo_ring_needs_wakeup and, if set, does what ring_enter(EXO_ENTER_SQ_WAKEUP) does:
 * under the wake lock, if the poller is parked, unpark it and signal. The app never asks
 * again later, so a lost wakeup stalls the run; a watchdog fails it after 10 s without
 * progress. cq_park: the poller also parks on a full CQ, as rings/poll.c does, and the
 * app's r->wakeup hook (which exo_ring_cq_advance calls) is that same wake; episodes in which
 * the app only reaps leave the hook the only way back. Threads other than the test's report
 * failures through race_fail (cmocka may fail only on the test's thread).
 */
typedef struct scenario {
    const char *name;
    uint32_t sq, cq;
    uint64_t n;   /* SQEs through the ring */
    bool sqpoll;  /* the kernel thread parks when idle */
    bool split;   /* the app submits and reaps on two threads */
    bool cq_park; /* SQPOLL: the poller parks on a full CQ too (rings/poll.c), and the app's
                     r->wakeup (called by exo_ring_cq_advance) wakes it */
    uint64_t seed;
} scenario_t;

typedef struct race {
    const scenario_t *sc;
    ring_mem_t m;
    ringq_t q;
    exo_ring_t r;
    uint32_t sq_start, cq_start;
    /* The poller's wait: the host stand-in for the kernel's. parked is under wake_mu. */
    pthread_mutex_t wake_mu;
    pthread_cond_t wake_cv;
    bool parked;
    _Atomic bool stop;   /* a thread failed: everyone leaves */
    _Atomic bool finish; /* the run is over: the watchdog leaves */
    _Atomic bool failed;
    char why[256]; /* written once by the thread that set failed */
    /* Progress, for the checks and the watchdog's report. */
    _Atomic uint64_t submitted, taken, posted, reaped;
    _Atomic uint64_t parks, park_refused, wakes, sq_full, cq_blocked;
    _Atomic uint64_t cq_parks, hook_wakes; /* parks on a full CQ, wakes by r->wakeup */
    _Atomic bool parked_now;
} race_t;

static void race_fail(race_t *x, const char *fmt, ...) {
    bool no = false;
    if (atomic_compare_exchange_strong(&x->failed, &no, true)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(x->why, sizeof(x->why), fmt, ap);
        va_end(ap);
    }
    pthread_mutex_lock(&x->wake_mu);
    atomic_store(&x->stop, true);
    pthread_cond_broadcast(&x->wake_cv);
    pthread_mutex_unlock(&x->wake_mu);
}

static bool race_stopped(race_t *x) {
    return atomic_load_explicit(&x->stop, memory_order_relaxed);
}

static uint64_t progress(race_t *x) {
    return atomic_load(&x->submitted) + atomic_load(&x->taken) + atomic_load(&x->posted) +
           atomic_load(&x->reaped);
}

static void spin_idle(uint64_t *idle) {
    if (++*idle % 64 == 0) {
        sched_yield();
    } else {
        __builtin_ia32_pause();
    }
}

static void *watchdog_main(void *arg) {
    race_t *x = arg;
    const struct timespec tick = {.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000};
    uint64_t last = progress(x), still_ms = 0;
    while (!atomic_load(&x->finish)) {
        nanosleep(&tick, NULL);
        uint64_t now = progress(x);
        if (now != last) {
            last = now;
            still_ms = 0;
            continue;
        }
        still_ms += 20;
        if (still_ms < 10000) {
            continue;
        }
        exo_ring_hdr_t *h = x->q.hdr;
        fprintf(stderr,
                "test_ring: %s: no progress for 10 s (lost wakeup?): app submitted %llu "
                "reaped %llu, kernel taken %llu posted %llu, parked %d, parks %llu (%llu on a "
                "full cq) wakes %llu; "
                "shared sq_tail %u sq_head %u cq_tail %u cq_head %u flags %#x\n",
                x->sc->name, (unsigned long long)atomic_load(&x->submitted),
                (unsigned long long)atomic_load(&x->reaped),
                (unsigned long long)atomic_load(&x->taken),
                (unsigned long long)atomic_load(&x->posted), (int)atomic_load(&x->parked_now),
                (unsigned long long)atomic_load(&x->parks),
                (unsigned long long)atomic_load(&x->cq_parks),
                (unsigned long long)atomic_load(&x->wakes), load32(&h->sq_tail),
                load32(&h->sq_head), load32(&h->cq_tail), load32(&h->cq_head), load32(&h->flags));
        abort();
    }
    return NULL;
}

/* The kernel: busy, or a poller that parks when it has nothing to do. */
static void *kernel_main(void *arg) {
    race_t *x = arg;
    const scenario_t *sc = x->sc;
    ringq_t *q = &x->q;
    exo_sqe_t *flight = calloc(sc->cq, sizeof(*flight)); /* taken, not yet completed (FIFO) */
    if (flight == NULL) {
        race_fail(x, "kernel: out of memory");
        return NULL;
    }
    uint64_t seed = sc->seed ^ 0x6b65726e656cull, taken = 0, posted = 0, idle = 0;
    uint32_t first = 0, in_flight = 0, idle_limit = 8;
    while (posted < sc->n && !race_stopped(x)) {
        uint64_t rnd = xorshift64(&seed);
        int64_t ready = ringq_sq_ready(q);
        if (ready < 0 || ready > sc->sq) {
            race_fail(x, "kernel: sq_ready %lld after %llu SQEs", (long long)ready,
                      (unsigned long long)taken);
            break;
        }
        uint32_t want = 1 + (uint32_t)(rnd % sc->sq), took = 0;
        bool blocked = false;
        while (ready > 0 && took < want) {
            uint32_t used = ringq_cq_used(q);
            if (used > sc->cq || used + in_flight > sc->cq) {
                race_fail(x, "kernel: cq_used %u with %u in flight", used, in_flight);
                goto out;
            }
            if (used + in_flight == sc->cq) { /* back-pressure: leave it in the SQ */
                atomic_fetch_add_explicit(&x->cq_blocked, 1, memory_order_relaxed);
                blocked = true;
                break;
            }
            exo_sqe_t *s = &flight[(first + in_flight) % sc->cq];
            ringq_sq_take(q, s);
            if (!sqe_is(s, taken)) {
                race_fail(x, "kernel: SQE %llu arrived as user_data %llu opcode %u arg0 %#llx",
                          (unsigned long long)taken, (unsigned long long)s->user_data, s->opcode,
                          (unsigned long long)s->arg[0]);
                goto out;
            }
            taken++;
            in_flight++;
            took++;
            ready--;
            atomic_store_explicit(&x->taken, taken, memory_order_relaxed);
        }
        /* Complete some of those in flight, oldest first; all of them when no new SQEs came. */
        uint32_t k = in_flight;
        if (took != 0 && in_flight != 0) {
            k = 1 + (uint32_t)((rnd >> 16) % in_flight);
        }
        for (uint32_t i = 0; i < k; i++) {
            exo_cqe_t c = cqe_for(flight[first].user_data);
            if (!ringq_cq_post(q, &c)) {
                race_fail(x, "kernel: cq_post refused CQE %llu though room was reserved",
                          (unsigned long long)posted);
                goto out;
            }
            first = (first + 1) % sc->cq;
            in_flight--;
            posted++;
            atomic_store_explicit(&x->posted, posted, memory_order_relaxed);
        }
        if (took != 0 || k != 0) {
            idle = 0;
            continue;
        }
        if (!sc->sqpoll || (blocked && !sc->cq_park)) { /* busy, or waiting for a reap */
            spin_idle(&idle);
            continue;
        }
        if (++idle < idle_limit) {
            __builtin_ia32_pause();
            continue;
        }
        /* Nothing to do a while (an empty SQ, or a full CQ): park, unless work arrived. */
        idle = 0;
        idle_limit = 1 + (uint32_t)((rnd >> 32) % 32);
        pthread_mutex_lock(&x->wake_mu);
        if (!race_stopped(x)) {
            bool park;
            if (blocked) {
                /* As rings/poll.c on a full CQ: flag, fence, then cq_head once more (pairs
                 * with the fence exo_ring_cq_advance has between cq_head and the flag). */
                ringq_set_flag(q, EXO_RING_NEED_WAKEUP, true);
                __atomic_thread_fence(__ATOMIC_SEQ_CST);
                park = ringq_cq_used(q) + in_flight >= sc->cq;
                if (!park) {
                    ringq_poller_unpark(q);
                }
            } else {
                park = ringq_poller_park(q);
            }
            if (park) {
                atomic_fetch_add_explicit(blocked ? &x->cq_parks : &x->parks, 1,
                                          memory_order_relaxed);
                x->parked = true;
                atomic_store(&x->parked_now, true);
                while (x->parked && !race_stopped(x)) {
                    pthread_cond_wait(&x->wake_cv, &x->wake_mu);
                }
                atomic_store(&x->parked_now, false);
            } else {
                atomic_fetch_add_explicit(&x->park_refused, 1, memory_order_relaxed);
            }
        }
        pthread_mutex_unlock(&x->wake_mu);
    }
out:
    free(flight);
    return NULL;
}

/* The app's side of ring_enter(EXO_ENTER_SQ_WAKEUP), as the kernel does it. */
static bool ring_wake(race_t *x) {
    pthread_mutex_lock(&x->wake_mu);
    bool woke = x->parked;
    if (woke) {
        ringq_poller_unpark(&x->q);
        x->parked = false;
        atomic_fetch_add_explicit(&x->wakes, 1, memory_order_relaxed);
        pthread_cond_signal(&x->wake_cv);
    }
    pthread_mutex_unlock(&x->wake_mu);
    return woke;
}

/* r->wakeup: what exo_ring_init installs (the trap), here the same host wake. */
static void ring_wakeup_hook(exo_ring_t *r) {
    race_t *x = (race_t *)((char *)r - offsetof(race_t, r));
    if (ring_wake(x)) {
        atomic_fetch_add_explicit(&x->hook_wakes, 1, memory_order_relaxed);
    }
}

/* Hands out up to want SQEs, then flushes and (SQPOLL) wakes the poller if it asks. */
static uint32_t app_submit(race_t *x, uint64_t *submitted, uint32_t want) {
    uint32_t got = 0;
    while (got < want && *submitted < x->sc->n) {
        exo_sqe_t *s = exo_ring_get_sqe(&x->r);
        if (s == NULL) {
            atomic_fetch_add_explicit(&x->sq_full, 1, memory_order_relaxed);
            break;
        }
        if (!sqe_is_zero(s)) {
            race_fail(x, "app: get_sqe gave a dirty SQE (user_data %llu) for %llu",
                      (unsigned long long)s->user_data, (unsigned long long)*submitted);
            return got;
        }
        sqe_fill(s, (*submitted)++);
        got++;
    }
    if (got != 0) {
        uint32_t pending = exo_ring_flush(&x->r);
        if (pending > x->sc->sq) { /* 0 is fine: the kernel may have taken them all */
            race_fail(x, "app: flush says %u pending after submitting %u", pending, got);
        }
        atomic_store_explicit(&x->submitted, *submitted, memory_order_relaxed);
        if (x->sc->sqpoll && exo_ring_needs_wakeup(&x->r)) {
            ring_wake(x);
        }
    }
    return got;
}

/* Reaps up to want CQEs, checking each; returns how many. Three ways, by want % 3: peek
 * and mark seen until peek finds none (relying on peek alone); count with cq_ready, then
 * peek and mark seen; count with cq_ready, read in place and advance once. */
static uint32_t app_reap(race_t *x, uint64_t *reaped, uint32_t want) {
    unsigned how = want % 3;
    uint32_t ready = want;
    if (how != 0) {
        ready = exo_ring_cq_ready(&x->r);
        if (ready > x->sc->cq) {
            race_fail(x, "app: cq_ready %u", ready);
            return 0;
        }
    }
    uint32_t n = 0;
    while (n < want && n < ready) {
        exo_cqe_t *c;
        if (how == 2) {
            c = &x->r.cqes[(x->cq_start + (uint32_t)(*reaped + n)) & (x->sc->cq - 1)];
        } else if (exo_ring_peek_cqe(&x->r, &c) != STATUS_OK) {
            if (how == 0) {
                break;
            }
            race_fail(x, "app: peek found nothing with %u ready", ready - n);
            return n;
        }
        if (!cqe_is(c, *reaped + n)) {
            race_fail(x, "app: CQE %llu arrived as user_data %llu res %lld",
                      (unsigned long long)(*reaped + n), (unsigned long long)c->user_data,
                      (long long)c->res);
            return n;
        }
        n++;
        if (how != 2) {
            exo_ring_cqe_seen(&x->r, c);
        }
    }
    if (how == 2 && n != 0) {
        exo_ring_cq_advance(&x->r, n);
    }
    *reaped += n;
    atomic_store_explicit(&x->reaped, *reaped, memory_order_relaxed);
    return n;
}

/* cq_park: fill the SQ behind a full CQ, maybe wait for the poller to park on it, then only
 * reap until the kernel took every SQE: the poller comes back only through the r->wakeup
 * that exo_ring_cq_advance calls (no flush wakes it meanwhile). */
static void app_cq_episode(race_t *x, uint64_t *submitted, uint64_t *reaped, uint64_t rnd) {
    const scenario_t *sc = x->sc;
    uint64_t idle = 0;
    while (app_submit(x, submitted, sc->sq) != 0 && !race_stopped(x)) {
    }
    if (rnd & 1 && *submitted - *reaped > sc->cq) { /* the CQ fills: the poller will park */
        while (!atomic_load(&x->parked_now) && !race_stopped(x)) { /* maybe already */
            spin_idle(&idle);
        }
    }
    while (exo_ring_sq_space(&x->r) != sc->sq && !race_stopped(x)) {
        if (app_reap(x, reaped, sc->cq + (uint32_t)(rnd >> 8) % 3) == 0) {
            spin_idle(&idle);
        }
    }
}

/* Waits (spinning, watched) until cond(x) holds; false if the run stopped instead. */
static bool app_wait(race_t *x, bool (*cond)(race_t *)) {
    uint64_t idle = 0;
    while (!cond(x)) {
        if (race_stopped(x)) {
            return false;
        }
        spin_idle(&idle);
    }
    return true;
}

static bool cq_is_full(race_t *x) {
    return exo_ring_cq_ready(&x->r) == x->sc->cq;
}

static bool kernel_blocked(race_t *x) {
    return atomic_load(&x->cq_blocked) != 0;
}

static bool poller_parked(race_t *x) {
    return atomic_load(&x->parks) != 0;
}

static bool poller_parked_on_cq(race_t *x) {
    return atomic_load(&x->cq_parks) != 0;
}

/* Before the random part, drive each run once through the cases it is about, whatever the
 * timing: busy: a full CQ holding the kernel back and a full SQ refusing get_sqe; SQPOLL:
 * a first submission to a parked poller. */
static void app_prologue(race_t *x, uint64_t *submitted) {
    if (x->sc->sqpoll) {
        if (!app_wait(x, poller_parked) || !x->sc->cq_park) {
            return;
        }
    }
    while (*submitted < x->sc->cq && !race_stopped(x)) {
        app_submit(x, submitted, 1);
    }
    if (!app_wait(x, cq_is_full)) {
        return;
    }
    app_submit(x, submitted, 1);
    if (x->sc->sqpoll) {
        app_wait(x, poller_parked_on_cq); /* our next reap must wake it */
        return;
    }
    app_wait(x, kernel_blocked);
    app_submit(x, submitted, x->sc->sq); /* fills the SQ, the kernel being stuck */
    if (exo_ring_sq_space(&x->r) != 0 || exo_ring_get_sqe(&x->r) != NULL) {
        race_fail(x, "app: SQ not full behind a full CQ");
    }
}

static void *submitter_main(void *arg) {
    race_t *x = arg;
    uint64_t seed = x->sc->seed ^ 0x737562ull, submitted = 0, idle = 0;
    if (x->sc->sqpoll) {
        app_prologue(x, &submitted);
    }
    while (submitted < x->sc->n && !race_stopped(x)) {
        uint64_t rnd = xorshift64(&seed);
        if (app_submit(x, &submitted, 1 + (uint32_t)(rnd % x->sc->sq)) == 0) {
            spin_idle(&idle);
        }
        if (x->sc->sqpoll && (rnd >> 32) % 8 == 0) {
            /* Pause until the poller took everything, and a little more: it may park. */
            while (exo_ring_sq_space(&x->r) != x->sc->sq && !race_stopped(x)) {
                spin_idle(&idle);
            }
            for (uint64_t i = (rnd >> 40) % 512; i > 0; i--) {
                __builtin_ia32_pause();
            }
        }
    }
    return NULL;
}

static void race_run(const scenario_t *sc) {
    race_t *x = calloc(1, sizeof(*x));
    assert_non_null(x);
    x->sc = sc;
    x->sq_start = UINT32_MAX - 1000; /* both indices wrap early in the run */
    x->cq_start = UINT32_MAX - 3;
    ring_mem_alloc(&x->m, sc->sq, sc->cq);
    ringq_init(&x->q, (void *const *)x->m.pages, sc->sq, sc->cq, sc->sqpoll ? EXO_RING_SQPOLL : 0);
    ring_set_indices(&x->q, x->sq_start, x->cq_start);
    exo_ring_attach(&x->r, x->m.base, 0, 0);
    if (sc->cq_park) {
        x->r.wakeup = ring_wakeup_hook;
    }
    assert_int_equal(pthread_mutex_init(&x->wake_mu, NULL), 0);
    assert_int_equal(pthread_cond_init(&x->wake_cv, NULL), 0);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t kern, dog, sub;
    assert_int_equal(pthread_create(&dog, NULL, watchdog_main, x), 0);
    assert_int_equal(pthread_create(&kern, NULL, kernel_main, x), 0);
    uint64_t submitted = 0, reaped = 0, seed = sc->seed, idle = 0;
    if (sc->split) {
        assert_int_equal(pthread_create(&sub, NULL, submitter_main, x), 0);
    } else {
        app_prologue(x, &submitted);
    }
    while (reaped < sc->n && !race_stopped(x)) {
        uint64_t rnd = xorshift64(&seed);
        uint32_t did = 0;
        if (sc->cq_park && (rnd >> 44) % 8 == 0) {
            app_cq_episode(x, &submitted, &reaped, rnd);
            continue;
        }
        if (!sc->split) {
            did += app_submit(x, &submitted, 1 + (uint32_t)(rnd % sc->sq));
            /* Sometimes let the kernel take them all before our next cq_head store: then
             * only the SQ's own release/acquire orders the SQE writes before its reads. It
             * can when the CQ has room for every SQE not yet reaped. */
            if ((rnd >> 56) < 32 && submitted - reaped <= sc->cq) {
                while (exo_ring_sq_space(&x->r) != sc->sq && !race_stopped(x)) {
                    spin_idle(&idle);
                }
            }
        }
        /* Phases of lazy reaping (some, none or all that are ready: the CQ fills and holds
         * the kernel back, whose takes then follow our cq_head stores) and of eager reaping
         * (the kernel waits on the SQ instead). */
        uint32_t want = sc->cq + (uint32_t)(rnd >> 8) % 3; /* all, any of the three ways */
        if ((reaped >> 12) % 2 == 0) {
            want = (rnd >> 8) % 4 == 0 ? 0 : 1 + (uint32_t)((rnd >> 16) % sc->cq);
        }
        did += app_reap(x, &reaped, want);
        if (sc->sqpoll && (rnd >> 40) % 4 == 0) {
            /* Let the poller run dry and park: wait for everything submitted. */
            while (reaped < atomic_load(&x->submitted) && !race_stopped(x)) {
                if (app_reap(x, &reaped, sc->cq) == 0) {
                    spin_idle(&idle);
                }
            }
            for (uint64_t i = (rnd >> 48) % 512; i > 0; i--) {
                __builtin_ia32_pause();
            }
        }
        if (did == 0) {
            spin_idle(&idle);
        }
    }
    if (sc->split) {
        assert_int_equal(pthread_join(sub, NULL), 0);
    }
    assert_int_equal(pthread_join(kern, NULL), 0);
    atomic_store(&x->finish, true);
    assert_int_equal(pthread_join(dog, NULL), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);

    if (atomic_load(&x->failed)) {
        fail_msg("%s: %s", sc->name, x->why);
    }
    /* Everything exactly once: the kernel saw each SQE in order, the app each CQE. */
    assert_int_equal(reaped, sc->n);
    assert_int_equal(atomic_load(&x->submitted), sc->n);
    assert_int_equal(atomic_load(&x->taken), sc->n);
    assert_int_equal(atomic_load(&x->posted), sc->n);
    exo_ring_hdr_t *h = x->q.hdr;
    assert_int_equal(h->sq_tail, (uint32_t)(x->sq_start + sc->n));
    assert_int_equal(h->sq_head, (uint32_t)(x->sq_start + sc->n));
    assert_int_equal(h->cq_tail, (uint32_t)(x->cq_start + sc->n));
    assert_int_equal(h->cq_head, (uint32_t)(x->cq_start + sc->n));
    assert_int_equal(exo_ring_cq_ready(&x->r), 0);
    assert_int_equal(ringq_sq_ready(&x->q), 0);
    if (sc->sqpoll) {
        assert_true(atomic_load(&x->parks) > 0);
        assert_true(atomic_load(&x->wakes) > 0);
    }
    if (sc->cq_park) {
        assert_true(atomic_load(&x->cq_parks) > 0);
        assert_true(atomic_load(&x->hook_wakes) > 0);
    }
    if (!sc->sqpoll && !sc->split) { /* the prologue made sure of both */
        assert_true(atomic_load(&x->cq_blocked) > 0);
        assert_true(atomic_load(&x->sq_full) > 0);
    }
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (getenv("RING_TEST_VERBOSE") != NULL) {
        printf("%-8s %4u/%-4u %8llu SQEs %6.2f s: sq full %llu, cq blocked %llu, parks %llu "
               "+ %llu on a full cq (refused %llu), wakes %llu (%llu by cq_advance)\n",
               sc->name, sc->sq, sc->cq, (unsigned long long)sc->n, secs,
               (unsigned long long)atomic_load(&x->sq_full),
               (unsigned long long)atomic_load(&x->cq_blocked),
               (unsigned long long)atomic_load(&x->parks),
               (unsigned long long)atomic_load(&x->cq_parks),
               (unsigned long long)atomic_load(&x->park_refused),
               (unsigned long long)atomic_load(&x->wakes),
               (unsigned long long)atomic_load(&x->hook_wakes));
    }
    pthread_cond_destroy(&x->wake_cv);
    pthread_mutex_destroy(&x->wake_mu);
    ring_mem_free(&x->m);
    free(x);
}

/* TSan runs every atomic through its runtime: fewer entries there. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RACE_N 200000
#define RACE_N_SQPOLL 100000
#endif
#endif
#ifndef RACE_N
#define RACE_N 1000000
#define RACE_N_SQPOLL 200000
#endif

static void test_ring_threads_busy(void **state) {
    static const scenario_t sc = {.name = "busy", .sq = 8, .cq = 16, .n = RACE_N, .seed = 0x1111};
    race_run(&sc);
}

static void test_ring_threads_split(void **state) {
    static const scenario_t sc = {
        .name = "split", .sq = 128, .cq = 256, .n = RACE_N, .split = true, .seed = 0x2222};
    race_run(&sc);
}

static void test_ring_threads_sqpoll(void **state) {
    static const scenario_t sc = {
        .name = "sqpoll", .sq = 8, .cq = 16, .n = RACE_N_SQPOLL, .sqpoll = true, .seed = 0x3333};
    race_run(&sc);
}

static void test_ring_threads_sqpoll_split(void **state) {
    static const scenario_t sc = {.name = "sqpoll2",
                                  .sq = 4,
                                  .cq = 8,
                                  .n = RACE_N_SQPOLL,
                                  .sqpoll = true,
                                  .split = true,
                                  .seed = 0x4444};
    race_run(&sc);
}

static void test_ring_threads_sqpoll_cq_park(void **state) {
    static const scenario_t sc = {.name = "sqpollcq",
                                  .sq = 8,
                                  .cq = 16,
                                  .n = RACE_N_SQPOLL,
                                  .sqpoll = true,
                                  .cq_park = true,
                                  .seed = 0x5555};
    race_run(&sc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_layout),
        cmocka_unit_test(test_ring_init_writes_geometry),
        cmocka_unit_test(test_ring_round_trip),
        cmocka_unit_test(test_ring_app_sq_full_zeroed_flush),
        cmocka_unit_test(test_ring_app_cq),
        cmocka_unit_test(test_ring_sq_take_copies_and_publishes),
        cmocka_unit_test(test_ring_sq_ready_rejects_lying_tail),
        cmocka_unit_test(test_ring_cq_used_distrusts_head),
        cmocka_unit_test(test_ring_cq_full_overwrites_nothing),
        cmocka_unit_test(test_ring_park_unpark),
        cmocka_unit_test(test_ring_flags_independent),
        cmocka_unit_test(test_ring_cq_advance_wakes_parked_poller),
        cmocka_unit_test(test_ring_wrap_traffic),
        cmocka_unit_test(test_ring_noncontiguous_pages),
        cmocka_unit_test(test_ring_threads_busy),
        cmocka_unit_test(test_ring_threads_split),
        cmocka_unit_test(test_ring_threads_sqpoll),
        cmocka_unit_test(test_ring_threads_sqpoll_split),
        cmocka_unit_test(test_ring_threads_sqpoll_cq_park),
    };
    if (getenv("RING_TEST_FILTER") != NULL) { /* e.g. "test_ring_threads_*" */
        cmocka_set_test_filter(getenv("RING_TEST_FILTER"));
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
