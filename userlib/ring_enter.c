/*
 * Setting up rings, submitting and waiting (user/ring.h): the trap half of the ring API.
 */
#include <user/caps.h>
#include <user/ring.h>
#include <user/trap.h>

static void wakeup(exo_ring_t *r) {
    exo_ring_enter(r->handle, 0, 0, EXO_ENTER_SQ_WAKEUP);
}

int64_t exo_ring_init_params(exo_ring_t *r, exo_handle_t memory, exo_ring_params_t *p) {
    int64_t h = exo_trap(SYS_RING_CREATE, memory, (uint64_t)(uintptr_t)p, 0, 0, 0);
    if (h < 0) {
        return h;
    }
    exo_ring_attach(r, (void *)(uintptr_t)p->base, (exo_handle_t)h, p->region);
    r->wakeup = wakeup;
    return h;
}

int64_t exo_ring_init(exo_ring_t *r, uint32_t sq_entries, uint32_t flags) {
    exo_ring_params_t p = {.sq_entries = sq_entries, .flags = flags};
    return exo_ring_init_params(r, exo_memory_cap(), &p);
}

void exo_ring_exit(exo_ring_t *r) {
    exo_cap_delete(r->handle);
    exo_cap_delete(r->region);
    *r = (exo_ring_t){0};
}

int64_t exo_ring_enter(exo_handle_t ring, uint32_t to_submit, uint32_t min_complete,
                       uint32_t flags) {
    return exo_trap(SYS_RING_ENTER, ring, to_submit, min_complete, flags, 0);
}

/* Publishes, then traps only when needed: always without SQPOLL, and under SQPOLL when
 * the poller parked or the caller wants to wait. */
static int64_t submit(exo_ring_t *r, uint32_t wait_nr) {
    uint32_t pending = exo_ring_flush(r);
    uint32_t flags = wait_nr ? EXO_ENTER_GETEVENTS : 0;
    if (r->setup_flags & EXO_RING_SQPOLL) {
        if (exo_ring_needs_wakeup(r)) {
            flags |= EXO_ENTER_SQ_WAKEUP;
        } else if (wait_nr == 0) {
            return pending;
        }
        int64_t st = exo_ring_enter(r->handle, 0, wait_nr, flags);
        return st < 0 ? st : pending;
    }
    return exo_ring_enter(r->handle, pending, wait_nr, flags);
}

int64_t exo_ring_submit(exo_ring_t *r) {
    return submit(r, 0);
}

int64_t exo_ring_submit_and_wait(exo_ring_t *r, uint32_t wait_nr) {
    return submit(r, wait_nr);
}

int64_t exo_ring_wait_cqe(exo_ring_t *r, exo_cqe_t **out) {
    for (;;) {
        if (exo_ring_peek_cqe(r, out) == STATUS_OK) {
            return STATUS_OK;
        }
        int64_t st = submit(r, 1);
        if (st == ERR_BUSY) { /* SQEs wait for CQ room: wait for a completion instead */
            st = exo_ring_enter(r->handle, 0, 1, EXO_ENTER_GETEVENTS);
        }
        if (st < 0) {
            return st;
        }
    }
}
