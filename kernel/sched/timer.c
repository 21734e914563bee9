/*
 * Per-core one-shot timers: each core's timerq (sched/timerq.h) drives its LAPIC timer,
 * armed for the earliest deadline. Expired timers run their fn in the timer interrupt.
 * A timer fires on the core that started it; any core may cancel it.
 */
#include <arch/cpu.h>
#include <arch/irq.h>
#include <arch/lapic.h>
#include <dev/clock.h>
#include <kernel/cpu.h>
#include <sched/sched.h>

#include "sched_priv.h"

static void rearm(cpu_t *self) {
    ktimer_t *next = timerq_peek(&self->timers);
    lapic_timer_arm(next ? next->deadline : 0);
}

/* Expired timers' fns run under this core's timer lock, so a timer_cancel that returns
 * false knows the fn has finished. A fn must be short and must not start or cancel
 * timers (sched_spawn is fine). */
static void timer_irq(void) {
    cpu_t *self = this_cpu();
    atomic_fetch_add_explicit(&self->stats.timer_irqs, 1, memory_order_relaxed);
    bool irq = spin_lock(&self->timer_lock);
    ktimer_t *t;
    while ((t = timerq_pop_expired(&self->timers, rdtsc())) != NULL) {
        t->fn(t);
    }
    rearm(self);
    spin_unlock(&self->timer_lock, irq);
}

void timer_init_cpu(void) {
    irq_set_handler(VEC_TIMER, timer_irq);
    lapic_timer_arm(0);
}

status_t timer_start(ktimer_t *t, uint64_t deadline) {
    cpu_t *self = this_cpu();
    bool irq = spin_lock(&self->timer_lock);
    t->deadline = deadline;
    t->cpu = self->index;
    status_t st = timerq_add(&self->timers, t);
    if (st == STATUS_OK && timerq_peek(&self->timers) == t) {
        lapic_timer_arm(deadline);
    }
    spin_unlock(&self->timer_lock, irq);
    return st;
}

/* From another core the owner's LAPIC may stay armed for a cancelled head: it then fires
 * early, finds nothing expired and re-arms. */
bool timer_cancel(ktimer_t *t) {
    cpu_t *self = this_cpu();
    cpu_t *owner = cpus[t->cpu];
    bool irq = spin_lock(&owner->timer_lock);
    bool was_head = timerq_peek(&owner->timers) == t;
    bool ok = timerq_cancel(&owner->timers, t);
    if (ok && was_head && owner == self) {
        rearm(self);
    }
    spin_unlock(&owner->timer_lock, irq);
    return ok;
}

static void spawn_from_timer(ktimer_t *t) {
    sched_spawn(t->arg);
}

status_t sched_after(cont_t *c, ktimer_t *t, uint64_t ns) {
    ktimer_init(t, spawn_from_timer, c);
    cont_state_set(c, CONT_WAITING);
    return timer_start(t, rdtsc() + clock_ns_to_tsc(ns));
}
