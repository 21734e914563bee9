/*
 * The continuation scheduler. A continuation (cont_t) is a function plus its state; it
 * runs to completion on a core's kernel stack and never blocks: work that must wait
 * registers a continuation on an event or a timer instead. Each core loops: pop from its
 * own deque (LIFO), else steal from another core's (FIFO), else halt until an interrupt.
 * There is no preemption.
 *
 * DAGs: cont_then(a, j) makes j wait for a; j runs when all its predecessors finished
 * (join). Fan-out is a continuation spawning others. Continuations are owned by their
 * creator unless CONT_FREE is set (then the scheduler kfree()s them after they ran).
 */
#pragma once

#include <kernel/spinlock.h>
#include <sched/timerq.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct cont cont_t;
typedef void (*cont_fn_t)(cont_t *self);

enum cont_state {
    CONT_IDLE = 0, /* created, not yet spawned, or waiting for predecessors */
    CONT_READY,    /* in a deque */
    CONT_RUNNING,
    CONT_WAITING, /* registered on an event or timer */
    CONT_DONE,
};

#define CONT_FREE 1u /* kfree() after it ran (cont_new sets it) */

struct cont {
    cont_fn_t fn;
    void *arg;
    cont_t *then;            /* successor told when this one is done, or NULL */
    _Atomic int32_t pending; /* predecessors not yet done; spawned when it reaches 0 */
    _Atomic uint32_t state;  /* low 8 bits: enum cont_state; high 24: run epoch, so only
                                the run that started it can mark it done */
    uint32_t flags;
    uint32_t ran_on; /* index of the core that last ran it */
    cont_t *next;    /* link on an event's waiter list or a core's overflow list: owned by
                        whoever holds the continuation, never read after handing it on */
    uint64_t user;   /* the owner's */
};

void cont_init(cont_t *c, cont_fn_t fn, void *arg);
static inline uint32_t cont_state(const cont_t *c) {
    return __atomic_load_n((const uint32_t *)&c->state, __ATOMIC_ACQUIRE) & 0xff;
}
/* A heap continuation freed after it runs; NULL when out of memory. */
cont_t *cont_new(cont_fn_t fn, void *arg);

/* succ runs after pred (and after every other predecessor added). Call before pred is
 * spawned; each continuation has at most one successor (pred->then must be NULL). */
void cont_then(cont_t *pred, cont_t *succ);

/* Makes c runnable now on this core (other cores may steal it). If it still has pending
 * predecessors it is spawned later, by the last of them. Safe from interrupt handlers.
 * Never fails: past the deque's capacity, continuations wait on the core's overflow
 * list and move into the deque as it drains. */
void sched_spawn(cont_t *c);

/* The running continuation c is about to be handed to code that may spawn it from
 * another core (a wake-up it registers, a flag it publishes): after this call the
 * scheduler does not touch c again when its fn returns, so a spawn elsewhere cannot race
 * with the end of this run. Call it before publishing c. */
void cont_park(cont_t *c);

/* Kernel continuations run with interrupts off; one that runs long (a poller) lets
 * pending interrupts in between passes with this. */
void sched_irq_window(void);

/* Makes c runnable on this core behind everything already ready here (a yield): it goes
 * to the back of the core's FIFO overflow list, which refills the deque when it runs dry.
 * Interrupts may be on or off. */
void sched_spawn_tail(cont_t *c);

/* Makes c runnable on core index (through an IPI; on this core directly). */
void sched_spawn_on(uint32_t index, cont_t *c);

/* Enters the scheduler loop on this core's stack, from its top. Never returns. */
__attribute__((noreturn)) void sched_start(void);

/* Runs continuations on this core (own deque, then stealing, halting when there is no
 * work) until done(arg) is true. For kernel code that has a caller to return to: the
 * boot path and ktests. */
void sched_run_until(bool (*done)(void *arg), void *arg);

/* An event continuations can wait on. Signalling is sticky until event_reset. */
typedef struct event {
    spinlock_t lock;
    bool signaled;
    cont_t *waiters;
} event_t;

void event_init(event_t *e);
/* c runs once e is signaled (at once if it already is). */
void event_wait(event_t *e, cont_t *c);
/* Spawns every waiter on this core. Safe from interrupt handlers. */
void event_signal(event_t *e);
void event_reset(event_t *e);
/* Takes c off e's waiters if it is still there (true); the caller then owns it. */
bool event_cancel(event_t *e, cont_t *c);

/* Timers: t->fn(t) runs in this core's timer interrupt once rdtsc() >= deadline, under
 * the core's timer lock (short; no timer calls). ERR_NO_MEMORY when this core's timer
 * queue is full. timer_cancel works from any core: false means the timer is not queued
 * (it fired and its fn has returned, or it was never started). */
status_t timer_start(ktimer_t *t, uint64_t deadline);
bool timer_cancel(ktimer_t *t);
/* c is spawned (on the core that armed it) after ns nanoseconds; t is the caller's. */
status_t sched_after(cont_t *c, ktimer_t *t, uint64_t ns);
/* Sets up the timer interrupt on this core (boot core and every AP). */
void timer_init_cpu(void);
