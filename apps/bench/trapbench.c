/*
 * trapbench: cycle counts (rdtsc) of the kernel entries this system has so far, for
 * docs/performance.md. Each figure is the median of BENCH_ROUNDS rounds, each the mean over
 * its iterations:
 *   null trap      SYS_NULL: SYSCALL, dispatch, SYSRET
 *   yield          SYS_YIELD with nobody else ready: suspend (XSAVE), reschedule, resume
 *   demand fault   first touch of a page of a fresh region: #PF, map a zeroed frame, IRET
 *   domain switch  two domains yielding to each other on one core (run with -smp 1):
 *                  suspend, CR3 switch to the other view (PCID, no flush), resume
 *   cap info       SYS_CAP_INFO: the caps lock, a handle lookup, a copy out
 *   derive+delete  a child cap made and deleted again
 *   alloc+delete   a one-page region allocated, mapped, touched, and deleted (unmap,
 *                  shootdown on this core, frame and range freed)
 *   revoke         derive a child, then revoke the parent's descendants
 * `trapbench partner N` is the other half of the domain-switch pair.
 */
#include <user/exo.h>
#include <user/trap.h>

#include "bench.h"

#define NULL_ITERS 20000
#define YIELD_ITERS 2000
#define FAULT_PAGES 256
#define SWITCH_ITERS 2000
#define CAP_ITERS 2000

static uint64_t bench_null(void) {
    uint64_t r[BENCH_ROUNDS];
    for (int k = 0; k < BENCH_ROUNDS; k++) {
        uint64_t t0 = rdtsc();
        for (int i = 0; i < NULL_ITERS; i++) {
            exo_trap0(SYS_NULL);
        }
        r[k] = (rdtsc() - t0) / NULL_ITERS;
    }
    return median(r, BENCH_ROUNDS);
}

static uint64_t bench_yield(int iters) {
    uint64_t r[BENCH_ROUNDS];
    for (int k = 0; k < BENCH_ROUNDS; k++) {
        uint64_t t0 = rdtsc();
        for (int i = 0; i < iters; i++) {
            exo_yield(0);
        }
        r[k] = (rdtsc() - t0) / (uint64_t)iters;
    }
    return median(r, BENCH_ROUNDS);
}

static int64_t bench_fault(void) {
    uint64_t r[BENCH_ROUNDS];
    for (int k = 0; k < BENCH_ROUNDS; k++) {
        volatile uint8_t *p = exo_region_alloc(FAULT_PAGES * 4096, EXO_PROT_READ | EXO_PROT_WRITE);
        if (p == NULL) {
            return ERR_NO_MEMORY;
        }
        uint64_t t0 = rdtsc();
        for (int i = 0; i < FAULT_PAGES; i++) {
            p[i * 4096] = 1;
        }
        r[k] = (rdtsc() - t0) / FAULT_PAGES;
    }
    return (int64_t)median(r, BENCH_ROUNDS);
}

enum cap_bench { CB_INFO, CB_DERIVE, CB_REGION, CB_REVOKE };

/* One cap operation (or pair) of the given kind; false if a call failed. */
static bool cap_op(enum cap_bench kind, exo_handle_t con) {
    exo_cap_info_t info;
    int64_t h;
    switch (kind) {
    case CB_INFO:
        return exo_cap_info(con, &info) == 0;
    case CB_DERIVE:
        h = exo_cap_derive(con, CAP_RIGHT_WRITE);
        return h > 0 && exo_cap_delete((exo_handle_t)h) == 0;
    case CB_REGION: {
        void *base;
        h = exo_region_alloc_cap(exo_memory_cap(), 4096, EXO_PROT_READ | EXO_PROT_WRITE, &base);
        if (h < 0) {
            return false;
        }
        *(volatile uint8_t *)base = 1;
        return exo_cap_delete((exo_handle_t)h) == 0;
    }
    case CB_REVOKE:
        h = exo_cap_derive(con, CAP_RIGHT_WRITE);
        return h > 0 && exo_cap_revoke(con) == 1;
    }
    return false;
}

static int64_t bench_cap(enum cap_bench kind) {
    exo_handle_t con =
        (exo_handle_t)exo_cap_derive(exo_console_cap(), CAP_RIGHT_WRITE | CAP_RIGHT_DERIVE);
    uint64_t r[BENCH_ROUNDS];
    for (int k = 0; k < BENCH_ROUNDS; k++) {
        uint64_t t0 = rdtsc();
        for (int i = 0; i < CAP_ITERS; i++) {
            if (!cap_op(kind, con)) {
                return ERR_STATE;
            }
        }
        r[k] = (rdtsc() - t0) / CAP_ITERS;
    }
    exo_cap_delete(con);
    return (int64_t)median(r, BENCH_ROUNDS);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "partner") == 0) {
        for (int k = 0; k < BENCH_ROUNDS; k++) {
            for (int i = 0; i < SWITCH_ITERS; i++) {
                exo_yield(0);
            }
        }
        return 0;
    }
    exo_printf("bench: null trap %lu cycles\n", bench_null());
    exo_printf("bench: yield %lu cycles\n", bench_yield(YIELD_ITERS));
    exo_printf("bench: demand fault %ld cycles\n", bench_fault());
    exo_printf("bench: cap info %ld cycles\n", bench_cap(CB_INFO));
    exo_printf("bench: cap derive+delete %ld cycles\n", bench_cap(CB_DERIVE));
    exo_printf("bench: region alloc+touch+delete %ld cycles\n", bench_cap(CB_REGION));
    exo_printf("bench: derive+revoke %ld cycles\n", bench_cap(CB_REVOKE));
    exo_domain_info_t info;
    int64_t id = exo_domain_start("trapbench", "trapbench partner", &info);
    if (id < 0) {
        exo_printf("bench: cannot start the partner: %s\n", status_str((status_t)id));
        return 1;
    }
    /* Each of our yields runs one partner yield in between: two domain switches. */
    uint64_t per_yield = bench_yield(SWITCH_ITERS);
    exo_printf("bench: domain switch %lu cycles (yield to another domain and back / 2, %u cores)\n",
               per_yield / 2, exo_cpu() + 1);
    return exo_domain_wait((exo_handle_t)id) == 0 ? 0 : 1;
}
