/*
 * Trace buffers (trace/tbuf.h): a per-core ring of 32-byte records, written lock-free by
 * its core (interrupt handlers included) and read by anyone through a per-record seqlock.
 */
#include <trace/tbuf.h>

/*
 * Orderings. Every shared field is accessed atomically (relaxed unless said), so there is
 * no data race in the C11 sense; on x86-64 every access below is a plain mov except the
 * reserving add (lock xadd) and the fences are compiler barriers.
 *  - reserve: the seq = 0 store, then a release fence, then (in fill) the field stores. A
 *    reader whose field loads see any of those stores passes its acquire fence before
 *    loading seq again, so it sees the 0 (or a later seq) and drops its copy.
 *  - commit: the seq store is a release; a reader's first seq load is an acquire, so a
 *    reader that sees EXO_TRACE_SEQ(n) sees every field of record n.
 *  - nested writers on the same core run whole between two of our instructions: they take
 *    other numbers (the atomic add), so they touch our slot only after wrapping the ring,
 *    which commit detects through head.
 */

#define LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

status_t tbuf_init(tbuf_t *b, exo_trace_rec_t *slots, uint64_t capacity) {
    if (slots == NULL || capacity < 2 || capacity > (1ull << 30) || (capacity & (capacity - 1))) {
        return ERR_INVALID;
    }
    for (uint64_t i = 0; i < capacity; i++) {
        STORE(&slots[i].seq, 0u);
    }
    atomic_store_explicit(&b->head, 0, memory_order_relaxed);
    atomic_store_explicit(&b->base, 0, memory_order_relaxed);
    b->mask = capacity - 1;
    b->slots = slots;
    atomic_thread_fence(memory_order_release);
    return STATUS_OK;
}

uint64_t tbuf_reserve(tbuf_t *b) {
    uint64_t n = atomic_fetch_add_explicit(&b->head, 1, memory_order_relaxed);
    STORE(&b->slots[n & b->mask].seq, 0u);
    atomic_thread_fence(memory_order_release);
    return n;
}

void tbuf_fill(tbuf_t *b, uint64_t n, const exo_trace_rec_t *r) {
    exo_trace_rec_t *s = &b->slots[n & b->mask];
    STORE(&s->tsc, r->tsc);
    STORE(&s->event, r->event);
    STORE(&s->cpu, r->cpu);
    STORE(&s->cont, r->cont);
    STORE(&s->domain, r->domain);
    STORE(&s->arg1, r->arg1);
    STORE(&s->arg0, r->arg0);
}

void tbuf_commit(tbuf_t *b, uint64_t n) {
    uint64_t head = atomic_load_explicit(&b->head, memory_order_relaxed);
    /* head > n + capacity: record n + capacity (or later) took the slot meanwhile. */
    uint32_t seq = head - n > b->mask + 1 ? 0u : EXO_TRACE_SEQ(n);
    __atomic_store_n(&b->slots[n & b->mask].seq, seq, __ATOMIC_RELEASE);
}

uint64_t tbuf_write(tbuf_t *b, const exo_trace_rec_t *r) {
    uint64_t n = tbuf_reserve(b);
    tbuf_fill(b, n, r);
    tbuf_commit(b, n);
    return n;
}

uint64_t tbuf_head(const tbuf_t *b) {
    return atomic_load_explicit(&b->head, memory_order_acquire);
}

uint64_t tbuf_oldest(const tbuf_t *b) {
    uint64_t head = tbuf_head(b);
    uint64_t base = atomic_load_explicit(&b->base, memory_order_acquire);
    uint64_t cap = b->mask + 1;
    uint64_t wrap = head > cap ? head - cap : 0;
    return base > wrap ? base : wrap;
}

bool tbuf_read(const tbuf_t *b, uint64_t n, exo_trace_rec_t *out) {
    if (n < tbuf_oldest(b) || n >= tbuf_head(b)) {
        return false;
    }
    const exo_trace_rec_t *s = &b->slots[n & b->mask];
    uint32_t seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
    if (seq != EXO_TRACE_SEQ(n)) {
        return false;
    }
    out->tsc = LOAD(&s->tsc);
    out->event = LOAD(&s->event);
    out->cpu = LOAD(&s->cpu);
    out->cont = LOAD(&s->cont);
    out->domain = LOAD(&s->domain);
    out->arg1 = LOAD(&s->arg1);
    out->arg0 = LOAD(&s->arg0);
    atomic_thread_fence(memory_order_acquire);
    if (LOAD(&s->seq) != seq) {
        return false;
    }
    out->seq = seq;
    /* A clear between the range check and the copy: the record is gone for the reader. */
    return n >= atomic_load_explicit(&b->base, memory_order_relaxed);
}

void tbuf_clear(tbuf_t *b) {
    uint64_t head = atomic_load_explicit(&b->head, memory_order_relaxed);
    uint64_t base = atomic_load_explicit(&b->base, memory_order_relaxed);
    /* Never backwards: two clears racing keep the later point. */
    while (base < head && !atomic_compare_exchange_weak_explicit(
                              &b->base, &base, head, memory_order_release, memory_order_relaxed)) {
    }
}
