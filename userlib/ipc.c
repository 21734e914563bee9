/*
 * userlib's IPC calls (user/ipc.h): thin wrappers over the IPC traps, and message
 * building.
 */
#include <kernel/string.h>
#include <user/caps.h>
#include <user/ipc.h>
#include <user/trap.h>

int64_t exo_endpoint_create_from(exo_handle_t mem, uint32_t depth) {
    return exo_trap(SYS_ENDPOINT_CREATE, mem, depth, 0, 0, 0);
}

int64_t exo_endpoint_create(uint32_t depth) {
    return exo_endpoint_create_from(exo_memory_cap(), depth);
}

int64_t exo_ipc_send(exo_handle_t ep, const exo_msg_t *m, uint32_t flags) {
    return exo_trap(SYS_IPC_SEND, ep, (uint64_t)(uintptr_t)m, flags, 0, 0);
}

int64_t exo_ipc_recv(exo_handle_t ep, exo_msg_t *m, uint32_t flags) {
    return exo_trap(SYS_IPC_RECV, ep, (uint64_t)(uintptr_t)m, flags, 0, 0);
}

int64_t exo_ipc_call(exo_handle_t ep, exo_msg_t *m, uint32_t flags) {
    return exo_trap(SYS_IPC_CALL, ep, (uint64_t)(uintptr_t)m, flags, 0, 0);
}

int64_t exo_ipc_reply(exo_handle_t reply, const exo_msg_t *m) {
    return exo_trap(SYS_IPC_REPLY, reply, (uint64_t)(uintptr_t)m, 0, 0, 0);
}

int64_t exo_ipc_reply_recv(exo_handle_t reply, exo_msg_t *m, exo_handle_t ep, uint32_t flags) {
    return exo_trap(SYS_IPC_REPLY_RECV, reply, (uint64_t)(uintptr_t)m, ep, flags, 0);
}

int64_t exo_cap_mint(exo_handle_t ep, uint32_t rights, uint64_t badge) {
    return exo_trap(SYS_CAP_MINT, ep, rights, badge, 0, 0);
}

void exo_msg_init(exo_msg_t *m, uint64_t label) {
    memset(m, 0, sizeof(*m));
    m->label = label;
}

bool exo_msg_put(exo_msg_t *m, const void *data, size_t len) {
    if (len > EXO_MSG_DATA - m->len) {
        return false;
    }
    memcpy(m->data + m->len, data, len);
    m->len += (uint32_t)len;
    return true;
}

bool exo_msg_add_cap(exo_msg_t *m, exo_handle_t h, uint32_t rights, uint16_t flags) {
    if (m->ncaps >= EXO_MSG_CAPS) {
        return false;
    }
    m->caps[m->ncaps++] = (exo_msg_cap_t){.handle = h, .rights = rights, .flags = flags};
    return true;
}
