/*
 * The IPC ABI (docs/ipc.md), shared by the kernel and userlib: messages, their flags and
 * limits. A message is a label, up to EXO_MSG_DATA inline bytes and up to EXO_MSG_CAPS
 * capabilities; it goes to an endpoint (a CAP_ENDPOINT cap with SEND) and is taken out by
 * a domain holding the endpoint with RECV. A call also carries a one-shot reply cap the
 * receiver answers through. Fixed-width types only.
 */
#pragma once

#include <exo/caps.h>
#include <stdint.h>

#define EXO_MSG_DATA 128          /* inline bytes a message carries */
#define EXO_MSG_CAPS 4            /* caps a message carries */
#define EXO_ENDPOINT_MAX_DEPTH 64 /* messages an endpoint can queue */

/* exo_msg_cap_t.flags on send: the cap leaves the sender's table (a region cap leaves its
 * view: unmapped there, TLBs shot down, before the send returns). Without it the message
 * carries a copy, a child of the sender's cap (needs GRANT and DERIVE). */
#define EXO_MSG_CAP_MOVE 1u
/* exo_msg_cap_t.flags on receive: the region cap arrived mapped in the receiver's view (at
 * its one address, with its map rights). Not set: it is held unmapped (the receiver maps
 * that region through another cap already, or had no memory for one more map). */
#define EXO_MSG_CAP_MAPPED 2u

/* One cap of a message. Send: handle names a cap of the sender (GRANT; DERIVE too for a
 * copy), rights are what the receiver's cap gets (<= the cap's), flags EXO_MSG_CAP_*.
 * Receive: handle names the new cap in the receiver's table (0: it was revoked while in
 * flight), rights and type describe it, flags has EXO_MSG_CAP_MAPPED if it is a region now
 * mapped here. A region cap arrives mapped at its one address with its map rights
 * (writable wins over executable), unless the receiver maps that region already. */
typedef struct exo_msg_cap {
    exo_handle_t handle;
    uint32_t rights;
    uint16_t flags;
    uint16_t type; /* receive: enum exo_cap_type; ignored on send */
} exo_msg_cap_t;

_Static_assert(sizeof(exo_msg_cap_t) == 16, "exo_msg_cap_t is ABI");

typedef struct exo_msg {
    uint64_t label;     /* the apps' own word: an opcode, a status */
    uint32_t len;       /* bytes of data used, <= EXO_MSG_DATA */
    uint32_t ncaps;     /* entries of caps used, <= EXO_MSG_CAPS */
    uint64_t badge;     /* receive: the badge of the endpoint cap it was sent through (0:
                           none); set by the kernel, ignored on send */
    exo_handle_t reply; /* receive: the reply cap of a call (0: not a call); ignored on send */
    exo_msg_cap_t caps[EXO_MSG_CAPS];
    uint8_t data[EXO_MSG_DATA];
} exo_msg_t;

_Static_assert(sizeof(exo_msg_t) == 32 + 16 * EXO_MSG_CAPS + EXO_MSG_DATA, "exo_msg_t is ABI");

/* Flags of send, call and receive (traps and ring ops). */
#define EXO_IPC_NOWAIT                                                                             \
    1u /* a full queue gives ERR_BUSY (send, call), an empty one                                   \
          ERR_AGAIN (receive), instead of waiting */
#define EXO_IPC_FLAGS_ALL EXO_IPC_NOWAIT
