/*
 * Protection domains. A domain is a view of the shared space (mm/view.h) plus the DAG of
 * user continuations running in it (domain/ucont.h). It is created from a static-PIE ELF
 * image placed at addresses of its own, started with an argument string, and ends when
 * its last continuation ends: by exit, by a fault that killed the whole domain, or by the
 * watchdog. Then its capability table is closed and its view goes away at once; the
 * domain_t itself lives until its last reference (the domain caps naming it) is released.
 */
#pragma once

#include <caps/cspace.h>
#include <exo/status.h>
#include <exo/syscall.h>
#include <kernel/spinlock.h>
#include <mm/region.h>
#include <mm/view.h>
#include <sched/sched.h>
#include <stdbool.h>
#include <stdint.h>

struct ucont;

#define DOMAIN_NAME_MAX 32
#define DOMAIN_STACK_SIZE (64ull << 10) /* first continuation's stack, guard page included */

typedef struct domain {
    uint64_t id; /* never reused */
    char name[DOMAIN_NAME_MAX];
    uint64_t parent_id; /* 0: started by the kernel */
    view_t view;
    cspace_t caps;         /* its capability table (caps_lock) */
    cap_slot_t *cap_slots; /* CAP_TABLE_SLOTS */
    bool caps_closed;      /* ended: no cap can enter the table any more (caps_lock) */
    region_t *image;       /* a reference until the domain ends; NULL after */
    region_t *stack;       /* the first continuation's stack, the same */
    struct ucont *first;   /* prepared, not yet launched (domain_prepare) */
    uint64_t image_base;   /* set at creation, never changed (readable while referenced) */
    uint64_t image_size;
    uint64_t entry;
    spinlock_t lock;       /* live, ended, status */
    uint32_t live;         /* user continuations not yet ended */
    _Atomic bool dying;    /* killed: continuations end at their next kernel entry */
    bool ended;            /* every continuation ended; the view is gone */
    bool status_set;       /* status is final (the first exit or kill decides) */
    bool quiet;            /* no "ended" line in the log (bulk tests) */
    int64_t status;        /* exit status (exo/syscall.h for the kernel's own) */
    event_t ended_ev;      /* signalled once ended */
    struct ucont *waiters; /* its continuations waiting for a child's end (d->lock) */
    _Atomic uint32_t refs;
    _Atomic uint64_t next_cont; /* continuation ids */
    struct domain *next;        /* on the list of domains (domain.c) */
} domain_t;

typedef struct domain_stats {
    uint64_t live;    /* domains not yet released */
    uint64_t created; /* since boot */
} domain_stats_t;

/* Loads the ELF image elf[0..size) into a new domain (not started) with a capability
 * table holding caps to its image and stack (mapped, roots of the derivation tree),
 * both charged to budget (NULL: uncharged, kernel tests). The caller holds the one
 * reference. On a rejected image returns the loader's status and sets *why to its
 * one-line reason; nothing is left allocated. ERR_QUOTA if budget cannot cover it. */
status_t domain_create(const char *name, const void *elf, uint64_t size, budget_t *budget,
                       uint64_t parent_id, domain_t **out, const char **why);
/* Starting is two steps, so a caller can make the domain visible in between: prepare
 * makes the first continuation (d now counts as live and will end the usual way; all
 * that may fail, ERR_NO_MEMORY / ERR_STATE, is here), launch writes its start block (args
 * copied, < EXO_ARGS_MAX bytes; the caps in d's table now) and spawns it, and cannot fail.
 * abort launches a prepared domain killed (EXO_EXIT_KILLED), so it ends at once. */
status_t domain_prepare(domain_t *d);
void domain_launch(domain_t *d, const char *args, uint64_t args_len);
void domain_abort(domain_t *d);
/* Both steps: ERR_TOO_BIG for args_len >= EXO_ARGS_MAX. */
status_t domain_start(domain_t *d, const char *args, uint64_t args_len);

/* Ends d with status (unless a status was set already): every continuation stops at its
 * next entry into the kernel; cores running one now are interrupted. */
void domain_kill(domain_t *d, int64_t status);
/* Records status as d's exit status if none was set yet. */
void domain_set_status(domain_t *d, int64_t status);

/* Continuations of d that wait (a child's end, ring completions) are on d's waiters, so
 * domain_kill and a cancel can cut their waits short. Adds u to d's waiters (add) and arms its wait
 * (u->wait->arm), or spawns it at once if d is dying or u cancelled; all under d->lock. u may run
 * on another core as soon as this returns: the caller must not touch it again. */
void domain_waiter_arm(domain_t *d, struct ucont *u, bool add);
/* u woke and is about to look at what it waited for (which it may free): a kill or cancel
 * from now on finds no event to cancel it on. Before u->wait->resume. */
void domain_waiter_disarm(domain_t *d, struct ucont *u);
void domain_waiter_remove(domain_t *d, struct ucont *u);
/* If u waits (it is on d's waiters), cuts the wait short: it resumes and ends. */
void domain_waiter_wake(domain_t *d, struct ucont *u);

/* A continuation of d ended (ucont.c); the last one ends d. */
void domain_cont_ended(domain_t *d);
/* Kernel work on d's behalf (ring ops run by a poller or a completion) counts as live
 * while it runs, so d cannot end under it: false if d is dying or ended. Released with
 * domain_cont_ended. */
bool domain_hold(domain_t *d);

/* Reference counting: lookup takes one (NULL if no such live domain), release drops it;
 * tryref takes one only if d still has one (false: it is being freed). */
domain_t *domain_lookup(uint64_t id);
void domain_ref(domain_t *d);
bool domain_tryref(domain_t *d);
void domain_release(domain_t *d);

void domain_get_stats(domain_stats_t *out);
/* Up to max entries (SYS_DOMAIN_LIST) for the domains with ids above after, in id order;
 * *total: how many domains are listed now. Returns the number of entries filled. */
uint64_t domain_list(uint64_t after, exo_domain_entry_t *out, uint64_t max, uint64_t *total);

/* Finds boot module `name` (its file name without directory or extension, any case). */
status_t module_find(const char *name, uint64_t len, const void **data, uint64_t *size);
/* Creates the domain for boot module name (not started), charged to budget. */
status_t domain_create_module(const char *name, uint64_t name_len, budget_t *budget,
                              uint64_t parent_id, domain_t **out, const char **why);
/* Boot: starts the `init` module with the kernel command line's init= arguments and the
 * root capabilities (all memory, the console). */
void domain_start_init(const char *cmdline);
