/*
 * Chase–Lev work-stealing deque over a fixed, caller-provided ring of slots, with the C11
 * orderings of Lê et al. (PPoPP 2013) minus the array growth: a full deque refuses a push.
 */
#include <exo/status.h>
#include <sched/deque.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Indices, not slots, are the state: the items are those at indices [top, bottom), each in
 * slot index & mask. top only increases (by CAS, from thieves or from the owner taking the
 * last item); bottom is stored only by the owner. Both are signed 64-bit so that pop's
 * transient bottom - 1 may go below top (even to -1) and still compare correctly; at one
 * index per nanosecond they would take 292 years to overflow.
 *
 * Who pairs with whom:
 *  - push's release fence, before its relaxed store of bottom, pairs with steal's acquire load
 *    of bottom: a thief that sees index b inside [top, bottom) also sees the item stored in
 *    its slot and everything the owner wrote before pushing it.
 *  - steal's seq_cst CAS of top (a release) pairs with push's acquire load of top: once the
 *    owner sees top past an index, the thief that took it has finished reading that slot, so
 *    the owner may reuse it. Capacity is the only guard against overwriting a slot a thief
 *    may still read: push refuses when bottom - top >= capacity.
 *  - pop's seq_cst fence (between its store of bottom and its load of top) and steal's seq_cst
 *    fence (between its load of top and its load of bottom) order those two store-load pairs
 *    in one total order, so owner and thief cannot both miss each other's claim; when only
 *    one item is left, both resolve the tie with a seq_cst CAS of top and exactly one wins.
 */

/*
 * ThreadSanitizer does not model atomic_thread_fence (LLVM's runtime treats it as a plain
 * barrier), so it would not see push's fence pair with steal's acquire load of bottom and would
 * report a race on every item's contents. Under TSan only, push's store of bottom is itself a
 * release store, which is what the fence plus the relaxed store already guarantee in the C11
 * model; on x86-64 both forms compile to the same plain mov.
 */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define DEQUE_PUBLISH_ORDER memory_order_release
#endif
#endif
#ifndef DEQUE_PUBLISH_ORDER
#define DEQUE_PUBLISH_ORDER memory_order_relaxed
#endif

void deque_init(deque_t *d, _Atomic(void *) *storage, uint64_t capacity) {
    d->mask = capacity - 1;
    d->buf = storage;
    for (uint64_t i = 0; i < capacity; i++) {
        atomic_init(&storage[i], NULL);
    }
    atomic_init(&d->top, 0);
    atomic_init(&d->bottom, 0);
}

static _Atomic(void *) *deque_slot(const deque_t *d, int64_t index) {
    return &d->buf[(uint64_t)index & d->mask];
}

status_t deque_push(deque_t *d, void *item) {
    if (item == NULL) {
        return ERR_INVALID; /* NULL is pop's "empty" */
    }
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_relaxed);
    int64_t t = atomic_load_explicit(&d->top, memory_order_acquire);
    /* A stale (smaller) t can only refuse a push that would have fit, never overwrite. */
    if ((uint64_t)(b - t) > d->mask) {
        return ERR_NO_MEMORY;
    }
    atomic_store_explicit(deque_slot(d, b), item, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&d->bottom, b + 1, DEQUE_PUBLISH_ORDER);
    return STATUS_OK;
}

void *deque_pop(deque_t *d) {
    /* Claim index b first, then look at top: a thief that reads bottom after our fence stays
     * below b; one that read it before is going for index top, which we see, and if that is
     * b itself the CAS below decides between us. */
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_relaxed) - 1;
    atomic_store_explicit(&d->bottom, b, memory_order_relaxed);
    atomic_thread_fence(memory_order_seq_cst);
    int64_t t = atomic_load_explicit(&d->top, memory_order_relaxed);
    if (t > b) {
        /* Empty: thieves took everything up to the old bottom; undo the claim. */
        atomic_store_explicit(&d->bottom, b + 1, memory_order_relaxed);
        return NULL;
    }
    void *item = atomic_load_explicit(deque_slot(d, b), memory_order_relaxed);
    if (t == b) {
        /* The last item: thieves may be racing for it; whoever moves top owns it. */
        if (!atomic_compare_exchange_strong_explicit(&d->top, &t, t + 1, memory_order_seq_cst,
                                                     memory_order_relaxed)) {
            item = NULL;
        }
        atomic_store_explicit(&d->bottom, b + 1, memory_order_relaxed);
    }
    return item;
}

status_t deque_steal(deque_t *d, void **item) {
    int64_t t = atomic_load_explicit(&d->top, memory_order_acquire);
    atomic_thread_fence(memory_order_seq_cst);
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_acquire);
    if (t >= b) {
        return ERR_NOT_FOUND;
    }
    /* Relaxed (the paper's consume): if the owner has reused this slot, top has moved past t
     * and the CAS below fails, so a stale or newer value is never returned. */
    void *x = atomic_load_explicit(deque_slot(d, t), memory_order_relaxed);
    if (!atomic_compare_exchange_strong_explicit(&d->top, &t, t + 1, memory_order_seq_cst,
                                                 memory_order_relaxed)) {
        return ERR_AGAIN;
    }
    *item = x;
    return STATUS_OK;
}

uint64_t deque_size(deque_t *d) {
    int64_t t = atomic_load_explicit(&d->top, memory_order_acquire);
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_acquire);
    /* bottom dips below top during a pop, and both may move between the two loads. */
    if (b <= t) {
        return 0;
    }
    uint64_t n = (uint64_t)(b - t);
    return n > d->mask + 1 ? d->mask + 1 : n;
}
