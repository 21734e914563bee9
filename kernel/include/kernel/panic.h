/*
 * Fatal errors. panic() prints its message and a backtrace, then halts every CPU; with
 * `panic=exit` on the command line (all tests use it) it ends QEMU with QEMU_EXIT_PANIC.
 * ASSERT is always on (cheap checks); DEBUG_ASSERT only in EXO_DEBUG builds.
 */
#pragma once

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#define ASSERT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            panic("ASSERT(%s) failed at %s:%d", #cond, __FILE__, __LINE__);                        \
        }                                                                                          \
    } while (0)

#ifdef EXO_DEBUG
#define DEBUG_ASSERT(cond) ASSERT(cond)
#else
#define DEBUG_ASSERT(cond) ((void)0)
#endif

/* Set from the command line by kmain: exit QEMU on panic instead of halting. */
extern int panic_exits_qemu;
/* Set by a caller that already printed a better backtrace (the exception reporter). */
extern int panic_backtrace_done;
