/*
 * ktests for kernel tracing (kernel/trace/): records from every core at once, in thread
 * context and from interrupt handlers (IPIs on the other cores, timer interrupts on this
 * one) landing between a thread's records, checked for counts, order and nesting; nothing
 * recorded while off; and (bench_trace, run only when named) the cost of a trace point.
 */
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/smp.h>
#include <dev/clock.h>
#include <kernel/cpu.h>
#include <kernel/kprintf.h>
#include <ktest/ktest.h>
#include <sched/sched.h>
#include <trace/trace.h>

#define MARK_TAG 0x7e57u /* arg1 of every mark these tests write */
#define SRC_THREAD 1u
#define SRC_IPI 2u
#define SRC_TIMER 3u
#define IPI_CALLS 8 /* calls this core makes to each other core */
#define IPI_MARKS 5 /* marks each call writes in the IPI handler */
#define TIMERS 24   /* timers on this core, each writing one mark in its interrupt */
#define TIMER_GAP_NS 50000

static void mark(uint32_t src, uint64_t k) {
    trace_event(EXO_TRACE_MARK, ((uint64_t)src << 32) | k, MARK_TAG);
}

static uint64_t thread_marks[MAX_CPUS]; /* written by each core's own thread context */
static _Atomic uint64_t ipi_marks[MAX_CPUS];
static _Atomic uint64_t timers_fired;
static _Atomic uint64_t conts_done;
static uint64_t thread_target;
static cont_t conts[MAX_CPUS];
static ktimer_t timers[TIMERS];

static void ipi_fn(void *arg) { /* in the IPI handler of the core it was sent to */
    (void)arg;
    uint32_t me = this_cpu()->index;
    for (int i = 0; i < IPI_MARKS; i++) {
        mark(SRC_IPI, atomic_fetch_add(&ipi_marks[me], 1));
    }
}

static void timer_fn(ktimer_t *t) { /* in this core's timer interrupt, in deadline order */
    (void)t;
    mark(SRC_TIMER, atomic_fetch_add(&timers_fired, 1));
}

static void ipi_round(void) {
    for (uint32_t i = 1; i < cpu_count; i++) {
        smp_call(i, ipi_fn, NULL, true);
    }
}

/* The other cores (conts[i] runs on core i): thread_target marks from a continuation,
 * which runs with interrupts off, letting them in between each two marks. */
static void cont_fn(cont_t *self) {
    uint32_t me = this_cpu()->index;
    uint32_t want = (uint32_t)(self - conts);
    if (me != want) { /* stolen: back to the core it is for */
        sched_spawn_on(want, self);
        return;
    }
    while (thread_marks[me] < thread_target) {
        mark(SRC_THREAD, thread_marks[me]++);
        sched_irq_window();
    }
    atomic_fetch_add(&conts_done, 1);
}

/* This core: marks from the test itself, with interrupts on, so the timer interrupts (and
 * their marks) land anywhere, inside a trace point too. One timer is armed at a time, the
 * next once it fired, so each fires in an interrupt of its own among the marks. After the
 * last it sends the other cores their IPIs among its marks (an IPI round keeps interrupts
 * off until the other cores answer), then makes 16 marks more. */
static bool home_loop(void) {
    uint64_t deadline = clock_ns() + 5ull * 1000 * 1000 * 1000, after = 0;
    uint32_t calls = 0, armed = 0;
    while ((thread_marks[0] < thread_target || calls < IPI_CALLS || after < 16) &&
           clock_ns() < deadline && thread_marks[0] < trace_records() / 2) {
        mark(SRC_THREAD, thread_marks[0]++);
        clock_delay_ns(TIMER_GAP_NS / 2); /* a few marks a timer: the ring does not wrap */
        uint64_t fired = atomic_load(&timers_fired);
        if (armed < TIMERS && fired == armed) {
            ktimer_init(&timers[armed], timer_fn, NULL);
            if (timer_start(&timers[armed++], rdtsc() + clock_ns_to_tsc(TIMER_GAP_NS))) {
                return false;
            }
        }
        after += fired == TIMERS && calls == IPI_CALLS;
        if (fired == TIMERS && calls < IPI_CALLS && thread_marks[0] % 4 == 0) {
            ipi_round();
            calls++;
        }
    }
    return true;
}

static bool others_done(void *arg) {
    (void)arg;
    return atomic_load(&conts_done) == cpu_count - 1;
}

/* What one core's buffer held, read back after recording stopped. */
typedef struct scan {
    uint64_t records, lost;
    uint64_t count[4];    /* marks by source */
    uint64_t next[4];     /* the k each source's next mark must carry */
    uint64_t last_tsc[4]; /* marks of one source come with rising TSC values */
    uint64_t between;     /* thread marks after the first timer mark, before the last */
    bool bad_order, bad_cpu, bad_nesting, bad_tsc;
} scan_t;

static void scan_core(uint32_t cpu, scan_t *s) {
    tbuf_t *b = trace_buf(cpu);
    uint8_t stack[8];
    uint32_t depth = 0;
    bool timer_seen = false;
    __builtin_memset(s, 0, sizeof(*s));
    for (uint64_t n = tbuf_oldest(b); n < tbuf_head(b); n++) {
        exo_trace_rec_t r;
        if (!tbuf_read(b, n, &r)) {
            s->lost++;
            continue;
        }
        s->records++;
        s->bad_cpu |= r.cpu != cpu;
        if (r.event == EXO_TRACE_IRQ) {
            s->bad_nesting |= depth == sizeof(stack);
            stack[depth < sizeof(stack) ? depth++ : depth - 1] = (uint8_t)r.arg1;
        } else if (r.event == EXO_TRACE_IRQ_DONE && depth > 0) {
            s->bad_nesting |= stack[--depth] != r.arg1;
        } else if (r.event == EXO_TRACE_MARK && r.arg1 == MARK_TAG) {
            uint32_t src = (uint32_t)(r.arg0 >> 32);
            uint64_t k = r.arg0 & 0xffffffffu;
            if (src < SRC_THREAD || src > SRC_TIMER) {
                s->bad_order = true;
                continue;
            }
            /* Thread marks outside any interrupt, IPI and timer marks inside their own. */
            uint8_t want = src == SRC_IPI ? VEC_IPI_CALL : VEC_TIMER;
            s->bad_nesting |=
                src == SRC_THREAD ? depth != 0 : depth == 0 || stack[depth - 1] != want;
            s->bad_order |= k != s->next[src];
            s->bad_tsc |= r.tsc < s->last_tsc[src];
            s->next[src] = k + 1;
            s->last_tsc[src] = r.tsc;
            s->count[src]++;
            timer_seen |= src == SRC_TIMER;
            s->between += src == SRC_THREAD && timer_seen && s->count[SRC_TIMER] < TIMERS;
        }
    }
}

KTEST(trace_every_core_and_irq) {
    KT_ASSERT(read_rflags() & (1u << 9)); /* the test runs with interrupts on (IF) */
    bool was_on = trace_on();
    KT_ASSERT_EQ(trace_start(), STATUS_OK);
    KT_ASSERT(trace_records() >= 1024);
    trace_clear();
    thread_target = trace_records() / 8;
    for (uint32_t i = 0; i < cpu_count; i++) {
        thread_marks[i] = 0;
        atomic_store(&ipi_marks[i], 0);
        cont_init(&conts[i], cont_fn, NULL);
    }
    atomic_store(&timers_fired, 0);
    atomic_store(&conts_done, 0);
    for (uint32_t i = 1; i < cpu_count; i++) {
        sched_spawn_on(i, &conts[i]);
    }
    KT_ASSERT(home_loop());
    sched_run_until(others_done, NULL);
    trace_stop();
    clock_delay_ns(2000000); /* trace points that passed the switch just before finish */
    KT_ASSERT_EQ(atomic_load(&timers_fired), TIMERS);

    for (uint32_t cpu = 0; cpu < cpu_count; cpu++) {
        scan_t s;
        scan_core(cpu, &s);
        kprintf("trace_test: core %u: %lu records, %lu thread marks (%lu between the first and "
                "the last timer mark), %lu IPI marks, %lu timer marks\n",
                cpu, s.records, s.count[SRC_THREAD], s.between, s.count[SRC_IPI],
                s.count[SRC_TIMER]);
        KT_ASSERT_EQ(s.lost, 0);
        KT_ASSERT(!s.bad_cpu);
        KT_ASSERT(!s.bad_order);
        KT_ASSERT(!s.bad_nesting);
        KT_ASSERT(!s.bad_tsc);
        KT_ASSERT_EQ(s.count[SRC_THREAD], thread_marks[cpu]);
        KT_ASSERT(thread_marks[cpu] >= thread_target);
        KT_ASSERT_EQ(s.count[SRC_IPI], cpu == 0 ? 0 : IPI_CALLS * IPI_MARKS);
        KT_ASSERT_EQ(s.count[SRC_TIMER], cpu == 0 ? TIMERS : 0);
        if (cpu == 0) {
            /* each timer was armed from a later thread mark than the one before it fired */
            KT_ASSERT(s.between >= TIMERS - 1);
        }
    }
    if (was_on) {
        KT_ASSERT_EQ(trace_start(), STATUS_OK);
    }
}

static void touch(void *arg) {
    (void)arg;
    trace_event(EXO_TRACE_MARK, 1, MARK_TAG);
}

KTEST(trace_off_records_nothing) {
    bool was_on = trace_on();
    KT_ASSERT_EQ(trace_start(), STATUS_OK); /* buffers exist */
    trace_stop();
    clock_delay_ns(1000000);
    uint64_t heads[MAX_CPUS];
    for (uint32_t i = 0; i < cpu_count; i++) {
        heads[i] = tbuf_head(trace_buf(i));
    }
    for (uint32_t i = 0; i < cpu_count; i++) {
        smp_call(i, touch, NULL, true); /* IPIs, handlers, marks: all trace points */
    }
    for (int i = 0; i < 1000; i++) {
        touch(NULL);
    }
    for (uint32_t i = 0; i < cpu_count; i++) {
        KT_ASSERT_EQ(tbuf_head(trace_buf(i)), heads[i]);
    }
    KT_ASSERT_EQ(trace_start(), STATUS_OK); /* and on again, a mark lands */
    uint64_t h = tbuf_head(trace_buf(this_cpu()->index));
    touch(NULL);
    KT_ASSERT(tbuf_head(trace_buf(this_cpu()->index)) > h);
    if (!was_on) {
        trace_stop();
    }
}

/* --- bench_trace: TSC cycles per trace point, median of 5 rounds --------------------- */

#define BENCH_N 100000

/* Every loop has the same compiler barrier, so the flag is loaded again each time. */
static uint64_t bench_empty(void) {
    uint64_t t0 = rdtsc();
    for (uint64_t i = 0; i < BENCH_N; i++) {
        __asm__ volatile("" ::: "memory");
    }
    return (rdtsc() - t0) * 100 / BENCH_N;
}

static uint64_t bench_points(void) {
    uint64_t t0 = rdtsc();
    for (uint64_t i = 0; i < BENCH_N; i++) {
        trace_event(EXO_TRACE_MARK, i, 0);
        __asm__ volatile("" ::: "memory");
    }
    return (rdtsc() - t0) * 100 / BENCH_N;
}

static uint64_t bench_rdtsc(void) {
    uint64_t t0 = rdtsc(), sink = 0;
    for (uint64_t i = 0; i < BENCH_N; i++) {
        sink += rdtsc();
        __asm__ volatile("" ::: "memory");
    }
    (void)sink;
    return (rdtsc() - t0) * 100 / BENCH_N;
}

static void print_cycles(const char *name, uint64_t centi) {
    kprintf("bench: %s %lu.%02lu\n", name, centi / 100, centi % 100);
}

KTEST_MANUAL(bench_trace) {
    bool was_on = trace_on();
    kprintf("bench: TSC cycles per iteration, median of 5 rounds of %u, core %u\n", BENCH_N,
            this_cpu()->index);
    print_cycles("trace_loop_empty", ktest_median5(bench_empty));
    trace_stop();
    uint64_t off = ktest_median5(bench_points);
    print_cycles("trace_point_off", off);
    KT_ASSERT_EQ(trace_start(), STATUS_OK);
    uint64_t on = ktest_median5(bench_points);
    print_cycles("trace_point_on", on);
    print_cycles("trace_rdtsc", ktest_median5(bench_rdtsc));
    if (!was_on) {
        trace_stop();
    }
    trace_clear();
    KT_ASSERT(on > off);
}
