/*
 * Rings from user space (docs/rings.md): a small liburing-like API over exo/ring.h.
 * Get an SQE, prepare it, submit, then peek or wait for CQEs and mark them seen:
 *
 *     exo_ring_t r;
 *     exo_ring_init(&r, 64, 0);
 *     exo_sqe_t *sqe = exo_ring_get_sqe(&r);
 *     exo_prep_nop(sqe);
 *     exo_sqe_set_data(sqe, 42);
 *     exo_ring_submit_and_wait(&r, 1);
 *     exo_cqe_t *cqe;
 *     exo_ring_peek_cqe(&r, &cqe);     (cqe->user_data == 42, cqe->res == 0)
 *     exo_ring_cqe_seen(&r, cqe);
 *
 * One continuation at a time may produce SQEs and one may consume CQEs on a ring (the
 * same or two different ones); share a ring further only under a lock of your own.
 */
#pragma once

#include <exo/ipc.h>
#include <exo/ring.h>
#include <exo/status.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct exo_ring exo_ring_t;
struct exo_ring {
    exo_handle_t handle; /* the ring cap */
    exo_handle_t region; /* the cap to its memory */
    exo_ring_hdr_t *hdr;
    exo_sqe_t *sqes;
    exo_cqe_t *cqes;
    uint32_t sq_entries, cq_entries;
    uint32_t sq_tail;     /* SQEs handed out by get_sqe (published by exo_ring_flush) */
    uint32_t setup_flags; /* EXO_RING_SQPOLL */
    /* SQPOLL: wakes the parked poller (exo_ring_init sets the trap; 0 = never). */
    void (*wakeup)(exo_ring_t *r);
};

/* --- the shared-memory half (userlib/ring.c: no traps, host-tested) --- */

/* Sets r up over ring memory at base (exo_ring_params_t.base); handles may be 0. */
void exo_ring_attach(exo_ring_t *r, void *base, exo_handle_t handle, exo_handle_t region);
/* The next free SQE, zeroed, or NULL when the SQ is full (submit, and reap CQEs). */
exo_sqe_t *exo_ring_get_sqe(exo_ring_t *r);
/* Publishes every SQE handed out so far (store-release of sq_tail); returns how many are
 * published and not yet consumed by the kernel. */
uint32_t exo_ring_flush(exo_ring_t *r);
/* SQPOLL: after exo_ring_flush, whether the poller parked and needs a trap to wake it
 * (a full fence orders the tail store before the flag load). */
bool exo_ring_needs_wakeup(const exo_ring_t *r);
/* Free SQ slots; CQEs ready to read. */
uint32_t exo_ring_sq_space(const exo_ring_t *r);
uint32_t exo_ring_cq_ready(const exo_ring_t *r);
/* The oldest unread CQE: STATUS_OK and *out, or ERR_AGAIN when there is none. */
status_t exo_ring_peek_cqe(exo_ring_t *r, exo_cqe_t **out);
/* Marks n CQEs (from the oldest) read; their slots go back to the kernel. Under SQPOLL a
 * poller parked for want of CQ room is woken (r->wakeup). */
void exo_ring_cq_advance(exo_ring_t *r, uint32_t n);
static inline void exo_ring_cqe_seen(exo_ring_t *r, exo_cqe_t *cqe) {
    (void)cqe;
    exo_ring_cq_advance(r, 1);
}

/* --- setting up, submitting and waiting (userlib/ring_enter.c: traps) --- */

/* A ring with sq_entries SQEs (power of two) and twice as many CQEs, paid from the
 * default memory cap; flags: EXO_RING_SQPOLL. */
int64_t exo_ring_init(exo_ring_t *r, uint32_t sq_entries, uint32_t flags);
int64_t exo_ring_init_params(exo_ring_t *r, exo_handle_t memory, exo_ring_params_t *p);
/* Deletes the ring cap and the cap to its memory (the memory goes from this view). */
void exo_ring_exit(exo_ring_t *r);
/* The trap: SYS_RING_ENTER. */
int64_t exo_ring_enter(exo_handle_t ring, uint32_t to_submit, uint32_t min_complete,
                       uint32_t flags);
/* Publishes the prepared SQEs and makes the kernel take them: a trap, or under SQPOLL only
 * when the poller parked. Returns the SQEs the kernel took in this call (SQPOLL: the
 * number published), or an error (ERR_BUSY: the CQ has no room; reap and retry). */
int64_t exo_ring_submit(exo_ring_t *r);
/* The same, then waits until wait_nr CQEs are ready. */
int64_t exo_ring_submit_and_wait(exo_ring_t *r, uint32_t wait_nr);
/* The oldest CQE, waiting for one if none is ready. */
int64_t exo_ring_wait_cqe(exo_ring_t *r, exo_cqe_t **out);

/* --- preparing SQEs (the arguments of exo/ring.h's opcodes) --- */

static inline void exo_sqe_set_data(exo_sqe_t *s, uint64_t data) {
    s->user_data = data;
}
static inline void exo_sqe_set_flags(exo_sqe_t *s, uint8_t flags) {
    s->flags = flags;
}
static inline void exo_prep_op(exo_sqe_t *s, uint8_t op, uint64_t a0, uint64_t a1, uint64_t a2,
                               uint64_t a3) {
    s->opcode = op;
    s->arg[0] = a0;
    s->arg[1] = a1;
    s->arg[2] = a2;
    s->arg[3] = a3;
}
static inline void exo_prep_nop(exo_sqe_t *s) {
    exo_prep_op(s, EXO_OP_NOP, 0, 0, 0, 0);
}
static inline void exo_prep_timeout(exo_sqe_t *s, uint64_t ns) {
    exo_prep_op(s, EXO_OP_TIMEOUT, ns, 0, 0, 0);
}
static inline void exo_prep_link_timeout(exo_sqe_t *s, uint64_t ns) {
    exo_prep_op(s, EXO_OP_LINK_TIMEOUT, ns, 0, 0, 0);
}
static inline void exo_prep_console_write(exo_sqe_t *s, exo_handle_t console, const void *buf,
                                          uint64_t len) {
    exo_prep_op(s, EXO_OP_CONSOLE_WRITE, console, (uint64_t)(uintptr_t)buf, len, 0);
}
static inline void exo_prep_console_read(exo_sqe_t *s, exo_handle_t console, void *buf,
                                         uint64_t len) {
    exo_prep_op(s, EXO_OP_CONSOLE_READ, console, (uint64_t)(uintptr_t)buf, len, 0);
}
static inline void exo_prep_cap_derive(exo_sqe_t *s, exo_handle_t h, uint64_t rights) {
    exo_prep_op(s, EXO_OP_CAP_DERIVE, h, rights, 0, 0);
}
static inline void exo_prep_cap_delete(exo_sqe_t *s, exo_handle_t h) {
    exo_prep_op(s, EXO_OP_CAP_DELETE, h, 0, 0, 0);
}
static inline void exo_prep_cap_info(exo_sqe_t *s, exo_handle_t h, exo_cap_info_t *info) {
    exo_prep_op(s, EXO_OP_CAP_INFO, h, (uint64_t)(uintptr_t)info, 0, 0);
}
static inline void exo_prep_region_alloc(exo_sqe_t *s, exo_handle_t memory, uint64_t size,
                                         uint32_t prot) {
    exo_prep_op(s, EXO_OP_REGION_ALLOC, memory, size, prot, 0);
}
static inline void exo_prep_region_protect(exo_sqe_t *s, exo_handle_t region, uint32_t prot) {
    exo_prep_op(s, EXO_OP_REGION_PROTECT, region, prot, 0, 0);
}
static inline void exo_prep_region_free(exo_sqe_t *s, exo_handle_t region) {
    exo_prep_op(s, EXO_OP_REGION_FREE, region, 0, 0, 0);
}
/* IPC (user/ipc.h): the message must stay put until the CQE. */
static inline void exo_prep_ipc_send(exo_sqe_t *s, exo_handle_t ep, const exo_msg_t *m,
                                     uint32_t flags) {
    exo_prep_op(s, EXO_OP_IPC_SEND, ep, (uint64_t)(uintptr_t)m, flags, 0);
}
static inline void exo_prep_ipc_recv(exo_sqe_t *s, exo_handle_t ep, exo_msg_t *m, uint32_t flags) {
    exo_prep_op(s, EXO_OP_IPC_RECV, ep, (uint64_t)(uintptr_t)m, flags, 0);
}
static inline void exo_prep_ipc_call(exo_sqe_t *s, exo_handle_t ep, exo_msg_t *m, uint32_t flags) {
    exo_prep_op(s, EXO_OP_IPC_CALL, ep, (uint64_t)(uintptr_t)m, flags, 0);
}
static inline void exo_prep_ipc_reply(exo_sqe_t *s, exo_handle_t reply, const exo_msg_t *m) {
    exo_prep_op(s, EXO_OP_IPC_REPLY, reply, (uint64_t)(uintptr_t)m, 0, 0);
}
static inline void exo_prep_wait(exo_sqe_t *s, exo_handle_t object) {
    exo_prep_op(s, EXO_OP_WAIT, object, 0, 0, 0);
}
/* entry and stack_top from exo_cont_entry_point / exo_cont_stack_top (user/exo.h). */
static inline void exo_prep_cont_spawn(exo_sqe_t *s, uint64_t entry, void *arg,
                                       uint64_t stack_top) {
    exo_prep_op(s, EXO_OP_CONT_SPAWN, entry, (uint64_t)(uintptr_t)arg, stack_top, 0);
}
static inline void exo_prep_cont_join(exo_sqe_t *s, exo_handle_t cont) {
    exo_prep_op(s, EXO_OP_CONT_JOIN, cont, 0, 0, 0);
}
static inline void exo_prep_cont_cancel(exo_sqe_t *s, exo_handle_t cont) {
    exo_prep_op(s, EXO_OP_CONT_CANCEL, cont, 0, 0, 0);
}
