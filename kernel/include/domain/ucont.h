/*
 * User continuations: a kernel continuation (sched/sched.h) that runs code of a domain
 * in ring 3 with its own stack and saved registers. Running it enters user mode on this
 * core's stack (arch/user.h); it leaves when it suspends (yield, wait), ends (exit, fault,
 * watchdog) or is killed, and only a suspension saves its state (registers, then the
 * FPU/SSE/AVX state with XSAVE). A continuation runs on one core at a time and may resume
 * on any other.
 */
#pragma once

#include <arch/user.h>
#include <domain/domain.h>
#include <exo/status.h>
#include <sched/sched.h>
#include <stdint.h>

/* Why user_enter came back (user_return's argument). */
enum ucont_leave {
    UCONT_END = 1, /* exit, fault, watchdog, killed: the continuation is over */
    UCONT_YIELD,   /* suspended; spawn it again on this core */
    UCONT_MIGRATE, /* suspended; spawn it again on the next core */
    UCONT_WAIT,    /* suspended until what u->wait describes happens */
};

struct ucont;

/* How a suspended continuation waits (UCONT_WAIT): for a child's end, for ring
 * completions. */
typedef struct ucont_wait_ops {
    /* Sets u->wait_ev and registers u->k on it, or spawns u->k if what it waits for has
     * happened already. */
    void (*arm)(struct ucont *u);
    /* On resume (also after a kill): sets the result in u->regs and drops wait_obj (true),
     * or returns false to wait again (arm is called next). True when the domain is dying. */
    bool (*resume)(struct ucont *u);
} ucont_wait_ops_t;

typedef struct ucont {
    cont_t k; /* first: the scheduler kfree()s the ucont through it */
    domain_t *dom;
    uint64_t id;      /* unique within the domain */
    user_regs_t regs; /* valid while suspended or not yet started */
    void *fpu;        /* FPU_AREA_ALIGN-aligned save area inside fpu_mem */
    void *fpu_mem;
    uint64_t used_tsc; /* CPU time since it last suspended (the watchdog's budget) */
    uint64_t entered_tsc;
    const ucont_wait_ops_t *wait; /* UCONT_WAIT: how it waits; NULL when it does not */
    event_t *wait_ev;             /* the event u->k is registered on (domain_kill cancels) */
    void *wait_obj;               /* what it waits for (a reference) */
    uint64_t wait_arg;            /* the wait's own (ring: the CQEs wanted) */
    struct ucont *wait_next;      /* on dom->waiters (dom->lock) */
    struct contobj *obj;          /* spawned with a cap: its object (a reference), else NULL */
    _Atomic bool cancelled;       /* ends at its next kernel entry (contobj_cancel) */
} ucont_t;

/* A continuation of d starting at entry with rsp = stack_top, rdi = a0, rsi = a1; counted
 * in d's live continuations; not yet spawned. ERR_NO_MEMORY; ERR_STATE if d is dying. */
status_t ucont_create(domain_t *d, uint64_t entry, uint64_t stack_top, uint64_t a0, uint64_t a1,
                      ucont_t **out);

/* From kernel code reached by a trap of the running continuation u (tf: its registers):
 * saves what the reason needs and unwinds to ucont_run. Never returns. */
__attribute__((noreturn)) void ucont_leave(ucont_t *u, const user_regs_t *tf, enum ucont_leave why);

/* Whether u must end at this kernel entry: its domain is dying, or it was cancelled. */
bool ucont_must_end(ucont_t *u);

/* The user continuation running on this core, or NULL. */
ucont_t *ucont_current(void);
