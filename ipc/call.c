/*
 * Calls (ipc/ipc.h): a call sends its request with a reference to a call object; the
 * receiver gets a one-shot reply cap to it; the answer waits in the call until the
 * caller collects it. Whatever happens, the caller's wait ends exactly once: answered,
 * or ERR_CLOSED when the request is dropped or the reply cap is deleted unanswered.
 */
#include <caps/cap.h>
#include <kernel/panic.h>
#include <mm/heap.h>
#include <trace/trace.h>

#include "ipc_priv.h"

status_t ipc_call_new(ipc_call_t **out) {
    ipc_call_t *c = kzalloc(sizeof(*c));
    if (c == NULL) {
        return ERR_NO_MEMORY;
    }
    atomic_store(&c->refs, 1);
    c->lock = (spinlock_t)SPINLOCK_INIT;
    event_init(&c->done_ev);
    ipc_msg_init(&c->reply);
    *out = c;
    return STATUS_OK;
}

void ipc_call_ref(ipc_call_t *c) {
    uint32_t old = atomic_fetch_add(&c->refs, 1);
    ASSERT(old > 0);
}

void ipc_call_unref(ipc_call_t *c) {
    uint32_t old = atomic_fetch_sub(&c->refs, 1);
    ASSERT(old > 0);
    if (old == 1) {
        ASSERT(c->reply.ncaps == 0); /* collected or dropped */
        kfree(c);
    }
}

event_t *ipc_call_event(ipc_call_t *c) {
    return &c->done_ev;
}

void ipc_call_fail(ipc_call_t *c) {
    bool irq = spin_lock(&c->lock);
    if (c->state == CALL_PENDING) {
        c->state = CALL_FAILED;
        event_signal(&c->done_ev);
    }
    spin_unlock(&c->lock, irq);
}

void ipc_call_cap_ref(void *obj) {
    ipc_call_ref(obj);
}

void ipc_call_cap_unref(void *obj) {
    ipc_call_fail(obj); /* the one reply cap is gone: answered already, or never will be */
    ipc_call_unref(obj);
}

void ipc_call_abandon(ipc_call_t *c) {
    cap_reap_t r = {0};
    bool irq = caps_lock();
    bool cirq = spin_lock(&c->lock);
    c->abandoned = true;
    if (c->state == CALL_ANSWERED) {
        ipc_msg_drop(&c->reply, &r);
    }
    c->state = CALL_COLLECTED;
    spin_unlock(&c->lock, cirq);
    caps_unlock(irq);
    cap_reap_finish(&r);
}

int64_t ipc_call_collect(ipc_call_t *c, domain_t *d, uint64_t buf) {
    cap_reap_t r = {0};
    bool irq = caps_lock();
    bool cirq = spin_lock(&c->lock);
    int64_t st = IPC_PENDING;
    if (c->state == CALL_ANSWERED) {
        st = ipc_msg_deliver(&c->reply, d, buf);
        if (st != STATUS_OK) {
            ipc_msg_drop(&c->reply, &r); /* the caller cannot take it: its own table or buffer */
        }
    } else if (c->state == CALL_FAILED) {
        st = ERR_CLOSED;
    } else if (c->state == CALL_COLLECTED) {
        st = ERR_STATE;
    }
    if (st != IPC_PENDING) {
        c->state = CALL_COLLECTED;
    }
    spin_unlock(&c->lock, cirq);
    caps_unlock(irq);
    cap_reap_finish(&r);
    return st;
}

int64_t ipc_reply(domain_t *d, exo_handle_t reply, const exo_msg_t *m) {
    trace_event(EXO_TRACE_IPC_REPLY, reply, (uint32_t)m->label);
    status_t st = ipc_msg_check(m);
    if (st != STATUS_OK) {
        return st;
    }
    cap_reap_t r = {0};
    cap_slot_t *src[EXO_MSG_CAPS], *rs;
    ipc_call_t *c = NULL;
    bool answered = false;
    bool irq = caps_lock();
    st = cap_decode(d, reply, CAP_REPLY, 0, &rs);
    st = st ? st : ipc_msg_decode_caps(d, m, src);
    for (uint32_t i = 0; st == STATUS_OK && i < m->ncaps; i++) {
        if (src[i] == rs) {
            st = ERR_INVALID; /* the answer cannot carry the reply cap it is sent through */
        }
    }
    if (st == STATUS_OK) { /* invoke: the reply cap is used up whatever happens next */
        c = rs->obj;
        ipc_call_ref(c);
        bool cirq = spin_lock(&c->lock);
        if (c->abandoned || c->state != CALL_PENDING) {
            st = ERR_CLOSED; /* the caller is gone: the answer's caps stay with the sender */
        } else {
            st = ipc_msg_take(&c->reply, m, src, 0, &r);
            answered = st == STATUS_OK;
            c->state = answered ? CALL_ANSWERED : c->state;
        }
        spin_unlock(&c->lock, cirq);
        cap_reap_slot(&r, rs);
    }
    caps_unlock(irq);
    /* Moved regions leave the sender's TLBs, then the caller may run. */
    cap_reap_finish(&r);
    if (c) {
        if (answered) {
            event_signal(&c->done_ev);
        }
        ipc_call_unref(c);
    }
    return st;
}
