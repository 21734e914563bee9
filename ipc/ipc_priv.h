/*
 * IPC internals shared by the ipc/ sources (docs/ipc.md#internals).
 *
 * A message in the kernel (ipc_msg_t) is one of an endpoint's queue slots, or a call's
 * answer. Its caps travel in a cap table of its own (transit): a move takes the sender's
 * cap out of the sender's table into it, a copy puts a child of the sender's cap there, and
 * delivery moves each one on into the receiver's table. While in transit a cap is an
 * ordinary cap in the derivation tree, so a revoke of an ancestor deletes it there too
 * (the receiver then gets handle 0 in its place).
 */
#pragma once

#include <caps/cap.h>
#include <caps/reap.h>
#include <domain/domain.h>
#include <ipc/ipc.h>
#include <kernel/spinlock.h>
#include <mm/budget.h>
#include <sched/sched.h>
#include <stdatomic.h>
#include <stdbool.h>

typedef struct ipc_msg {
    struct ipc_msg *next; /* free list, queue */
    uint64_t label, badge;
    uint32_t len, ncaps;
    ipc_call_t *call;              /* a call's request: the call (a reference), else NULL */
    cap_slot_t *cap[EXO_MSG_CAPS]; /* ncaps slots of transit (a revoke may free one) */
    cspace_t transit;
    cap_slot_t slots[EXO_MSG_CAPS + 1]; /* slot 0 unused, as in every table */
    uint8_t data[EXO_MSG_DATA];
} ipc_msg_t;

struct endpoint {
    _Atomic uint32_t refs;      /* caps, waits and sends in progress */
    _Atomic uint32_t recv_caps; /* caps with RECV (changed under caps_lock) */
    spinlock_t lock;            /* the queue, free list, closed */
    bool closed;                /* no receiver is left: nothing is queued any more */
    uint32_t depth;
    ipc_msg_t *msgs; /* depth of them */
    ipc_msg_t *free, *head, *tail;
    event_t room_ev, msg_ev; /* broadcast (signal, reset) when a slot frees / a message comes */
    budget_t *budget;        /* charged for the queue (a reference) */
    uint64_t charged;
};

enum ipc_call_state {
    CALL_PENDING = 0, /* sent; queued, or received and not yet answered */
    CALL_ANSWERED,    /* the answer waits in reply */
    CALL_FAILED,      /* no answer will come (ERR_CLOSED) */
    CALL_COLLECTED,   /* the caller took the answer, or gave up */
};

struct ipc_call {
    _Atomic uint32_t refs; /* the caller, and the request message or the reply cap */
    spinlock_t lock;
    uint8_t state;  /* enum ipc_call_state */
    bool abandoned; /* the caller stopped waiting: an answer is refused */
    event_t done_ev;
    ipc_msg_t reply;
};

/* msg.c: a message's payload and its caps in transit. Under caps_lock unless noted. */
void ipc_msg_init(ipc_msg_t *k);
/* The sender's caps the message names, each checked (GRANT, and DERIVE for a copy; the
 * rights asked within the cap's; no RECV right travels): src[i] for caps[i]. */
status_t ipc_msg_decode_caps(struct domain *d, const exo_msg_t *m, cap_slot_t **src);
/* Takes the decoded caps into k's transit table and copies the payload; r collects the
 * sender's unmappings. ERR_TABLE_FULL only if a transit slot is used up. */
status_t ipc_msg_take(ipc_msg_t *k, const exo_msg_t *m, cap_slot_t **src, uint64_t badge,
                      cap_reap_t *r);
/* Deletes whatever k still carries (a message dropped, an answer refused). */
void ipc_msg_drop(ipc_msg_t *k, cap_reap_t *r);
/* Delivers k to domain d: prepares d's view to take the exo_msg_t at buf, reserves slots
 * in d's table (its caps, plus a reply cap for a call), moves the caps in (regions map on
 * arrival) and writes the exo_msg_t. ERR_FAULT, ERR_NO_MEMORY, ERR_TABLE_FULL, ERR_STATE
 * (d's table closed): nothing changed. On success k is empty (its call's reference went
 * to the reply cap). */
status_t ipc_msg_deliver(ipc_msg_t *k, struct domain *d, uint64_t buf);
/* k goes back to a free list: empty, its transit table fresh. No lock needed. */
void ipc_msg_recycle(ipc_msg_t *k);

/* endpoint.c */
/* Queues k (taken from ep's free list by the sender); if ep closed meanwhile, drops it
 * and gives ERR_CLOSED. No lock held. */
status_t endpoint_enqueue(endpoint_t *ep, ipc_msg_t *k);

/* call.c */
void ipc_call_ref(ipc_call_t *c);
/* The request or the reply cap went unanswered: the call fails (ERR_CLOSED). Any lock
 * but a call's may be held. */
void ipc_call_fail(ipc_call_t *c);
