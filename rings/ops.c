/*
 * What each opcode does (exo/ring.h). An op gets exactly the checks of the synchronous
 * trap of the same name: it calls the same function, on the kernel's copy of the SQE.
 * Ops that wait (timeout, wait) decode here, then register under the ring lock
 * (ring_op_arm) and complete later.
 */
#include <caps/cap.h>
#include <caps/ops.h>
#include <dev/console.h>
#include <domain/contobj.h>
#include <domain/syscall.h>
#include <ipc/ipc.h>
#include <kernel/panic.h>

#include "ring_priv.h"

/* q->ev of a console read (it waits through console_read_wait, not on an event of ours):
 * only a mark that the wake-up is registered. */
static event_t console_input_event_marker;

#define RING_TIMEOUT_MAX_NS (3600ull * 1000000000ull) /* an hour */

status_t ring_op_check(const exo_sqe_t *sqe) {
    if (sqe->opcode >= EXO_OP_COUNT) {
        return ERR_UNSUPPORTED;
    }
    if ((sqe->flags & ~EXO_SQE_FLAGS_ALL) || sqe->reserved0 || sqe->op_flags) {
        return ERR_INVALID;
    }
    for (unsigned i = exo_op_nargs(sqe->opcode); i < 6; i++) {
        if (sqe->arg[i]) {
            return ERR_INVALID;
        }
    }
    if ((sqe->opcode == EXO_OP_TIMEOUT || sqe->opcode == EXO_OP_LINK_TIMEOUT) &&
        sqe->arg[0] > RING_TIMEOUT_MAX_NS) {
        return ERR_RANGE;
    }
    return STATUS_OK;
}

static int64_t region_free(domain_t *d, exo_handle_t h) {
    bool irq = caps_lock();
    cap_slot_t *s;
    status_t st = cap_decode(d, h, CAP_REGION, 0, &s);
    caps_unlock(irq);
    /* A handle names one cap for good (its generation), so the delete below deletes the
     * region cap just decoded, or fails ERR_STALE if someone deleted it meanwhile. */
    return st ? st : sys_cap_delete(d, h);
}

/* WAIT (a domain with DOMAIN_WAIT, or a continuation with CONT_JOIN) and JOIN (a
 * continuation): the object is held in q->obj until the op completes. */
static int64_t decode_wait(ring_t *r, ring_req_t *q, bool join_only) {
    bool irq = caps_lock();
    cap_slot_t *s;
    status_t st = cap_decode(r->dom, q->sqe.arg[0], join_only ? CAP_CONTINUATION : CAP_NONE, 0, &s);
    if (st == STATUS_OK) {
        uint32_t need = s->type == CAP_DOMAIN         ? CAP_RIGHT_DOMAIN_WAIT
                        : s->type == CAP_CONTINUATION ? CAP_RIGHT_CONT_JOIN
                                                      : 0;
        st = need == 0 ? ERR_WRONG_TYPE : (s->rights & need) != need ? ERR_RIGHTS : STATUS_OK;
    }
    if (st == STATUS_OK && s->obj == r->dom) {
        st = ERR_STATE; /* it would wait for its own end */
    }
    if (st == STATUS_OK) {
        q->obj = s->obj;
        q->obj_type = s->type;
        cap_object_ref(s->type, s->obj);
    }
    caps_unlock(irq);
    return st ? st : RING_ASYNC;
}

static event_t *wait_event(ring_req_t *q) {
    return q->obj_type == CAP_DOMAIN ? &((domain_t *)q->obj)->ended_ev
                                     : &((contobj_t *)q->obj)->ended_ev;
}

/* The waited-for object's result, and its reference dropped. */
static int64_t wait_release(ring_req_t *q) {
    int64_t res = q->obj_type == CAP_DOMAIN ? ((domain_t *)q->obj)->status : 0;
    cap_object_unref(q->obj_type, q->obj);
    q->obj = NULL;
    q->ev = NULL;
    return res;
}

/* IPC ops hold, while they wait, the endpoint (waiting for room or a message: the op runs
 * again when woken) or the call (waiting for its answer). */
static void ipc_release(ring_req_t *q) {
    if (q->obj_type == CAP_ENDPOINT) {
        endpoint_unref(q->obj);
    } else {
        ipc_call_abandon(q->obj);
        ipc_call_unref(q->obj);
    }
    q->obj = NULL;
}

static int64_t ipc_hold(ring_req_t *q, void *obj, uint16_t type) {
    q->obj = obj;
    q->obj_type = type;
    return RING_ASYNC;
}

/* SEND and CALL: (endpoint, msg, flags). The message is read again each time the op runs,
 * so it must stay put until the CQE (as every SQE's buffers). */
static int64_t ipc_send_op(ring_t *r, ring_req_t *q, bool call) {
    const uint64_t *a = q->sqe.arg;
    if (a[2] & ~(uint64_t)EXO_IPC_FLAGS_ALL) {
        return ERR_INVALID;
    }
    exo_msg_t m;
    status_t st = ipc_msg_copy_in(r->dom, a[1], &m, call); /* before anything is sent */
    if (st != STATUS_OK) {
        return st;
    }
    ipc_call_t *c = NULL;
    if (call && ipc_call_new(&c) != STATUS_OK) {
        return ERR_NO_MEMORY;
    }
    bool wait = !(a[2] & EXO_IPC_NOWAIT);
    endpoint_t *ep = NULL;
    int64_t ret = ipc_send(r->dom, a[0], &m, c, wait ? &ep : NULL);
    if (c && ret != STATUS_OK) {
        ipc_call_abandon(c);
        ipc_call_unref(c);
        c = NULL;
    }
    if (ret == ERR_BUSY && wait) {
        return ipc_hold(q, ep, CAP_ENDPOINT);
    }
    return c ? ipc_hold(q, c, CAP_REPLY) : ret;
}

static int64_t ipc_recv_op(ring_t *r, ring_req_t *q) {
    const uint64_t *a = q->sqe.arg;
    if (a[2] & ~(uint64_t)EXO_IPC_FLAGS_ALL) {
        return ERR_INVALID;
    }
    bool wait = !(a[2] & EXO_IPC_NOWAIT);
    endpoint_t *ep = NULL;
    int64_t ret = ipc_recv(r->dom, a[0], a[1], wait ? &ep : NULL);
    return ret == ERR_AGAIN && wait ? ipc_hold(q, ep, CAP_ENDPOINT) : ret;
}

static int64_t ipc_reply_op(ring_t *r, ring_req_t *q) {
    exo_msg_t m;
    status_t st = ipc_msg_copy_in(r->dom, q->sqe.arg[1], &m, false);
    return st ? st : ipc_reply(r->dom, q->sqe.arg[0], &m);
}

int64_t ring_op_exec(ring_t *r, ring_req_t *q, uint64_t *aux) {
    const exo_sqe_t *e = &q->sqe;
    const uint64_t *a = e->arg;
    domain_t *d = r->dom;
    status_t st = ring_op_check(e);
    if (st != STATUS_OK) {
        return st;
    }
    switch (e->opcode) {
    case EXO_OP_NOP:
        return 0;
    case EXO_OP_TIMEOUT:
        return RING_ASYNC;
    case EXO_OP_LINK_TIMEOUT:
        return ERR_INVALID; /* started on its own: it follows no linked SQE */
    case EXO_OP_CAP_DERIVE:
        return sys_cap_derive(d, a[0], a[1]);
    case EXO_OP_CAP_TRANSFER:
        return sys_cap_transfer(d, a[0], a[1], a[2], a[3]);
    case EXO_OP_CAP_DELETE:
        return sys_cap_delete(d, a[0]);
    case EXO_OP_CAP_REVOKE:
        return sys_cap_revoke(d, a[0]);
    case EXO_OP_CAP_INFO:
        return sys_cap_info(d, a[0], a[1]);
    case EXO_OP_REGION_ALLOC:
        return cap_region_alloc(d, a[0], a[1], a[2], aux);
    case EXO_OP_REGION_MAP:
        return sys_region_map(d, a[0], a[1]);
    case EXO_OP_REGION_PROTECT:
        return sys_region_protect(d, a[0], a[1]);
    case EXO_OP_REGION_UNMAP:
        return sys_region_unmap(d, a[0]);
    case EXO_OP_REGION_FREE:
        return region_free(d, a[0]);
    case EXO_OP_MEMORY_SPLIT:
        return sys_memory_split(d, a[0], a[1]);
    case EXO_OP_CONSOLE_WRITE:
        return sys_console_write(d, a[0], a[1], a[2]);
    case EXO_OP_CONSOLE_READ: {
        int64_t n = sys_console_read(d, a[0], a[1], a[2]);
        return n == 0 && a[2] > 0 ? RING_ASYNC : n; /* nothing yet: wait for a byte */
    }
    case EXO_OP_WAIT:
        return decode_wait(r, q, false);
    case EXO_OP_CONT_JOIN:
        return decode_wait(r, q, true);
    case EXO_OP_CONT_SPAWN:
        return sys_cont_spawn(d, a[0], a[1], a[2]);
    case EXO_OP_CONT_CANCEL:
        return sys_cont_cancel(d, a[0]);
    case EXO_OP_IPC_SEND:
        return ipc_send_op(r, q, false);
    case EXO_OP_IPC_CALL:
        return ipc_send_op(r, q, true);
    case EXO_OP_IPC_RECV:
        return ipc_recv_op(r, q);
    case EXO_OP_IPC_REPLY:
        return ipc_reply_op(r, q);
    default:
        return ERR_UNSUPPORTED;
    }
}

/* An event an op waited on happened: complete it, then run what that started. The
 * wake-up holds a ring reference (taken by ring_op_arm). */
static void req_wake(cont_t *k) {
    cont_park(k); /* completing q may free it for reuse, and a new wake-up be spawned */
    ring_req_t *q = k->arg;
    ring_t *r = q->ring;
    bool irq = spin_lock(&r->lock);
    ASSERT(q->state == REQ_ASYNC && q->ev != NULL);
    ring_complete(r, q, wait_release(q), 0);
    spin_unlock(&r->lock, irq);
    ring_run(r, false);
    ring_unref(r);
}

/* What the op waits for may be there now (console input; room or a message at an
 * endpoint, or its close): the op runs again, and waits again if another took it first. */
static void req_retry(cont_t *k) {
    cont_park(k); /* the restarted op may register this wake-up again */
    ring_req_t *q = k->arg;
    ring_t *r = q->ring;
    if (q->obj) {
        ipc_release(q); /* the endpoint; the wake-up owns q's op now */
    }
    bool irq = spin_lock(&r->lock);
    ASSERT(q->state == REQ_ASYNC && q->ev != NULL);
    q->ev = NULL;
    ring_restart(r, q);
    spin_unlock(&r->lock, irq);
    ring_run(r, false);
    ring_unref(r);
}

/* A call's answer came (or the call failed): deliver it into the ring's domain. */
static void req_ipc_answer(cont_t *k) {
    cont_park(k);
    ring_req_t *q = k->arg;
    ring_t *r = q->ring;
    int64_t res = ERR_CANCELED;
    if (ring_act_begin(r)) {
        res = ipc_call_collect(q->obj, r->dom, q->sqe.arg[1]);
        ring_act_end(r);
    }
    ASSERT(res != IPC_PENDING); /* the call's event fires only once it is decided */
    ipc_release(q);             /* the wake-up owns q's op now: nothing else touches q->obj */
    bool irq = spin_lock(&r->lock);
    ASSERT(q->state == REQ_ASYNC && q->ev != NULL);
    q->ev = NULL;
    ring_complete(r, q, res, 0);
    spin_unlock(&r->lock, irq);
    ring_run(r, false);
    ring_unref(r);
}

status_t ring_op_arm(ring_t *r, ring_req_t *q) {
    status_t st = r->closed ? ERR_CANCELED : STATUS_OK;
    switch (q->sqe.opcode) {
    case EXO_OP_TIMEOUT:
        return st ? st : ring_timeout_arm(r, q, q->sqe.arg[0]);
    case EXO_OP_WAIT:
    case EXO_OP_CONT_JOIN:
        if (st != STATUS_OK) {
            (void)wait_release(q);
            return st;
        }
        ring_ref(r); /* the wake-up's */
        cont_init(&q->wake, req_wake, q);
        q->ev = wait_event(q);
        event_wait(q->ev, &q->wake); /* spawns it at once if it ended already */
        return STATUS_OK;
    case EXO_OP_CONSOLE_READ:
        if (st != STATUS_OK) {
            return st;
        }
        ring_ref(r); /* the wake-up's */
        cont_init(&q->wake, req_retry, q);
        q->ev = &console_input_event_marker;
        console_read_wait(&q->wake); /* spawns it at once if a byte came meanwhile */
        return STATUS_OK;
    case EXO_OP_IPC_SEND:
    case EXO_OP_IPC_CALL:
    case EXO_OP_IPC_RECV:
        if (st != STATUS_OK) {
            ipc_release(q);
            return st;
        }
        ring_ref(r); /* the wake-up's */
        if (q->obj_type == CAP_REPLY) {
            cont_init(&q->wake, req_ipc_answer, q);
            q->ev = ipc_call_event(q->obj);
            event_wait(q->ev, &q->wake); /* spawns it at once if answered already */
        } else {
            cont_init(&q->wake, req_retry, q);
            if (q->sqe.opcode == EXO_OP_IPC_RECV) {
                endpoint_wait_message(q->obj, &q->wake, &q->ev);
            } else {
                endpoint_wait_room(q->obj, &q->wake, &q->ev);
            }
        }
        return STATUS_OK;
    default:
        panic("ring_op_arm: opcode %u does not wait", q->sqe.opcode);
    }
}

bool ring_op_cancel(ring_t *r, ring_req_t *q) {
    switch (q->sqe.opcode) {
    case EXO_OP_TIMEOUT:
    case EXO_OP_LINK_TIMEOUT:
        return ring_timeout_cancel(r, q);
    case EXO_OP_WAIT:
    case EXO_OP_CONT_JOIN:
        if (q->ev == NULL || !event_cancel(q->ev, &q->wake)) {
            return false; /* the wake-up is on its way */
        }
        (void)wait_release(q);
        ring_unref(r); /* the wake-up's; the caller holds another */
        return true;
    case EXO_OP_CONSOLE_READ:
        if (q->ev == NULL || !console_read_cancel(&q->wake)) {
            return false;
        }
        q->ev = NULL;
        ring_unref(r);
        return true;
    case EXO_OP_IPC_SEND:
    case EXO_OP_IPC_CALL:
    case EXO_OP_IPC_RECV:
        if (q->ev == NULL || !event_cancel(q->ev, &q->wake)) {
            return false; /* the wake-up is on its way */
        }
        q->ev = NULL;
        ipc_release(q); /* under the ring lock: ring lock -> caps_lock (docs/ipc.md) */
        ring_unref(r);
        return true;
    default:
        return false;
    }
}
