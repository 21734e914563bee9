/*
 * The app's half of the ring protocol (user/ring.h): producing SQEs and consuming CQEs in
 * shared memory. No traps here (userlib/ring_enter.c has them), so the host tests run this
 * very file against the kernel's half (rings/queue.c) on real threads.
 */
#include <user/ring.h>

void exo_ring_attach(exo_ring_t *r, void *base, exo_handle_t handle, exo_handle_t region) {
    exo_ring_hdr_t *h = base;
    r->handle = handle;
    r->region = region;
    r->hdr = h;
    r->sq_entries = h->sq_entries;
    r->cq_entries = h->cq_entries;
    r->sqes = (exo_sqe_t *)((char *)base + h->sq_off);
    r->cqes = (exo_cqe_t *)((char *)base + h->cq_off);
    r->sq_tail = __atomic_load_n(&h->sq_tail, __ATOMIC_RELAXED);
    r->setup_flags = h->setup_flags;
    r->wakeup = 0;
}

uint32_t exo_ring_sq_space(const exo_ring_t *r) {
    uint32_t head = __atomic_load_n(&r->hdr->sq_head, __ATOMIC_ACQUIRE);
    return r->sq_entries - (r->sq_tail - head);
}

exo_sqe_t *exo_ring_get_sqe(exo_ring_t *r) {
    if (exo_ring_sq_space(r) == 0) {
        return NULL;
    }
    exo_sqe_t *s = &r->sqes[r->sq_tail & (r->sq_entries - 1)];
    r->sq_tail++;
    *s = (exo_sqe_t){0};
    return s;
}

uint32_t exo_ring_flush(exo_ring_t *r) {
    __atomic_store_n(&r->hdr->sq_tail, r->sq_tail, __ATOMIC_RELEASE);
    return r->sq_tail - __atomic_load_n(&r->hdr->sq_head, __ATOMIC_ACQUIRE);
}

bool exo_ring_needs_wakeup(const exo_ring_t *r) {
    /* Pairs with the poller's fence in ringq_poller_park: either it sees our tail, or we
     * see its flag. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return (__atomic_load_n(&r->hdr->flags, __ATOMIC_RELAXED) & EXO_RING_NEED_WAKEUP) != 0;
}

uint32_t exo_ring_cq_ready(const exo_ring_t *r) {
    uint32_t tail = __atomic_load_n(&r->hdr->cq_tail, __ATOMIC_ACQUIRE);
    return tail - __atomic_load_n(&r->hdr->cq_head, __ATOMIC_RELAXED);
}

status_t exo_ring_peek_cqe(exo_ring_t *r, exo_cqe_t **out) {
    uint32_t head = __atomic_load_n(&r->hdr->cq_head, __ATOMIC_RELAXED);
    uint32_t tail = __atomic_load_n(&r->hdr->cq_tail, __ATOMIC_ACQUIRE);
    if (head == tail) {
        return ERR_AGAIN;
    }
    *out = &r->cqes[head & (r->cq_entries - 1)];
    return STATUS_OK;
}

void exo_ring_cq_advance(exo_ring_t *r, uint32_t n) {
    uint32_t head = __atomic_load_n(&r->hdr->cq_head, __ATOMIC_RELAXED);
    __atomic_store_n(&r->hdr->cq_head, head + n, __ATOMIC_RELEASE);
    /* A poller that found the CQ full parked; the fence in needs_wakeup pairs with its
     * fence between setting the flag and reading cq_head. */
    if ((r->setup_flags & EXO_RING_SQPOLL) && r->wakeup && exo_ring_needs_wakeup(r)) {
        r->wakeup(r);
    }
}
