/*
 * The checks a message gets before any handle is looked at (ipc/ipc.h). Pure: the same
 * file runs in the kernel and in host tests.
 */
#include <ipc/ipc.h>

status_t ipc_msg_check(const exo_msg_t *m) {
    if (m->len > EXO_MSG_DATA || m->ncaps > EXO_MSG_CAPS) {
        return ERR_TOO_BIG;
    }
    for (uint32_t i = 0; i < m->ncaps; i++) {
        const exo_msg_cap_t *c = &m->caps[i];
        if ((c->flags & ~EXO_MSG_CAP_MOVE) || c->handle == EXO_HANDLE_NONE) {
            return ERR_INVALID;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (m->caps[j].handle == c->handle) {
                return ERR_INVALID; /* one cap, once: a move and a copy of it would race */
            }
        }
    }
    return STATUS_OK;
}
