/*
 * SQPOLL: a kernel continuation takes SQEs as the app publishes them, so submitting needs
 * no trap (FlexSC's system-call cores, io_uring's SQPOLL). It starts on the last core
 * (idle cores may steal it), opens an interrupt window and yields between passes, and parks once
 * the SQ has been empty for idle_tsc: it sets EXO_RING_NEED_WAKEUP and looks once more
 * (rings/queue.h), so an app that published after that look sees the flag and traps to wake it.
 */
#include <arch/cpu.h>
#include <kernel/cpu.h>
#include <kernel/panic.h>

#include "ring_priv.h"

static void poller_run(cont_t *k) {
    ring_t *r = k->arg;
    bool irq = spin_lock(&r->lock);
    if (r->closed) {
        r->parked = true;
        spin_unlock(&r->lock, irq);
        ring_unref(r); /* the poller's */
        return;
    }
    int64_t n = ring_take(r, r->sq_entries);
    ring_flush_backlog(r);
    uint64_t now = rdtsc();
    bool park = false;
    if (n > 0 || r->start_head) {
        r->last_work_tsc = now;
    } else if (n == ERR_BUSY) {
        /* No CQ room: park until the app makes some. The app fences after moving cq_head
         * and then reads the flag (exo_ring_cq_advance); we fence after setting it and
         * then read cq_head: one of the two sees the other. */
        ringq_set_flag(&r->q, EXO_RING_NEED_WAKEUP, true);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        park = r->in_use + ringq_cq_used(&r->q) >= r->cq_entries;
        if (!park) {
            ringq_poller_unpark(&r->q);
        }
    } else if (n == ERR_RANGE) { /* a corrupt SQ tail: ring_enter reports it */
        ringq_set_flag(&r->q, EXO_RING_NEED_WAKEUP, true);
        park = true;
    } else if (now - r->last_work_tsc > r->idle_tsc) {
        park = ringq_poller_park(&r->q);
    }
    r->parked = park;
    if (park) {
        cont_park(k); /* a wake-up may spawn it on another core once we unlock */
    }
    spin_unlock(&r->lock, irq);
    if (park) {
        ring_unref(r);
        return;
    }
    ring_run(r, false);
    sched_irq_window();  /* timers (its own timeouts among them) fire on a busy poller's core */
    sched_spawn_tail(k); /* again, behind whatever else is ready on this core */
}

void ring_poller_start(ring_t *r) {
    cont_init(&r->poller, poller_run, r);
    r->poll_cpu = cpu_count > 1 ? cpu_count - 1 : 0;
    r->last_work_tsc = rdtsc();
    ring_ref(r); /* the poller's, while it runs */
    sched_spawn_on(r->poll_cpu, &r->poller);
}

bool ring_poller_unpark(ring_t *r) {
    if (!r->parked || r->closed) {
        return false;
    }
    r->parked = false;
    ringq_poller_unpark(&r->q);
    r->last_work_tsc = rdtsc();
    ring_ref(r);
    return true;
}

void ring_poller_spawn(ring_t *r) {
    sched_spawn_on(r->poll_cpu, &r->poller);
}
