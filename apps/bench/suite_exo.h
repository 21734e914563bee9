/*
 * The Exospace half of the benchmark suite (apps/bench/bench.c): the workloads' rounds,
 * one file per kind. Each round function is a suite_round_fn (suite.h): n operations,
 * timed with bench's rdtsc, returning the ticks or an ERR_* code.
 */
#pragma once

#include <user/exo.h>
#include <user/ring.h>

#define SUITE_PRINTF exo_printf
#define SUITE_BETWEEN_ROUNDS() exo_yield(0) /* the watchdog: never a long stretch unsuspended */

#include "suite.h"

/* ---- suite_ring.c: kernel entries and ring nops ---- */

typedef struct ring_state {
    exo_ring_t ring;
    uint32_t batch;
} ring_state_t;

/* A ring of SUITE_SQ_ENTRIES for rs (sqpoll: polled by a kernel continuation). */
int64_t ring_state_init(ring_state_t *rs, bool sqpoll);
int64_t round_null_entry(void *rs, uint32_t n);    /* ring_enter with nothing to do */
int64_t round_null_trap(void *unused, uint32_t n); /* SYS_NULL */
int64_t round_nops(void *rs, uint32_t n);          /* n nops in batches of rs->batch */

/* ---- suite_ipc.c: a second domain, round trips and region moves ---- */

typedef struct ipc_state {
    exo_handle_t ep;     /* SEND to the server */
    exo_handle_t server; /* its domain */
    uint32_t len;        /* round trips: payload bytes */
    uint64_t size;       /* moves: region bytes */
    exo_handle_t region; /* moves: the region's cap here */
    void *base;
} ipc_state_t;

int ipc_server_main(void);                  /* `bench server`: the other domain */
int64_t ipc_server_start(ipc_state_t *s);   /* starts it */
int64_t ipc_server_stop(ipc_state_t *s);    /* asks it to end: its exit status */
int64_t round_ipc_rtt(void *s, uint32_t n); /* call/reply of s->len bytes */
int64_t ipc_move_setup(ipc_state_t *s, uint64_t size);
int64_t round_move(void *s, uint32_t n); /* s->region there and back */
void ipc_move_done(ipc_state_t *s);

/* ---- suite_spawn.c: continuations and apps ---- */

int64_t spawn_state_init(exo_ring_t *ring);
int64_t round_cont_spawn_join(void *ring, uint32_t n);  /* exo_cont_spawn + CONT_JOIN */
int64_t round_app_spawn_wait(void *unused, uint32_t n); /* exo_domain_start + wait */
