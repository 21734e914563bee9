/*
 * Host tests for kernel/trace/tbuf.c: records read back exactly; wrap-around and clear
 * against a model over random steps; records a nested writer ("an interrupt") adds between
 * the three writing steps of another, including one that wraps the whole ring onto it;
 * real asynchronous interrupts (signals) writing while the main thread writes; and a
 * reader thread racing a writer over a small ring, which must never accept a torn or
 * overwritten record. Built under ASan+UBSan and under ThreadSanitizer.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
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

#include <trace/tbuf.h>

#include "test_util.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif

#ifdef UNDER_TSAN
#define SIGNAL_SECONDS 1 /* TSan defers signals to its own safe points: a short try */
#else
#define SIGNAL_SECONDS 10
#endif

/* Every field of record `n` written by source `src` is a function of both, so a reader
 * can tell a torn record (fields of two records) from a whole one. */
static exo_trace_rec_t make(uint64_t n, uint32_t src) {
    exo_trace_rec_t r = {0};
    r.tsc = n * 3 + 1;
    r.event = (uint8_t)(1 + (n + src) % 20);
    r.cpu = (uint8_t)src;
    r.cont = (uint16_t)(n * 5);
    r.domain = (uint32_t)(n ^ 0x5a5a5a5au);
    r.arg1 = (uint32_t)(n * 7 + src);
    r.arg0 = ~n;
    return r;
}

static bool whole(const exo_trace_rec_t *r, uint64_t *n_out, uint32_t *src_out) {
    uint64_t n = ~r->arg0;
    exo_trace_rec_t want = make(n, r->cpu);
    *n_out = n;
    *src_out = r->cpu;
    return r->tsc == want.tsc && r->event == want.event && r->cont == want.cont &&
           r->domain == want.domain && r->arg1 == want.arg1;
}

static void expect_record(const tbuf_t *b, uint64_t n, uint64_t payload, uint32_t src) {
    exo_trace_rec_t got;
    assert_true(tbuf_read(b, n, &got));
    exo_trace_rec_t want = make(payload, src);
    assert_int_equal(got.seq, EXO_TRACE_SEQ(n));
    assert_int_equal(got.tsc, want.tsc);
    assert_int_equal(got.event, want.event);
    assert_int_equal(got.cpu, want.cpu);
    assert_int_equal(got.cont, want.cont);
    assert_int_equal(got.domain, want.domain);
    assert_int_equal(got.arg1, want.arg1);
    assert_int_equal(got.arg0, want.arg0);
}

static void test_tbuf_init_and_empty(void **state) {
    static exo_trace_rec_t slots[16];
    tbuf_t b;
    assert_int_equal(tbuf_init(&b, slots, 0), ERR_INVALID);
    assert_int_equal(tbuf_init(&b, slots, 1), ERR_INVALID);
    assert_int_equal(tbuf_init(&b, slots, 12), ERR_INVALID);
    assert_int_equal(tbuf_init(&b, slots, 1ull << 31), ERR_INVALID);
    assert_int_equal(tbuf_init(&b, NULL, 16), ERR_INVALID);
    memset(slots, 0xff, sizeof(slots)); /* init must not trust old contents */
    assert_int_equal(tbuf_init(&b, slots, 16), STATUS_OK);
    exo_trace_rec_t r;
    assert_int_equal(tbuf_head(&b), 0);
    assert_int_equal(tbuf_oldest(&b), 0);
    for (uint64_t n = 0; n < 40; n++) {
        assert_false(tbuf_read(&b, n, &r));
    }
    /* The seq word never reads as a record number's: bit 31 is always set. */
    assert_int_equal(EXO_TRACE_SEQ(0), 0x80000000u);
    assert_int_equal(EXO_TRACE_SEQ(0x7fffffffull), 0xffffffffu);
    assert_int_equal(EXO_TRACE_SEQ(0x80000000ull), 0x80000000u);
}

static void test_tbuf_roundtrip(void **state) {
    static exo_trace_rec_t slots[8];
    tbuf_t b;
    assert_int_equal(tbuf_init(&b, slots, 8), STATUS_OK);
    for (uint64_t n = 0; n < 5; n++) {
        exo_trace_rec_t r = make(n, 3);
        r.seq = 12345; /* ignored by the writer */
        assert_int_equal(tbuf_write(&b, &r), n);
    }
    assert_int_equal(tbuf_head(&b), 5);
    assert_int_equal(tbuf_oldest(&b), 0);
    for (uint64_t n = 0; n < 5; n++) {
        expect_record(&b, n, n, 3);
    }
    exo_trace_rec_t r;
    assert_false(tbuf_read(&b, 5, &r)); /* not written yet */
}

static void test_tbuf_wraps(void **state) {
    static exo_trace_rec_t slots[8];
    tbuf_t b;
    assert_int_equal(tbuf_init(&b, slots, 8), STATUS_OK);
    for (uint64_t n = 0; n < 1000; n++) {
        tbuf_write(&b, &(exo_trace_rec_t){0});
    }
    assert_int_equal(tbuf_head(&b), 1000);
    assert_int_equal(tbuf_oldest(&b), 992);
    /* Write 1000 more, now with real payloads: the ring holds the last 8 only. */
    for (uint64_t n = 1000; n < 2000; n++) {
        exo_trace_rec_t r = make(n, 1);
        assert_int_equal(tbuf_write(&b, &r), n);
        /* The record just overwritten (n - 8) is gone, even though its slot holds data. */
        exo_trace_rec_t got;
        assert_false(tbuf_read(&b, n - 8, &got));
        expect_record(&b, n, n, 1);
    }
    for (uint64_t n = 0; n < 1992; n++) {
        exo_trace_rec_t got;
        assert_false(tbuf_read(&b, n, &got));
    }
    for (uint64_t n = 1992; n < 2000; n++) {
        expect_record(&b, n, n, 1);
    }
    /* A number past the 31 bits of seq, in the same slot, must not be mistaken: record
     * 1992 + 2^31 would share slot and seq with 1992, but is not in range. */
    exo_trace_rec_t got;
    assert_false(tbuf_read(&b, 1992 + (1ull << 31), &got));
}

static void test_tbuf_clear(void **state) {
    static exo_trace_rec_t slots[16];
    tbuf_t b;
    assert_int_equal(tbuf_init(&b, slots, 16), STATUS_OK);
    for (uint64_t n = 0; n < 10; n++) {
        exo_trace_rec_t r = make(n, 2);
        tbuf_write(&b, &r);
    }
    tbuf_clear(&b);
    assert_int_equal(tbuf_oldest(&b), 10);
    assert_int_equal(tbuf_head(&b), 10);
    exo_trace_rec_t got;
    for (uint64_t n = 0; n < 10; n++) {
        assert_false(tbuf_read(&b, n, &got));
    }
    for (uint64_t n = 10; n < 13; n++) {
        exo_trace_rec_t r = make(n, 2);
        tbuf_write(&b, &r);
        expect_record(&b, n, n, 2);
    }
    tbuf_clear(&b);
    tbuf_clear(&b); /* twice: nothing moves backwards */
    assert_int_equal(tbuf_oldest(&b), 13);
    /* After the ring wrapped past the clear, the wrap decides. */
    for (uint64_t n = 13; n < 50; n++) {
        exo_trace_rec_t r = make(n, 2);
        tbuf_write(&b, &r);
    }
    assert_int_equal(tbuf_oldest(&b), 34);
}

/* Random writes, clears and reads against a model: record n is readable exactly when
 * max(last clear, head - capacity) <= n < head, and then holds what was written. */
static void test_tbuf_model(void **state) {
    static exo_trace_rec_t slots[64];
    uint64_t seed = 0x7e57b0f;
    for (uint64_t cap = 2; cap <= 64; cap *= 2) {
        tbuf_t b;
        assert_int_equal(tbuf_init(&b, slots, cap), STATUS_OK);
        uint64_t head = 0, base = 0;
        for (int step = 0; step < 20000; step++) {
            uint64_t op = xorshift64(&seed) % 100;
            if (op < 60) {
                exo_trace_rec_t r = make(head, (uint32_t)(head % 7));
                assert_int_equal(tbuf_write(&b, &r), head);
                head++;
            } else if (op < 62) {
                tbuf_clear(&b);
                base = head;
            } else {
                uint64_t span = head + 4;
                uint64_t n = xorshift64(&seed) % span;
                uint64_t oldest = head > cap ? head - cap : 0;
                oldest = base > oldest ? base : oldest;
                exo_trace_rec_t got;
                bool ok = tbuf_read(&b, n, &got);
                assert_int_equal(ok, n >= oldest && n < head);
                if (ok) {
                    expect_record(&b, n, n, (uint32_t)(n % 7));
                }
                assert_int_equal(tbuf_oldest(&b), oldest);
                assert_int_equal(tbuf_head(&b), head);
            }
        }
    }
}

/* An interrupt between reserve and fill writes whole records of its own: every record is
 * kept, in the order the numbers were taken, and the interrupted one is unreadable until
 * its commit. */
static void test_tbuf_nested_writer(void **state) {
    static exo_trace_rec_t slots[16];
    tbuf_t b;
    assert_int_equal(tbuf_init(&b, slots, 16), STATUS_OK);
    exo_trace_rec_t a = make(100, 0);
    uint64_t n = tbuf_reserve(&b);
    assert_int_equal(n, 0);
    for (uint64_t i = 0; i < 3; i++) { /* the interrupt */
        exo_trace_rec_t r = make(200 + i, 1);
        assert_int_equal(tbuf_write(&b, &r), n + 1 + i);
    }
    exo_trace_rec_t got;
    assert_false(tbuf_read(&b, n, &got)); /* reserved, not filled */
    tbuf_fill(&b, n, &a);
    assert_false(tbuf_read(&b, n, &got)); /* filled, not committed */
    /* A second interrupt between fill and commit. */
    exo_trace_rec_t r = make(300, 1);
    assert_int_equal(tbuf_write(&b, &r), n + 4);
    tbuf_commit(&b, n);
    expect_record(&b, n, 100, 0);
    for (uint64_t i = 0; i < 3; i++) {
        expect_record(&b, n + 1 + i, 200 + i, 1);
    }
    expect_record(&b, n + 4, 300, 1);
}

/* Interrupts that write a whole ring's worth inside one record's writing land on its slot:
 * both that record and the colliding one are lost, never one torn record kept. */
static void test_tbuf_nested_wrap(void **state) {
    static exo_trace_rec_t slots[8];
    for (int where = 0; where < 2; where++) { /* before the fill, or between fill and commit */
        tbuf_t b;
        assert_int_equal(tbuf_init(&b, slots, 8), STATUS_OK);
        for (uint64_t i = 0; i < 5; i++) {
            exo_trace_rec_t r = make(i, 1);
            tbuf_write(&b, &r);
        }
        exo_trace_rec_t a = make(999, 0);
        uint64_t n = tbuf_reserve(&b);
        if (where == 1) {
            tbuf_fill(&b, n, &a);
        }
        for (uint64_t i = 1; i <= 8; i++) { /* n + 8 takes n's slot and commits */
            exo_trace_rec_t r = make(n + i, 1);
            assert_int_equal(tbuf_write(&b, &r), n + i);
        }
        expect_record(&b, n + 8, n + 8, 1); /* committed, whole for now */
        if (where == 0) {
            tbuf_fill(&b, n, &a); /* tears n + 8's record... */
        }
        tbuf_commit(&b, n); /* ...which the commit notices: the slot is marked unfinished */
        /* Not SEQ(n): a reader that checked n's range before the ring wrapped would take
         * what the slot holds (n + 8's fields, or a mix) for record n. */
        assert_int_equal(slots[n & 7].seq, 0);
        exo_trace_rec_t got;
        assert_false(tbuf_read(&b, n, &got));
        assert_false(tbuf_read(&b, n + 8, &got));
        for (uint64_t i = 1; i < 8; i++) {
            expect_record(&b, n + i, n + i, 1);
        }
        /* The slot is reused cleanly by the next record. */
        exo_trace_rec_t r = make(n + 9, 1);
        tbuf_write(&b, &r);
        expect_record(&b, n + 9, n + 9, 1);
    }
}

/* --- real interrupts: signals on the writing thread ---------------------------------- */

#define SIG_RECORDS (1u << 18)
static exo_trace_rec_t sig_slots[SIG_RECORDS];
static tbuf_t sig_buf;
static _Atomic uint64_t sig_count; /* records the handler wrote */
static _Atomic bool sig_stop;

static void sig_handler(int sig) {
    (void)sig;
    uint64_t k = atomic_load_explicit(&sig_count, memory_order_relaxed);
    exo_trace_rec_t r = make(k, 1);
    tbuf_write(&sig_buf, &r);
    atomic_store_explicit(&sig_count, k + 1, memory_order_relaxed);
}

static void *sig_sender(void *arg) {
    pthread_t target = *(pthread_t *)arg;
    while (!atomic_load(&sig_stop)) {
        pthread_kill(target, SIGUSR1);
        for (volatile int i = 0; i < 200; i++) {
        }
    }
    return NULL;
}

static void test_tbuf_signal_interrupts(void **state) {
    assert_int_equal(tbuf_init(&sig_buf, sig_slots, SIG_RECORDS), STATUS_OK);
    atomic_store(&sig_count, 0);
    atomic_store(&sig_stop, false);
    struct sigaction sa = {0};
    sa.sa_handler = sig_handler;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
    pthread_t self = pthread_self(), sender;
    assert_int_equal(pthread_create(&sender, NULL, sig_sender, &self), 0);
    /* Signals are delivered when this thread next enters the kernel or is interrupted
     * there (a timer tick): at an arbitrary instruction, so mostly inside a tbuf_write,
     * which is nearly all this loop does. Until 300 handler records (or SIGNAL_SECONDS);
     * the ring wraps many times meanwhile. */
    uint64_t mine = 0;
    time_t start = time(NULL);
    while (atomic_load(&sig_count) < 300 && time(NULL) - start < SIGNAL_SECONDS) {
        for (int i = 0; i < 1000; i++) {
            exo_trace_rec_t r = make(mine, 0);
            tbuf_write(&sig_buf, &r);
            mine++;
        }
    }
    atomic_store(&sig_stop, true);
    pthread_join(sender, NULL);
    signal(SIGUSR1, SIG_IGN);
    uint64_t handler = atomic_load(&sig_count);
    assert_int_equal(tbuf_head(&sig_buf), mine + handler);
    /* Every record held whole, each source's numbered without a gap, in its own order. */
    uint64_t next[2] = {0, 0}, seen[2] = {0, 0}, switches = 0;
    uint32_t last = 0;
    for (uint64_t n = tbuf_oldest(&sig_buf); n < tbuf_head(&sig_buf); n++) {
        exo_trace_rec_t got;
        assert_true(tbuf_read(&sig_buf, n, &got));
        uint64_t k;
        uint32_t src;
        assert_true(whole(&got, &k, &src));
        assert_true(src < 2);
        if (seen[src]) {
            assert_int_equal(k, next[src]);
        }
        next[src] = k + 1;
        seen[src]++;
        switches += seen[0] + seen[1] > 1 && src != last;
        last = src;
    }
    uint64_t held = mine + handler < SIG_RECORDS ? mine + handler : SIG_RECORDS;
    assert_int_equal(seen[0] + seen[1], held);
    assert_int_equal(next[0], mine);
    printf("signal test: %lu records of the thread, %lu of the handler, %lu of them among the "
           "last %u records, %lu switches there\n",
           (unsigned long)mine, (unsigned long)handler, (unsigned long)seen[1], SIG_RECORDS,
           (unsigned long)switches);
#ifndef UNDER_TSAN /* TSan delivers signals only at its own safe points */
    assert_true(handler >= 100);
#endif
}

/* --- a reader racing the writer ------------------------------------------------------ */

#define RACE_CAP 16
#define RACE_WRITES 3000000ull
static exo_trace_rec_t race_slots[RACE_CAP];
static tbuf_t race_buf;
static _Atomic bool race_done;
static uint64_t race_accepted, race_rejected, race_torn;

static void *race_reader(void *arg) {
    (void)arg;
    uint64_t seed = 99;
    while (!atomic_load(&race_done)) {
        /* Mostly the oldest records: their slots are the ones being written over. */
        uint64_t head = tbuf_head(&race_buf), r = xorshift64(&seed);
        uint64_t back = r % 4 ? RACE_CAP - (r >> 8) % 2 : 1 + (r >> 8) % RACE_CAP;
        uint64_t n = head >= RACE_CAP ? head - back : 0;
        exo_trace_rec_t got;
        if (!tbuf_read(&race_buf, n, &got)) {
            race_rejected++;
            continue;
        }
        uint64_t k;
        uint32_t src;
        if (!whole(&got, &k, &src) || k != n || got.seq != EXO_TRACE_SEQ(n)) {
            race_torn++;
        } else {
            race_accepted++;
        }
    }
    return NULL;
}

static void test_tbuf_reader_races_writer(void **state) {
    assert_int_equal(tbuf_init(&race_buf, race_slots, RACE_CAP), STATUS_OK);
    atomic_store(&race_done, false);
    race_accepted = race_rejected = race_torn = 0;
    pthread_t reader;
    assert_int_equal(pthread_create(&reader, NULL, race_reader, NULL), 0);
    for (uint64_t n = 0; n < RACE_WRITES; n++) {
        exo_trace_rec_t r = make(n, 2);
        tbuf_write(&race_buf, &r);
    }
    atomic_store(&race_done, true);
    pthread_join(reader, NULL);
    printf("race: %lu accepted, %lu rejected (overwritten or unfinished), %lu torn\n",
           (unsigned long)race_accepted, (unsigned long)race_rejected, (unsigned long)race_torn);
    assert_int_equal(race_torn, 0);
    assert_true(race_accepted > 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tbuf_init_and_empty),
        cmocka_unit_test(test_tbuf_roundtrip),
        cmocka_unit_test(test_tbuf_wraps),
        cmocka_unit_test(test_tbuf_clear),
        cmocka_unit_test(test_tbuf_model),
        cmocka_unit_test(test_tbuf_nested_writer),
        cmocka_unit_test(test_tbuf_nested_wrap),
        cmocka_unit_test(test_tbuf_signal_interrupts),
        cmocka_unit_test(test_tbuf_reader_races_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
