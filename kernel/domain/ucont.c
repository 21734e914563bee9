/*
 * User continuations (domain/ucont.h): creating them, running them in ring 3, and what
 * happens when they come back. All re-arming (spawn again, wait on a child) is done here
 * after the core has left the user's view, so a continuation that another core picks up
 * at once never shares anything with the core it left.
 */
#include <arch/fpu.h>
#include <dev/clock.h>
#include <domain/contobj.h>
#include <domain/ucont.h>
#include <domain/watchdog.h>
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <mm/heap.h>
#include <stdatomic.h>
#include <trace/trace.h>

static void ucont_run(cont_t *k);

status_t ucont_create(domain_t *d, uint64_t entry, uint64_t stack_top, uint64_t a0, uint64_t a1,
                      ucont_t **out) {
    ucont_t *u = kzalloc(sizeof(*u));
    void *fpu_mem = kmalloc(fpu_area_size() + FPU_AREA_ALIGN);
    if (u == NULL || fpu_mem == NULL) {
        kfree(u);
        kfree(fpu_mem);
        return ERR_NO_MEMORY;
    }
    bool irq = spin_lock(&d->lock);
    if (atomic_load(&d->dying) || d->ended) {
        spin_unlock(&d->lock, irq);
        kfree(u);
        kfree(fpu_mem);
        return ERR_STATE;
    }
    if (d->live++ == 0) {
        domain_ref(d); /* a domain with live continuations holds itself */
    }
    spin_unlock(&d->lock, irq);

    cont_init(&u->k, ucont_run, u);
    u->k.flags = CONT_FREE;
    u->dom = d;
    u->id = atomic_fetch_add(&d->next_cont, 1);
    u->fpu_mem = fpu_mem;
    u->fpu = (void *)(((uintptr_t)fpu_mem + FPU_AREA_ALIGN - 1) & ~(uintptr_t)(FPU_AREA_ALIGN - 1));
    fpu_area_init(u->fpu);
    user_regs_init(&u->regs, entry, stack_top, a0, a1);
    *out = u;
    return STATUS_OK;
}

bool ucont_must_end(ucont_t *u) {
    return atomic_load(&u->dom->dying) || atomic_load(&u->cancelled);
}

ucont_t *ucont_current(void) {
    return this_cpu()->current_user;
}

/* The continuation is over: its memory goes with the scheduler's kfree (CONT_FREE). */
static void ucont_end(ucont_t *u) {
    domain_t *d = u->dom;
    if (u->wait) { /* ended before it resumed: drop what it held */
        (void)u->wait->resume(u);
        u->wait = NULL;
    }
    kfree(u->fpu_mem);
    u->fpu_mem = u->fpu = NULL;
    if (u->obj) {
        contobj_ended(u->obj);
        u->obj = NULL;
    }
    domain_cont_ended(d);
}

void ucont_leave(ucont_t *u, const user_regs_t *tf, enum ucont_leave why) {
    if (why != UCONT_END) {
        u->regs = *tf;
        user_regs_sanitize(&u->regs);
        fpu_save(u->fpu);
        u->used_tsc = 0; /* a suspension starts a new budget */
    }
    user_return(why);
}

static void ucont_run(cont_t *k) {
    ucont_t *u = (ucont_t *)k;
    domain_t *d = u->dom;
    if (u->wait) { /* resumed by what it waited for, or by a kill */
        domain_waiter_disarm(d, u);
        if (!u->wait->resume(u)) {
            domain_waiter_arm(d, u, false); /* u may run elsewhere from here on */
            return;
        }
        domain_waiter_remove(d, u);
        u->wait = NULL;
    }
    cpu_t *c = this_cpu();
    bool irq = irq_save();
    c->current_user = u;
    atomic_store_explicit(&c->user_cont, u->id, memory_order_relaxed); /* for listings only */
    atomic_store(&c->user_domain, d->id);                    /* seq_cst: pairs with domain_kill */
    __atomic_store_n(&c->current_user, u, __ATOMIC_SEQ_CST); /* pairs with contobj_cancel */
    if (ucont_must_end(u)) {
        atomic_store(&c->user_domain, 0);
        atomic_store_explicit(&c->user_cont, 0, memory_order_relaxed);
        c->current_user = NULL;
        irq_restore(irq);
        trace_event_for(EXO_TRACE_CONT_END, d->id, u->id, 0, UCONT_END);
        ucont_end(u);
        return;
    }
    view_activate(&d->view);
    fpu_restore(u->fpu);
    watchdog_arm(c, u);
    trace_event_for(EXO_TRACE_CONT_RUN, d->id, u->id, 0, 0);
    uint64_t why = user_enter(&u->regs);
    trace_event_for(why == UCONT_END ? EXO_TRACE_CONT_END : EXO_TRACE_CONT_SUSPEND, d->id, u->id, 0,
                    (uint32_t)why);
    watchdog_disarm(c);
    view_deactivate(&d->view);
    atomic_store(&c->user_domain, 0);
    atomic_store_explicit(&c->user_cont, 0, memory_order_relaxed);
    c->current_user = NULL;
    irq_restore(irq);

    switch (why) {
    case UCONT_YIELD:
        sched_spawn_tail(k); /* behind whatever else is ready: a yield lets others run */
        break;
    case UCONT_MIGRATE:
        sched_spawn_on((c->index + 1) % cpu_count, k);
        break;
    case UCONT_WAIT:
        domain_waiter_arm(d, u, true); /* u may run elsewhere from here on */
        break;
    case UCONT_END:
        ucont_end(u);
        break;
    default:
        panic("ucont_run: user_enter returned %lu", why);
    }
}
