/*
 * Per-core queue of one-shot timers: a binary min-heap over a caller-provided array of
 * pointers, ordered by (deadline, seq), with each timer's heap_index kept in step.
 */
#include <exo/status.h>
#include <sched/timerq.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Invariants between calls, for every i < count:
 *  - heap[i]->heap_index == i (so cancel finds its slot in O(1));
 *  - i == 0 or key(heap[(i - 1) / 2]) < key(heap[i]), key = (deadline, seq); seqs are unique
 *    so keys never tie, which is what makes equal deadlines fire in the order they were added.
 * A timer not in the queue has heap_index == TIMERQ_NOT_QUEUED. heap_index < capacity <=
 * 0xffffffff, so TIMERQ_NOT_QUEUED is never a valid slot.
 */

void timerq_init(timerq_t *q, ktimer_t **storage, uint32_t capacity) {
    q->heap = storage;
    q->count = 0;
    q->capacity = capacity;
    q->next_seq = 0;
}

void ktimer_init(ktimer_t *t, void (*fn)(ktimer_t *t), void *arg) {
    t->deadline = 0;
    t->seq = 0;
    t->heap_index = TIMERQ_NOT_QUEUED;
    t->cpu = 0;
    t->fn = fn;
    t->arg = arg;
}

static bool timer_before(const ktimer_t *a, const ktimer_t *b) {
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void timerq_place(timerq_t *q, uint32_t i, ktimer_t *t) {
    q->heap[i] = t;
    t->heap_index = i;
}

/* Moves t, meant for slot i (a hole), up past every later parent; places it. */
static void timerq_sift_up(timerq_t *q, uint32_t i, ktimer_t *t) {
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!timer_before(t, q->heap[parent])) {
            break;
        }
        timerq_place(q, i, q->heap[parent]);
        i = parent;
    }
    timerq_place(q, i, t);
}

/* Moves t, meant for slot i (a hole), down past every earlier child; places it. */
static void timerq_sift_down(timerq_t *q, uint32_t i, ktimer_t *t) {
    for (;;) {
        /* 64-bit: 2i + 1 overflows 32 bits once count passes 2^31. */
        uint64_t child = 2 * (uint64_t)i + 1;
        if (child >= q->count) {
            break;
        }
        if (child + 1 < q->count && timer_before(q->heap[child + 1], q->heap[child])) {
            child++;
        }
        if (!timer_before(q->heap[child], t)) {
            break;
        }
        timerq_place(q, i, q->heap[child]);
        i = (uint32_t)child;
    }
    timerq_place(q, i, t);
}

status_t timerq_add(timerq_t *q, ktimer_t *t) {
    if (t->heap_index != TIMERQ_NOT_QUEUED) {
        return ERR_STATE;
    }
    if (q->count == q->capacity) {
        return ERR_NO_MEMORY;
    }
    t->seq = q->next_seq++;
    timerq_sift_up(q, q->count++, t);
    return STATUS_OK;
}

/* Takes the timer at slot i out, refilling the hole with the last timer. */
static void timerq_remove_at(timerq_t *q, uint32_t i) {
    ktimer_t *t = q->heap[i];
    ktimer_t *last = q->heap[--q->count];
    q->heap[q->count] = NULL;
    t->heap_index = TIMERQ_NOT_QUEUED;
    if (last == t) {
        return; /* t was the last slot: no hole */
    }
    /* last may belong above the hole (it came from another subtree) or below it. */
    if (i > 0 && timer_before(last, q->heap[(i - 1) / 2])) {
        timerq_sift_up(q, i, last);
    } else {
        timerq_sift_down(q, i, last);
    }
}

bool timerq_cancel(timerq_t *q, ktimer_t *t) {
    uint32_t i = t->heap_index;
    /* Also false for a timer queued on some other queue: it is not ours to remove. */
    if (i >= q->count || q->heap[i] != t) {
        return false;
    }
    timerq_remove_at(q, i);
    return true;
}

ktimer_t *timerq_peek(const timerq_t *q) {
    return q->count == 0 ? NULL : q->heap[0];
}

ktimer_t *timerq_pop_expired(timerq_t *q, uint64_t now) {
    if (q->count == 0 || q->heap[0]->deadline > now) {
        return NULL;
    }
    ktimer_t *t = q->heap[0];
    timerq_remove_at(q, 0);
    return t;
}
