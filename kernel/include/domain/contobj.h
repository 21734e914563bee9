/*
 * Continuation objects: what a CAP_CONTINUATION cap names. A user continuation spawned
 * with a cap (SYS_CONT_SPAWN, EXO_OP_CONT_SPAWN) has one; it outlives the continuation,
 * so a join or a cancel through a cap never touches a freed ucont.
 */
#pragma once

#include <exo/status.h>
#include <kernel/spinlock.h>
#include <sched/sched.h>
#include <stdbool.h>
#include <stdint.h>

struct ucont;
struct domain;

typedef struct contobj {
    _Atomic uint32_t refs;
    spinlock_t lock;
    struct ucont *u; /* until it ends (lock) */
    bool ended;      /* (lock) */
    event_t ended_ev;
} contobj_t;

status_t contobj_create(contobj_t **out);
void contobj_ref(contobj_t *o);
void contobj_unref(contobj_t *o);
/* Type-table hooks (caps/cap.c). */
void contobj_ref_obj(void *o);
void contobj_unref_obj(void *o);

/* u's end (ucont.c): wakes joiners; u is gone from o. */
void contobj_ended(contobj_t *o);
/* Ends o's continuation: at once if it has not run, else at its next kernel entry (a
 * core running it is interrupted; a wait it sleeps in is cut short). No-op once ended. */
void contobj_cancel(contobj_t *o);

/* The traps: a new continuation of d like SYS_SPAWN, returning a cap to it (JOIN, CANCEL,
 * GRANT, DERIVE); and cancel through a cap with CANCEL. */
int64_t sys_cont_spawn(struct domain *d, uint64_t entry, uint64_t arg, uint64_t stack_top);
int64_t sys_cont_cancel(struct domain *d, uint64_t h);
/* SYS_CONT_JOIN: self waits (as its continuation) until the continuation named by h (a
 * cap with CONT_JOIN) has ended; returns only on an error (ERR_STATE: h names self). */
struct trap_frame;
int64_t sys_cont_join(struct ucont *self, struct trap_frame *tf, uint64_t h);
