/*
 * Ring objects (rings/ring.h): building one (its memory, request pool and timeout queue,
 * all charged to the memory cap that pays for it), references, closing, and the context
 * in which kernel code acts for the ring's domain.
 */
#include <dev/clock.h>
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <mm/heap.h>
#include <mm/physmap.h>
#include <mm/view.h>
#include <stdatomic.h>

#include "ring_priv.h"

static _Atomic uint64_t live_rings;

uint64_t rings_live(void) {
    return atomic_load(&live_rings);
}

#define POLL_IDLE_US_DEFAULT 1000u

static void ring_free(ring_t *r) {
    if (r->mem) {
        region_unref(r->mem);
    }
    kfree(r->pages);
    kfree(r->reqs);
    kfree(r->timeout_slots);
    if (r->budget) {
        budget_uncharge(r->budget, r->charged);
        budget_unref(r->budget);
    }
    if (r->dom) {
        domain_release(r->dom);
    }
    kfree(r);
    atomic_fetch_sub(&live_rings, 1);
}

void ring_ref(ring_t *r) {
    uint32_t old = atomic_fetch_add(&r->refs, 1);
    ASSERT(old > 0);
}

void ring_unref(ring_t *r) {
    uint32_t old = atomic_fetch_sub(&r->refs, 1);
    ASSERT(old > 0);
    if (old == 1) {
        ring_free(r);
    }
}

status_t ring_build(domain_t *d, budget_t *b, uint32_t sq, uint32_t cq, uint32_t flags,
                    uint32_t idle_us, ring_t **out) {
    ringq_layout_t l;
    status_t st = ringq_layout(sq, cq, &l);
    if (st != STATUS_OK) {
        return st;
    }
    uint32_t npages = l.size / EXO_RING_PAGE;
    uint64_t kbytes = sizeof(ring_t) + (uint64_t)npages * sizeof(void *) +
                      (uint64_t)cq * (sizeof(ring_req_t) + sizeof(ktimer_t *));
    st = budget_charge(b, kbytes);
    if (st != STATUS_OK) {
        return st;
    }
    ring_t *r = kzalloc(sizeof(*r));
    if (r == NULL) {
        budget_uncharge(b, kbytes);
        return ERR_NO_MEMORY;
    }
    atomic_fetch_add(&live_rings, 1);
    atomic_store(&r->refs, 1);
    r->lock = (spinlock_t)SPINLOCK_INIT;
    budget_ref(b);
    r->budget = b;
    r->charged = kbytes;
    domain_ref(d);
    r->dom = d;
    r->sq_entries = sq;
    r->cq_entries = cq;
    r->setup_flags = flags;
    r->pages = kzalloc(npages * sizeof(void *));
    r->reqs = kzalloc(cq * sizeof(ring_req_t));
    r->timeout_slots = kzalloc(cq * sizeof(ktimer_t *));
    st = (r->pages && r->reqs && r->timeout_slots) ? STATUS_OK : ERR_NO_MEMORY;
    st = st ? st : region_create(b, l.size, &r->mem);
    for (uint32_t i = 0; st == STATUS_OK && i < npages; i++) {
        uint64_t pa;
        st = region_frame(r->mem, r->mem->base + (uint64_t)i * EXO_RING_PAGE, &pa);
        r->pages[i] = st == STATUS_OK ? phys_to_virt(pa) : NULL;
    }
    if (st != STATUS_OK) {
        ring_free(r);
        return st;
    }
    ringq_init(&r->q, r->pages, sq, cq, flags);
    for (uint32_t i = 0; i < cq; i++) {
        r->reqs[i].ring = r;
        r->reqs[i].next = i + 1 < cq ? &r->reqs[i + 1] : NULL;
    }
    r->free = &r->reqs[0];
    timerq_init(&r->timeouts, r->timeout_slots, cq);
    ktimer_init(&r->tick, NULL, r);
    cont_init(&r->work, ring_work, r);
    event_init(&r->cq_ev);
    r->idle_tsc = clock_ns_to_tsc((uint64_t)(idle_us ? idle_us : POLL_IDLE_US_DEFAULT) * 1000);
    *out = r;
    return STATUS_OK;
}

/* The last cap is gone: nothing new is taken, every op in flight is cancelled, waiters
 * wake, and the poller stops at its next pass. Memory goes with the last reference. */
static void ring_close(ring_t *r) {
    bool irq = spin_lock(&r->lock);
    r->closed = true;
    timer_cancel(&r->tick); /* false: it fired and the work it kicked holds a reference */
    for (uint32_t i = 0; i < r->cq_entries; i++) {
        ring_req_t *q = &r->reqs[i];
        if (q->state == REQ_ASYNC && q->sqe.opcode != EXO_OP_LINK_TIMEOUT &&
            ring_op_cancel(r, q)) { /* a link timeout ends with the op it guards */
            ring_complete(r, q, ERR_CANCELED, 0);
        }
    }
    /* Not started yet: they complete cancelled as the start list runs (ring_run). */
    event_signal(&r->cq_ev);
    spin_unlock(&r->lock, irq);
    ring_run(r, false);
    ring_unref(r); /* the caps' reference */
}

void ring_cap_ref(void *obj) {
    ring_t *r = obj;
    if (atomic_fetch_add(&r->caps, 1) == 0) {
        ring_ref(r);
    }
}

void ring_cap_unref(void *obj) {
    ring_t *r = obj;
    if (atomic_fetch_sub(&r->caps, 1) == 1) {
        ring_close(r);
    }
}

bool ring_act_begin(ring_t *r) {
    if (!domain_hold(r->dom)) {
        return false;
    }
    cpu_t *c = this_cpu();
    ASSERT(c->acting == NULL && c->current_user == NULL);
    c->acting = r->dom;
    view_activate(&r->dom->view);
    return true;
}

void ring_act_end(ring_t *r) {
    cpu_t *c = this_cpu();
    view_deactivate(&r->dom->view);
    c->acting = NULL;
    domain_cont_ended(r->dom); /* may end the domain: its table closes, and this ring */
}
