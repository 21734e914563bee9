/*
 * Per-core one-shot timers: each core's timerq (sched/timerq.h) drives its LAPIC timer,
 * armed for the earliest deadline. Expired timers run their fn in the timer interrupt.
 * A timer is started, fires and is cancelled on one core: the core that started it.
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

static void timer_irq(void) {
    cpu_t *self = this_cpu();
    atomic_fetch_add_explicit(&self->stats.timer_irqs, 1, memory_order_relaxed);
    ktimer_t *t;
    while ((t = timerq_pop_expired(&self->timers, rdtsc())) != NULL) {
        t->fn(t);
    }
    rearm(self);
}

void timer_init_cpu(void) {
    irq_set_handler(VEC_TIMER, timer_irq);
    lapic_timer_arm(0);
}

status_t timer_start(ktimer_t *t, uint64_t deadline) {
    cpu_t *self = this_cpu();
    bool irq = irq_save();
    t->deadline = deadline;
    status_t st = timerq_add(&self->timers, t);
    if (st == STATUS_OK && timerq_peek(&self->timers) == t) {
        lapic_timer_arm(deadline);
    }
    irq_restore(irq);
    return st;
}

bool timer_cancel(ktimer_t *t) {
    cpu_t *self = this_cpu();
    bool irq = irq_save();
    bool was_head = timerq_peek(&self->timers) == t;
    bool ok = timerq_cancel(&self->timers, t);
    if (ok && was_head) {
        rearm(self);
    }
    irq_restore(irq);
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
