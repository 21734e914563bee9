/*
 * A queue of pending one-shot timers ordered by deadline: a binary min-heap over a
 * caller-provided array, with each timer remembering its heap slot so cancel is
 * O(log n). Timers with equal deadlines fire in the order they were added (a sequence
 * number breaks ties). One per core; not thread-safe (its core's interrupt-off code owns
 * it). Pure and host-tested.
 */
#pragma once

#include <exo/status.h>
#include <stdbool.h>
#include <stdint.h>

#define TIMERQ_NOT_QUEUED 0xffffffffu

typedef struct ktimer {
    uint64_t deadline;            /* absolute, in the clock's ticks (TSC) */
    uint64_t seq;                 /* set by timerq_add: FIFO among equal deadlines */
    uint32_t heap_index;          /* TIMERQ_NOT_QUEUED when not in a queue */
    uint32_t cpu;                 /* index of the core whose queue holds it (sched/timer.c) */
    void (*fn)(struct ktimer *t); /* called by the owner when the timer fires */
    void *arg;
} ktimer_t;

typedef struct timerq {
    ktimer_t **heap;
    uint32_t count;
    uint32_t capacity;
    uint64_t next_seq;
} timerq_t;

void timerq_init(timerq_t *q, ktimer_t **storage, uint32_t capacity);
/* Call once per ktimer before first use (marks it not queued). */
void ktimer_init(ktimer_t *t, void (*fn)(ktimer_t *t), void *arg);

/* Queues t (deadline already set). ERR_NO_MEMORY when full, ERR_STATE if t is queued. */
status_t timerq_add(timerq_t *q, ktimer_t *t);
/* Removes t; false if it was not queued (already fired or cancelled). */
bool timerq_cancel(timerq_t *q, ktimer_t *t);
/* The earliest timer, or NULL. */
ktimer_t *timerq_peek(const timerq_t *q);
/* Removes and returns the earliest timer if its deadline <= now, else NULL. */
ktimer_t *timerq_pop_expired(timerq_t *q, uint64_t now);
