/*
 * The two ring traps (exo/syscall.h): SYS_RING_CREATE builds a ring and gives the caller
 * a ring cap and a cap to its memory; SYS_RING_ENTER is the doorbell and the wait.
 */
#include <arch/user.h>
#include <caps/cap.h>
#include <domain/ucont.h>
#include <exo/syscall.h>
#include <kernel/panic.h>
#include <mm/uaccess.h>
#include <mm/view.h>
#include <stdatomic.h>
#include <trace/trace.h>

#include "ring_priv.h"

#define RING_IDLE_US_MAX 1000000u

static status_t decode_params(const exo_ring_params_t *p, uint32_t *cq) {
    if ((p->flags & ~EXO_RING_SQPOLL) || p->base || p->size || p->region || p->reserved[0] ||
        p->reserved[1] || p->reserved[2]) {
        return ERR_INVALID;
    }
    if (p->sq_idle_us > RING_IDLE_US_MAX) {
        return ERR_RANGE;
    }
    *cq = p->cq_entries;
    if (*cq == 0) {
        *cq = p->sq_entries >= EXO_RING_MAX_ENTRIES ? EXO_RING_MAX_ENTRIES : 2 * p->sq_entries;
    }
    ringq_layout_t l;
    return ringq_layout(p->sq_entries, *cq, &l);
}

/* Under caps_lock: the budget of a memory cap with MEM_ALLOC. */
static status_t decode_memory(domain_t *d, exo_handle_t memory, cap_slot_t **out) {
    return cap_decode(d, memory, CAP_MEMORY, CAP_RIGHT_MEM_ALLOC, out);
}

int64_t sys_ring_create(domain_t *d, exo_handle_t memory, uint64_t params_ptr) {
    exo_ring_params_t p;
    uint32_t cq;
    if (copy_from_user(&p, params_ptr, sizeof(p)) != STATUS_OK) {
        return ERR_FAULT;
    }
    status_t st = decode_params(&p, &cq);
    if (st != STATUS_OK) {
        return st;
    }
    if (copy_to_user(params_ptr, &p, sizeof(p)) != STATUS_OK) {
        return ERR_FAULT; /* the results must be deliverable before anything is made */
    }
    bool irq = caps_lock();
    cap_slot_t *ms, *rs = NULL, *gs = NULL;
    budget_t *b = NULL;
    st = decode_memory(d, memory, &ms);
    if (st == STATUS_OK) {
        b = ms->obj;
        budget_ref(b);
    }
    caps_unlock(irq);
    if (st != STATUS_OK) {
        return st;
    }
    ring_t *r;
    st = ring_build(d, b, p.sq_entries, cq, p.flags, p.sq_idle_us, &r);
    budget_unref(b);
    if (st != STATUS_OK) {
        return st;
    }
    /* Decode again: the memory cap may have gone while the ring was built. */
    irq = caps_lock();
    st = decode_memory(d, memory, &ms);
    st = st ? st : cap_reserve(d, &rs);
    st = st ? st : cap_reserve(d, &gs);
    st = st ? st
            : view_attach(&d->view, r->mem, r->mem->base, r->mem->base + r->mem->size,
                          EXO_PROT_READ | EXO_PROT_WRITE, false);
    if (st != STATUS_OK) {
        if (rs) {
            cspace_unreserve(rs);
        }
        if (gs) {
            cspace_unreserve(gs);
        }
        caps_unlock(irq);
        ring_unref(r);
        return st;
    }
    /* invoke: both caps are children of the memory cap that paid; neither may leave the
     * domain (another domain writing this SQ would act with this domain's caps). */
    cap_install_ref(rs, CAP_RING, CAP_RIGHTS_RING, r, ms);
    cap_install_ref(gs, CAP_REGION, CAP_RIGHT_READ | CAP_RIGHT_WRITE, r->mem, ms);
    gs->mapped = 1;
    gs->map_prot = EXO_PROT_READ | EXO_PROT_WRITE;
    exo_handle_t handle = cap_handle(rs);
    p.region = cap_handle(gs);
    p.base = r->mem->base;
    p.size = r->mem->size;
    p.cq_entries = cq;
    caps_unlock(irq);
    if (p.flags & EXO_RING_SQPOLL) {
        ring_poller_start(r);
    }
    ring_unref(r);                           /* the caps hold it now */
    copy_to_user(params_ptr, &p, sizeof(p)); /* probed above */
    return (int64_t)handle;
}

/* ring_enter waiting for CQEs: the continuation sleeps on the ring's cq_ev, and every
 * completion wakes it to look again. */
static void ring_wait_arm(ucont_t *u) {
    ring_t *r = u->wait_obj;
    bool irq = spin_lock(&r->lock);
    u->wait_ev = &r->cq_ev;
    if (r->closed || ring_cq_ready(r) >= u->wait_arg) {
        sched_spawn(&u->k);
    } else {
        r->nwaiters++;
        event_wait(&r->cq_ev, &u->k);
    }
    spin_unlock(&r->lock, irq);
}

static bool ring_wait_resume(ucont_t *u) {
    ring_t *r = u->wait_obj;
    bool irq = spin_lock(&r->lock);
    bool done = r->closed || ucont_must_end(u) || ring_cq_ready(r) >= u->wait_arg;
    spin_unlock(&r->lock, irq);
    if (done) {
        u->wait_obj = NULL;
        ring_unref(r);
    }
    return done;
}

static const ucont_wait_ops_t ring_wait_ops = {ring_wait_arm, ring_wait_resume};

int64_t sys_ring_enter(ucont_t *self, user_regs_t *tf, exo_handle_t h, uint64_t to_submit,
                       uint64_t min_complete, uint64_t flags) {
    trace_event(EXO_TRACE_RING_ENTER, h, (uint32_t)to_submit);
    if ((flags & ~(uint64_t)EXO_ENTER_FLAGS_ALL) || to_submit > UINT32_MAX ||
        min_complete > UINT32_MAX) {
        return ERR_INVALID;
    }
    uint32_t rights = 0;
    if (to_submit || (flags & EXO_ENTER_SQ_WAKEUP)) {
        rights |= CAP_RIGHT_WRITE;
    }
    if (flags & EXO_ENTER_GETEVENTS) {
        rights |= CAP_RIGHT_READ;
    }
    bool irq = caps_lock();
    cap_slot_t *s;
    status_t st = cap_decode(self->dom, h, CAP_RING, rights, &s);
    ring_t *r = st == STATUS_OK ? s->obj : NULL;
    if (r) {
        ring_ref(r); /* ours: another continuation may delete the cap meanwhile */
    }
    caps_unlock(irq);
    if (st != STATUS_OK) {
        return st;
    }
    if (min_complete > r->cq_entries) {
        ring_unref(r);
        return ERR_INVALID;
    }
    int64_t ret = 0;
    irq = spin_lock(&r->lock);
    bool spawn = false;
    if (r->setup_flags & EXO_RING_SQPOLL) {
        spawn = ring_poller_unpark(r); /* any enter wakes it: the poller takes the SQEs */
        int64_t ready = ringq_sq_ready(&r->q);
        ret = ready < 0 ? ready : 0; /* a corrupt sq_tail: the poller cannot take any */
    } else if (to_submit) {
        ret = ring_take(r, (uint32_t)to_submit);
    }
    ring_flush_backlog(r);
    spin_unlock(&r->lock, irq);
    if (spawn) {
        ring_poller_spawn(r);
    }
    ring_run(r, true);
    if (ret < 0 || !(flags & EXO_ENTER_GETEVENTS) || min_complete == 0) {
        ring_unref(r);
        return ret;
    }
    irq = spin_lock(&r->lock);
    bool ready = ring_cq_ready(r) >= min_complete;
    spin_unlock(&r->lock, irq);
    if (ready) {
        ring_unref(r);
        return ret;
    }
    self->wait = &ring_wait_ops;
    self->wait_obj = r; /* our reference goes with it */
    self->wait_arg = min_complete;
    user_regs_set_result(tf, (uint64_t)ret);
    ucont_leave(self, tf, UCONT_WAIT); /* resumes with ret in %rax */
}
