/*
 * Timeouts and link timeouts: a ring keeps its own queue of them (sched/timerq.h, as many
 * slots as requests) and one core timer for the earliest, so a ring can never fill a
 * core's timer queue. The core timer kicks the ring's work continuation, which completes
 * what expired in deadline order and runs what that started.
 */
#include <arch/cpu.h>
#include <dev/clock.h>
#include <kernel/panic.h>
#include <stdatomic.h>

#include "ring_priv.h"

static void tick_fire(ktimer_t *t) { /* timer interrupt, under the core's timer lock */
    ring_kick(t->arg);
}

/* The core timer follows the earliest deadline (lock). */
static status_t tick_rearm(ring_t *r) {
    ktimer_t *next = timerq_peek(&r->timeouts);
    timer_cancel(&r->tick); /* false: not queued, or fired (its kick is on its way) */
    if (next == NULL || r->closed) {
        return STATUS_OK;
    }
    ktimer_init(&r->tick, tick_fire, r);
    return timer_start(&r->tick, next->deadline);
}

status_t ring_timeout_arm(ring_t *r, ring_req_t *q, uint64_t ns) {
    ktimer_init(&q->timer, NULL, q);
    q->timer.deadline = rdtsc() + clock_ns_to_tsc(ns);
    status_t st = timerq_add(&r->timeouts, &q->timer); /* as many slots as requests */
    ASSERT(st == STATUS_OK);
    if (timerq_peek(&r->timeouts) != &q->timer) {
        return STATUS_OK;
    }
    st = tick_rearm(r);
    if (st != STATUS_OK) { /* this core's timer queue is full */
        timerq_cancel(&r->timeouts, &q->timer);
        (void)tick_rearm(r);
    }
    return st;
}

bool ring_timeout_cancel(ring_t *r, ring_req_t *q) {
    bool was_head = timerq_peek(&r->timeouts) == &q->timer;
    bool ok = timerq_cancel(&r->timeouts, &q->timer);
    if (ok && was_head) {
        (void)tick_rearm(r); /* a later deadline cannot fail where an earlier one fit */
    }
    return ok;
}

void ring_timeouts_expire(ring_t *r) {
    uint64_t now = rdtsc();
    ktimer_t *t;
    while ((t = timerq_pop_expired(&r->timeouts, now)) != NULL) {
        ring_req_t *q = t->arg;
        if (q->sqe.opcode == EXO_OP_TIMEOUT) {
            ring_complete(r, q, 0, 0);
            continue;
        }
        /* A link timeout fired: cancel the op it guards. If that op is past cancelling
         * (running, or its completion is on its way), it ends by itself and takes this
         * link timeout with it (ERR_CANCELED). */
        ring_req_t *op = q->target;
        q->state = REQ_EXEC;
        if (op->state == REQ_ASYNC && ring_op_cancel(r, op)) {
            op->lt_cancelled = true;
            ring_complete(r, op, ERR_CANCELED, 0);
        }
    }
    (void)tick_rearm(r);
}

void ring_kick(ring_t *r) {
    if (atomic_fetch_add(&r->work_pending, 1) == 0) {
        ring_ref(r); /* the work continuation's */
        sched_spawn(&r->work);
    }
}

void ring_work(cont_t *k) {
    ring_t *r = k->arg;
    uint32_t n;
    do {
        n = atomic_load(&r->work_pending);
        bool irq = spin_lock(&r->lock);
        if (!r->closed) {
            ring_timeouts_expire(r);
        }
        spin_unlock(&r->lock, irq);
        ring_run(r, false);
        cont_park(k); /* once pending drops to 0, a kick may spawn it elsewhere */
    } while (atomic_fetch_sub(&r->work_pending, n) != n);
    ring_unref(r);
}
