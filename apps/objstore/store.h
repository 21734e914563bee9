/*
 * The object store's protocol (apps/objstore/README.md), shared by the server (objstore.c)
 * and its clients (storeuser.c). Every request is a call on the server's one endpoint; the
 * label says what to do, and which cap the call came through (its badge, set by the
 * kernel) says on which object. The answer's label is STORE_OK or a negative ERR_* code.
 */
#pragma once

#include <exo/ipc.h>
#include <exo/status.h>
#include <stdint.h>

#define STORE_OBJECTS 32           /* the server's fixed table */
#define STORE_OBJ_MAX EXO_MSG_DATA /* bytes an object can hold (its capacity at most) */
#define STORE_EP_DEPTH 8           /* requests the server's endpoint queues */

/* Requests (exo_msg_t.label). Through the unbadged public cap only STORE_CREATE is served;
 * through an object's cap only PUT, GET and DROP; through the admin cap only QUIT. Any
 * other combination is answered ERR_PERM, an unknown label ERR_INVALID. */
enum store_op {
    STORE_CREATE = 1, /* data: nothing, or a uint32_t capacity (1..STORE_OBJ_MAX, else
                         ERR_TOO_BIG; default STORE_OBJ_MAX). Answer: caps[0] is the new
                         object's cap (SEND, GRANT, DERIVE; badged), or ERR_NO_MEMORY when
                         the table is full */
    STORE_PUT = 2,    /* data: the object's new contents (ERR_TOO_BIG past its capacity) */
    STORE_GET = 3,    /* answer data: the object's contents */
    STORE_DROP = 4,   /* the object goes and every copy of its cap, anywhere, is revoked.
                         Answer data: a uint64_t, how many caps the revoke deleted */
    STORE_QUIT = 5,   /* the server answers, then exits: its endpoint closes */
};

#define STORE_OK 0

/* The badges the server stamps on objects' caps: bits 0..7 the object's slot, the bits
 * above its generation + 1 (so never 0), which moves on each time the slot's object goes.
 * Clients need not know this (to them a badge is just what exo_cap_info reports); the
 * demo's checks use it to show a reused slot gets a new badge. */
#define STORE_BADGE_SLOT_BITS 8
#define STORE_BADGE_SLOT(badge) ((badge) & ((1u << STORE_BADGE_SLOT_BITS) - 1))
_Static_assert(STORE_OBJECTS <= (1u << STORE_BADGE_SLOT_BITS), "a slot index fits a badge");

/* A badge the server never gives an object: the owner who started the server mints it
 * (from the unbadged cap it kept) for the one cap that may send STORE_QUIT. */
#define STORE_BADGE_ADMIN (1ull << 63)

/* An answer's label as a status: STORE_OK or ERR_*. */
static inline int64_t store_status(const exo_msg_t *m) {
    return (int64_t)m->label;
}
