/*
 * userlib: continuations, the units a domain runs (docs/userlib.md#continuations). A
 * domain is a DAG of continuations: each runs a function to its end on a stack of its
 * own, on whichever core the scheduler picks, and the domain ends with its last one (or
 * at exo_exit). Two levels:
 *
 * - DAG nodes (exo_cont_t): userlib allocates each node's stack and runs it at once
 *   (exo_cont_start), after another node has ended (exo_cont_then) or after several have
 *   (exo_cont_join); exo_cont_wait suspends the caller until a node has ended and frees
 *   what the node held. A fan-out and fan-in:
 *
 *       exo_cont_t a, b, sum;
 *       exo_cont_start(&a, count, &left);
 *       exo_cont_start(&b, count, &right);
 *       exo_cont_t *both[] = {&a, &b};
 *       exo_cont_join(&sum, both, 2, add, &total);  (add runs once a and b have ended)
 *       exo_cont_wait(&sum); exo_cont_wait(&a); exo_cont_wait(&b);
 *
 * - The primitives under them: spawn on a stack the caller owns, with or without a
 *   continuation cap (JOIN, CANCEL); wait for a cap's continuation; cancel; yield; end.
 *   Rings have the same as asynchronous ops (EXO_OP_CONT_SPAWN / JOIN / CANCEL).
 */
#pragma once

#include <exo/caps.h>
#include <stddef.h>
#include <stdint.h>

/* --- DAG nodes (userlib/cont.c) --- */

#define EXO_CONT_STACK (64 * 1024) /* each node's stack: a region, paged in as touched */
#define EXO_CONT_MAX_AFTER 8       /* predecessors of one node (exo_cont_join) */

/* A node. Its fields are the library's; the struct must stay put and unused for anything
 * else from its start until exo_cont_wait on it has returned. */
typedef struct exo_cont {
    exo_handle_t cap;          /* its continuation cap (JOIN, CANCEL): exo_cont_cancel */
    exo_handle_t stack_region; /* the region its stack is in */
    void (*fn)(void *arg);
    void *arg;
    uint32_t n_after;
    exo_handle_t after[EXO_CONT_MAX_AFTER]; /* copies (JOIN) of the predecessors' caps */
} exo_cont_t;

/* Runs fn(arg) as a new continuation now. 0 or an error (nothing started): ERR_QUOTA or
 * ERR_NO_MEMORY for the stack, ERR_TABLE_FULL for the caps. */
int64_t exo_cont_start(exo_cont_t *c, void (*fn)(void *arg), void *arg);
/* Runs fn(arg) as a new continuation once prev has ended (ended in any way: returned,
 * cancelled, or cancelled before it ran). prev must have been started and not yet be
 * waited for. 0 or an error (nothing started). */
int64_t exo_cont_then(exo_cont_t *c, exo_cont_t *prev, void (*fn)(void *arg), void *arg);
/* Runs fn(arg) once every one of prevs[0..n) has ended; n <= EXO_CONT_MAX_AFTER
 * (ERR_INVALID otherwise; n 0 is exo_cont_start). 0 or an error (nothing started). */
int64_t exo_cont_join(exo_cont_t *c, exo_cont_t *const *prevs, size_t n, void (*fn)(void *arg),
                      void *arg);
/* Suspends the caller until c has ended, then frees c's stack and caps: c may be reused.
 * 0, or an error (ERR_STATE: c is the caller). A node never waited for keeps its stack
 * region and caps until the domain ends. A caller cancelled while it waits ends there. */
int64_t exo_cont_wait(exo_cont_t *c);

/* --- the primitives (userlib/cont.c) --- */

/* Starts fn(arg) as a new continuation of this domain on the stack [stack, stack + size)
 * (at least 64 bytes; owned by the caller until fn returns); returning from fn ends it.
 * Returns the continuation id or an error (ERR_INVALID: a bad stack). */
int64_t exo_spawn(void (*fn)(void *arg), void *arg, void *stack, size_t size);
/* The same, returning a continuation cap (JOIN, CANCEL, GRANT, DERIVE). */
int64_t exo_cont_spawn(void (*fn)(void *arg), void *arg, void *stack, size_t size);
/* Suspends the caller until the continuation cont names (a cap with JOIN) has ended
 * (SYS_CONT_JOIN): 0, at once if it has; ERR_STATE if cont names the caller. */
int64_t exo_cont_wait_cap(exo_handle_t cont);
/* Ends cont's continuation (a cap with CANCEL): at once if it has not run, else at its
 * next kernel entry; a wait it is in is cut short. */
int64_t exo_cont_cancel(exo_handle_t cont);
/* For EXO_OP_CONT_SPAWN (user/ring.h): the entry (arg[0]) and the stack top (arg[2]; 0 for
 * a bad stack) that make the new continuation run fn(arg) on [stack, stack + size). */
uint64_t exo_cont_entry_point(void);
uint64_t exo_cont_stack_top(void (*fn)(void *arg), void *stack, size_t size);

/* Ends the calling continuation only (the domain ends with its last). */
__attribute__((noreturn)) void exo_cont_exit(void);
/* Suspends the calling continuation; it resumes later, after what else is ready on its
 * core (flags: YIELD_MIGRATE, resume on the next core). */
void exo_yield(uint32_t flags);
/* The index of the core running the caller (it may move at its next kernel entry). */
uint32_t exo_cpu(void);
