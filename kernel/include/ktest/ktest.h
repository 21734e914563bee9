/*
 * In-kernel tests. A test is a function registered in the "ktests" linker section by
 * KTEST(name); the command line picks them (`ktest=all` or `ktest=a,b`). Each prints one
 * line, "ktest: PASS name" or "ktest: FAIL name: file:line: what", and the run ends with
 * "ktest: verdict PASS|FAIL: N passed, M failed" and a QEMU exit code (dev/qemu_exit.h).
 *
 * Assertion macros return from the test on the first failure; tests must clean up what
 * they allocated before asserting on leak counters.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef struct ktest_ctx {
    const char *name;
    bool failed;
    const char *file;
    int line;
    char msg[160];
} ktest_ctx_t;

typedef struct ktest {
    const char *name;
    void (*fn)(ktest_ctx_t *kt);
    uint64_t manual; /* 1: run only when named, never by ktest=all */
} ktest_t;

#define KTEST_REGISTER(test_name, is_manual)                                                       \
    static void ktest_fn_##test_name(ktest_ctx_t *kt);                                             \
    static const ktest_t ktest_desc_##test_name                                                    \
        __attribute__((used, section("ktests"), aligned(8))) = {#test_name, ktest_fn_##test_name,  \
                                                                is_manual};                        \
    static void ktest_fn_##test_name(ktest_ctx_t *kt)

#define KTEST(test_name) KTEST_REGISTER(test_name, 0)
/* A test that must be asked for by name, e.g. one that checks the harness reports a
 * failure: it fails on purpose. */
#define KTEST_MANUAL(test_name) KTEST_REGISTER(test_name, 1)

void ktest_fail(ktest_ctx_t *kt, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define KT_ASSERT(cond)                                                                            \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ktest_fail(kt, __FILE__, __LINE__, "KT_ASSERT(%s)", #cond);                            \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define KT_ASSERT_EQ(a, b)                                                                         \
    do {                                                                                           \
        uint64_t ka_ = (uint64_t)(a), kb_ = (uint64_t)(b);                                         \
        if (ka_ != kb_) {                                                                          \
            ktest_fail(kt, __FILE__, __LINE__, "%s == %s (0x%lx != 0x%lx)", #a, #b, ka_, kb_);     \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* For in-kernel benches: fn() run 5 times, the median of what it returned. */
uint64_t ktest_median5(uint64_t (*fn)(void));

/* Runs the tests selected by `selection` ("all" or a comma list) and ends QEMU with the
 * verdict. Never returns. */
__attribute__((noreturn)) void ktest_run(const char *selection);

/* Deliberate faults for the exception-report tests (`crash=pf|ud|triple`); returns
 * only if `what` names no known crash. */
void ktest_crash(const char *what);
