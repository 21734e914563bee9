/*
 * ringbench: cycle counts (rdtsc) of ring operations next to the null trap, for
 * docs/performance.md. Each figure is the median of BENCH_ROUNDS rounds, each the mean
 * over its iterations, after a warm-up round:
 *   null trap                 SYS_NULL: SYSCALL, dispatch, SYSRET
 *   ring_enter                SYS_RING_ENTER with nothing to submit or wait for: the
 *                             doorbell's fixed cost (cap decode, ring lock, backlog check)
 *   ring nop batch B          per nop, trap mode: B nops prepared, submit_and_wait(B) (one
 *                             trap takes and runs them all), B CQEs reaped
 *   ring nop polled batch B   per nop, SQPOLL: B nops published (no trap), CQEs awaited by
 *                             spinning on the CQ while the poller (started on the last core)
 *                             runs them; the app first moves off that core. With one core the
 *                             app yields to let the poller run: a figure of the scheduler,
 *                             not of polling
 */
#include <user/exo.h>
#include <user/ring.h>
#include <user/trap.h>

#include "bench.h"

#define ENTER_ITERS 20000
#define NOPS_PER_ROUND 8192
#define SPIN_BEFORE_YIELD 100000

static uint64_t bench_null(void) {
    uint64_t r[BENCH_ROUNDS];
    for (int k = -1; k < BENCH_ROUNDS; k++) {
        uint64_t t0 = rdtsc();
        for (int i = 0; i < ENTER_ITERS; i++) {
            exo_trap0(SYS_NULL);
        }
        if (k >= 0) {
            r[k] = (rdtsc() - t0) / ENTER_ITERS;
        }
        exo_yield(0);
    }
    return median(r, BENCH_ROUNDS);
}

static int64_t bench_enter(exo_ring_t *ring) {
    uint64_t r[BENCH_ROUNDS];
    for (int k = -1; k < BENCH_ROUNDS; k++) {
        uint64_t t0 = rdtsc();
        for (int i = 0; i < ENTER_ITERS; i++) {
            int64_t st = exo_ring_enter(ring->handle, 0, 0, 0);
            if (st != 0) {
                return st;
            }
        }
        if (k >= 0) {
            r[k] = (rdtsc() - t0) / ENTER_ITERS;
        }
        exo_yield(0);
    }
    return (int64_t)median(r, BENCH_ROUNDS);
}

/* Reaps n CQEs, spinning (then yielding, if the poller shares our core); false on an
 * error CQE. */
static bool reap(exo_ring_t *ring, uint32_t n, bool spin) {
    for (uint32_t got = 0, idle = 0; got < n;) {
        exo_cqe_t *c;
        if (exo_ring_peek_cqe(ring, &c) != STATUS_OK) {
            if (!spin || ++idle > SPIN_BEFORE_YIELD) {
                exo_yield(0);
                idle = 0;
            }
            continue;
        }
        if (c->res != 0) {
            return false;
        }
        exo_ring_cqe_seen(ring, c);
        got++;
    }
    return true;
}

/* Cycles per nop in batches of b; polled: the ring is SQPOLL, spin: the poller runs on
 * another core. */
static int64_t bench_nops(exo_ring_t *ring, uint32_t b, bool polled, bool spin) {
    uint64_t r[BENCH_ROUNDS];
    for (int k = -1; k < BENCH_ROUNDS; k++) {
        uint64_t t0 = rdtsc();
        for (uint32_t done = 0; done < NOPS_PER_ROUND; done += b) {
            for (uint32_t i = 0; i < b; i++) {
                exo_prep_nop(exo_ring_get_sqe(ring));
            }
            int64_t st = polled ? exo_ring_submit(ring) : exo_ring_submit_and_wait(ring, b);
            if (st < 0) {
                return st;
            }
            if (!reap(ring, b, spin)) {
                return ERR_STATE;
            }
        }
        if (k >= 0) {
            r[k] = (rdtsc() - t0) / NOPS_PER_ROUND;
        }
        exo_yield(0); /* the watchdog: submit_and_wait with nops never suspends */
    }
    return (int64_t)median(r, BENCH_ROUNDS);
}

/* The poller starts on the last core: find it by walking the cores (32 hops: an idle core
 * may steal us on the way, so no lap is sure to visit every core), then stay off it.
 * Returns the number of cores. */
static uint32_t leave_poller_core(void) {
    uint32_t last = exo_cpu();
    for (int i = 0; i < 32; i++) {
        exo_yield(YIELD_MIGRATE);
        uint32_t c = exo_cpu();
        last = c > last ? c : last;
    }
    for (int i = 0; i < 64 && last > 0 && exo_cpu() == last; i++) {
        exo_yield(YIELD_MIGRATE);
    }
    return last + 1;
}

static void report(const char *what, int64_t v) {
    if (v < 0) {
        exo_printf("bench: %s failed: %s\n", what, status_str((status_t)v));
    } else {
        exo_printf("bench: %s %ld cycles\n", what, v);
    }
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    static const uint32_t batches[] = {1, 8, 64};
    exo_ring_t ring;
    int64_t h = exo_ring_init(&ring, 64, 0);
    if (h < 0) {
        exo_printf("bench: ring_create: %s\n", status_str((status_t)h));
        return 1;
    }
    int failed = 0;
    uint64_t null_trap = bench_null();
    exo_printf("bench: null trap %lu cycles\n", null_trap);
    int64_t v = bench_enter(&ring);
    report("ring_enter (nothing to do)", v);
    failed += v < 0;
    char what[64];
    for (size_t i = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
        fmt_snprintf(what, sizeof(what), "ring nop batch %u", batches[i]);
        v = bench_nops(&ring, batches[i], false, false);
        report(what, v);
        failed += v < 0;
    }
    exo_ring_exit(&ring);

    uint32_t cores = leave_poller_core();
    exo_ring_params_t p = {.sq_entries = 64, .flags = EXO_RING_SQPOLL, .sq_idle_us = 100000};
    h = exo_ring_init_params(&ring, exo_memory_cap(), &p);
    if (h < 0) {
        exo_printf("bench: SQPOLL ring_create: %s\n", status_str((status_t)h));
        return 1;
    }
    exo_printf("bench: %u core(s), the app on core %u, the poller's home core %u\n", cores,
               exo_cpu(), cores - 1);
    for (size_t i = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
        leave_poller_core(); /* a wake-up may have put us back on it */
        fmt_snprintf(what, sizeof(what), "ring nop polled batch %u", batches[i]);
        v = bench_nops(&ring, batches[i], true, cores > 1);
        report(what, v);
        failed += v < 0;
    }
    exo_ring_exit(&ring);
    return failed ? 1 : 0;
}
