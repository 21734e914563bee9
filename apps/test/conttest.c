/*
 * conttest: userlib's continuation DAGs (user/cont.h) and time (user/time.h).
 *   fan-in   8 nodes sum slices of 1..80 000, a join node adds the partial sums: it must
 *            start only once all 8 have ended, and the total must be exact
 *   chain    5 nodes linked with then, the earlier ones sleeping longer: they must still
 *            run in chain order
 *   diamond  a -> (b, c) -> d: each sees its predecessors done
 *   cancel   a node after one that loops forever runs once that one is cancelled
 *   early    a predecessor waited for (its caps freed) before its successor starts
 *   errors   bad, wrong-type and under-privileged handles, waiting on oneself, too many
 *            predecessors, a node waited for twice: each its specific error
 *   waves    400 nodes, 50 at a time, to show nothing piles up
 *   time     exo_sleep_ns sleeps at least as long as asked; the wall clock is set
 * all of it twice: after the second round the kernel's figures must be exactly where the
 * first left them (the first may grow the shared page tables, which stay).
 */
#include <stdatomic.h>
#include <user/exo.h>

#define SLICES 8
#define SUM_TO 80000ull
#define CHAIN 5
#define WAVE 50
#define WAVES 8

static int failures, checks;

static void check(bool ok, const char *what) {
    exo_printf("conttest: %s: %s\n", what, ok ? "PASS" : "FAIL");
    failures += !ok;
    checks++;
}

static void check_status(int64_t got, int64_t want, const char *what) {
    exo_printf("conttest: %s: %s (expected %s): %s\n", what, status_str((status_t)got),
               status_str((status_t)want), got == want ? "PASS" : "FAIL");
    failures += got != want;
    checks++;
}

/* --- fan-in --- */

static uint64_t partial[SLICES];
static _Atomic uint32_t slices_done, cores_seen;
static uint64_t total;
static bool join_saw_all;

static void sum_slice(void *arg) {
    uint64_t i = (uint64_t)(uintptr_t)arg, step = SUM_TO / SLICES, s = 0;
    for (uint64_t v = i * step + 1; v <= (i + 1) * step; v++) {
        s += v;
        if (v % 2000 == 0) {
            exo_yield(YIELD_MIGRATE); /* spread over the cores, interleave with the others */
        }
    }
    atomic_fetch_or(&cores_seen, 1u << (exo_cpu() & 31));
    partial[i] = s;
    atomic_fetch_add(&slices_done, 1);
}

static void add_partials(void *arg) {
    (void)arg;
    join_saw_all = atomic_load(&slices_done) == SLICES;
    for (int i = 0; i < SLICES; i++) {
        total += partial[i];
    }
}

static void fan_in(void) {
    atomic_store(&slices_done, 0);
    total = 0;
    join_saw_all = false;
    exo_cont_t slice[SLICES], sum;
    exo_cont_t *prevs[SLICES];
    int64_t st = 0;
    for (int i = 0; i < SLICES && st == 0; i++) {
        st = exo_cont_start(&slice[i], sum_slice, (void *)(uintptr_t)i);
        prevs[i] = &slice[i];
    }
    st = st ? st : exo_cont_join(&sum, prevs, SLICES, add_partials, NULL);
    check_status(st, 0, "fan-in: 8 nodes and a join node after them start");
    if (st != 0) {
        return;
    }
    int64_t w = exo_cont_wait(&sum);
    for (int i = 0; i < SLICES; i++) {
        w |= exo_cont_wait(&slice[i]);
    }
    check(w == 0, "fan-in: every node waited for");
    check(join_saw_all, "fan-in: the join node started only after all 8 had ended");
    exo_printf("conttest: fan-in: total %lu, expected %lu; cores used mask 0x%x\n", total,
               (uint64_t)(SUM_TO * (SUM_TO + 1) / 2), atomic_load(&cores_seen));
    check(total == SUM_TO * (SUM_TO + 1) / 2, "fan-in: the sum of the partial sums is exact");
}

/* --- chain --- */

static uint32_t chain_log[CHAIN];
static _Atomic uint32_t chain_pos;

static void chain_step(void *arg) {
    uint32_t i = (uint32_t)(uintptr_t)arg;
    exo_sleep_ns((CHAIN - i) * 3000000ull); /* earlier steps sleep longer */
    chain_log[atomic_fetch_add(&chain_pos, 1)] = i;
}

static void chain(void) {
    atomic_store(&chain_pos, 0);
    exo_cont_t step[CHAIN];
    int64_t st = exo_cont_start(&step[0], chain_step, (void *)0);
    for (uint32_t i = 1; i < CHAIN && st == 0; i++) {
        st = exo_cont_then(&step[i], &step[i - 1], chain_step, (void *)(uintptr_t)i);
    }
    check_status(st, 0, "chain: 5 nodes linked with then start");
    if (st != 0) {
        return;
    }
    exo_cont_wait(&step[CHAIN - 1]);
    bool in_order = atomic_load(&chain_pos) == CHAIN;
    for (uint32_t i = 0; i < CHAIN; i++) {
        in_order = in_order && chain_log[i] == i;
    }
    for (uint32_t i = 0; i + 1 < CHAIN; i++) { /* the last was waited for above */
        exo_cont_wait(&step[i]);
    }
    check(in_order, "chain: the steps ran in chain order although the earlier ones slept longer");
}

/* --- diamond --- */

static _Atomic uint32_t diamond_done;
static bool diamond_ok = true;

static void diamond_node(void *arg) {
    uint32_t me = (uint32_t)(uintptr_t)arg, need = me == 0 ? 0 : me == 3 ? 0x6 : 0x1;
    exo_yield(YIELD_MIGRATE);
    if ((atomic_load(&diamond_done) & need) != need) {
        diamond_ok = false;
    }
    atomic_fetch_or(&diamond_done, 1u << me);
}

static void diamond(void) {
    atomic_store(&diamond_done, 0);
    diamond_ok = true;
    exo_cont_t a, b, c, d;
    int64_t st = exo_cont_start(&a, diamond_node, (void *)0);
    st = st ? st : exo_cont_then(&b, &a, diamond_node, (void *)1);
    st = st ? st : exo_cont_then(&c, &a, diamond_node, (void *)2);
    exo_cont_t *bc[] = {&b, &c};
    st = st ? st : exo_cont_join(&d, bc, 2, diamond_node, (void *)3);
    check_status(st, 0, "diamond: a, then b and c, then d start");
    if (st != 0) {
        return;
    }
    exo_cont_wait(&d);
    exo_cont_wait(&c);
    exo_cont_wait(&b);
    exo_cont_wait(&a);
    check(diamond_ok && atomic_load(&diamond_done) == 0xf,
          "diamond: every node ran once, each after its predecessors");
}

/* --- cancel, early --- */

static _Atomic bool forever_running, after_ran;

static void forever(void *arg) {
    (void)arg;
    atomic_store(&forever_running, true);
    for (;;) {
        exo_yield(0);
    }
}

static void mark_after(void *arg) {
    (void)arg;
    atomic_store(&after_ran, true);
}

static void quick(void *arg) {
    (void)arg;
}

static void cancel_and_early(void) {
    atomic_store(&forever_running, false);
    atomic_store(&after_ran, false);
    exo_cont_t loop, after;
    if (exo_cont_start(&loop, forever, NULL) != 0 ||
        exo_cont_then(&after, &loop, mark_after, NULL) != 0) {
        check(false, "cancel: start");
        return;
    }
    while (!atomic_load(&forever_running)) {
        exo_yield(0);
    }
    exo_sleep_ns(5000000);
    check(!atomic_load(&after_ran), "cancel: the node after a looping one has not run");
    check_status(exo_cont_cancel(loop.cap), 0, "cancel: the looping node cancelled");
    check_status(exo_cont_wait(&after), 0, "cancel: the node after it then runs and ends");
    check(atomic_load(&after_ran), "cancel: it ran");
    check_status(exo_cont_wait(&loop), 0, "cancel: the cancelled node waited for");

    atomic_store(&after_ran, false);
    exo_cont_t first, second;
    if (exo_cont_start(&first, quick, NULL) != 0 ||
        exo_cont_then(&second, &first, mark_after, NULL) != 0) {
        check(false, "early: start");
        return;
    }
    check_status(exo_cont_wait(&first), 0,
                 "early: a predecessor waited for (its caps freed) first");
    check_status(exo_cont_wait(&second), 0, "early: its successor still runs and ends");
    check(atomic_load(&after_ran), "early: it ran");
}

/* --- errors --- */

static exo_cont_t self_node;
static _Atomic int64_t self_wait = 1;

static void wait_self(void *arg) {
    (void)arg;
    exo_handle_t h;
    while ((h = __atomic_load_n(&self_node.cap, __ATOMIC_ACQUIRE)) == EXO_HANDLE_NONE) {
        exo_yield(0); /* the starter sets it once the spawn returns */
    }
    atomic_store(&self_wait, exo_cont_wait_cap(h));
}

static void errors(void) {
    check_status(exo_cont_wait_cap(0x7fff1234), ERR_BAD_HANDLE, "wait on a forged handle");
    check_status(exo_cont_wait_cap(exo_console_cap()), ERR_WRONG_TYPE, "wait on a console cap");
    exo_cont_t n;
    if (exo_cont_start(&n, forever, NULL) != 0) {
        check(false, "errors: start");
        return;
    }
    int64_t cancel_only = exo_cap_derive(n.cap, CAP_RIGHT_CONT_CANCEL);
    check_status(exo_cont_wait_cap((exo_handle_t)cancel_only), ERR_RIGHTS,
                 "wait through a copy without JOIN");
    exo_cap_delete((exo_handle_t)cancel_only);
    exo_cont_t *many[EXO_CONT_MAX_AFTER + 1];
    for (int i = 0; i <= EXO_CONT_MAX_AFTER; i++) {
        many[i] = &n;
    }
    exo_cont_t x;
    check_status(exo_cont_join(&x, many, EXO_CONT_MAX_AFTER + 1, quick, NULL), ERR_INVALID,
                 "a node after 9 predecessors");
    check_status(exo_cont_start(&x, NULL, NULL), ERR_INVALID, "a node without a function");
    exo_cont_cancel(n.cap);
    check_status(exo_cont_wait(&n), 0, "a cancelled node waited for");
    check_status(exo_cont_wait(&n), ERR_BAD_HANDLE, "the same node waited for twice");

    atomic_store(&self_wait, 1);
    if (exo_cont_start(&self_node, wait_self, NULL) != 0) {
        check(false, "errors: start self");
        return;
    }
    check_status(exo_cont_wait(&self_node), 0, "a node that waits on itself ends");
    check_status(atomic_load(&self_wait), ERR_STATE, "a continuation waiting on its own end");
}

/* --- waves, time --- */

static _Atomic uint32_t wave_runs;

static void count_run(void *arg) {
    (void)arg;
    atomic_fetch_add(&wave_runs, 1);
}

static void waves(void) {
    static exo_cont_t n[WAVE];
    atomic_store(&wave_runs, 0);
    int64_t st = 0;
    for (int w = 0; w < WAVES && st == 0; w++) {
        int started = 0;
        for (; started < WAVE && st == 0; started++) {
            st = started == 0 ? exo_cont_start(&n[0], count_run, NULL)
                              : exo_cont_then(&n[started], &n[started - 1], count_run, NULL);
        }
        for (int i = 0; i < started - (st != 0); i++) {
            st |= exo_cont_wait(&n[i]);
        }
    }
    exo_printf("conttest: waves: %u nodes ran\n", atomic_load(&wave_runs));
    check(st == 0 && atomic_load(&wave_runs) == WAVE * WAVES,
          "waves: 400 nodes in chains of 50, each started, run and waited for");
}

static void time_checks(void) {
    uint64_t t0 = exo_clock_ns();
    int64_t st = exo_sleep_ns(10000000);
    uint64_t slept = exo_clock_ns() - t0;
    check(st == 0 && slept >= 10000000, "exo_sleep_ns(10 ms) sleeps at least 10 ms");
    uint64_t rt = exo_clock_realtime_ns();
    exo_printf("conttest: wall clock %lu s since 1970\n", (uint64_t)(rt / EXO_NS_PER_SEC));
    check(rt > 1500000000ull * EXO_NS_PER_SEC, "the wall clock is set (after 2017)");
}

static void round(void) {
    fan_in();
    chain();
    diamond();
    cancel_and_early();
    errors();
    waves();
    time_checks();
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    exo_sysinfo_t before, after;
    exo_printf("conttest: round 1\n");
    round();
    exo_sysinfo_quiet(&before);
    exo_printf("conttest: round 2\n");
    round();
    bool same = exo_sysinfo_settle(&before, &after, 2000);
    exo_printf(
        "conttest: the kernel's figures, after round 2 - after round 1: caps %ld, heap objects "
        "%ld, "
        "regions %ld, free frames + heap pages %ld\n",
        (int64_t)(after.caps - before.caps), (int64_t)(after.heap_objects - before.heap_objects),
        (int64_t)(after.regions - before.regions),
        (int64_t)(after.free_frames + after.heap_pages - before.free_frames - before.heap_pages));
    check(same, "nothing leaked: the second round left the kernel's figures as the first did");
    exo_printf("conttest: verdict %s: %d checks, %d failed\n", failures ? "FAIL" : "PASS", checks,
               failures);
    return failures ? 1 : 0;
}
