/*
 * The IPC traps (exo/syscall.h). Each copies the caller's exo_msg_t in once, checks it,
 * and tries at once; a send to a full queue, a receive from an empty one and every call
 * then wait as the caller's continuation (ucont_wait_ops_t) unless EXO_IPC_NOWAIT was
 * given. A waiting trap keeps its state in an ipc_wait_t and tries again when woken:
 * wake-ups are broadcasts, so it may find another continuation was faster and wait again.
 */
#include <arch/user.h>
#include <domain/ucont.h>
#include <kernel/panic.h>
#include <mm/heap.h>
#include <mm/uaccess.h>

#include "ipc_priv.h"

enum ipc_stage {
    STAGE_SEND,   /* waiting for room in ep's queue (a call's request, too) */
    STAGE_RECV,   /* waiting for a message in ep's queue */
    STAGE_ANSWER, /* a call, sent: waiting for its answer */
};

typedef struct ipc_wait {
    uint8_t stage;
    endpoint_t *ep;   /* SEND, RECV: the endpoint waited on (a reference) */
    ipc_call_t *call; /* a call (a reference) */
    exo_handle_t eph; /* tried again by handle: the cap may have gone meanwhile */
    uint64_t buf;     /* RECV: where the message goes; ANSWER: where the answer goes */
    exo_msg_t m;      /* SEND: the message, as copied in at the trap */
} ipc_wait_t;

static void ipc_wait_free(ipc_wait_t *w) {
    if (w->ep) {
        endpoint_unref(w->ep);
    }
    if (w->call) {
        ipc_call_abandon(w->call); /* a no-op once its answer was collected */
        ipc_call_unref(w->call);
    }
    kfree(w);
}

static void ipc_wait_arm(ucont_t *u) {
    ipc_wait_t *w = u->wait_obj;
    switch (w->stage) {
    case STAGE_SEND:
        endpoint_wait_room(w->ep, &u->k, &u->wait_ev);
        break;
    case STAGE_RECV:
        endpoint_wait_message(w->ep, &u->k, &u->wait_ev);
        break;
    default:
        u->wait_ev = ipc_call_event(w->call);
        event_wait(u->wait_ev, &u->k); /* at once if the answer came already */
        break;
    }
}

/* One more try at what w waits for: true with the trap's result in *res, or false to
 * wait again (w updated). */
static bool ipc_wait_try(ucont_t *u, ipc_wait_t *w, int64_t *res) {
    domain_t *d = u->dom;
    endpoint_t *ep = w->ep;
    w->ep = NULL;
    switch (w->stage) {
    case STAGE_SEND:
        endpoint_unref(ep);
        *res = ipc_send(d, w->eph, &w->m, w->call, &w->ep);
        if (*res == ERR_BUSY) {
            return false;
        }
        if (*res == STATUS_OK && w->call) {
            w->stage = STAGE_ANSWER;
            return false;
        }
        return true;
    case STAGE_RECV:
        endpoint_unref(ep);
        *res = ipc_recv(d, w->eph, w->buf, &w->ep);
        return *res != ERR_AGAIN;
    default:
        *res = ipc_call_collect(w->call, d, w->buf);
        return *res != IPC_PENDING;
    }
}

static bool ipc_wait_resume(ucont_t *u) {
    ipc_wait_t *w = u->wait_obj;
    int64_t res = ERR_CANCELED;
    if (!ucont_must_end(u) && !ipc_wait_try(u, w, &res)) {
        return false;
    }
    user_regs_set_result(&u->regs, (uint64_t)res);
    ipc_wait_free(w);
    u->wait_obj = NULL;
    return true;
}

static const ucont_wait_ops_t ipc_wait_ops = {ipc_wait_arm, ipc_wait_resume};

/* Suspends self until w is done; the trap's result comes from ipc_wait_resume. */
__attribute__((noreturn)) static void ipc_wait(ucont_t *self, user_regs_t *tf, ipc_wait_t *w) {
    self->wait = &ipc_wait_ops;
    self->wait_obj = w;
    ucont_leave(self, tf, UCONT_WAIT);
}

static ipc_wait_t *ipc_wait_new(uint8_t stage, exo_handle_t eph, uint64_t buf) {
    ipc_wait_t *w = kzalloc(sizeof(*w));
    if (w) {
        w->stage = stage;
        w->eph = eph;
        w->buf = buf;
    }
    return w;
}

int64_t sys_ipc_send(ucont_t *self, user_regs_t *tf, exo_handle_t eph, uint64_t msg,
                     uint64_t flags) {
    if (flags & ~(uint64_t)EXO_IPC_FLAGS_ALL) {
        return ERR_INVALID;
    }
    exo_msg_t m;
    status_t st = ipc_msg_copy_in(self->dom, msg, &m, false);
    if (st != STATUS_OK) {
        return st;
    }
    bool wait = !(flags & EXO_IPC_NOWAIT);
    endpoint_t *ep = NULL;
    int64_t ret = ipc_send(self->dom, eph, &m, NULL, wait ? &ep : NULL);
    if (ret != ERR_BUSY || !wait) {
        return ret;
    }
    ipc_wait_t *w = ipc_wait_new(STAGE_SEND, eph, 0);
    if (w == NULL) {
        endpoint_unref(ep);
        return ERR_NO_MEMORY;
    }
    w->ep = ep;
    w->m = m;
    ipc_wait(self, tf, w);
}

static int64_t recv_or_wait(ucont_t *self, user_regs_t *tf, exo_handle_t eph, uint64_t msg,
                            uint64_t flags) {
    if (flags & ~(uint64_t)EXO_IPC_FLAGS_ALL) {
        return ERR_INVALID;
    }
    bool wait = !(flags & EXO_IPC_NOWAIT);
    endpoint_t *ep = NULL;
    int64_t ret = ipc_recv(self->dom, eph, msg, wait ? &ep : NULL);
    if (ret != ERR_AGAIN || !wait) {
        return ret;
    }
    ipc_wait_t *w = ipc_wait_new(STAGE_RECV, eph, msg);
    if (w == NULL) {
        endpoint_unref(ep);
        return ERR_NO_MEMORY;
    }
    w->ep = ep;
    ipc_wait(self, tf, w);
}

int64_t sys_ipc_recv(ucont_t *self, user_regs_t *tf, exo_handle_t eph, uint64_t msg,
                     uint64_t flags) {
    return recv_or_wait(self, tf, eph, msg, flags);
}

int64_t sys_ipc_call(ucont_t *self, user_regs_t *tf, exo_handle_t eph, uint64_t msg,
                     uint64_t flags) {
    if (flags & ~(uint64_t)EXO_IPC_FLAGS_ALL) {
        return ERR_INVALID;
    }
    exo_msg_t m;
    status_t st = ipc_msg_copy_in(self->dom, msg, &m, true); /* before anything is sent */
    ipc_wait_t *w = st ? NULL : ipc_wait_new(STAGE_ANSWER, eph, msg);
    st = st ? st : w == NULL ? ERR_NO_MEMORY : ipc_call_new(&w->call);
    if (st != STATUS_OK) {
        if (w) {
            kfree(w);
        }
        return st;
    }
    bool wait = !(flags & EXO_IPC_NOWAIT);
    int64_t ret = ipc_send(self->dom, eph, &m, w->call, wait ? &w->ep : NULL);
    if (ret == ERR_BUSY && wait) {
        w->stage = STAGE_SEND;
        w->m = m;
    } else if (ret != STATUS_OK) {
        ipc_wait_free(w);
        return ret;
    }
    ipc_wait(self, tf, w);
}

int64_t sys_ipc_reply(domain_t *d, exo_handle_t reply, uint64_t msg) {
    exo_msg_t m;
    status_t st = ipc_msg_copy_in(d, msg, &m, false);
    return st ? st : ipc_reply(d, reply, &m);
}

int64_t sys_ipc_reply_recv(ucont_t *self, user_regs_t *tf, exo_handle_t reply, uint64_t msg,
                           exo_handle_t eph, uint64_t flags) {
    if (flags & ~(uint64_t)EXO_IPC_FLAGS_ALL) {
        return ERR_INVALID;
    }
    if (reply != EXO_HANDLE_NONE) {
        int64_t ret = sys_ipc_reply(self->dom, reply, msg);
        if (ret != STATUS_OK && ret != ERR_CLOSED) {
            return ret; /* a caller that gave up is no reason not to serve the next */
        }
    }
    return recv_or_wait(self, tf, eph, msg, flags);
}
