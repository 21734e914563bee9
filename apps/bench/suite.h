/*
 * The benchmark suite's common part (docs/performance.md): workload names and counts, the
 * arguments, the rounds and the report line, shared by the Exospace app (apps/bench/bench.c)
 * and its Linux twin (apps/bench/linux/twin.c), so both run exactly the same schedule.
 * Plain C with no OS underneath: the includer defines SUITE_PRINTF (printf-like) and
 * SUITE_BETWEEN_ROUNDS() (what to do between two timed rounds) first, and provides
 * strcmp, strncmp and strlen.
 *
 * Arguments (both sides): `quick` (counts / SUITE_QUICK_DIV, SUITE_QUICK_ROUNDS rounds),
 * `rounds=N`, `div=N` (every count divided by N), and any other word selects the
 * workloads whose name starts with it (none: all of them).
 *
 * Each workload runs a warm-up round, then `rounds` timed rounds of its count; a round's
 * figure is its ticks (TSC) divided by the count. The line is
 *   bench: NAME min=N median=N unit=ticks count=N rounds=N
 * or `bench: NAME failed: WHY`. Under QEMU -icount a tick is one guest instruction.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "bench.h"

#define SUITE_ROUNDS 5
#define SUITE_QUICK_DIV 100
#define SUITE_QUICK_ROUNDS 2
#define SUITE_ROUNDS_MAX 31
#define SUITE_SELECT_MAX 16

/* Operations per round (before any div). */
#define SUITE_N_NULL 20000   /* null kernel entries */
#define SUITE_N_NOP 8192     /* ring nops, in batches */
#define SUITE_N_RTT 2000     /* IPC / pipe round trips */
#define SUITE_N_MOVE_4K 1000 /* 4 KiB there and back */
#define SUITE_N_MOVE_2M 50   /* 2 MiB there and back */
#define SUITE_N_CONT 1000    /* continuation / thread spawn and join */
#define SUITE_N_APP 100      /* app / process spawn and wait */
#define SUITE_SQ_ENTRIES 64  /* both rings: 64 SQEs (the largest batch), 128 CQEs */
#define SUITE_SQ_IDLE_MS 100 /* SQPOLL: the poller parks after this long without work */
#define SUITE_MOVE_MAX (2u << 20)

typedef struct suite_opts {
    uint32_t rounds;
    uint32_t div;
    int nselect;
    const char *select[SUITE_SELECT_MAX];
} suite_opts_t;

/* One round: n operations; returns the ticks they took, or a negative error. */
typedef int64_t suite_round_fn(void *state, uint32_t n);

/* Parses argv[first..argc); false (with a line saying why) on a bad word. */
static inline bool suite_parse(suite_opts_t *o, int argc, char **argv, int first) {
    *o = (suite_opts_t){.rounds = SUITE_ROUNDS, .div = 1};
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "quick") == 0) {
            o->div = SUITE_QUICK_DIV;
            o->rounds = SUITE_QUICK_ROUNDS;
        } else if (strncmp(a, "rounds=", 7) == 0 || strncmp(a, "div=", 4) == 0) {
            const char *v = a + (a[0] == 'r' ? 7 : 4);
            uint64_t x = 0;
            for (; *v >= '0' && *v <= '9' && x < 1000000; v++) {
                x = x * 10 + (uint64_t)(*v - '0');
            }
            if (*v || x == 0 || (a[0] == 'r' && x > SUITE_ROUNDS_MAX)) {
                SUITE_PRINTF("bench: bad argument %s\n", a);
                return false;
            }
            *(a[0] == 'r' ? &o->rounds : &o->div) = (uint32_t)x;
        } else if (o->nselect < SUITE_SELECT_MAX) {
            o->select[o->nselect++] = a;
        }
    }
    return true;
}

static inline bool suite_selected(const suite_opts_t *o, const char *name) {
    for (int i = 0; i < o->nselect; i++) {
        if (strncmp(name, o->select[i], strlen(o->select[i])) == 0) {
            return true;
        }
    }
    return o->nselect == 0;
}

/* count / div, a multiple of align (a ring's batch), at least align. */
static inline uint32_t suite_count(const suite_opts_t *o, uint32_t count, uint32_t align) {
    uint32_t n = count / o->div / align * align;
    return n ? n : align;
}

/* Runs one workload (if selected) of count operations (a multiple of align) and prints its
 * line; false if it failed. why(err) names an error. */
static inline bool suite_run(const suite_opts_t *o, const char *name, uint32_t count,
                             uint32_t align, suite_round_fn *fn, void *state,
                             const char *(*why)(int64_t)) {
    if (!suite_selected(o, name)) {
        return true;
    }
    uint32_t n = suite_count(o, count, align);
    uint64_t per_op[SUITE_ROUNDS_MAX] = {0};
    for (int k = -1; k < (int)o->rounds; k++) {
        SUITE_BETWEEN_ROUNDS();
        int64_t ticks = fn(state, n);
        if (ticks < 0) {
            SUITE_PRINTF("bench: %s failed: %s\n", name, why(ticks));
            return false;
        }
        if (k >= 0) {
            per_op[k] = (uint64_t)ticks / n;
        }
    }
    uint64_t min = per_op[0];
    for (uint32_t k = 1; k < o->rounds; k++) {
        min = per_op[k] < min ? per_op[k] : min;
    }
    uint64_t med = median(per_op, (int)o->rounds);
    SUITE_PRINTF("bench: %s min=%lu median=%lu unit=ticks count=%u rounds=%u\n", name,
                 (unsigned long)min, (unsigned long)med, n, o->rounds);
    return true;
}
