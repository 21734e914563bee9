/*
 * IPC, the kernel's side (docs/ipc.md): endpoints with bounded queues, messages whose
 * caps travel in a table of their own while in flight, calls answered through one-shot
 * reply caps, and the traps and ring ops over them. Zero-copy is a region cap moved in a
 * message: it leaves the sender's view (TLBs shot down before the send returns) and
 * arrives mapped in the receiver's at the same address.
 *
 * Lock order: caps_lock, then an endpoint's lock or a call's, then a view's (a delivery)
 * and event locks. A domain's lock may be held when an endpoint's is taken (arming a
 * waiter); a ring's lock when an endpoint's, a call's or caps_lock is (arming, cancelling
 * and releasing an IPC op).
 */
#pragma once

#include <exo/caps.h>
#include <exo/ipc.h>
#include <exo/status.h>
#include <stdbool.h>
#include <stdint.h>

struct domain;
struct ucont;
struct trap_frame;
struct cont;
struct event;
typedef struct endpoint endpoint_t;
typedef struct ipc_call ipc_call_t;

/* The traps (exo/syscall.h). The ones that may wait take the calling continuation. */
int64_t sys_endpoint_create(struct domain *d, exo_handle_t memory, uint64_t depth);
int64_t sys_ipc_send(struct ucont *self, struct trap_frame *tf, exo_handle_t ep, uint64_t msg,
                     uint64_t flags);
int64_t sys_ipc_recv(struct ucont *self, struct trap_frame *tf, exo_handle_t ep, uint64_t msg,
                     uint64_t flags);
int64_t sys_ipc_call(struct ucont *self, struct trap_frame *tf, exo_handle_t ep, uint64_t msg,
                     uint64_t flags);
int64_t sys_ipc_reply(struct domain *d, exo_handle_t reply, uint64_t msg);
int64_t sys_ipc_reply_recv(struct ucont *self, struct trap_frame *tf, exo_handle_t reply,
                           uint64_t msg, exo_handle_t ep, uint64_t flags);

/* The message's own checks, before any handle is looked at (pure, host-tested): data
 * and cap counts within limits, known cap flags, no handle 0, no handle twice.
 * ERR_TOO_BIG, ERR_INVALID. */
status_t ipc_msg_check(const exo_msg_t *m);

/* Copies the exo_msg_t at user address ptr into *m (copy, then check: the checks run on
 * the copy). For a call, answer_here: the answer will be written there, so it must be
 * writable for d too (checked without writing). ERR_FAULT. */
status_t ipc_msg_copy_in(struct domain *d, uint64_t ptr, exo_msg_t *m, bool answer_here);

/* The work under the traps and ring ops. m is the kernel's copy of the message.
 * ipc_send: ERR_BUSY when the queue is full, with *wait_ep = the endpoint (a reference) so
 * the caller can wait for room (endpoint_wait_room); call: a call's request (the message
 * takes a reference on it). ipc_recv delivers the first queued message to d's table and
 * view at user address buf: ERR_AGAIN when there is none, with *wait_ep as above for
 * endpoint_wait_message. */
int64_t ipc_send(struct domain *d, exo_handle_t ep, const exo_msg_t *m, ipc_call_t *call,
                 endpoint_t **wait_ep);
int64_t ipc_recv(struct domain *d, exo_handle_t ep, uint64_t buf, endpoint_t **wait_ep);
int64_t ipc_reply(struct domain *d, exo_handle_t reply, const exo_msg_t *m);

/* Endpoints (endpoint.c). */
void endpoint_ref(endpoint_t *ep);
void endpoint_unref(endpoint_t *ep);
uint32_t endpoint_depth(const endpoint_t *ep);
/* Registers c to run once ep has room for a message (or closed) / has a message (or
 * closed), setting *ev to the event it waits on; spawns it at once if that is so now.
 * Wakes are broadcasts: look again, and wait again. */
void endpoint_wait_room(endpoint_t *ep, struct cont *c, struct event **ev);
void endpoint_wait_message(endpoint_t *ep, struct cont *c, struct event **ev);
/* Type-table hooks (caps/cap.c): the last cap with RECV closes the endpoint. */
void endpoint_cap_ref(void *ep);
void endpoint_cap_unref(void *ep);
void endpoint_rights_held(void *ep, uint32_t rights, int delta);

/* Calls (call.c). */
status_t ipc_call_new(ipc_call_t **out);
void ipc_call_unref(ipc_call_t *c);
/* The caller stops waiting (killed, cancelled): a reply that came, or comes, is dropped. */
void ipc_call_abandon(ipc_call_t *c);
struct event *ipc_call_event(ipc_call_t *c);
/* Once the call's event fired: delivers the answer to the caller d (its caps into d's
 * table, the message to d's view at buf) and returns 0, or the call's error (ERR_CLOSED:
 * no answer will come), or a delivery error (ERR_TABLE_FULL, ERR_FAULT: the answer's
 * caps are dropped). IPC_PENDING if there is no answer yet (wait again). */
#define IPC_PENDING INT64_MIN
int64_t ipc_call_collect(ipc_call_t *c, struct domain *d, uint64_t buf);
/* Type-table hooks: a reply cap's reference; its deletion unanswered fails the call. */
void ipc_call_cap_ref(void *call);
void ipc_call_cap_unref(void *call);
