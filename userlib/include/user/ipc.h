/*
 * IPC for apps (docs/ipc.md): endpoints, messages, calls and replies, badges. Messages
 * are exo_msg_t (exo/ipc.h): a label, up to EXO_MSG_DATA bytes and up to EXO_MSG_CAPS
 * caps. Calls that may wait (send to a full queue, receive from an empty one, call) wait
 * unless flags has EXO_IPC_NOWAIT. Ring versions: exo_prep_ipc_* in user/ring.h.
 */
#pragma once

#include <exo/ipc.h>
#include <exo/status.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A new endpoint queueing up to depth (1..EXO_ENDPOINT_MAX_DEPTH) messages, charged to
 * the default memory cap (or mem): its cap (SEND, RECV, GRANT, DERIVE), or an error. */
int64_t exo_endpoint_create(uint32_t depth);
int64_t exo_endpoint_create_from(exo_handle_t mem, uint32_t depth);

int64_t exo_ipc_send(exo_handle_t ep, const exo_msg_t *m, uint32_t flags);
/* Waits for a message (unless EXO_IPC_NOWAIT: ERR_AGAIN) and writes it to *m: its caps are
 * in this domain's table now (m->caps[i].handle), and m->reply is a reply cap if it is a
 * call (answer it with exo_ipc_reply, or delete it: the caller then gets ERR_CLOSED). */
int64_t exo_ipc_recv(exo_handle_t ep, exo_msg_t *m, uint32_t flags);
/* Sends *m with a reply cap and waits for the answer, written over *m. ERR_CLOSED: the
 * receiver went away, or deleted the reply cap, without answering. */
int64_t exo_ipc_call(exo_handle_t ep, exo_msg_t *m, uint32_t flags);
/* Answers a call; the reply cap is used up (ERR_CLOSED if the caller stopped waiting: the
 * answer's caps then stay here). */
int64_t exo_ipc_reply(exo_handle_t reply, const exo_msg_t *m);
/* A server's loop in one trap: answers reply (if not 0) with *m, then receives into *m. */
int64_t exo_ipc_reply_recv(exo_handle_t reply, exo_msg_t *m, exo_handle_t ep, uint32_t flags);

/* A copy of endpoint cap ep (unbadged, with RECV and DERIVE: the receiver names its
 * senders) with rights, stamped with badge (not 0): receivers see it in exo_msg_t.badge
 * for messages sent through it or its copies, which keep it. */
int64_t exo_cap_mint(exo_handle_t ep, uint32_t rights, uint64_t badge);

/* Message building: an empty message with label; data appended (false if it would pass
 * EXO_MSG_DATA); a cap added (false past EXO_MSG_CAPS) with the rights the receiver gets
 * and EXO_MSG_CAP_MOVE or 0 (a copy). */
void exo_msg_init(exo_msg_t *m, uint64_t label);
bool exo_msg_put(exo_msg_t *m, const void *data, size_t len);
bool exo_msg_add_cap(exo_msg_t *m, exo_handle_t h, uint32_t rights, uint16_t flags);
