/*
 * Kernel entries and ring nops for the benchmark suite (suite_exo.h). The Linux twin runs
 * getppid() against the null entry and io_uring's IORING_OP_NOP against the nops, with the
 * same batches and the same way of waiting.
 */
#include <user/trap.h>

#include "suite_exo.h"

int64_t ring_state_init(ring_state_t *rs, bool sqpoll) {
    exo_ring_params_t p = {.sq_entries = SUITE_SQ_ENTRIES};
    if (sqpoll) {
        p.flags = EXO_RING_SQPOLL;
        p.sq_idle_us = SUITE_SQ_IDLE_MS * 1000;
    }
    int64_t h = exo_ring_init_params(&rs->ring, exo_memory_cap(), &p);
    return h < 0 ? h : 0;
}

/* The doorbell's fixed cost: cap decode, ring lock, backlog check, nothing taken. */
int64_t round_null_entry(void *state, uint32_t n) {
    ring_state_t *rs = state;
    uint64_t t0 = rdtsc();
    for (uint32_t i = 0; i < n; i++) {
        int64_t st = exo_ring_enter(rs->ring.handle, 0, 0, 0);
        if (st != 0) {
            return st < 0 ? st : ERR_STATE;
        }
    }
    return (int64_t)(rdtsc() - t0);
}

/* The bare trap (SYSCALL, dispatch, SYSRET), for scale: Exospace only. */
int64_t round_null_trap(void *unused, uint32_t n) {
    (void)unused;
    uint64_t t0 = rdtsc();
    for (uint32_t i = 0; i < n; i++) {
        exo_trap0(SYS_NULL);
    }
    return (int64_t)(rdtsc() - t0);
}

/* n nops in batches: each batch prepared, submitted and waited for with one
 * exo_ring_submit_and_wait (trap mode: one ring_enter takes and runs them; SQPOLL: the
 * SQEs are published without a trap and the ring_enter only waits, waking the poller if it
 * parked), then its CQEs reaped and checked. */
int64_t round_nops(void *state, uint32_t n) {
    ring_state_t *rs = state;
    uint32_t b = rs->batch;
    uint64_t t0 = rdtsc();
    for (uint32_t done = 0; done < n; done += b) {
        for (uint32_t i = 0; i < b; i++) {
            exo_prep_nop(exo_ring_get_sqe(&rs->ring));
        }
        int64_t st = exo_ring_submit_and_wait(&rs->ring, b);
        if (st < 0) {
            return st;
        }
        for (uint32_t got = 0; got < b; got++) {
            exo_cqe_t *c;
            if (exo_ring_peek_cqe(&rs->ring, &c) != STATUS_OK || c->res != 0) {
                return ERR_STATE;
            }
            exo_ring_cqe_seen(&rs->ring, c);
        }
    }
    return (int64_t)(rdtsc() - t0);
}
