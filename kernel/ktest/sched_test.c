/*
 * ktests for the continuation scheduler: many spawns from one core, stealing, DAG order,
 * events, timers against the HPET, IPIs, and a mixed stress run. They pass on one core
 * and on many; "every core ran some" is checked only when there are several.
 */
#include <arch/cpu.h>
#include <arch/smp.h>
#include <dev/clock.h>
#include <kernel/cpu.h>
#include <kernel/string.h>
#include <ktest/ktest.h>
#include <mm/heap.h>
#include <sched/sched.h>

typedef struct until {
    _Atomic uint64_t *count;
    uint64_t target;
    uint64_t deadline_ns;
} until_t;

static bool until_done(void *arg) {
    until_t *u = arg;
    return atomic_load(u->count) >= u->target || clock_ns() > u->deadline_ns;
}

/* Runs continuations on this core until *count reaches target or 60 s pass; true if
 * the count was reached. */
static bool wait_count(_Atomic uint64_t *count, uint64_t target) {
    until_t u = {count, target, clock_ns() + 60ull * 1000 * 1000 * 1000};
    sched_run_until(until_done, &u);
    return atomic_load(count) >= target;
}

static void ran_per_core(uint64_t *out) {
    for (uint32_t i = 0; i < cpu_count; i++) {
        out[i] = atomic_load(&cpus[i]->stats.ran);
    }
}

/* --- 100 000 continuations from one core ------------------------------------------- */

#define MANY 100000
static cont_t *many_conts; /* MANY of them, from the heap (5.6 MB: not in the image) */
static _Atomic uint8_t many_runs[MANY];
static _Atomic uint64_t many_done;

static void many_fn(cont_t *self) {
    uint32_t i = (uint32_t)(self - many_conts);
    atomic_fetch_add(&many_runs[i], 1);
    for (volatile int spin = 0; spin < 1000; spin++) { /* enough work for thieves */
    }
    atomic_fetch_add(&many_done, 1);
}

KTEST(sched_100k_spawns_run_once) {
    uint64_t before[MAX_CPUS], after[MAX_CPUS];
    ran_per_core(before);
    many_conts = kmalloc(MANY * sizeof(cont_t));
    KT_ASSERT(many_conts != NULL);
    atomic_store(&many_done, 0);
    for (uint32_t i = 0; i < MANY; i++) {
        atomic_store(&many_runs[i], 0);
        cont_init(&many_conts[i], many_fn, NULL);
        sched_spawn(&many_conts[i]);
    }
    KT_ASSERT(wait_count(&many_done, MANY));
    for (uint32_t i = 0; i < MANY; i++) {
        KT_ASSERT_EQ(atomic_load(&many_runs[i]), 1);
        KT_ASSERT_EQ(cont_state(&many_conts[i]), CONT_DONE);
    }
    ran_per_core(after);
    uint64_t total = 0;
    for (uint32_t i = 0; i < cpu_count; i++) {
        total += after[i] - before[i];
        if (cpu_count > 1) {
            KT_ASSERT(after[i] - before[i] > 0); /* every core ran some */
        }
    }
    KT_ASSERT(total >= MANY);
    kfree(many_conts);
}

/* --- a DAG: root -> 8 children -> 4 grandchildren each -> per-child join -> final join - */

#define FAN 8
#define SUB 4
static _Atomic uint64_t dag_clock;
typedef struct dag_node {
    cont_t c;
    uint64_t start, end;
} dag_node_t;
static dag_node_t dag_root, dag_child[FAN], dag_grand[FAN][SUB], dag_cjoin[FAN], dag_final;
static _Atomic uint64_t dag_finished;

static void dag_stamp_start(cont_t *self) {
    ((dag_node_t *)self)->start = atomic_fetch_add(&dag_clock, 1);
}

static void dag_stamp_end(cont_t *self) {
    ((dag_node_t *)self)->end = atomic_fetch_add(&dag_clock, 1);
}

static void dag_leaf(cont_t *self) {
    dag_stamp_start(self);
    dag_stamp_end(self);
}

static void dag_child_fn(cont_t *self) {
    dag_stamp_start(self);
    dag_node_t *n = (dag_node_t *)self;
    uint32_t i = (uint32_t)(n - dag_child);
    for (uint32_t j = 0; j < SUB; j++) {
        cont_init(&dag_grand[i][j].c, dag_leaf, NULL);
        cont_then(&dag_grand[i][j].c, &dag_cjoin[i].c);
    }
    dag_stamp_end(self); /* before the grandchildren can start */
    for (uint32_t j = 0; j < SUB; j++) {
        sched_spawn(&dag_grand[i][j].c);
    }
}

static void dag_root_fn(cont_t *self) {
    dag_stamp_start(self);
    for (uint32_t i = 0; i < FAN; i++) {
        cont_init(&dag_child[i].c, dag_child_fn, NULL);
    }
    dag_stamp_end(self);
    for (uint32_t i = 0; i < FAN; i++) {
        sched_spawn(&dag_child[i].c);
    }
}

static void dag_final_fn(cont_t *self) {
    dag_leaf(self);
    atomic_store(&dag_finished, 1);
}

KTEST(sched_dag_order) {
    atomic_store(&dag_clock, 1);
    atomic_store(&dag_finished, 0);
    cont_init(&dag_root.c, dag_root_fn, NULL);
    cont_init(&dag_final.c, dag_final_fn, NULL);
    for (uint32_t i = 0; i < FAN; i++) {
        cont_init(&dag_cjoin[i].c, dag_leaf, NULL);
        cont_then(&dag_cjoin[i].c, &dag_final.c);
    }
    sched_spawn(&dag_root.c);
    KT_ASSERT(wait_count(&dag_finished, 1));
    for (uint32_t i = 0; i < FAN; i++) {
        KT_ASSERT(dag_child[i].start > dag_root.end);
        for (uint32_t j = 0; j < SUB; j++) {
            KT_ASSERT(dag_grand[i][j].start > dag_child[i].end);
            KT_ASSERT(dag_cjoin[i].start > dag_grand[i][j].end); /* join after all preds */
        }
        KT_ASSERT(dag_final.start > dag_cjoin[i].end);
    }
    KT_ASSERT_EQ(atomic_load(&dag_clock), 1 + 2 * (2 + FAN * (2 + SUB)));
}

/* --- events ------------------------------------------------------------------------ */

static event_t ev;
static _Atomic uint64_t ev_runs;

static void ev_fn(cont_t *self) {
    (void)self;
    atomic_fetch_add(&ev_runs, 1);
}

KTEST(sched_event_wakes_waiters) {
    static cont_t waiters[16];
    event_init(&ev);
    atomic_store(&ev_runs, 0);
    for (int i = 0; i < 16; i++) {
        cont_init(&waiters[i], ev_fn, NULL);
        event_wait(&ev, &waiters[i]);
        KT_ASSERT_EQ(cont_state(&waiters[i]), CONT_WAITING);
    }
    clock_delay_ns(1000 * 1000);
    KT_ASSERT_EQ(atomic_load(&ev_runs), 0); /* nothing runs before the signal */
    event_signal(&ev);
    KT_ASSERT(wait_count(&ev_runs, 16));
    static cont_t late;
    cont_init(&late, ev_fn, NULL);
    event_wait(&ev, &late); /* already signaled: runs at once */
    KT_ASSERT(wait_count(&ev_runs, 17));
}

/* --- timers against the HPET -------------------------------------------------------- */

#define NTIMERS 40
/* Stated tolerance. Timers expire by the TSC, so by the TSC none is ever early; by the
 * HPET a timer may look early by the TSC calibration error, allowed up to 2 % of its
 * delay plus 200 us (under TCG a calibration window the host preempts is off by more than
 * the 0.5 % first allowed here: seen once in a clean-clone CI run), and may be late by at
 * most 50 ms (under TCG the lateness is the host's scheduling of the vCPU thread). */
#define TIMER_LATE_US 50000
#define TIMER_EARLY_US(delay_us) ((delay_us) / 50 + 200)
static ktimer_t timers[NTIMERS];
static uint64_t timer_want_fs[NTIMERS], timer_fired_fs[NTIMERS], timer_delay_us[NTIMERS];
static uint64_t timer_fired_tsc[NTIMERS];
static _Atomic uint64_t timer_order[NTIMERS];
static _Atomic uint64_t timers_fired;

static void timer_fn(ktimer_t *t) {
    uint32_t i = (uint32_t)(t - timers);
    timer_fired_fs[i] = hpet_now_fs();
    timer_fired_tsc[i] = rdtsc();
    timer_order[atomic_fetch_add(&timers_fired, 1)] = i;
}

KTEST(timers_fire_in_order_on_time) {
    atomic_store(&timers_fired, 0);
    uint64_t now_tsc = rdtsc(), now_fs = 0;
    if (hpet_now_fs() != 0) {
        hpet_sample(&now_tsc, &now_fs); /* a tight pair: deadlines by TSC, checks by HPET */
    }
    uint32_t x = 2463534242u;
    for (uint32_t i = 0; i < NTIMERS; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        uint64_t delay_us = 2000 + x % 60000; /* 2..62 ms */
        if (i % 8 == 7) {
            delay_us = 30000; /* some equal deadlines: FIFO among them */
        }
        ktimer_init(&timers[i], timer_fn, NULL);
        timer_want_fs[i] = now_fs + delay_us * 1000000000ull;
        timer_delay_us[i] = delay_us;
        KT_ASSERT_EQ(timer_start(&timers[i], now_tsc + clock_ns_to_tsc(delay_us * 1000)),
                     STATUS_OK);
    }
    KT_ASSERT(wait_count(&timers_fired, NTIMERS));
    for (uint32_t k = 0; k < NTIMERS; k++) {
        uint32_t i = (uint32_t)timer_order[k];
        KT_ASSERT(timer_fired_tsc[i] >= timers[i].deadline); /* never early by its clock */
        if (now_fs == 0) {
            continue; /* no HPET (the PM timer calibrated the TSC): order checks only */
        }
        int64_t late_us = ((int64_t)timer_fired_fs[i] - (int64_t)timer_want_fs[i]) / 1000000000;
        KT_ASSERT_EQ(late_us >= -(int64_t)TIMER_EARLY_US(timer_delay_us[i]), 1);
        KT_ASSERT_EQ(late_us <= TIMER_LATE_US, 1);
        if (k > 0) {
            uint32_t p = (uint32_t)timer_order[k - 1];
            KT_ASSERT(timers[p].deadline <= timers[i].deadline);
            if (timers[p].deadline == timers[i].deadline) {
                KT_ASSERT(p < i); /* equal deadlines fire in the order started */
            }
        }
    }
    static ktimer_t cancelled;
    ktimer_init(&cancelled, timer_fn, NULL);
    bool irq = irq_save(); /* it is armed here: it cannot fire before the cancel */
    status_t started = timer_start(&cancelled, rdtsc() + clock_ns_to_tsc(1000000));
    bool was_queued = timer_cancel(&cancelled);
    irq_restore(irq);
    KT_ASSERT_EQ(started, STATUS_OK);
    KT_ASSERT(was_queued);
    clock_delay_ns(3000000);
    KT_ASSERT_EQ(atomic_load(&timers_fired), NTIMERS); /* the cancelled one never fired */
}

/* --- IPIs --------------------------------------------------------------------------- */

static _Atomic uint64_t ipi_hits[MAX_CPUS];

static void ipi_fn(void *arg) {
    atomic_fetch_add(&ipi_hits[this_cpu()->index], (uint64_t)(uintptr_t)arg);
}

KTEST(ipi_round_trip_every_core) {
    for (uint32_t i = 0; i < cpu_count; i++) {
        atomic_store(&ipi_hits[i], 0);
    }
    for (int round = 0; round < 100; round++) {
        for (uint32_t i = 0; i < cpu_count; i++) {
            smp_call(i, ipi_fn, (void *)1, true);
        }
    }
    for (uint32_t i = 0; i < cpu_count; i++) {
        KT_ASSERT_EQ(atomic_load(&ipi_hits[i]), 100);
    }
}

/* --- stress: timers spawn continuations that spawn more and send IPIs --------------- */

#define STRESS_TIMERS 64
#define STRESS_FANOUT 50
static _Atomic uint64_t stress_leaves, stress_ipis, stress_timer_conts;
static cont_t stress_conts[STRESS_TIMERS];
static ktimer_t stress_timers[STRESS_TIMERS];

static void stress_leaf(cont_t *self) {
    (void)self;
    atomic_fetch_add(&stress_leaves, 1);
}

static void stress_ipi(void *arg) {
    (void)arg;
    atomic_fetch_add(&stress_ipis, 1);
}

static void stress_from_timer(cont_t *self) {
    (void)self;
    atomic_fetch_add(&stress_timer_conts, 1);
    for (int i = 0; i < STRESS_FANOUT; i++) {
        cont_t *c = cont_new(stress_leaf, NULL);
        if (c) {
            sched_spawn(c);
        } else {
            atomic_fetch_add(&stress_leaves, 1); /* counted so the total still checks */
        }
    }
    uint32_t target = (this_cpu()->index + 1) % cpu_count;
    smp_call(target, stress_ipi, NULL, true);
}

KTEST(sched_stress_consistent) {
    heap_stats_t h0, h1;
    heap_get_stats(&h0);
    atomic_store(&stress_leaves, 0);
    atomic_store(&stress_ipis, 0);
    atomic_store(&stress_timer_conts, 0);
    for (uint32_t i = 0; i < STRESS_TIMERS; i++) {
        cont_init(&stress_conts[i], stress_from_timer, NULL);
        KT_ASSERT_EQ(sched_after(&stress_conts[i], &stress_timers[i], 100000 + i * 37000),
                     STATUS_OK);
    }
    KT_ASSERT(wait_count(&stress_leaves, STRESS_TIMERS * STRESS_FANOUT));
    KT_ASSERT(wait_count(&stress_ipis, STRESS_TIMERS));
    KT_ASSERT_EQ(atomic_load(&stress_timer_conts), STRESS_TIMERS);
    KT_ASSERT_EQ(atomic_load(&stress_leaves), STRESS_TIMERS * STRESS_FANOUT);
    KT_ASSERT_EQ(atomic_load(&stress_ipis), STRESS_TIMERS);
    /* The last CONT_FREE continuations are freed just after they count: give them 1 s. */
    uint64_t deadline = clock_ns() + 1000ull * 1000 * 1000;
    do {
        heap_get_stats(&h1);
    } while (h1.live_objects != h0.live_objects && clock_ns() < deadline);
    KT_ASSERT_EQ(h1.live_objects, h0.live_objects);
}
