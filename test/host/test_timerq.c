/*
 * Host tests for kernel/sched/timerq.c: seeded random add/cancel/pop sequences checked step by
 * step against a sorted-list model and the heap invariants, plus FIFO among equal deadlines,
 * cancel at every position, the error paths changing nothing, and re-adding fired timers.
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

#include <sched/timerq.h>

#include "test_util.h"

/* Checks every invariant of the heap: slots, back-indices and (deadline, seq) order. */
static void expect_heap_ok(const timerq_t *q) {
    assert_true(q->count <= q->capacity);
    for (uint32_t i = 0; i < q->count; i++) {
        const ktimer_t *t = q->heap[i];
        assert_non_null(t);
        assert_int_equal(t->heap_index, i);
        assert_true(t->seq < q->next_seq);
        if (i > 0) {
            const ktimer_t *p = q->heap[(i - 1) / 2];
            assert_true(p->deadline < t->deadline ||
                        (p->deadline == t->deadline && p->seq < t->seq));
        }
    }
}

static void fire_count(ktimer_t *t) {
    (*(int *)t->arg)++;
}

static void test_timerq_empty(void **state) {
    ktimer_t *storage[4];
    timerq_t q;
    ktimer_t t;
    int fired = 0;
    timerq_init(&q, storage, 4);
    ktimer_init(&t, fire_count, &fired);
    assert_int_equal(t.heap_index, TIMERQ_NOT_QUEUED);
    assert_ptr_equal(t.fn, fire_count);
    assert_ptr_equal(t.arg, &fired);
    assert_null(timerq_peek(&q));
    assert_null(timerq_pop_expired(&q, UINT64_MAX));
    assert_false(timerq_cancel(&q, &t));
    expect_heap_ok(&q);
}

static void test_timerq_pop_respects_now(void **state) {
    ktimer_t *storage[4];
    timerq_t q;
    ktimer_t a, b;
    int fired = 0;
    timerq_init(&q, storage, 4);
    ktimer_init(&a, fire_count, &fired);
    ktimer_init(&b, fire_count, &fired);
    a.deadline = 100;
    b.deadline = 200;
    assert_int_equal(timerq_add(&q, &b), STATUS_OK);
    assert_int_equal(timerq_add(&q, &a), STATUS_OK);
    assert_ptr_equal(timerq_peek(&q), &a);
    assert_null(timerq_pop_expired(&q, 0));
    assert_null(timerq_pop_expired(&q, 99));
    assert_int_equal(q.count, 2);
    ktimer_t *t = timerq_pop_expired(&q, 100); /* deadline == now has expired */
    assert_ptr_equal(t, &a);
    assert_int_equal(a.heap_index, TIMERQ_NOT_QUEUED);
    t->fn(t);
    assert_int_equal(fired, 1);
    assert_null(timerq_pop_expired(&q, 199));
    assert_ptr_equal(timerq_pop_expired(&q, UINT64_MAX), &b);
    assert_null(timerq_pop_expired(&q, UINT64_MAX));
    expect_heap_ok(&q);
}

/* Equal deadlines fire in add order, however the adds interleave with other deadlines and with
 * cancels, and a re-added timer goes behind the ones already waiting. */
static void test_timerq_fifo_among_equal(void **state) {
    enum { N = 40 };
    ktimer_t *storage[N];
    ktimer_t t[N];
    timerq_t q;
    timerq_init(&q, storage, N);
    /* Even timers at deadline 5, odd ones at 9 or 1, added in index order. */
    for (int i = 0; i < N; i++) {
        ktimer_init(&t[i], NULL, NULL);
        t[i].deadline = i % 2 == 0 ? 5 : (i % 4 == 1 ? 9 : 1);
        assert_int_equal(timerq_add(&q, &t[i]), STATUS_OK);
        expect_heap_ok(&q);
    }
    assert_true(timerq_cancel(&q, &t[10]));
    assert_true(timerq_cancel(&q, &t[4]));
    assert_int_equal(timerq_add(&q, &t[4]), STATUS_OK); /* now last among the 5s */
    for (int i = 3; i < N; i += 4) {
        assert_ptr_equal(timerq_pop_expired(&q, 100), &t[i]);
    }
    for (int i = 0; i < N; i += 2) {
        if (i != 4 && i != 10) {
            assert_ptr_equal(timerq_pop_expired(&q, 100), &t[i]);
        }
    }
    assert_ptr_equal(timerq_pop_expired(&q, 100), &t[4]);
    for (int i = 1; i < N; i += 4) {
        assert_ptr_equal(timerq_pop_expired(&q, 100), &t[i]);
    }
    assert_null(timerq_peek(&q));
}

/* Seven timers in a full three-level heap: cancel the last slot, an inner node, the head, a
 * leaf that is not last, and some that are not queued; the rest still pop in order. */
static void test_timerq_cancel_positions(void **state) {
    ktimer_t *storage[8];
    ktimer_t t[8];
    timerq_t q;
    timerq_init(&q, storage, 8);
    for (int i = 0; i < 8; i++) {
        ktimer_init(&t[i], NULL, NULL);
        t[i].deadline = 10 * (uint64_t)i;
    }
    for (int i = 0; i < 7; i++) {
        assert_int_equal(timerq_add(&q, &t[i]), STATUS_OK);
    }
    /* Sorted adds leave heap[i] == &t[i]. */
    for (int i = 0; i < 7; i++) {
        assert_ptr_equal(q.heap[i], &t[i]);
    }
    assert_true(timerq_cancel(&q, &t[6])); /* the last slot: t0 t1 t2 t3 t4 t5 */
    expect_heap_ok(&q);
    assert_true(timerq_cancel(&q, &t[1])); /* inner node, t5 sinks: t0 t3 t2 t5 t4 */
    expect_heap_ok(&q);
    assert_ptr_equal(q.heap[1], &t[3]);
    assert_ptr_equal(q.heap[3], &t[5]);
    assert_true(timerq_cancel(&q, &t[0])); /* the head: t2 t3 t4 t5 */
    expect_heap_ok(&q);
    assert_ptr_equal(timerq_peek(&q), &t[2]);
    assert_ptr_equal(q.heap[2], &t[4]);
    assert_true(timerq_cancel(&q, &t[4])); /* a leaf, not the last: t2 t3 t5 */
    expect_heap_ok(&q);
    assert_false(timerq_cancel(&q, &t[4])); /* already cancelled */
    assert_false(timerq_cancel(&q, &t[6]));
    assert_false(timerq_cancel(&q, &t[7])); /* never queued */
    assert_int_equal(q.count, 3);
    static const int rest[] = {2, 3, 5};
    for (int i = 0; i < 3; i++) {
        assert_ptr_equal(timerq_pop_expired(&q, UINT64_MAX), &t[rest[i]]);
        expect_heap_ok(&q);
    }
    for (int i = 0; i < 8; i++) {
        assert_int_equal(t[i].heap_index, TIMERQ_NOT_QUEUED);
    }
}

/* A middle cancel whose replacement (the last timer) is earlier than the hole's parent must
 * move up, not down: the last timer comes from another subtree. */
static void test_timerq_cancel_moves_last_up(void **state) {
    ktimer_t *storage[8];
    ktimer_t t[7];
    timerq_t q;
    timerq_init(&q, storage, 8);
    /* Heap by slot: 0 | 50 10 | 60 70 20 30  -- slot 4 (70) has parent slot 1 (50). */
    static const uint64_t d[] = {0, 50, 10, 60, 70, 20, 30};
    for (int i = 0; i < 7; i++) {
        ktimer_init(&t[i], NULL, NULL);
        t[i].deadline = d[i];
        assert_int_equal(timerq_add(&q, &t[i]), STATUS_OK);
        assert_ptr_equal(q.heap[i], &t[i]);
    }
    /* Cancel 70 (slot 4): the last timer, 30, lands below 50 and must swap with it. */
    assert_true(timerq_cancel(&q, &t[4]));
    expect_heap_ok(&q);
    assert_ptr_equal(q.heap[1], &t[6]);
    assert_ptr_equal(q.heap[4], &t[1]);
    static const int order[] = {0, 2, 5, 6, 1, 3};
    for (int i = 0; i < 6; i++) {
        assert_ptr_equal(timerq_pop_expired(&q, UINT64_MAX), &t[order[i]]);
    }
}

static void test_timerq_errors_change_nothing(void **state) {
    ktimer_t *storage[3];
    ktimer_t t[4];
    timerq_t q;
    timerq_init(&q, storage, 3);
    for (int i = 0; i < 4; i++) {
        ktimer_init(&t[i], NULL, NULL);
        t[i].deadline = 7;
    }
    for (int i = 0; i < 3; i++) {
        assert_int_equal(timerq_add(&q, &t[i]), STATUS_OK);
    }
    timerq_t before = q;
    ktimer_t *heap_before[3];
    ktimer_t t_before[4];
    memcpy(heap_before, storage, sizeof(storage));
    memcpy(t_before, t, sizeof(t));

    assert_int_equal(timerq_add(&q, &t[3]), ERR_NO_MEMORY); /* full */
    assert_int_equal(timerq_add(&q, &t[1]), ERR_STATE);     /* queued (and full) */
    assert_memory_equal(&q, &before, sizeof(q));
    assert_memory_equal(storage, heap_before, sizeof(storage));
    assert_memory_equal(t, t_before, sizeof(t));

    /* Not full: a queued timer is still refused, and keeps its place and seq. */
    assert_ptr_equal(timerq_pop_expired(&q, 7), &t[0]);
    uint64_t seq1 = t[1].seq;
    assert_int_equal(timerq_add(&q, &t[1]), ERR_STATE);
    assert_int_equal(t[1].seq, seq1);
    assert_int_equal(q.count, 2);
    expect_heap_ok(&q);

    /* A zero-capacity queue refuses everything. */
    timerq_t empty;
    timerq_init(&empty, NULL, 0);
    assert_int_equal(timerq_add(&empty, &t[0]), ERR_NO_MEMORY);
    assert_int_equal(t[0].heap_index, TIMERQ_NOT_QUEUED);
}

/* A timer queued on another queue is not this queue's to cancel, even when its heap_index is
 * in range here. */
static void test_timerq_cancel_other_queue(void **state) {
    ktimer_t *sa[2], *sb[2];
    timerq_t qa, qb;
    ktimer_t a, b;
    timerq_init(&qa, sa, 2);
    timerq_init(&qb, sb, 2);
    ktimer_init(&a, NULL, NULL);
    ktimer_init(&b, NULL, NULL);
    assert_int_equal(timerq_add(&qa, &a), STATUS_OK);
    assert_int_equal(timerq_add(&qb, &b), STATUS_OK);
    assert_false(timerq_cancel(&qa, &b));
    assert_ptr_equal(timerq_peek(&qa), &a);
    assert_ptr_equal(timerq_peek(&qb), &b);
    assert_int_equal(timerq_add(&qb, &a), ERR_STATE); /* queued anywhere means queued */
}

/* Re-adding a fired timer: new deadline, new seq, queued again; extreme deadlines order too. */
static void test_timerq_readd_fired(void **state) {
    ktimer_t *storage[4];
    ktimer_t a, b;
    timerq_t q;
    timerq_init(&q, storage, 4);
    ktimer_init(&a, NULL, NULL);
    ktimer_init(&b, NULL, NULL);
    a.deadline = UINT64_MAX;
    b.deadline = 0;
    assert_int_equal(timerq_add(&q, &a), STATUS_OK);
    assert_int_equal(timerq_add(&q, &b), STATUS_OK);
    for (int round = 0; round < 5; round++) {
        ktimer_t *t = timerq_pop_expired(&q, UINT64_MAX - 1);
        assert_ptr_equal(t, &b);
        uint64_t old_seq = t->seq;
        t->deadline = UINT64_MAX; /* same as a's, and added later: fires after a */
        assert_int_equal(timerq_add(&q, t), STATUS_OK);
        assert_true(t->seq > old_seq);
        assert_null(timerq_pop_expired(&q, UINT64_MAX - 1));
        assert_ptr_equal(timerq_pop_expired(&q, UINT64_MAX), &a);
        assert_ptr_equal(timerq_pop_expired(&q, UINT64_MAX), &b);
        a.deadline = UINT64_MAX;
        b.deadline = (uint64_t)round;
        assert_int_equal(timerq_add(&q, &a), STATUS_OK);
        assert_int_equal(timerq_add(&q, &b), STATUS_OK);
        expect_heap_ok(&q);
    }
}

/*
 * Random sequences against a model: the queued timers as a list sorted by (deadline, add
 * order). Deadlines come from a small range so that ties are common; the pool is larger than
 * the queue so that full, queued and not-queued cases all occur.
 */
#define POOL 128
#define QCAP 64

typedef struct model {
    ktimer_t *t[QCAP]; /* sorted by deadline; equal deadlines in add order */
    uint32_t n;
} model_t;

static int model_find(const model_t *m, const ktimer_t *t) {
    for (uint32_t i = 0; i < m->n; i++) {
        if (m->t[i] == t) {
            return (int)i;
        }
    }
    return -1;
}

/* After every timer with a deadline <= t's: the newest of equal deadlines goes last. */
static void model_insert(model_t *m, ktimer_t *t) {
    uint32_t i = m->n;
    while (i > 0 && m->t[i - 1]->deadline > t->deadline) {
        m->t[i] = m->t[i - 1];
        i--;
    }
    m->t[i] = t;
    m->n++;
}

static void model_remove(model_t *m, uint32_t i) {
    memmove(&m->t[i], &m->t[i + 1], (m->n - i - 1) * sizeof(m->t[0]));
    m->n--;
}

/* Deadlines fall in [now, now + deadline_range); a clock step advances now by less than
 * advance_max, which with the range sets how full the queue runs. */
static void run_seed(uint64_t seed, int ops, uint64_t deadline_range, uint64_t advance_max) {
    ktimer_t *storage[QCAP];
    ktimer_t pool[POOL];
    timerq_t q;
    model_t *m = calloc(1, sizeof(*m));
    assert_non_null(m);
    timerq_init(&q, storage, QCAP);
    for (int i = 0; i < POOL; i++) {
        ktimer_init(&pool[i], NULL, NULL);
    }
    uint64_t now = 0;
    for (int op = 0; op < ops; op++) {
        uint64_t r = xorshift64(&seed);
        ktimer_t *t = &pool[(r >> 8) % POOL];
        int at = model_find(m, t);
        switch (r % 8) {
        case 0:
        case 1:
        case 2:
        case 3: { /* add, with a deadline at or after now (as the kernel would) */
            uint64_t old_deadline = t->deadline;
            if (at < 0) {
                t->deadline = now + (r >> 24) % deadline_range;
            }
            status_t s = timerq_add(&q, t);
            if (at >= 0) {
                assert_int_equal(s, ERR_STATE);
                assert_int_equal(t->deadline, old_deadline);
            } else if (m->n == QCAP) {
                assert_int_equal(s, ERR_NO_MEMORY);
                assert_int_equal(t->heap_index, TIMERQ_NOT_QUEUED);
            } else {
                assert_int_equal(s, STATUS_OK);
                model_insert(m, t);
            }
            break;
        }
        case 4: /* cancel */
            assert_int_equal(timerq_cancel(&q, t), at >= 0);
            if (at >= 0) {
                model_remove(m, (uint32_t)at);
            }
            assert_int_equal(t->heap_index, TIMERQ_NOT_QUEUED);
            break;
        case 5:
        case 6: { /* the clock advances; pop what has expired, one by one */
            now += (r >> 24) % advance_max;
            for (;;) {
                ktimer_t *e = timerq_pop_expired(&q, now);
                if (m->n == 0 || m->t[0]->deadline > now) {
                    assert_null(e);
                    break;
                }
                assert_ptr_equal(e, m->t[0]);
                assert_int_equal(e->heap_index, TIMERQ_NOT_QUEUED);
                model_remove(m, 0);
            }
            break;
        }
        default: /* one pop at now - 1, now or now + 1: deadline <= probe is all that counts */
        {
            uint64_t probe = now + (r >> 24) % 3;
            probe = probe > 0 ? probe - 1 : 0;
            ktimer_t *e = timerq_pop_expired(&q, probe);
            if (m->n == 0 || m->t[0]->deadline > probe) {
                assert_null(e);
            } else {
                assert_ptr_equal(e, m->t[0]);
                model_remove(m, 0);
            }
            break;
        }
        }
        /* After every step: same timers, same head, heap invariants hold. */
        assert_int_equal(q.count, m->n);
        assert_ptr_equal(timerq_peek(&q), m->n == 0 ? NULL : m->t[0]);
        expect_heap_ok(&q);
        for (int i = 0; i < POOL; i++) {
            bool queued = pool[i].heap_index != TIMERQ_NOT_QUEUED;
            assert_int_equal(queued, model_find(m, &pool[i]) >= 0);
        }
    }
    /* Drain: the queue's whole order, ties included, is the model's list. */
    for (uint32_t i = 0; i < m->n; i++) {
        assert_ptr_equal(timerq_pop_expired(&q, UINT64_MAX), m->t[i]);
    }
    assert_null(timerq_peek(&q));
    free(m);
}

static void test_timerq_random_sequences(void **state) {
    static const uint64_t seeds[] = {1, 0xdeadbeefcafef00dull, 42, 0x0123456789abcdefull};
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        run_seed(seeds[i], 20000, 16, 2);          /* many ties */
        run_seed(seeds[i] ^ 7, 20000, 1000, 16);   /* mostly distinct, often full */
        run_seed(seeds[i] ^ 11, 20000, 1000, 400); /* often drained empty */
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timerq_empty),
        cmocka_unit_test(test_timerq_pop_respects_now),
        cmocka_unit_test(test_timerq_fifo_among_equal),
        cmocka_unit_test(test_timerq_cancel_positions),
        cmocka_unit_test(test_timerq_cancel_moves_last_up),
        cmocka_unit_test(test_timerq_errors_change_nothing),
        cmocka_unit_test(test_timerq_cancel_other_queue),
        cmocka_unit_test(test_timerq_readd_fired),
        cmocka_unit_test(test_timerq_random_sequences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
