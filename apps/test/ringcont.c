/*
 * ringcont: continuations through rings and continuation caps. Spawns workers with
 * EXO_OP_CONT_SPAWN, joins them with EXO_OP_CONT_JOIN (each join completes only after its
 * worker ran), cancels a worker that would otherwise run forever (yielding, and one that
 * sleeps in ring_enter), and checks the handles' errors once they are deleted.
 */
#include <stdatomic.h>
#include <user/exo.h>
#include <user/ring.h>

#define WORKERS 8
#define STACK 16384

static uint8_t stacks[WORKERS + 2][STACK] __attribute__((aligned(16)));
static _Atomic uint64_t done_mask;
static _Atomic bool forever_started, sleeper_started;
static int failures;

static void check(bool ok, const char *what) {
    exo_printf("ringcont: %s: %s\n", what, ok ? "PASS" : "FAIL");
    failures += !ok;
}

static void worker(void *arg) {
    uint64_t i = (uint64_t)(uintptr_t)arg;
    for (int k = 0; k < 3; k++) {
        exo_yield(YIELD_MIGRATE);
    }
    atomic_fetch_or(&done_mask, 1ull << i);
}

static void forever(void *arg) {
    (void)arg;
    atomic_store(&forever_started, true);
    for (;;) {
        exo_yield(0);
    }
}

static void sleeper(void *arg) {
    exo_ring_t *r = arg; /* waits for a CQE that never comes */
    atomic_store(&sleeper_started, true);
    exo_ring_enter(r->handle, 0, 1, EXO_ENTER_GETEVENTS);
    exo_printf("ringcont: sleeper woke up: FAIL\n");
}

static int64_t wait_one(exo_ring_t *r, uint64_t data) {
    exo_cqe_t *c;
    int64_t st = exo_ring_wait_cqe(r, &c);
    if (st != STATUS_OK) {
        return st;
    }
    int64_t res = c->user_data == data ? c->res : ERR_STATE;
    exo_ring_cqe_seen(r, c);
    return res;
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    exo_ring_t r, idle;
    if (exo_ring_init(&r, 32, 0) < 0 || exo_ring_init(&idle, 2, 0) < 0) {
        exo_printf("ringcont: no ring\n");
        return 1;
    }
    exo_handle_t h[WORKERS];
    bool spawned = true;
    for (uint64_t i = 0; i < WORKERS; i++) {
        exo_sqe_t *s = exo_ring_get_sqe(&r);
        exo_prep_cont_spawn(s, exo_cont_entry_point(), (void *)(uintptr_t)i,
                            exo_cont_stack_top(worker, stacks[i], STACK));
        exo_sqe_set_data(s, i);
        exo_ring_submit(&r);
        int64_t res = wait_one(&r, i);
        spawned &= res > 0;
        h[i] = res > 0 ? (exo_handle_t)res : 0;
    }
    check(spawned, "8 continuations spawned through the ring, each with a cap");
    for (uint64_t i = 0; i < WORKERS; i++) {
        exo_sqe_t *s = exo_ring_get_sqe(&r);
        exo_prep_cont_join(s, h[i]);
        exo_sqe_set_data(s, 100 + i);
    }
    exo_ring_submit(&r);
    bool joined = true;
    for (uint64_t i = 0; i < WORKERS; i++) {
        exo_cqe_t *c;
        joined &= exo_ring_wait_cqe(&r, &c) == STATUS_OK && c->res == 0 &&
                  (atomic_load(&done_mask) & (1ull << (c->user_data - 100)));
        exo_ring_cqe_seen(&r, c);
    }
    check(joined && atomic_load(&done_mask) == (1u << WORKERS) - 1,
          "every join completed after its worker ended");

    int64_t f = exo_cont_spawn(forever, NULL, stacks[WORKERS], STACK);
    int64_t z = exo_cont_spawn(sleeper, &idle, stacks[WORKERS + 1], STACK);
    while (!atomic_load(&forever_started) || !atomic_load(&sleeper_started)) {
        exo_yield(0);
    }
    exo_sqe_t *s = exo_ring_get_sqe(&r);
    exo_prep_cont_cancel(s, (exo_handle_t)f);
    exo_sqe_set_data(s, 200);
    check(exo_ring_submit(&r) == 1 && wait_one(&r, 200) == 0, "cancel through the ring");
    check(exo_cont_cancel((exo_handle_t)z) == 0, "cancel through the trap");
    s = exo_ring_get_sqe(&r);
    exo_prep_wait(s, (exo_handle_t)f);
    exo_sqe_set_data(s, 201);
    s = exo_ring_get_sqe(&r);
    exo_prep_cont_join(s, (exo_handle_t)z);
    exo_sqe_set_data(s, 202);
    exo_ring_submit(&r);
    uint64_t got = 0; /* either may end first */
    for (int i = 0; i < 2; i++) {
        exo_cqe_t *c;
        if (exo_ring_wait_cqe(&r, &c) == STATUS_OK) {
            got |= c->res == 0 && (c->user_data == 201 || c->user_data == 202)
                       ? 1u << (c->user_data - 201)
                       : 4;
            exo_ring_cqe_seen(&r, c);
        }
    }
    check(got == 3,
          "cancelled continuations (yielding, sleeping in ring_enter) ended and were joined");

    exo_cap_delete(h[0]);
    s = exo_ring_get_sqe(&r);
    exo_prep_cont_join(s, h[0]);
    exo_sqe_set_data(s, 300);
    s = exo_ring_get_sqe(&r);
    exo_prep_cont_join(s, exo_console_cap());
    exo_sqe_set_data(s, 301);
    exo_ring_submit(&r);
    int64_t stale = wait_one(&r, 300), wrong = wait_one(&r, 301);
    check(stale == ERR_STALE && wrong == ERR_WRONG_TYPE && exo_cont_cancel(h[0]) == ERR_STALE,
          "deleted handle ERR_STALE, console handle ERR_WRONG_TYPE");
    exo_ring_exit(&r);
    exo_ring_exit(&idle);
    exo_printf("ringcont: verdict %s\n", failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
