/*
 * Continuations (user/cont.h): the spawn, wait and cancel traps, and DAG nodes on top of
 * them. A node runs node_run on a stack region of its own: it first waits for each
 * predecessor through its own copy of that predecessor's cap (so the predecessor may be
 * waited for, and its caps freed, meanwhile), then calls the node's function.
 */
#include <user/exo.h>
#include <user/trap.h>

void exo_cont_entry(void);

_Static_assert(SYS_CONT_EXIT == 2, "crt0.S hard-codes SYS_CONT_EXIT");

void exo_cont_exit(void) {
    exo_trap0(SYS_CONT_EXIT);
    __builtin_unreachable();
}

void exo_yield(uint32_t flags) {
    exo_trap(SYS_YIELD, flags, 0, 0, 0, 0);
}

uint32_t exo_cpu(void) {
    return (uint32_t)exo_trap0(SYS_CPU);
}

/* The stack top for a continuation starting in exo_cont_entry, which calls fn (stored
 * just below the top); 0 for a bad stack. */
static uint64_t cont_stack(void (*fn)(void *arg), void *stack, size_t size) {
    uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
    if (stack == NULL || size < 64) {
        return 0;
    }
    top -= 16;
    *(void (**)(void *))top = fn;
    return top;
}

uint64_t exo_cont_entry_point(void) {
    return (uint64_t)(uintptr_t)exo_cont_entry;
}

uint64_t exo_cont_stack_top(void (*fn)(void *arg), void *stack, size_t size) {
    return cont_stack(fn, stack, size);
}

int64_t exo_spawn(void (*fn)(void *arg), void *arg, void *stack, size_t size) {
    uint64_t top = cont_stack(fn, stack, size);
    return top ? exo_trap(SYS_SPAWN, exo_cont_entry_point(), (uint64_t)(uintptr_t)arg, top, 0, 0)
               : ERR_INVALID;
}

int64_t exo_cont_spawn(void (*fn)(void *arg), void *arg, void *stack, size_t size) {
    uint64_t top = cont_stack(fn, stack, size);
    return top ? exo_trap(SYS_CONT_SPAWN, exo_cont_entry_point(), (uint64_t)(uintptr_t)arg, top, 0,
                          0)
               : ERR_INVALID;
}

int64_t exo_cont_wait_cap(exo_handle_t cont) {
    return exo_trap(SYS_CONT_JOIN, cont, 0, 0, 0, 0);
}

int64_t exo_cont_cancel(exo_handle_t cont) {
    return exo_trap(SYS_CONT_CANCEL, cont, 0, 0, 0, 0);
}

/* --- DAG nodes --- */

/* What every node runs: its predecessors' ends, then its function. */
static void node_run(void *arg) {
    exo_cont_t *c = arg;
    for (uint32_t i = 0; i < c->n_after; i++) {
        exo_cont_wait_cap(c->after[i]);
        exo_cap_delete(c->after[i]);
        c->after[i] = EXO_HANDLE_NONE;
    }
    c->fn(c->arg);
}

/* Deletes what a node holds besides its own cap (a failed start, or after its end). */
static void node_release(exo_cont_t *c) {
    for (uint32_t i = 0; i < c->n_after; i++) {
        if (c->after[i] != EXO_HANDLE_NONE) {
            exo_cap_delete(c->after[i]);
        }
    }
    if (c->stack_region != EXO_HANDLE_NONE) {
        exo_cap_delete(c->stack_region);
    }
    c->n_after = 0;
    c->stack_region = EXO_HANDLE_NONE;
}

int64_t exo_cont_join(exo_cont_t *c, exo_cont_t *const *prevs, size_t n, void (*fn)(void *arg),
                      void *arg) {
    if (n > EXO_CONT_MAX_AFTER || (n > 0 && prevs == NULL) || fn == NULL) {
        return ERR_INVALID;
    }
    *c = (exo_cont_t){.fn = fn, .arg = arg};
    int64_t st = 0;
    for (size_t i = 0; i < n && st >= 0; i++) {
        st = prevs[i] == NULL ? ERR_INVALID : exo_cap_derive(prevs[i]->cap, CAP_RIGHT_CONT_JOIN);
        if (st >= 0) {
            c->after[c->n_after++] = (exo_handle_t)st;
        }
    }
    void *stack = NULL;
    if (st >= 0) {
        st = exo_region_alloc_cap(exo_memory_cap(), EXO_CONT_STACK, EXO_PROT_READ | EXO_PROT_WRITE,
                                  &stack);
    }
    if (st >= 0) {
        c->stack_region = (exo_handle_t)st;
        st = exo_cont_spawn(node_run, c, stack, EXO_CONT_STACK);
    }
    if (st < 0) {
        node_release(c);
        return st;
    }
    c->cap = (exo_handle_t)st;
    return 0;
}

int64_t exo_cont_start(exo_cont_t *c, void (*fn)(void *arg), void *arg) {
    return exo_cont_join(c, NULL, 0, fn, arg);
}

int64_t exo_cont_then(exo_cont_t *c, exo_cont_t *prev, void (*fn)(void *arg), void *arg) {
    return exo_cont_join(c, &prev, 1, fn, arg);
}

int64_t exo_cont_wait(exo_cont_t *c) {
    int64_t st = exo_cont_wait_cap(c->cap);
    if (st < 0) {
        return st;
    }
    node_release(c);
    exo_cap_delete(c->cap);
    c->cap = EXO_HANDLE_NONE;
    return 0;
}
