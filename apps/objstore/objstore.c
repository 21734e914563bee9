/*
 * objstore: a server that keeps small objects and hands out each one's handle as a badged
 * endpoint cap (apps/objstore/README.md; the protocol is store.h). It starts with an
 * unbadged cap to its endpoint (SEND, RECV, GRANT, DERIVE) as its last start cap and
 * answers one call at a time until the admin cap asks it to quit. Which object a request
 * is about comes only from the badge the kernel reports, never from the request's data.
 */
#include <user/exo.h>

#include "store.h"

#define OBJECT_RIGHTS (CAP_RIGHT_EP_SEND | CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE)
#define SERVER_RIGHTS (OBJECT_RIGHTS | CAP_RIGHT_EP_RECV)

/* One slot of the table. gen moves on each time the slot's object goes, so the badge of
 * an earlier object in the slot (a request queued before its revoke) names nothing. */
typedef struct object {
    bool live;
    uint32_t gen;
    uint32_t capacity, len;
    exo_handle_t minted; /* live: the badged parent of every cap handed out for it */
    uint8_t data[STORE_OBJ_MAX];
} object_t;

static object_t objects[STORE_OBJECTS];
static exo_handle_t endpoint; /* unbadged: receives, and mints the objects' caps */

static uint64_t badge_of(uint32_t i) {
    return (((uint64_t)objects[i].gen + 1) << STORE_BADGE_SLOT_BITS) | i; /* store.h */
}

/* The live object a badge names, or NULL (no badge, the admin's, a dead generation). */
static object_t *object_of(uint64_t badge) {
    uint64_t i = STORE_BADGE_SLOT(badge);
    if (i >= STORE_OBJECTS || !objects[i].live || badge_of((uint32_t)i) != badge) {
        return NULL;
    }
    return &objects[i];
}

/* The object goes: every cap minted for it, in every domain, is deleted, then the slot's
 * generation moves on. Returns how many caps the revoke deleted. */
static int64_t object_free(object_t *o) {
    int64_t n = exo_cap_revoke(o->minted);
    exo_cap_delete(o->minted);
    o->live = false;
    o->gen++;
    o->minted = EXO_HANDLE_NONE;
    return n;
}

/* ---- requests: each builds its answer in *m ---- */

static int64_t op_create(exo_msg_t *m, object_t **made) {
    uint32_t capacity = STORE_OBJ_MAX;
    if (m->len == sizeof(capacity)) {
        memcpy(&capacity, m->data, sizeof(capacity));
    } else if (m->len != 0) {
        return ERR_INVALID;
    }
    if (capacity == 0) {
        return ERR_INVALID;
    }
    if (capacity > STORE_OBJ_MAX) {
        return ERR_TOO_BIG;
    }
    uint32_t i = 0;
    while (i < STORE_OBJECTS && objects[i].live) {
        i++;
    }
    if (i == STORE_OBJECTS) {
        return ERR_NO_MEMORY;
    }
    int64_t h = exo_cap_mint(endpoint, OBJECT_RIGHTS, badge_of(i));
    if (h < 0) {
        return h;
    }
    object_t *o = &objects[i];
    *o = (object_t){.live = true, .gen = o->gen, .capacity = capacity, .minted = (exo_handle_t)h};
    *made = o;
    exo_msg_init(m, STORE_OK);
    exo_msg_add_cap(m, o->minted, OBJECT_RIGHTS, 0); /* a copy: a child of o->minted */
    return STORE_OK;
}

static int64_t op_put(exo_msg_t *m, object_t *o) {
    if (m->len > o->capacity) {
        return ERR_TOO_BIG;
    }
    memcpy(o->data, m->data, m->len);
    o->len = m->len;
    exo_msg_init(m, STORE_OK);
    return STORE_OK;
}

static int64_t op_get(exo_msg_t *m, object_t *o) {
    exo_msg_init(m, STORE_OK);
    exo_msg_put(m, o->data, o->len);
    return STORE_OK;
}

static int64_t op_drop(exo_msg_t *m, object_t *o) {
    uint64_t n = (uint64_t)object_free(o);
    exo_msg_init(m, STORE_OK);
    exo_msg_put(m, &n, sizeof(n));
    return STORE_OK;
}

/* Builds the answer to request *m in *m. *made: the object a CREATE made (if its answer
 * does not reach the caller, nobody holds a cap to it). Returns true for a QUIT. */
static bool answer(exo_msg_t *m, object_t **made) {
    uint64_t badge = m->badge;
    bool object_cap = badge != 0 && badge != STORE_BADGE_ADMIN;
    object_t *o = object_cap ? object_of(badge) : NULL;
    int64_t st;
    switch (m->label) {
    case STORE_CREATE:
        st = badge == 0 ? op_create(m, made) : ERR_PERM;
        break;
    case STORE_PUT:
    case STORE_GET:
    case STORE_DROP:
        if (!object_cap) {
            st = ERR_PERM; /* whatever the data says: it names no object */
        } else if (o == NULL) {
            st = ERR_NOT_FOUND;
        } else {
            st = m->label == STORE_PUT   ? op_put(m, o)
                 : m->label == STORE_GET ? op_get(m, o)
                                         : op_drop(m, o);
        }
        break;
    case STORE_QUIT:
        st = badge == STORE_BADGE_ADMIN ? STORE_OK : ERR_PERM;
        break;
    default:
        st = ERR_INVALID;
        break;
    }
    bool quit = st == STORE_OK && m->label == STORE_QUIT;
    if (st != STORE_OK || quit) {
        exo_msg_init(m, (uint64_t)st);
    }
    return quit;
}

/* Caps a request carried: the protocol takes none, so they go at once. */
static void drop_caps(const exo_msg_t *m) {
    for (uint32_t i = 0; i < m->ncaps && i < EXO_MSG_CAPS; i++) {
        if (m->caps[i].handle != EXO_HANDLE_NONE) {
            exo_cap_delete(m->caps[i].handle);
        }
    }
}

static int serve(void) {
    exo_msg_t m;
    exo_handle_t reply = EXO_HANDLE_NONE;
    for (;;) {
        int64_t st = exo_ipc_reply_recv(reply, &m, endpoint, 0);
        if (st != 0) {
            /* The reply cap still here: reply_recv stopped before receiving, the answer
             * itself was refused (a caller that gave up is not an error). Its caller gets
             * ERR_CLOSED when the reply cap goes. */
            if (reply != EXO_HANDLE_NONE && exo_cap_delete(reply) == 0) {
                exo_printf("objstore: an answer refused: %s\n", status_str((status_t)st));
                reply = EXO_HANDLE_NONE;
                continue;
            }
            exo_printf("objstore: receive: %s\n", status_str((status_t)st));
            return 1;
        }
        reply = m.reply;
        drop_caps(&m);
        if (reply == EXO_HANDLE_NONE) {
            continue; /* a send, not a call: nobody to answer */
        }
        object_t *made = NULL;
        bool quit = answer(&m, &made);
        if (made || quit) { /* answered on their own, to see whether the caller took it */
            st = exo_ipc_reply(reply, &m);
            if (st != 0) { /* the caller went (ERR_CLOSED), or the answer was refused */
                exo_cap_delete(reply);
                if (made) {
                    object_free(made); /* nobody holds a cap to it */
                }
            }
            reply = EXO_HANDLE_NONE;
            if (quit) {
                return 0;
            }
        }
    }
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    endpoint = exo_start_cap(CAP_ENDPOINT);
    exo_cap_info_t info;
    if (endpoint == EXO_HANDLE_NONE || exo_cap_info(endpoint, &info) != 0 ||
        (info.rights & SERVER_RIGHTS) != SERVER_RIGHTS || info.a != 0) {
        exo_printf("objstore: needs an unbadged endpoint cap with SEND, RECV, GRANT, DERIVE\n");
        return 2;
    }
    exo_printf("objstore: serving up to %d objects of up to %d bytes\n", STORE_OBJECTS,
               STORE_OBJ_MAX);
    int status = serve();
    uint32_t live = 0;
    for (uint32_t i = 0; i < STORE_OBJECTS; i++) {
        live += objects[i].live;
    }
    exo_printf("objstore: %s, %u object(s) live\n", status ? "stopped" : "quit", live);
    return status;
}
