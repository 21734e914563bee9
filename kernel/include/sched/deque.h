/*
 * Chase–Lev work-stealing deque of pointers (Chase & Lev, SPAA 2005), with the C11
 * memory orderings of Lê, Pop, Cohen and Zappa Nardelli (PPoPP 2013). One owner core
 * pushes and pops at the bottom (LIFO); any core steals from the top (FIFO).
 * Fixed capacity: the kernel never grows memory behind a caller's back, so a full deque
 * refuses the push (the caller runs the item itself or queues it elsewhere).
 * Pure and lock-free; the same file is tested on the host under ThreadSanitizer.
 */
#pragma once

#include <exo/status.h>
#include <stdatomic.h>
#include <stdint.h>

typedef struct deque {
    _Atomic int64_t top;    /* next index to steal; only ever increases */
    _Atomic int64_t bottom; /* next index to push; written only by the owner */
    uint64_t mask;          /* capacity - 1 */
    _Atomic(void *) *buf;   /* capacity slots, owned by the caller */
} deque_t;

/* capacity: a power of two >= 2; storage: capacity slots. */
void deque_init(deque_t *d, _Atomic(void *) *storage, uint64_t capacity);

/* Owner only. ERR_NO_MEMORY when full (nothing changes). item must not be NULL. */
status_t deque_push(deque_t *d, void *item);

/* Owner only. The most recently pushed item, or NULL when empty. */
void *deque_pop(deque_t *d);

/* Any core. STATUS_OK with *item = the oldest item; ERR_NOT_FOUND when empty;
 * ERR_AGAIN when another thief or the owner won the race for the last item. */
status_t deque_steal(deque_t *d, void **item);

/* Items present at some instant during the call (exact only when quiescent). */
uint64_t deque_size(deque_t *d);
