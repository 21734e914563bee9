/*
 * Continuation objects (domain/contobj.h) and the traps that spawn and cancel through
 * them.
 */
#include <arch/smp.h>
#include <arch/user.h>
#include <caps/cap.h>
#include <domain/contobj.h>
#include <domain/ucont.h>
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <mm/heap.h>
#include <stdatomic.h>

status_t contobj_create(contobj_t **out) {
    contobj_t *o = kzalloc(sizeof(*o));
    if (o == NULL) {
        return ERR_NO_MEMORY;
    }
    atomic_store(&o->refs, 1);
    o->lock = (spinlock_t)SPINLOCK_INIT;
    event_init(&o->ended_ev);
    *out = o;
    return STATUS_OK;
}

void contobj_ref(contobj_t *o) {
    uint32_t old = atomic_fetch_add(&o->refs, 1);
    ASSERT(old > 0);
}

void contobj_unref(contobj_t *o) {
    uint32_t old = atomic_fetch_sub(&o->refs, 1);
    ASSERT(old > 0);
    if (old == 1) {
        kfree(o);
    }
}

void contobj_ref_obj(void *o) {
    contobj_ref(o);
}

void contobj_unref_obj(void *o) {
    contobj_unref(o);
}

void contobj_ended(contobj_t *o) {
    bool irq = spin_lock(&o->lock);
    o->u = NULL;
    o->ended = true;
    spin_unlock(&o->lock, irq);
    event_signal(&o->ended_ev);
    contobj_unref(o); /* the continuation's */
}

void contobj_cancel(contobj_t *o) {
    bool irq = spin_lock(&o->lock);
    ucont_t *u = o->u; /* cannot be freed while o->u names it: its end clears it first */
    if (u) {
        atomic_store(&u->cancelled, true); /* seq_cst: pairs with ucont_wait_arm */
        domain_waiter_wake(u->dom, u);
        for (uint32_t i = 0; i < cpu_count; i++) {
            if (i != this_cpu()->index && cpus[i] &&
                __atomic_load_n(&cpus[i]->current_user, __ATOMIC_RELAXED) == u) {
                smp_wake(i); /* its interrupt exit sees cancelled */
            }
        }
    }
    spin_unlock(&o->lock, irq);
}

int64_t sys_cont_spawn(domain_t *d, uint64_t entry, uint64_t arg, uint64_t stack_top) {
    if (entry >= USER_ADDR_LIMIT || stack_top >= USER_ADDR_LIMIT || (stack_top & 15)) {
        return ERR_RANGE; /* as SYS_SPAWN */
    }
    contobj_t *o;
    status_t st = contobj_create(&o);
    if (st != STATUS_OK) {
        return st;
    }
    bool irq = caps_lock();
    cap_slot_t *s = NULL;
    st = cap_reserve(d, &s);
    caps_unlock(irq);
    ucont_t *u = NULL;
    st = st ? st : ucont_create(d, entry, stack_top, arg, 0, &u);
    irq = caps_lock();
    if (st != STATUS_OK) {
        if (s) {
            cspace_unreserve(s);
        }
        caps_unlock(irq);
        contobj_unref(o);
        return st;
    }
    /* invoke: the cap takes over the creation's reference; the continuation gets one */
    cap_install_take(s, CAP_CONTINUATION, CAP_RIGHTS_CONTINUATION, o, NULL);
    exo_handle_t h = cap_handle(s);
    caps_unlock(irq);
    contobj_ref(o);
    o->u = u;
    u->obj = o;
    sched_spawn(&u->k);
    return (int64_t)h;
}

int64_t sys_cont_cancel(domain_t *d, uint64_t h) {
    bool irq = caps_lock();
    cap_slot_t *s;
    status_t st = cap_decode(d, h, CAP_CONTINUATION, CAP_RIGHT_CONT_CANCEL, &s);
    contobj_t *o = st == STATUS_OK ? s->obj : NULL;
    if (o) {
        contobj_ref(o);
    }
    caps_unlock(irq);
    if (o) {
        contobj_cancel(o);
        contobj_unref(o);
    }
    return st;
}

static void cont_join_arm(ucont_t *u) {
    contobj_t *o = u->wait_obj;
    u->wait_ev = &o->ended_ev;
    event_wait(&o->ended_ev, &u->k); /* at once if it has ended already */
}

static bool cont_join_resume(ucont_t *u) {
    user_regs_set_result(&u->regs, 0);
    contobj_unref(u->wait_obj);
    u->wait_obj = NULL;
    return true;
}

static const ucont_wait_ops_t cont_join_ops = {cont_join_arm, cont_join_resume};

int64_t sys_cont_join(ucont_t *self, user_regs_t *tf, uint64_t h) {
    bool irq = caps_lock();
    cap_slot_t *s;
    status_t st = cap_decode(self->dom, h, CAP_CONTINUATION, CAP_RIGHT_CONT_JOIN, &s);
    contobj_t *o = st == STATUS_OK ? s->obj : NULL;
    if (o) {
        contobj_ref(o);
    }
    caps_unlock(irq);
    if (o == NULL) {
        return st;
    }
    if (o->u == self) { /* read without the lock: only self's end changes it from self */
        contobj_unref(o);
        return ERR_STATE; /* it would wait for its own end */
    }
    self->wait = &cont_join_ops;
    self->wait_obj = o;
    ucont_leave(self, tf, UCONT_WAIT); /* resumes with 0 in %rax once o has ended */
}
