/*
 * A message's payload and its caps in transit (ipc_priv.h): taken from the sender's
 * table, held in the message's own table, delivered into the receiver's. Every function
 * here runs under caps_lock.
 */
#include <caps/cdt.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <mm/uaccess.h>
#include <mm/view.h>

#include "ipc_priv.h"

status_t ipc_msg_copy_in(domain_t *d, uint64_t ptr, exo_msg_t *m, bool answer_here) {
    if (copy_from_user(m, ptr, sizeof(*m)) != STATUS_OK) {
        return ERR_FAULT;
    }
    return answer_here ? view_prepare_write(&d->view, ptr, sizeof(*m)) : STATUS_OK;
}

void ipc_msg_init(ipc_msg_t *k) {
    status_t st = cspace_init(&k->transit, k->slots, EXO_MSG_CAPS + 1, NULL);
    ASSERT(st == STATUS_OK);
}

status_t ipc_msg_decode_caps(domain_t *d, const exo_msg_t *m, cap_slot_t **src) {
    for (uint32_t i = 0; i < m->ncaps; i++) {
        const exo_msg_cap_t *c = &m->caps[i];
        bool move = c->flags & EXO_MSG_CAP_MOVE;
        uint32_t need = CAP_RIGHT_GRANT | (move ? 0 : CAP_RIGHT_DERIVE);
        status_t st = cap_decode(d, c->handle, CAP_NONE, need, &src[i]);
        st = st ? st : cap_check_rights(src[i], c->rights);
        if (st == STATUS_OK && src[i]->type == CAP_ENDPOINT && (c->rights & CAP_RIGHT_EP_RECV)) {
            st = ERR_RIGHTS; /* a queue holding its own receive right could never close */
        }
        if (st != STATUS_OK) {
            return st;
        }
    }
    return STATUS_OK;
}

status_t ipc_msg_take(ipc_msg_t *k, const exo_msg_t *m, cap_slot_t **src, uint64_t badge,
                      cap_reap_t *r) {
    ASSERT(k->ncaps == 0);
    for (uint32_t i = 0; i < m->ncaps; i++) {
        if (cspace_reserve(&k->transit, &k->cap[i]) != STATUS_OK) {
            while (i-- > 0) {
                cspace_unreserve(k->cap[i]);
            }
            return ERR_TABLE_FULL;
        }
    }
    for (uint32_t i = 0; i < m->ncaps; i++) { /* invoke */
        const exo_msg_cap_t *c = &m->caps[i];
        if (c->flags & EXO_MSG_CAP_MOVE) {
            cap_reap_unmap(r, src[i]); /* the sender's view loses it, shot down after */
            cap_move_to(k->cap[i], src[i]);
            cap_set_rights(r, k->cap[i], c->rights);
        } else {
            cap_install_child(k->cap[i], src[i], c->rights);
        }
    }
    k->label = m->label;
    k->badge = badge;
    k->len = m->len;
    k->ncaps = m->ncaps;
    memcpy(k->data, m->data, m->len);
    return STATUS_OK;
}

void ipc_msg_drop(ipc_msg_t *k, cap_reap_t *r) {
    for (uint32_t i = 0; i < k->ncaps; i++) {
        if (k->cap[i]->state == CAP_SLOT_LIVE) { /* else revoked in flight */
            cap_reap_slot(r, k->cap[i]);
        }
        k->cap[i] = NULL;
    }
    k->ncaps = 0;
}

status_t ipc_msg_deliver(ipc_msg_t *k, domain_t *d, uint64_t buf) {
    status_t st = view_prepare_write(&d->view, buf, sizeof(exo_msg_t));
    if (st != STATUS_OK) {
        return st;
    }
    cap_slot_t *dst[EXO_MSG_CAPS] = {0};
    for (uint32_t i = 0; i < k->ncaps && st == STATUS_OK; i++) {
        if (k->cap[i]->state == CAP_SLOT_LIVE) {
            st = cap_reserve(d, &dst[i]);
        }
    }
    cap_slot_t *reply = NULL;
    if (st == STATUS_OK && k->call) {
        st = cap_reserve(d, &reply);
    }
    if (st != STATUS_OK) {
        for (uint32_t i = 0; i < k->ncaps; i++) {
            if (dst[i]) {
                cspace_unreserve(dst[i]);
            }
        }
        return st;
    }
    /* invoke: caps lock held, so the buffer stays writable (every unmap takes it) */
    exo_msg_t out = {.label = k->label, .len = k->len, .ncaps = k->ncaps, .badge = k->badge};
    memcpy(out.data, k->data, k->len);
    for (uint32_t i = 0; i < k->ncaps; i++) {
        if (dst[i]) {
            cap_move_to(dst[i], k->cap[i]);
            cap_map_arrival(dst[i]);
            out.caps[i] = (exo_msg_cap_t){.handle = cap_handle(dst[i]),
                                          .rights = dst[i]->rights,
                                          .flags = dst[i]->mapped ? EXO_MSG_CAP_MAPPED : 0,
                                          .type = dst[i]->type};
        }
        k->cap[i] = NULL;
    }
    k->ncaps = 0;
    if (reply) { /* the reply cap takes over the message's reference on the call */
        cap_install_take(reply, CAP_REPLY, CAP_RIGHTS_REPLY, k->call, NULL);
        k->call = NULL;
        out.reply = cap_handle(reply);
    }
    st = view_write(&d->view, buf, &out, sizeof(out));
    ASSERT(st == STATUS_OK); /* prepared above, and no unmap can run under caps_lock */
    return STATUS_OK;
}

void ipc_msg_recycle(ipc_msg_t *k) {
    ASSERT(k->ncaps == 0 && k->call == NULL && cspace_live(&k->transit) == 0);
    ipc_msg_init(k); /* fresh generations: transit slots are never named by a handle */
}
