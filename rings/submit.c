/*
 * Taking SQEs and completing them (rings/ring_priv.h): back-pressure, chains (EXO_SQE_LINK),
 * drains (EXO_SQE_DRAIN), CQEs and their backlog, and the start list on which every
 * request that may run now waits for whoever runs the ring next (a trap, the poller, or a
 * completion).
 */
#include <kernel/panic.h>

#include "ring_priv.h"

uint32_t ring_cq_ready(ring_t *r) {
    return ringq_cq_used(&r->q);
}

static void req_free(ring_t *r, ring_req_t *q) {
    q->state = REQ_FREE;
    q->link = NULL;
    q->next = r->free;
    r->free = q;
    r->in_use--;
}

static void list_append(ring_req_t **head, ring_req_t **tail, ring_req_t *q) {
    q->next = NULL;
    if (*tail) {
        (*tail)->next = q;
    } else {
        *head = q;
    }
    *tail = q;
}

static ring_req_t *list_pop(ring_req_t **head, ring_req_t **tail) {
    ring_req_t *q = *head;
    if (q) {
        *head = q->next;
        if (*head == NULL) {
            *tail = NULL;
        }
        q->next = NULL;
    }
    return q;
}

static void start_push(ring_t *r, ring_req_t *q) {
    q->state = REQ_READY;
    list_append(&r->start_head, &r->start_tail, q);
}

void ring_restart(ring_t *r, ring_req_t *q) {
    start_push(r, q);
}

/* Continuations waiting in ring_enter re-check the CQ: each completion may be theirs. */
static void wake_waiters(ring_t *r) {
    if (r->nwaiters) {
        r->nwaiters = 0;
        event_signal(&r->cq_ev);
        event_reset(&r->cq_ev);
    }
}

static void post(ring_t *r, ring_req_t *q, int64_t res, uint64_t aux) {
    exo_cqe_t c = {.user_data = q->sqe.user_data, .res = res, .aux = aux};
    if (r->backlog_head == NULL && ringq_cq_post(&r->q, &c)) {
        req_free(r, q);
        return;
    }
    /* The slot was reserved when the SQE was taken, so only an app that moved cq_head
     * back gets here: the CQE waits, in order, until the CQ has room again. */
    q->cqe = c;
    q->state = REQ_BACKLOG;
    list_append(&r->backlog_head, &r->backlog_tail, q);
    ringq_set_flag(&r->q, EXO_RING_CQ_BACKLOG, true);
}

void ring_flush_backlog(ring_t *r) {
    if (r->backlog_head == NULL) {
        return;
    }
    while (r->backlog_head && ringq_cq_post(&r->q, &r->backlog_head->cqe)) {
        req_free(r, list_pop(&r->backlog_head, &r->backlog_tail));
    }
    if (r->backlog_head == NULL) {
        ringq_set_flag(&r->q, EXO_RING_CQ_BACKLOG, false);
    }
    wake_waiters(r);
}

/* One request is over: its CQE (none for a success that asked for none), its slot, and
 * what the chain and drain bookkeeping held of it. chain_ok: whether its chain goes on. */
static void finish_one(ring_t *r, ring_req_t *q, int64_t res, uint64_t aux, bool chain_ok) {
    ASSERT(q->state != REQ_FREE && q->state != REQ_BACKLOG);
    if (r->chain_pred == q) {
        r->chain_pred = NULL;
        r->chain_broken = !chain_ok;
    }
    if (r->barrier == q) {
        r->barrier = NULL;
    }
    if (q->deferred) {
        q->deferred = false;
        r->deferred_n--;
    }
    r->inflight--;
    q->link = NULL;
    q->lt_cancelled = false;
    if (res >= 0 && (q->sqe.flags & EXO_SQE_SKIP_SUCCESS)) {
        req_free(r, q);
    } else {
        post(r, q, res, aux);
    }
}

/* Deferred chain heads start in order once nothing blocks them: a drain head when every
 * request before it has completed, any head when no drain is running. */
static void release_deferred(ring_t *r) {
    while (r->deferred_head && r->barrier == NULL) {
        ring_req_t *h = r->deferred_head;
        bool drain = (h->sqe.flags & EXO_SQE_DRAIN) != 0;
        if (drain && r->inflight != r->deferred_n) {
            return; /* earlier requests are still running */
        }
        list_pop(&r->deferred_head, &r->deferred_tail);
        for (ring_req_t *x = h; x; x = x->link) {
            if (x->deferred) {
                x->deferred = false;
                r->deferred_n--;
            }
        }
        if (drain) {
            r->barrier = h;
        }
        start_push(r, h);
    }
}

void ring_complete(ring_t *r, ring_req_t *q, int64_t res, uint64_t aux) {
    for (;;) {
        ring_req_t *next = q->link;
        bool ok = res >= 0;
        if (next && next->sqe.opcode == EXO_OP_LINK_TIMEOUT) {
            /* next guards q and ends with it: ERR_TIMEOUT if it cancelled q. */
            ring_req_t *lt = next;
            bool by_lt = q->lt_cancelled;
            next = lt->link;
            finish_one(r, q, res, aux, ok);
            if (lt->state == REQ_ASYNC) {
                ring_timeout_cancel(r, lt);
            }
            status_t lt_err = ring_op_check(&lt->sqe);
            finish_one(r, lt, lt_err ? lt_err : by_lt ? ERR_TIMEOUT : ERR_CANCELED, 0, ok);
        } else {
            finish_one(r, q, res, aux, ok);
        }
        if (next == NULL) {
            break;
        }
        if (ok) {
            start_push(r, next);
            break;
        }
        q = next; /* the chain failed: the rest of it is cancelled, in order */
        res = ERR_CANCELED;
        aux = 0;
    }
    release_deferred(r);
    wake_waiters(r);
}

/* A new request q (its SQE copied) joins the ring: behind its chain predecessor, on the
 * deferred list, on the start list, or completed at once. */
static void accept(ring_t *r, ring_req_t *q) {
    bool linked = r->chain_open;
    ring_req_t *pred = linked ? r->chain_pred : NULL;
    bool broken = linked && pred == NULL && r->chain_broken;
    bool has_link = (q->sqe.flags & EXO_SQE_LINK) != 0;
    r->chain_open = has_link;
    r->chain_pred = has_link ? q : NULL;
    r->chain_broken = false;

    if (pred) { /* its chain is still running: wait for the predecessor */
        pred->link = q;
        q->state = REQ_WAITING;
        if (pred->deferred) {
            q->deferred = true;
            r->deferred_n++;
        }
        return;
    }
    q->state = REQ_WAITING;
    if (broken) {
        r->chain_broken = has_link; /* the cancellation goes on down the chain */
        ring_complete(r, q, ERR_CANCELED, 0);
        return;
    }
    if (linked && q->sqe.opcode == EXO_OP_LINK_TIMEOUT) {
        ring_complete(r, q, ERR_CANCELED, 0); /* its op completed before it was taken */
        return;
    }
    bool drain = (q->sqe.flags & EXO_SQE_DRAIN) != 0;
    if (!linked && (r->deferred_head || r->barrier || (drain && r->inflight > 1))) {
        q->deferred = true;
        r->deferred_n++;
        list_append(&r->deferred_head, &r->deferred_tail, q);
        return;
    }
    if (!linked && drain) {
        r->barrier = q;
    }
    start_push(r, q);
}

int64_t ring_take(ring_t *r, uint32_t max) {
    int64_t ready = ringq_sq_ready(&r->q);
    if (ready < 0) {
        return ready; /* ERR_RANGE: the app's sq_tail is more than a ring ahead */
    }
    uint32_t taken = 0;
    while (taken < max && taken < (uint64_t)ready) {
        if (r->free == NULL || r->in_use + ringq_cq_used(&r->q) >= r->cq_entries) {
            return taken ? (int64_t)taken : ERR_BUSY; /* not uint32: -23 must stay negative */
        }
        ring_req_t *q = r->free;
        r->free = q->next;
        r->in_use++;
        r->inflight++;
        q->next = q->link = NULL;
        q->deferred = q->lt_cancelled = false;
        q->ev = NULL;
        q->obj = NULL;
        ringq_sq_take(&r->q, &q->sqe);
        accept(r, q);
        taken++;
    }
    return taken;
}

/* Arms the link timeout that guards q, as q starts. */
static void arm_link_timeout(ring_t *r, ring_req_t *q) {
    ring_req_t *lt = q->link;
    if (lt == NULL || lt->sqe.opcode != EXO_OP_LINK_TIMEOUT || lt->state != REQ_WAITING) {
        return;
    }
    lt->target = q;
    if (ring_op_check(&lt->sqe) == STATUS_OK &&
        ring_timeout_arm(r, lt, lt->sqe.arg[0]) == STATUS_OK) {
        lt->state = REQ_ASYNC;
    }
}

void ring_run(ring_t *r, bool in_domain) {
    bool acting = false;
    bool irq = spin_lock(&r->lock);
    ring_req_t *q;
    while ((q = list_pop(&r->start_head, &r->start_tail)) != NULL) {
        if (!in_domain && !acting && !r->closed) {
            q->state = REQ_EXEC; /* off the list while the lock is dropped */
            spin_unlock(&r->lock, irq);
            acting = ring_act_begin(r);
            irq = spin_lock(&r->lock);
            if (!acting) {
                ring_complete(r, q, ERR_CANCELED, 0); /* the domain is going */
                continue;
            }
        }
        if (r->closed) {
            ring_complete(r, q, ERR_CANCELED, 0);
            continue;
        }
        arm_link_timeout(r, q);
        q->state = REQ_EXEC;
        spin_unlock(&r->lock, irq);
        uint64_t aux = 0;
        int64_t res = ring_op_exec(r, q, &aux);
        irq = spin_lock(&r->lock);
        if (res == RING_ASYNC) {
            status_t st = ring_op_arm(r, q); /* ERR_CANCELED once closed */
            if (st == STATUS_OK) {
                q->state = REQ_ASYNC;
                continue;
            }
            res = st;
        }
        ring_complete(r, q, res, aux);
    }
    spin_unlock(&r->lock, irq);
    if (acting) {
        ring_act_end(r);
    }
}
