/*
 * The per-core scheduler loop, spawning and joins (sched/sched.h). Owner operations on a
 * core's deque run with interrupts off, because interrupt handlers spawn too; thieves
 * need no such care (deque_steal is safe against everyone).
 *
 * Idle protocol, so a wakeup is never lost: an idle core sets cpu.idle, then (seq_cst)
 * looks for work once more before `sti; hlt`; a spawner pushes, then (seq_cst) checks
 * the idle flags and sends a wake IPI to one idle core. Refilling a deque from the
 * overflow list counts as spawning, and a thief that leaves work behind wakes another
 * idle core, so wakeups chain until every core has work or none is idle.
 */
#include <arch/cpu.h>
#include <arch/smp.h>
#include <dev/clock.h>
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <mm/heap.h>
#include <sched/sched.h>

#include "sched_priv.h"

#define RUN_UNTIL_POLL_NS 1000000ull /* sched_run_until re-checks at least every 1 ms */

void cont_init(cont_t *c, cont_fn_t fn, void *arg) {
    *c = (cont_t){.fn = fn, .arg = arg};
}

cont_t *cont_new(cont_fn_t fn, void *arg) {
    cont_t *c = kmalloc(sizeof(*c));
    if (c) {
        cont_init(c, fn, arg);
        c->flags = CONT_FREE;
    }
    return c;
}

void cont_then(cont_t *pred, cont_t *succ) {
    ASSERT(pred->then == NULL);
    atomic_fetch_add(&succ->pending, 1);
    pred->then = succ;
}

/* Wakes one idle core other than this one, if any. */
static void wake_idle_core(void) {
    uint32_t n = cpu_count, self = this_cpu()->index;
    for (uint32_t i = 1; i < n; i++) {
        cpu_t *c = cpus[(self + i) % n];
        if (c && atomic_load(&c->idle)) {
            smp_wake(c->index);
            return;
        }
    }
}

void cont_state_set(cont_t *c, uint32_t st) {
    cpu_t *self = this_cpu();
    if (self->running == c) {
        self->running_rearmed = true; /* run() must not touch c again: see there */
    }
    uint32_t old = atomic_load_explicit(&c->state, memory_order_relaxed);
    while (!atomic_compare_exchange_weak(&c->state, &old, (old & ~0xffu) | st)) {
    }
}

/* Appends c to this core's FIFO overflow list (interrupts off). */
static void overflow_append(cpu_t *self, cont_t *c) {
    c->next = NULL;
    if (self->overflow_tail) {
        ((cont_t *)self->overflow_tail)->next = c;
    } else {
        self->overflow_head = c;
    }
    self->overflow_tail = c;
}

void cont_park(cont_t *c) {
    cont_state_set(c, CONT_WAITING);
}

void sched_irq_window(void) {
    bool irq = irq_save();
    __asm__ volatile("sti; nop; cli" ::: "memory"); /* sti's shadow covers the nop */
    irq_restore(irq);
}

void sched_spawn_tail(cont_t *c) {
    cont_state_set(c, CONT_READY);
    cpu_t *self = this_cpu();
    bool irq = irq_save();
    overflow_append(self, c);
    irq_restore(irq);
    atomic_thread_fence(memory_order_seq_cst);
    wake_idle_core();
}

static void spawn_here(void *arg) {
    sched_spawn(arg);
}

void sched_spawn_on(uint32_t index, cont_t *c) {
    /* Marked before it leaves our hands: the running continuation that re-arms itself
     * this way must not look finished to run() while the other core has not taken it. */
    cont_state_set(c, CONT_WAITING);
    smp_call(index, spawn_here, c, false);
}

void sched_spawn(cont_t *c) {
    if (atomic_load_explicit(&c->pending, memory_order_acquire) > 0) {
        return; /* the last predecessor spawns it */
    }
    cont_state_set(c, CONT_READY);
    cpu_t *self = this_cpu();
    bool irq = irq_save();
    if (self->overflow_head != NULL || deque_push(&self->ready, c) != STATUS_OK) {
        overflow_append(self, c); /* FIFO behind what already overflowed */
    }
    irq_restore(irq);
    atomic_thread_fence(memory_order_seq_cst);
    wake_idle_core();
}

static void run(cpu_t *self, cont_t *c) {
    /* Only this core holds c now (popped or stolen exactly once): a plain store. */
    uint32_t epoch = (atomic_load_explicit(&c->state, memory_order_relaxed) >> 8) + 1;
    uint32_t mine = (epoch << 8) | CONT_RUNNING;
    atomic_store_explicit(&c->state, mine, memory_order_relaxed);
    c->ran_on = self->index;
    /* A continuation that re-arms itself (event, timer, spawn, another core) may run
     * elsewhere and be freed before fn even returns here: the re-arm is recorded on this
     * core (cont_state_set), and then c is not looked at again. */
    cont_t *outer = self->running;
    bool outer_rearmed = self->running_rearmed;
    self->running = c;
    self->running_rearmed = false;
    c->fn(c);
    bool rearmed = self->running_rearmed;
    self->running = outer;
    self->running_rearmed = outer_rearmed;
    atomic_fetch_add_explicit(&self->stats.ran, 1, memory_order_relaxed);
    if (rearmed) {
        return;
    }
    bool done = atomic_compare_exchange_strong(&c->state, &mine, (epoch << 8) | CONT_DONE);
    ASSERT(done); /* nobody else can have touched a continuation that did not re-arm */
    cont_t *then = c->then;
    if (c->flags & CONT_FREE) {
        kfree(c);
    }
    if (then && atomic_fetch_sub_explicit(&then->pending, 1, memory_order_acq_rel) == 1) {
        sched_spawn(then);
    }
}

/* Pops our newest continuation; refills the deque from the overflow list first when the
 * deque ran dry, so thieves can see that work too. */
static cont_t *pop_local(cpu_t *self) {
    bool irq = irq_save();
    cont_t *c = deque_pop(&self->ready);
    if (c == NULL && self->overflow_head != NULL) {
        while (self->overflow_head != NULL) {
            cont_t *o = self->overflow_head;
            cont_t *next = o->next; /* once pushed, o is a thief's: its re-arm rewrites next */
            if (deque_push(&self->ready, o) != STATUS_OK) {
                break;
            }
            self->overflow_head = next;
        }
        if (self->overflow_head == NULL) {
            self->overflow_tail = NULL;
        }
        c = deque_pop(&self->ready);
        irq_restore(irq);
        atomic_thread_fence(memory_order_seq_cst);
        wake_idle_core(); /* the refill is new work for thieves, as a spawn is */
        return c;
    }
    irq_restore(irq);
    return c;
}

/* One pass over the other cores' deques, starting after our own index. */
static cont_t *steal_any(cpu_t *self) {
    uint32_t n = cpu_count;
    for (uint32_t i = 1; i < n; i++) {
        cpu_t *victim = cpus[(self->index + i) % n];
        void *item = NULL;
        if (victim == NULL) {
            continue;
        }
        status_t st = deque_steal(&victim->ready, &item);
        while (st == ERR_AGAIN) {
            st = deque_steal(&victim->ready, &item);
        }
        if (st == STATUS_OK) {
            atomic_fetch_add_explicit(&self->stats.stolen, 1, memory_order_relaxed);
            if (deque_size(&victim->ready) > 0) {
                wake_idle_core(); /* more left: chain the wakeup to another idle core */
            }
            return item;
        }
    }
    return NULL;
}

static void tick_noop(ktimer_t *t) {
    (void)t; /* the interrupt itself ends the halt */
}

/* Runs one continuation if there is any; otherwise halts until an interrupt. With tick
 * (sched_run_until), the halt lasts at most RUN_UNTIL_POLL_NS so the caller's condition,
 * which other cores may make true, is looked at again. */
static void dispatch_once(cpu_t *self, ktimer_t *tick) {
    cont_t *c = pop_local(self);
    if (c == NULL) {
        c = steal_any(self);
    }
    if (c) {
        run(self, c);
        return;
    }
    atomic_store(&self->idle, true);
    c = pop_local(self);
    if (c == NULL) {
        c = steal_any(self);
    }
    if (c == NULL) {
        if (tick && tick->heap_index == TIMERQ_NOT_QUEUED) {
            timer_start(tick, rdtsc() + clock_ns_to_tsc(RUN_UNTIL_POLL_NS));
        }
        atomic_fetch_add_explicit(&self->stats.halts, 1, memory_order_relaxed);
        __asm__ volatile("sti; hlt; cli" ::: "memory"); /* sti's shadow covers hlt */
    }
    atomic_store(&self->idle, false);
    if (c) {
        run(self, c);
    }
}

static __attribute__((noreturn)) void sched_loop(void) {
    cpu_t *self = this_cpu();
    for (;;) {
        dispatch_once(self, NULL);
    }
}

void sched_start(void) {
    irq_disable();
    arch_call_on_stack(this_cpu()->stack_top, sched_loop);
}

void sched_run_until(bool (*done)(void *arg), void *arg) {
    cpu_t *self = this_cpu();
    ktimer_t tick;
    ktimer_init(&tick, tick_noop, NULL);
    bool irq = irq_save();
    while (!done(arg)) {
        dispatch_once(self, &tick);
    }
    if (tick.heap_index != TIMERQ_NOT_QUEUED) {
        timer_cancel(&tick);
    }
    irq_restore(irq);
}

void event_init(event_t *e) {
    *e = (event_t){.lock = SPINLOCK_INIT};
}

void event_wait(event_t *e, cont_t *c) {
    bool irq = spin_lock(&e->lock);
    if (e->signaled) {
        spin_unlock(&e->lock, irq);
        sched_spawn(c);
        return;
    }
    cont_state_set(c, CONT_WAITING);
    c->next = e->waiters;
    e->waiters = c;
    spin_unlock(&e->lock, irq);
}

void event_signal(event_t *e) {
    bool irq = spin_lock(&e->lock);
    e->signaled = true;
    cont_t *w = e->waiters;
    e->waiters = NULL;
    spin_unlock(&e->lock, irq);
    while (w) {
        cont_t *next = w->next;
        sched_spawn(w);
        w = next;
    }
}

bool event_cancel(event_t *e, cont_t *c) {
    bool irq = spin_lock(&e->lock);
    bool found = false;
    for (cont_t **p = &e->waiters; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            found = true;
            break;
        }
    }
    spin_unlock(&e->lock, irq);
    return found;
}

void event_reset(event_t *e) {
    bool irq = spin_lock(&e->lock);
    e->signaled = false;
    spin_unlock(&e->lock, irq);
}
