/* Clocks and sleeping (user/time.h). */
#include <user/exo.h>
#include <user/trap.h>

#define SLEEP_STEP (3600 * EXO_NS_PER_SEC) /* the longest ring timeout */

uint64_t exo_clock_ns(void) {
    return (uint64_t)exo_trap(SYS_CLOCK, EXO_CLOCK_MONOTONIC, 0, 0, 0, 0);
}

uint64_t exo_clock_realtime_ns(void) {
    return (uint64_t)exo_trap(SYS_CLOCK, EXO_CLOCK_REALTIME, 0, 0, 0, 0);
}

int64_t exo_sleep_ns(uint64_t ns) {
    exo_ring_t ring;
    int64_t st = exo_ring_init(&ring, 1, 0);
    if (st < 0) {
        return st;
    }
    for (uint64_t left = ns; left > 0 && st >= 0;) {
        uint64_t step = left < SLEEP_STEP ? left : SLEEP_STEP;
        exo_prep_timeout(exo_ring_get_sqe(&ring), step);
        exo_cqe_t *c;
        st = exo_ring_submit_and_wait(&ring, 1);
        if (st >= 0 && (st = exo_ring_peek_cqe(&ring, &c)) == STATUS_OK) {
            st = c->res < 0 ? c->res : 0;
            exo_ring_cqe_seen(&ring, c);
        }
        left -= step;
    }
    exo_ring_exit(&ring);
    return st < 0 ? st : 0;
}
