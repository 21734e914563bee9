/*
 * Spawning for the benchmark suite (suite_exo.h): a continuation spawned and joined (the
 * twin: pthread_create + pthread_join) and an app started and waited for (the twin:
 * posix_spawn + waitpid of a static binary that exits at once).
 */
#include "suite_exo.h"

#define CONT_STACK 16384

static uint8_t cont_stack[CONT_STACK] __attribute__((aligned(16)));
static volatile uint64_t cont_runs;

static void cont_body(void *arg) {
    (void)arg;
    cont_runs++;
}

int64_t spawn_state_init(exo_ring_t *ring) {
    int64_t h = exo_ring_init(ring, 4, 0);
    return h < 0 ? h : 0;
}

/* Each: exo_cont_spawn (a trap: the continuation and its cap), EXO_OP_CONT_JOIN through
 * the ring (one ring_enter that waits until it has ended: on one core this is when it
 * runs), and the cap deleted. The stack is reused: a join completes after its
 * continuation's last user instruction. */
int64_t round_cont_spawn_join(void *state, uint32_t n) {
    exo_ring_t *ring = state;
    uint64_t before = cont_runs;
    uint64_t t0 = rdtsc();
    for (uint32_t i = 0; i < n; i++) {
        int64_t h = exo_cont_spawn(cont_body, NULL, cont_stack, sizeof(cont_stack));
        if (h < 0) {
            return h;
        }
        exo_prep_cont_join(exo_ring_get_sqe(ring), (exo_handle_t)h);
        int64_t st = exo_ring_submit_and_wait(ring, 1);
        exo_cqe_t *c;
        if (st < 0 || exo_ring_peek_cqe(ring, &c) != STATUS_OK) {
            return st < 0 ? st : ERR_STATE;
        }
        st = c->res;
        exo_ring_cqe_seen(ring, c);
        if (st != 0 || (st = exo_cap_delete((exo_handle_t)h)) != 0) {
            return st;
        }
    }
    uint64_t t1 = rdtsc();
    return cont_runs - before == n ? (int64_t)(t1 - t0) : ERR_STATE;
}

/* Each: exo_domain_start of the `true` app (a domain, its image loaded, a memory cap and
 * a console copy), exo_domain_wait for its status, and the domain cap deleted. */
int64_t round_app_spawn_wait(void *unused, uint32_t n) {
    (void)unused;
    uint64_t t0 = rdtsc();
    for (uint32_t i = 0; i < n; i++) {
        int64_t h = exo_domain_start("true", "true", NULL);
        if (h < 0) {
            return h;
        }
        int64_t st = exo_domain_wait((exo_handle_t)h);
        exo_cap_delete((exo_handle_t)h);
        if (st != 0) {
            return st < 0 ? st : ERR_STATE;
        }
    }
    return (int64_t)(rdtsc() - t0);
}
