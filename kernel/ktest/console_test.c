/*
 * ktests for console input (dev/console_in.c): bytes looped back inside the UART must come
 * in through the receive interrupt and wake a waiter exactly once; a full buffer drops
 * the newest bytes and counts them; every waiter is woken and exactly one gets a byte.
 */
#include <dev/clock.h>
#include <dev/console.h>
#include <dev/serial.h>
#include <kernel/string.h>
#include <ktest/ktest.h>
#include <sched/sched.h>
#include <stdatomic.h>

#define MS (1000ull * 1000)

static _Atomic uint64_t waiter_runs;
static _Atomic uint64_t waiter_bytes;

static void waiter_count(cont_t *self) {
    (void)self;
    atomic_fetch_add(&waiter_runs, 1);
}

/* A woken reader: takes one byte if it wins. */
static void waiter_read_one(cont_t *self) {
    (void)self;
    uint8_t b;
    atomic_fetch_add(&waiter_bytes, console_read(&b, 1));
    atomic_fetch_add(&waiter_runs, 1);
}

static void drain(void) {
    uint8_t b[64];
    while (console_read(b, sizeof(b)) > 0) {
    }
}

typedef struct until {
    uint64_t received; /* stats.received to reach */
    uint64_t runs;     /* waiter_runs to reach */
    uint64_t deadline_ns;
} until_t;

static bool until_done(void *arg) {
    const until_t *u = arg;
    console_input_stats_t s;
    console_input_get_stats(&s);
    return (s.received >= u->received && atomic_load(&waiter_runs) >= u->runs) ||
           clock_ns() > u->deadline_ns;
}

/* Runs continuations on this core until both counts are reached or ms pass. */
static void run_until(uint64_t received, uint64_t runs, uint64_t ms) {
    until_t u = {received, runs, clock_ns() + ms * MS};
    sched_run_until(until_done, &u);
}

KTEST(console_input_loopback_irq) {
    /* Loopback (MCR bit 4): THR feeds the receiver inside the UART, nothing goes out on
     * the line, and the receive interrupt works as usual (QEMU delivers it; a real PC's
     * OUT2 gate may not). 10 bytes fit the 16-byte receive FIFO, so none can overrun. */
    static const uint8_t msg[] = {'l', 'o', 'o', 'p', 0x00, 0xff, '\r', '\n', 0x1b, 'z'};
    static cont_t w;
    drain();
    console_input_stats_t s0, s1;
    console_input_get_stats(&s0);
    atomic_store(&waiter_runs, 0);
    cont_init(&w, waiter_count, NULL);
    console_read_wait(&w);
    bool waited = cont_state(&w) == CONT_WAITING;

    uint8_t mcr = serial_mcr();
    serial_set_mcr(mcr | SERIAL_MCR_LOOPBACK);
    for (size_t i = 0; i < sizeof(msg); i++) {
        serial_put_raw(msg[i]);
    }
    run_until(s0.received + sizeof(msg), 1, 5000);
    serial_set_mcr(mcr);
    run_until(~0ull, ~0ull, 20);              /* time for a second, wrong, spawn of w */
    bool cancelled = console_read_cancel(&w); /* if it was never woken: ours again */
    console_input_get_stats(&s1);
    uint8_t got[32];
    uint64_t n = console_read(got, sizeof(got));

    KT_ASSERT(waited);
    KT_ASSERT(!cancelled);
    KT_ASSERT_EQ(s1.received - s0.received, sizeof(msg));
    KT_ASSERT_EQ(s1.dropped, s0.dropped);
    KT_ASSERT(s1.irqs > s0.irqs); /* the interrupt handler took them: nothing else reads RBR */
    KT_ASSERT_EQ(n, sizeof(msg));
    KT_ASSERT(memcmp(got, msg, sizeof(msg)) == 0);
    KT_ASSERT_EQ(atomic_load(&waiter_runs), 1);
    KT_ASSERT_EQ(cont_state(&w), CONT_DONE);

    /* Empty again: a new waiter waits, and cancelling gives it back exactly once. */
    cont_init(&w, waiter_count, NULL);
    console_read_wait(&w);
    KT_ASSERT_EQ(cont_state(&w), CONT_WAITING);
    KT_ASSERT_EQ(console_read(got, sizeof(got)), 0);
    KT_ASSERT(console_read_cancel(&w));
    KT_ASSERT(!console_read_cancel(&w));
    KT_ASSERT_EQ(atomic_load(&waiter_runs), 1);
}

KTEST(console_input_overflow_counted) {
    static uint8_t in[CONSOLE_INPUT_BUF + 37], out[CONSOLE_INPUT_BUF + 64];
    for (size_t i = 0; i < sizeof(in); i++) {
        in[i] = (uint8_t)(i * 7 + 3);
    }
    drain();
    console_input_stats_t s0, s1, s2;
    console_input_get_stats(&s0);
    console_input_feed(in, sizeof(in));
    console_input_get_stats(&s1);
    console_input_feed(in, 5); /* already full: all five dropped */
    console_input_get_stats(&s2);
    uint64_t n = console_read(out, sizeof(out));

    KT_ASSERT_EQ(s1.received - s0.received, sizeof(in));
    KT_ASSERT_EQ(s1.dropped - s0.dropped, 37);
    KT_ASSERT_EQ(s1.buffered, CONSOLE_INPUT_BUF);
    KT_ASSERT_EQ(s2.dropped - s1.dropped, 5);
    KT_ASSERT_EQ(n, CONSOLE_INPUT_BUF);
    KT_ASSERT(memcmp(out, in, CONSOLE_INPUT_BUF) == 0); /* the oldest kept, in order */
    KT_ASSERT_EQ(console_read(out, sizeof(out)), 0);
}

KTEST(console_read_waiters_all_woken) {
    static cont_t w[3];
    drain();
    atomic_store(&waiter_runs, 0);
    atomic_store(&waiter_bytes, 0);
    for (int i = 0; i < 3; i++) {
        cont_init(&w[i], waiter_read_one, NULL);
        console_read_wait(&w[i]);
    }
    console_input_stats_t s0;
    console_input_get_stats(&s0);
    static const uint8_t one = 'x';
    console_input_feed(&one, 1);
    run_until(0, 3, 5000);
    run_until(~0ull, ~0ull, 20); /* time for a spurious second run */
    int stranded = 0;
    for (int i = 0; i < 3; i++) {
        stranded += console_read_cancel(&w[i]);
    }
    KT_ASSERT_EQ(stranded, 0);
    KT_ASSERT_EQ(atomic_load(&waiter_runs), 3);
    KT_ASSERT_EQ(atomic_load(&waiter_bytes), 1); /* they raced; one won */
    console_input_stats_t s1;
    console_input_get_stats(&s1);
    KT_ASSERT_EQ(s1.buffered, 0);

    /* A waiter registered while a byte is buffered is spawned at once. */
    atomic_store(&waiter_runs, 0);
    console_input_feed(&one, 1);
    cont_init(&w[0], waiter_count, NULL);
    console_read_wait(&w[0]);
    run_until(0, 1, 5000);
    KT_ASSERT_EQ(atomic_load(&waiter_runs), 1);
    drain();
}
