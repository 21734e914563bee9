/*
 * Ring internals shared by the rings/ sources. A ring's lock covers everything below it that is
 * not marked otherwise; it nests outside event and timer locks and inside nothing (caps
 * lock, view and region locks are never held when it is taken, and ops never run under it).
 *
 * A request (ring_req_t) is one accepted SQE. The pool holds cq_entries of them, and an
 * SQE is accepted only when a request is free and the CQ has room for every request in
 * use: so each accepted SQE owns a CQ slot until its CQE is out (back-pressure, never a
 * drop). A request's life: WAITING (for its chain predecessor or a drain) -> READY (on the
 * start list) -> EXEC (a synchronous op running, no lock) or ASYNC (registered on a timer
 * or event) -> completed: its CQE is posted (or parked on the backlog while the app's
 * cq_head says the CQ is full) and it goes back to the pool.
 */
#pragma once

#include <domain/domain.h>
#include <kernel/spinlock.h>
#include <mm/budget.h>
#include <mm/region.h>
#include <rings/queue.h>
#include <rings/ring.h>
#include <sched/sched.h>
#include <sched/timerq.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ring_req_state {
    REQ_FREE = 0,
    REQ_WAITING, /* accepted: behind its chain predecessor, or deferred by a drain */
    REQ_READY,   /* on the start list */
    REQ_EXEC,    /* its synchronous op runs now (no lock held) */
    REQ_ASYNC,   /* registered on a timer (ring->timeouts) or an event */
    REQ_BACKLOG, /* completed; its CQE waits for CQ room */
};

typedef struct ring_req {
    exo_sqe_t sqe; /* the kernel's copy: everything is decided on it */
    struct ring *ring;
    struct ring_req *next;   /* free list, start list, deferred list or backlog */
    struct ring_req *link;   /* the next request of its chain, accepted, not yet started */
    uint8_t state;           /* enum ring_req_state */
    bool deferred;           /* held back by a drain (counted in ring->deferred_n) */
    bool lt_cancelled;       /* its op was cancelled by the link timeout after it */
    struct ring_req *target; /* LINK_TIMEOUT, armed: the request it guards */
    ktimer_t timer;          /* TIMEOUT, LINK_TIMEOUT: queued in ring->timeouts */
    cont_t wake;             /* WAIT, JOIN, CONSOLE_READ: spawned by the event */
    event_t *ev;             /* the event wake is registered on */
    void *obj;               /* the object waited for (a reference), freed by its op */
    uint16_t obj_type;       /* its cap type: CAP_DOMAIN, CAP_CONTINUATION; IPC ops:
                                CAP_ENDPOINT (waiting on it) or CAP_REPLY (a call) */
    exo_cqe_t cqe;           /* REQ_BACKLOG: the CQE to post */
} ring_req_t;

struct ring {
    spinlock_t lock;
    _Atomic uint32_t refs; /* caps (one for all of them), poller, work, waiters, ops */
    _Atomic uint32_t caps; /* caps naming it: the last one's drop closes it */
    ringq_t q;
    uint32_t sq_entries, cq_entries, setup_flags;
    domain_t *dom;    /* a reference; its ops act for it */
    region_t *mem;    /* the ring memory (a reference) */
    void **pages;     /* physmap addresses of mem's frames */
    budget_t *budget; /* charged for the kernel memory below (a reference) */
    uint64_t charged;
    bool closed;

    ring_req_t *reqs; /* the pool */
    ring_req_t *free;
    uint32_t in_use;                         /* requests not free: each holds a CQ slot */
    uint32_t inflight;                       /* accepted, not completed (backlog excluded) */
    ring_req_t *start_head, *start_tail;     /* READY */
    ring_req_t *backlog_head, *backlog_tail; /* REQ_BACKLOG, in completion order */

    /* Chains: the last accepted SQE had EXO_SQE_LINK (chain_open); chain_pred is that
     * request until it completes; after that chain_broken says whether it failed. */
    bool chain_open, chain_broken;
    ring_req_t *chain_pred;
    /* Drains: deferred chain heads wait here in order; barrier is the drain running. */
    ring_req_t *deferred_head, *deferred_tail;
    uint32_t deferred_n;
    ring_req_t *barrier;

    /* Timeouts: the ring's own queue, and one core timer for its earliest deadline. */
    timerq_t timeouts;
    ktimer_t **timeout_slots;
    ktimer_t tick;
    _Atomic uint32_t work_pending; /* kicks of the work continuation not yet handled */
    cont_t work;                   /* expired timeouts, then the start list */

    event_t cq_ev;     /* continuations waiting in ring_enter for CQEs */
    uint32_t nwaiters; /* registered on cq_ev */

    /* SQPOLL */
    cont_t poller;
    uint32_t poll_cpu;
    bool parked;
    uint64_t idle_tsc, last_work_tsc;
};

/* ring.c */
/* A ring of sq/cq entries (checked) for d, paid from b (the ring takes a reference);
 * SQPOLL's idle time in idle_us (0: the default). One reference for the caller; no caps
 * yet. ERR_QUOTA, ERR_NO_MEMORY; nothing is left behind on failure. */
status_t ring_build(domain_t *d, budget_t *b, uint32_t sq, uint32_t cq, uint32_t flags,
                    uint32_t idle_us, ring_t **out);
void ring_ref(ring_t *r);
void ring_unref(ring_t *r);
/* Kernel code acting for r's domain off a trap (poller, completions): holds the domain
 * and activates its view so ops can reach user memory. False: the domain is going. */
bool ring_act_begin(ring_t *r);
void ring_act_end(ring_t *r);

/* submit.c (lock: under r->lock) */
/* Takes up to max SQEs: the count, or ERR_RANGE (a corrupt tail) / ERR_BUSY (no CQ room)
 * when none was taken. lock */
int64_t ring_take(ring_t *r, uint32_t max);
/* Completes q with res (and aux): its CQE, its chain, drains, waiters. lock */
void ring_complete(ring_t *r, ring_req_t *q, int64_t res, uint64_t aux);
/* An ASYNC request runs its op again (a console read woken by input). lock */
void ring_restart(ring_t *r, ring_req_t *q);
/* Posts backlogged CQEs the CQ has room for now. lock */
void ring_flush_backlog(ring_t *r);
/* Runs the start list until it is empty. in_domain: the caller runs in r's domain with its
 * view active (a trap); otherwise the ops run through ring_act_begin. No lock held. */
void ring_run(ring_t *r, bool in_domain);
/* CQEs ready for the app (as its cq_head says). lock */
uint32_t ring_cq_ready(ring_t *r);

/* ops.c */
#define RING_ASYNC INT64_MIN /* ring_op_exec: the op registered and completes later */
/* Checks the entry's fields (opcode, flags, reserved fields): ERR_* or STATUS_OK. */
status_t ring_op_check(const exo_sqe_t *sqe);
/* Runs q's op (no lock held): its result (aux in *aux), or RING_ASYNC when the op needs
 * to wait, in which case ring_op_arm registers it next, under the lock. */
int64_t ring_op_exec(ring_t *r, ring_req_t *q, uint64_t *aux);
/* Registers a waiting op (lock): STATUS_OK, or an error to complete it with. */
status_t ring_op_arm(ring_t *r, ring_req_t *q);
/* Cancels an ASYNC op (lock): true if it will not complete by itself (the caller
 * completes it), false if its completion is already on its way. */
bool ring_op_cancel(ring_t *r, ring_req_t *q);

/* timeout.c (lock) */
status_t ring_timeout_arm(ring_t *r, ring_req_t *q, uint64_t ns);
bool ring_timeout_cancel(ring_t *r, ring_req_t *q);
/* Completes expired timeouts and link timeouts. lock */
void ring_timeouts_expire(ring_t *r);
/* Makes the work continuation run (from the tick, or from an event wake-up). */
void ring_kick(ring_t *r);
void ring_work(cont_t *k);

/* poll.c */
void ring_poller_start(ring_t *r);
/* Under the lock: unparks a parked poller; true if the caller must then (without the
 * lock: it may wait for another core's mailbox) call ring_poller_spawn. */
bool ring_poller_unpark(ring_t *r);
void ring_poller_spawn(ring_t *r);
