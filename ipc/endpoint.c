/*
 * Endpoints (ipc/ipc.h): a bounded queue of messages, made by SYS_ENDPOINT_CREATE and
 * charged to a memory cap. It closes when its last cap with RECV is deleted (the receiving
 * domain ended, or gave the right up): what was queued is dropped (its caps deleted, its
 * calls failed with ERR_CLOSED) and every send from then on fails ERR_CLOSED.
 */
#include <caps/cap.h>
#include <kernel/panic.h>
#include <mm/heap.h>
#include <mm/view.h>
#include <trace/trace.h>

#include "ipc_priv.h"

uint32_t endpoint_depth(const endpoint_t *ep) {
    return ep->depth;
}

void endpoint_ref(endpoint_t *ep) {
    uint32_t old = atomic_fetch_add(&ep->refs, 1);
    ASSERT(old > 0);
}

void endpoint_unref(endpoint_t *ep) {
    uint32_t old = atomic_fetch_sub(&ep->refs, 1);
    ASSERT(old > 0);
    if (old != 1) {
        return;
    }
    ASSERT(ep->head == NULL); /* closed before its last cap went */
    budget_uncharge(ep->budget, ep->charged);
    budget_unref(ep->budget);
    kfree(ep->msgs);
    kfree(ep);
}

static status_t endpoint_build(budget_t *b, uint32_t depth, endpoint_t **out) {
    uint64_t bytes = sizeof(endpoint_t) + (uint64_t)depth * sizeof(ipc_msg_t);
    if (budget_charge(b, bytes) != STATUS_OK) {
        return ERR_QUOTA;
    }
    endpoint_t *ep = kzalloc(sizeof(*ep));
    ipc_msg_t *msgs = kzalloc(depth * sizeof(ipc_msg_t));
    if (ep == NULL || msgs == NULL) {
        kfree(ep);
        kfree(msgs);
        budget_uncharge(b, bytes);
        return ERR_NO_MEMORY;
    }
    atomic_store(&ep->refs, 1);
    ep->lock = (spinlock_t)SPINLOCK_INIT;
    ep->depth = depth;
    ep->msgs = msgs;
    for (uint32_t i = 0; i < depth; i++) {
        ipc_msg_init(&msgs[i]);
        msgs[i].next = i + 1 < depth ? &msgs[i + 1] : NULL;
    }
    ep->free = &msgs[0];
    event_init(&ep->room_ev);
    event_init(&ep->msg_ev);
    budget_ref(b);
    ep->budget = b;
    ep->charged = bytes;
    *out = ep;
    return STATUS_OK;
}

int64_t sys_endpoint_create(domain_t *d, exo_handle_t memory, uint64_t depth) {
    if (depth == 0 || depth > EXO_ENDPOINT_MAX_DEPTH) {
        return ERR_RANGE;
    }
    bool irq = caps_lock();
    cap_slot_t *ms, *dst = NULL;
    endpoint_t *ep = NULL;
    status_t st = cap_decode(d, memory, CAP_MEMORY, CAP_RIGHT_MEM_ALLOC, &ms);
    st = st ? st : cap_reserve(d, &dst);
    st = st ? st : endpoint_build(ms->obj, (uint32_t)depth, &ep);
    if (st != STATUS_OK) {
        if (dst) {
            cspace_unreserve(dst);
        }
        caps_unlock(irq);
        return st;
    }
    /* invoke: a child of the memory cap that paid, holding the creation's reference */
    cap_install_take(dst, CAP_ENDPOINT, CAP_RIGHTS_ENDPOINT, ep, ms);
    exo_handle_t h = cap_handle(dst);
    caps_unlock(irq);
    return (int64_t)h;
}

/* Broadcast: every waiter looks again (and waits again if another took what it wanted). */
static void wake_all(event_t *ev) {
    event_signal(ev);
    event_reset(ev);
}

/* Under ep->lock: k goes back to the free list, and senders waiting for room look again. */
static void slot_free(endpoint_t *ep, ipc_msg_t *k) {
    ipc_msg_recycle(k);
    k->next = ep->free;
    ep->free = k;
    if (!ep->closed) {
        wake_all(&ep->room_ev);
    }
}

/* A message of a closed endpoint that no one will receive: its caps are deleted (a moved
 * region goes with its last reference), its call fails, its slot is free again. No lock
 * held. */
static void discard(endpoint_t *ep, ipc_msg_t *k) {
    cap_reap_t r = {0};
    bool irq = caps_lock();
    ipc_msg_drop(k, &r);
    caps_unlock(irq);
    cap_reap_finish(&r);
    if (k->call) {
        ipc_call_fail(k->call);
        ipc_call_unref(k->call);
        k->call = NULL;
    }
    irq = spin_lock(&ep->lock);
    slot_free(ep, k);
    spin_unlock(&ep->lock, irq);
}

status_t endpoint_enqueue(endpoint_t *ep, ipc_msg_t *k) {
    bool irq = spin_lock(&ep->lock);
    if (!ep->closed) {
        k->next = NULL;
        if (ep->tail) {
            ep->tail->next = k;
        } else {
            ep->head = k;
        }
        ep->tail = k;
        wake_all(&ep->msg_ev);
        spin_unlock(&ep->lock, irq);
        return STATUS_OK;
    }
    spin_unlock(&ep->lock, irq);
    discard(ep, k);
    return ERR_CLOSED;
}

/* The last receiver went: drop the queue, fail its calls, wake every waiter (senders and
 * receivers then see closed, or a stale handle). Closed stays signalled. */
static void endpoint_close(endpoint_t *ep) {
    bool irq = spin_lock(&ep->lock);
    if (ep->closed) {
        spin_unlock(&ep->lock, irq);
        return;
    }
    ep->closed = true;
    ipc_msg_t *k = ep->head;
    ep->head = ep->tail = NULL;
    event_signal(&ep->room_ev);
    event_signal(&ep->msg_ev);
    spin_unlock(&ep->lock, irq);
    while (k) {
        ipc_msg_t *next = k->next;
        discard(ep, k);
        k = next;
    }
}

void endpoint_cap_ref(void *obj) {
    endpoint_ref(obj);
}

void endpoint_cap_unref(void *obj) {
    endpoint_t *ep = obj;
    if (atomic_load(&ep->recv_caps) == 0) { /* it never grows again from 0 */
        endpoint_close(ep);
    }
    endpoint_unref(ep);
}

void endpoint_rights_held(void *obj, uint32_t rights, int delta) {
    endpoint_t *ep = obj;
    if (rights & CAP_RIGHT_EP_RECV) {
        atomic_fetch_add(&ep->recv_caps, (uint32_t)delta);
    }
}

void endpoint_wait_room(endpoint_t *ep, cont_t *c, event_t **ev) {
    bool irq = spin_lock(&ep->lock);
    *ev = &ep->room_ev;
    if (ep->closed || ep->free) {
        sched_spawn(c);
    } else {
        event_wait(&ep->room_ev, c);
    }
    spin_unlock(&ep->lock, irq);
}

void endpoint_wait_message(endpoint_t *ep, cont_t *c, event_t **ev) {
    bool irq = spin_lock(&ep->lock);
    *ev = &ep->msg_ev;
    if (ep->closed || ep->head) {
        sched_spawn(c);
    } else {
        event_wait(&ep->msg_ev, c);
    }
    spin_unlock(&ep->lock, irq);
}

/* ---- send and receive ---- */

int64_t ipc_send(domain_t *d, exo_handle_t eph, const exo_msg_t *m, ipc_call_t *call,
                 endpoint_t **wait_ep) {
    trace_event(call ? EXO_TRACE_IPC_CALL : EXO_TRACE_IPC_SEND, eph, (uint32_t)m->label);
    status_t st = ipc_msg_check(m);
    if (st != STATUS_OK) {
        return st;
    }
    cap_reap_t r = {0};
    cap_slot_t *src[EXO_MSG_CAPS], *es;
    endpoint_t *ep = NULL;
    ipc_msg_t *k = NULL;
    bool irq = caps_lock();
    st = cap_decode(d, eph, CAP_ENDPOINT, CAP_RIGHT_EP_SEND, &es);
    st = st ? st : ipc_msg_decode_caps(d, m, src);
    if (st == STATUS_OK) {
        ep = es->obj;
        st = atomic_load(&ep->recv_caps) == 0 ? ERR_CLOSED : STATUS_OK;
    }
    if (st == STATUS_OK) {
        bool eirq = spin_lock(&ep->lock);
        k = ep->free;
        if (k) {
            ep->free = k->next;
        }
        spin_unlock(&ep->lock, eirq);
        if (k == NULL) {
            st = ERR_BUSY;
            if (wait_ep) {
                endpoint_ref(ep);
                *wait_ep = ep;
            }
        }
    }
    st = st ? st : ipc_msg_take(k, m, src, es->badge, &r);
    if (st == STATUS_OK) {
        endpoint_ref(ep); /* ours until it is queued */
        if (call) {
            ipc_call_ref(call);
        }
        k->call = call;
    } else if (k) {
        bool eirq = spin_lock(&ep->lock);
        slot_free(ep, k);
        spin_unlock(&ep->lock, eirq);
    }
    caps_unlock(irq);
    if (st != STATUS_OK) {
        return st;
    }
    /* A moved region leaves every TLB of the sender before anyone can receive it. */
    cap_reap_finish(&r);
    st = endpoint_enqueue(ep, k);
    endpoint_unref(ep);
    return st;
}

int64_t ipc_recv(domain_t *d, exo_handle_t eph, uint64_t buf, endpoint_t **wait_ep) {
    bool irq = caps_lock();
    cap_slot_t *es;
    status_t st = cap_decode(d, eph, CAP_ENDPOINT, CAP_RIGHT_EP_RECV, &es);
    if (st != STATUS_OK) {
        caps_unlock(irq);
        return st;
    }
    endpoint_t *ep = es->obj;
    bool eirq = spin_lock(&ep->lock);
    ipc_msg_t *k = ep->head;
    if (k == NULL && ep->closed) {
        st = ERR_CLOSED; /* cannot happen while the caller holds RECV; kept as a guard */
    } else if (k == NULL) {
        /* Nothing to deliver: a buffer no message could ever go to fails now, not after a
         * wait (a message present is checked by its delivery). */
        st = view_prepare_write(&d->view, buf, sizeof(exo_msg_t));
        st = st ? st : ERR_AGAIN;
        if (st == ERR_AGAIN && wait_ep) {
            endpoint_ref(ep);
            *wait_ep = ep;
        }
    } else {
        st = ipc_msg_deliver(k, d, buf); /* on failure the message stays first */
    }
    if (st == STATUS_OK) {
        trace_event(EXO_TRACE_IPC_RECV, eph, (uint32_t)k->label);
        ep->head = k->next;
        if (ep->head == NULL) {
            ep->tail = NULL;
        }
        slot_free(ep, k);
    }
    spin_unlock(&ep->lock, eirq);
    caps_unlock(irq);
    return st;
}
