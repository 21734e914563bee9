/*
 * The kernel's half of the ring protocol (rings/queue.h). Ordering: the app writes SQEs
 * then store-releases sq_tail; we load-acquire sq_tail, copy the SQEs, then store-release
 * sq_head (the app may reuse those slots only after seeing it). For the CQ the roles swap.
 */
#include <rings/queue.h>

static bool is_pow2(uint32_t n) {
    return n != 0 && (n & (n - 1)) == 0;
}

static uint32_t page_round(uint64_t n) {
    return (uint32_t)((n + EXO_RING_PAGE - 1) & ~(uint64_t)(EXO_RING_PAGE - 1));
}

status_t ringq_layout(uint32_t sq_entries, uint32_t cq_entries, ringq_layout_t *out) {
    if (!is_pow2(sq_entries) || !is_pow2(cq_entries) || sq_entries > EXO_RING_MAX_ENTRIES ||
        cq_entries > EXO_RING_MAX_ENTRIES || cq_entries < sq_entries) {
        return ERR_INVALID;
    }
    out->sq_off = EXO_RING_PAGE;
    out->cq_off = out->sq_off + page_round((uint64_t)sq_entries * sizeof(exo_sqe_t));
    out->size = out->cq_off + page_round((uint64_t)cq_entries * sizeof(exo_cqe_t));
    return STATUS_OK;
}

void ringq_init(ringq_t *q, void *const *pages, uint32_t sq_entries, uint32_t cq_entries,
                uint32_t setup_flags) {
    ringq_layout_t l;
    (void)ringq_layout(sq_entries, cq_entries, &l);
    q->hdr = pages[0];
    q->sq_pages = pages + l.sq_off / EXO_RING_PAGE;
    q->cq_pages = pages + l.cq_off / EXO_RING_PAGE;
    q->sq_entries = sq_entries;
    q->cq_entries = cq_entries;
    q->sq_head = 0;
    q->cq_tail = 0;
    q->hdr->sq_entries = sq_entries;
    q->hdr->cq_entries = cq_entries;
    q->hdr->sq_off = l.sq_off;
    q->hdr->cq_off = l.cq_off;
    q->hdr->setup_flags = setup_flags;
}

int64_t ringq_sq_ready(ringq_t *q) {
    uint32_t tail = __atomic_load_n(&q->hdr->sq_tail, __ATOMIC_ACQUIRE);
    uint32_t n = tail - q->sq_head;
    return n > q->sq_entries ? ERR_RANGE : (int64_t)n;
}

void ringq_sq_take(ringq_t *q, exo_sqe_t *out) {
    uint32_t slot = q->sq_head & (q->sq_entries - 1);
    const exo_sqe_t *src =
        (const exo_sqe_t *)q->sq_pages[slot / RINGQ_SQES_PER_PAGE] + slot % RINGQ_SQES_PER_PAGE;
    /* One copy, word by word, so every check below sees the same bytes however the app
     * rewrites the slot meanwhile. */
    const volatile uint64_t *s = (const volatile uint64_t *)src;
    uint64_t words[sizeof(*out) / 8];
    for (unsigned i = 0; i < sizeof(words) / 8; i++) {
        words[i] = s[i];
    }
    __builtin_memcpy(out, words, sizeof(*out)); /* no aliasing of exo_sqe_t as uint64_t */
    q->sq_head++;
    __atomic_store_n(&q->hdr->sq_head, q->sq_head, __ATOMIC_RELEASE);
}

uint32_t ringq_cq_used(const ringq_t *q) {
    uint32_t head = __atomic_load_n(&q->hdr->cq_head, __ATOMIC_ACQUIRE);
    uint32_t used = q->cq_tail - head;
    return used > q->cq_entries ? q->cq_entries : used;
}

bool ringq_cq_post(ringq_t *q, const exo_cqe_t *cqe) {
    if (ringq_cq_used(q) >= q->cq_entries) {
        return false;
    }
    uint32_t slot = q->cq_tail & (q->cq_entries - 1);
    exo_cqe_t *dst =
        (exo_cqe_t *)q->cq_pages[slot / RINGQ_CQES_PER_PAGE] + slot % RINGQ_CQES_PER_PAGE;
    *dst = *cqe;
    q->cq_tail++;
    __atomic_store_n(&q->hdr->cq_tail, q->cq_tail, __ATOMIC_RELEASE);
    return true;
}

bool ringq_poller_park(ringq_t *q) {
    __atomic_fetch_or(&q->hdr->flags, EXO_RING_NEED_WAKEUP, __ATOMIC_SEQ_CST);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (ringq_sq_ready(q) > 0) { /* a corrupt tail (ERR_RANGE) is for ring_enter to report */
        ringq_poller_unpark(q);
        return false;
    }
    return true;
}

void ringq_poller_unpark(ringq_t *q) {
    __atomic_fetch_and(&q->hdr->flags, ~EXO_RING_NEED_WAKEUP, __ATOMIC_SEQ_CST);
}

void ringq_set_flag(ringq_t *q, uint32_t flag, bool on) {
    if (on) {
        __atomic_fetch_or(&q->hdr->flags, flag, __ATOMIC_RELEASE);
    } else {
        __atomic_fetch_and(&q->hdr->flags, ~flag, __ATOMIC_RELEASE);
    }
}
