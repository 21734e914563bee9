/*
 * ringtest: the rings from an app's side (exo/ring.h, user/ring.h), for init's "rings"
 * scenario. Each mode runs its checks in trap mode, or with "poll" on an SQPOLL ring, one
 * line a check and a last line with the count, and exits with the number of failures:
 *   ringtest: MODE (trap|polled): WHAT: GOT (expected WANT): PASS|FAIL
 *   ringtest: MODE (trap|polled): N checks, F failed: PASS|FAIL
 * Modes:
 *   nops N [poll]          N nops in batches of 1..64, each completing exactly once; polled,
 *                          then 20 000 one at a time to a poller that parks after 1 us
 *   timeouts [poll]        deadline order; on time while nops keep the ring (the poller)
 *                          busy; DRAIN orders; SKIP_SUCCESS posts only failures
 *   link [poll]            chains (a failure cancels the rest, in order), link timeouts
 *   backpressure [poll]    a CQ of 8: ERR_BUSY and nothing lost; cq_head moved back: backlog
 *   errors [poll]          bad SQEs, bad ring traps and bad ring parameters, each with its
 *                          specific error; ops through the ring give what the direct trap
 *                          gives; a region allocated, used, protected and freed via the ring
 *   wait [poll]            EXO_OP_WAIT on child domains: status, async, linked, killed
 *   exit N, sleep MS N     the children the wait mode starts
 */
#include <user/exo.h>
#include <user/ring.h>
#include <user/trap.h>

#define MS 1000000ul
#define KERNEL_PTR 0xffff800000000000ull
#define BOGUS_HANDLE ((1ull << 48) | 5) /* bits above the generation: never a handle */
#define RW (EXO_PROT_READ | EXO_PROT_WRITE)

static const char *mode = "?";
static bool polled;
static int checks, failures;

/* ---- reporting ---- */

static void verdict(bool ok, const char *what, const char *got, const char *want) {
    checks++;
    failures += !ok;
    exo_printf("ringtest: %s (%s): %s: %s (expected %s): %s\n", mode, polled ? "polled" : "trap",
               what, got, want, ok ? "PASS" : "FAIL");
    /* Console output is slow under emulation: suspend now and then (the watchdog). */
    exo_yield(0);
}

/* A result: a status by name, a handle or count as a number. */
static const char *show(int64_t v, char *buf, size_t n) {
    if (v < 0 && v >= ERR_CANCELED) {
        return status_str((status_t)v);
    }
    fmt_snprintf(buf, n, v > 0xffff ? "0x%lx" : "%ld", v);
    return buf;
}

static void expect(const char *what, int64_t got, int64_t want) {
    char g[32], w[32];
    verdict(got == want, what, show(got, g, sizeof(g)), show(want, w, sizeof(w)));
}

/* The ring's result and the direct trap's must both be want. */
static void expect_same(const char *what, int64_t ring, int64_t trap, int64_t want) {
    char r[32], t[32], w[32], got[96], exp[96];
    fmt_snprintf(got, sizeof(got), "ring %s, trap %s", show(ring, r, sizeof(r)),
                 show(trap, t, sizeof(t)));
    show(want, w, sizeof(w));
    fmt_snprintf(exp, sizeof(exp), "%s from both", w);
    verdict(ring == want && trap == want, what, got, exp);
}

static void expect_handle(const char *what, int64_t got) {
    char g[32];
    verdict(got > 0, what, show(got, g, sizeof(g)), "a handle");
}

static int summary(void) {
    exo_printf("ringtest: %s (%s): %d checks, %d failed: %s\n", mode, polled ? "polled" : "trap",
               checks, failures, failures ? "FAIL" : "PASS");
    return failures;
}

/* Yields for ms milliseconds (lets kernel work on this core run). */
static void pause_ms(uint64_t ms) {
    for (uint64_t t0 = exo_clock_ns(); exo_clock_ns() - t0 < ms * MS;) {
        exo_yield(0);
    }
}

static uint32_t load32(const uint32_t *p) {
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Waits (yielding, at most 2 s) until *p == want; false if it never did. */
static bool await32(const uint32_t *p, uint32_t want) {
    for (uint64_t t0 = exo_clock_ns(); load32(p) != want;) {
        if (exo_clock_ns() - t0 > 2000 * MS) {
            return false;
        }
        exo_yield(0);
    }
    return true;
}

/* ---- ring helpers ---- */

static bool ring_open(exo_ring_t *r, uint32_t sq, uint32_t cq) {
    exo_ring_params_t p = {
        .sq_entries = sq, .cq_entries = cq, .flags = polled ? EXO_RING_SQPOLL : 0};
    int64_t h = exo_ring_init_params(r, exo_memory_cap(), &p);
    if (h < 0) {
        expect("ring_create", h, 1);
        return false;
    }
    return true;
}

/* The next SQE, prepared. A full SQ is a bug of the test: it gets a dummy. */
static exo_sqe_t *sqe_op(exo_ring_t *r, uint8_t op, uint8_t flags, uint64_t ud, uint64_t a0,
                         uint64_t a1, uint64_t a2, uint64_t a3) {
    static exo_sqe_t dummy;
    exo_sqe_t *s = exo_ring_get_sqe(r);
    if (s == NULL) {
        expect("get_sqe: the SQ is full", 0, 1);
        s = &dummy;
    }
    exo_prep_op(s, op, a0, a1, a2, a3);
    exo_sqe_set_flags(s, flags);
    exo_sqe_set_data(s, ud);
    return s;
}

/* Publishes what was prepared: the kernel must take all n (polled: n published). */
static void submit_n(exo_ring_t *r, uint32_t n) {
    int64_t st = exo_ring_submit(r);
    if (polled ? st < 0 || st > n : st != n) {
        char w[32];
        fmt_snprintf(w, sizeof(w), "%u taken", n);
        char g[32];
        verdict(false, "submit", show(st, g, sizeof(g)), w);
    }
}

/* The next CQE (waiting for it), copied out and marked seen. */
static exo_cqe_t next_cqe(exo_ring_t *r) {
    exo_cqe_t *c;
    int64_t st = exo_ring_wait_cqe(r, &c);
    if (st != STATUS_OK) {
        expect("wait_cqe", st, 0);
        return (exo_cqe_t){.user_data = ~0ull, .res = st};
    }
    exo_cqe_t out = *c;
    exo_ring_cqe_seen(r, c);
    return out;
}

typedef struct want {
    uint64_t ud;
    int64_t res;
} want_t;

/* Reads n CQEs: they must be exactly w[], in that order (any order if !ordered: SQEs
 * neither linked nor drained may complete in any order, e.g. when a trap and the poller
 * both run the ring's start list). */
static bool expect_cqes_in(exo_ring_t *r, const char *what, const want_t *w, int n, bool ordered) {
    char got[256], exp[256], b[32];
    size_t gl = 0, el = 0;
    bool ok = true;
    got[0] = exp[0] = '\0';
    uint32_t matched = 0; /* unordered: which of w[] were seen */
    for (int i = 0; i < n; i++) {
        exo_cqe_t c = next_cqe(r);
        if (ordered) {
            ok = ok && c.user_data == w[i].ud && c.res == w[i].res;
        } else {
            bool found = false;
            for (int j = 0; j < n && !found; j++) {
                if (!(matched & (1u << j)) && c.user_data == w[j].ud && c.res == w[j].res) {
                    matched |= 1u << j;
                    found = true;
                }
            }
            ok = ok && found;
        }
        if (gl < sizeof(got)) {
            gl += (size_t)fmt_snprintf(got + gl, sizeof(got) - gl, "%s%lu:%s", i ? " " : "",
                                       c.user_data, show(c.res, b, sizeof(b)));
        }
        if (el < sizeof(exp)) {
            el += (size_t)fmt_snprintf(exp + el, sizeof(exp) - el, "%s%lu:%s", i ? " " : "",
                                       w[i].ud, show(w[i].res, b, sizeof(b)));
        }
    }
    verdict(ok, what, got, exp);
    return ok;
}

static bool expect_cqes(exo_ring_t *r, const char *what, const want_t *w, int n) {
    return expect_cqes_in(r, what, w, n, true);
}

/* One SQE through the ring, waited for: its result (aux in *aux if not NULL). */
static int64_t ring_call_sqe(exo_ring_t *r, const exo_sqe_t *tmpl, uint64_t *aux) {
    static uint64_t seq = 1000;
    exo_sqe_t *s = exo_ring_get_sqe(r);
    if (s == NULL) {
        return ERR_STATE;
    }
    *s = *tmpl;
    s->user_data = ++seq;
    submit_n(r, 1);
    exo_cqe_t c = next_cqe(r);
    if (c.user_data != seq) {
        expect("the CQE of the SQE just submitted", (int64_t)c.user_data, (int64_t)seq);
    }
    if (aux) {
        *aux = c.aux;
    }
    return c.res;
}

static int64_t ring_call(exo_ring_t *r, uint8_t op, uint64_t a0, uint64_t a1, uint64_t a2,
                         uint64_t a3, uint64_t *aux) {
    exo_sqe_t s = {.opcode = op, .arg = {a0, a1, a2, a3}};
    return ring_call_sqe(r, &s, aux);
}

/* ---- nops: exactly once, in batches of every size ---- */

static uint8_t seen[1 << 20]; /* a bit per nop: 8 Mi nops at most */

static void test_nops(uint64_t n) {
    exo_ring_t r;
    if (n > sizeof(seen) * 8) {
        n = sizeof(seen) * 8;
    }
    if (!ring_open(&r, 64, 128)) {
        return;
    }
    uint64_t submitted = 0, completed = 0, bad = 0, dup = 0, busy = 0, waits = 0, wakeups = 0;
    uint64_t t0 = exo_clock_ns();
    for (uint64_t round = 0; completed < n && bad < 10; round++) {
        /* 37 is odd: round * 37 mod 64 runs through every batch size 1..64. */
        uint64_t batch = 1 + (round * 37) % 64;
        if (batch > n - submitted) {
            batch = n - submitted;
        }
        for (uint64_t i = 0; i < batch; i++) {
            sqe_op(&r, EXO_OP_NOP, 0, submitted++, 0, 0, 0, 0);
        }
        uint64_t got = 0;
        if (polled) {
            wakeups += exo_ring_needs_wakeup(&r);
            int64_t st = exo_ring_submit(&r);
            bad += st < 0;
        } else {
            /* Half the rounds wait in the same trap, half submit and then wait. */
            int64_t st =
                (round & 1) ? exo_ring_submit_and_wait(&r, (uint32_t)batch) : exo_ring_submit(&r);
            busy += st == ERR_BUSY;
            bad += st != (int64_t)batch;
        }
        for (uint32_t spin = 0; got < batch;) {
            exo_cqe_t *c;
            if (exo_ring_peek_cqe(&r, &c) != STATUS_OK) {
                if (polled && ++spin < 2000) {
                    continue; /* the poller is on another core: it will come */
                }
                waits++;
                if (exo_ring_wait_cqe(&r, &c) != STATUS_OK) {
                    bad++;
                    break;
                }
            }
            uint64_t id = c->user_data;
            if (c->res != 0 || id >= submitted) {
                bad++;
            } else {
                dup += (seen[id / 8] >> (id % 8)) & 1;
                seen[id / 8] |= (uint8_t)(1u << (id % 8));
            }
            got++;
            completed++;
            exo_ring_cqe_seen(&r, c);
        }
        if ((round & 255) == 255) {
            exo_yield(0); /* sync nops never suspend us: the watchdog */
        }
    }
    uint64_t ms = (exo_clock_ns() - t0) / MS;
    uint64_t missing = 0;
    for (uint64_t i = 0; i < n; i++) {
        missing += !((seen[i / 8] >> (i % 8)) & 1);
    }
    exo_printf("ringtest: nops (%s): %lu nops in %lu ms (%lu ns each), %lu waits, %lu busy, "
               "%lu poller wakeups\n",
               polled ? "polled" : "trap", n, ms, n ? ms * MS / n : 0ul, waits, busy, wakeups);
    char got[128], want[64];
    fmt_snprintf(got, sizeof(got), "%lu completed, %lu missing, %lu twice, %lu bad", completed,
                 missing, dup, bad);
    fmt_snprintf(want, sizeof(want), "%lu completed, 0 missing, 0 twice, 0 bad", n);
    verdict(completed == n && missing == 0 && dup == 0 && bad == 0, "nops exactly once", got, want);
    exo_ring_exit(&r);
}

/* SQPOLL with a poller that parks after 1 us idle: n nops one at a time, after delays of
 * 0..~50 us, so the app keeps waking a poller that is parking (or has just parked). */
static void test_nops_parking(uint64_t n) {
    exo_ring_t r;
    exo_ring_params_t p = {.sq_entries = 4, .flags = EXO_RING_SQPOLL, .sq_idle_us = 1};
    int64_t h = exo_ring_init_params(&r, exo_memory_cap(), &p);
    if (h < 0) {
        expect("ring_create (sq_idle_us 1)", h, 1);
        return;
    }
    uint64_t done = 0, bad = 0, wakeups = 0, x = 0x2545f4914f6cdd1dull;
    uint64_t t0 = exo_clock_ns();
    for (uint64_t i = 0; i < n && bad < 10; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        for (volatile uint64_t d = x % 4096; d > 0; d--) {
        }
        sqe_op(&r, EXO_OP_NOP, 0, i, 0, 0, 0, 0);
        wakeups += exo_ring_needs_wakeup(&r);
        bad += exo_ring_submit(&r) < 0;
        exo_cqe_t *c;
        for (uint32_t spin = 0; exo_ring_peek_cqe(&r, &c) != STATUS_OK;) {
            if (++spin > 2000 && exo_ring_wait_cqe(&r, &c) != STATUS_OK) {
                bad++;
                break;
            }
        }
        bad += c->user_data != i || c->res != 0;
        done++;
        exo_ring_cqe_seen(&r, c);
        if ((i & 255) == 255) {
            exo_yield(0); /* the watchdog */
        }
    }
    char got[96], want[64];
    fmt_snprintf(got, sizeof(got), "%lu completed in order, %lu bad, in %lu ms (%lu wake-ups)",
                 done - bad, bad, (exo_clock_ns() - t0) / MS, wakeups);
    fmt_snprintf(want, sizeof(want), "%lu completed in order, 0 bad", n);
    verdict(done == n && bad == 0, "one nop at a time, the poller parking after 1 us", got, want);
    exo_ring_exit(&r);
}

/* ---- timeouts, DRAIN, SKIP_SUCCESS ---- */

/* A timeout of 10 ms submitted while nops keep the ring busy (under SQPOLL: the poller,
 * which then arms the timeout on its own core) must still fire on time; three rounds. The
 * app suspends every 2 ms, as an event loop does: with one core, kernel work (the expired
 * timeout's completion) runs only when the app suspends. */
static void timeout_while_busy(exo_ring_t *r) {
    char got[96] = "";
    size_t gl = 0;
    bool ok = true;
    for (int round = 0; round < 3; round++) {
        uint64_t t0 = exo_clock_ns(), t_armed = 0, late = 0, t_yield = t0, inflight = 0;
        int64_t res = 1;
        while (exo_clock_ns() - t0 < 1000 * MS && res == 1) {
            if (exo_clock_ns() - t_yield > 2 * MS) {
                exo_yield(0);
                t_yield = exo_clock_ns();
            }
            if (!t_armed && exo_clock_ns() - t0 > 20 * MS) { /* busy by now */
                sqe_op(r, EXO_OP_TIMEOUT, 0, 999, 10 * MS, 0, 0, 0);
                t_armed = exo_clock_ns();
            } else {
                sqe_op(r, EXO_OP_NOP, 0, 1, 0, 0, 0, 0);
            }
            exo_ring_submit(r);
            inflight++;
            exo_cqe_t *c;
            for (int spin = 0; spin < 100000 && exo_ring_cq_ready(r) == 0; spin++) {
            }
            while (exo_ring_peek_cqe(r, &c) == STATUS_OK) {
                if (c->user_data == 999) {
                    res = c->res;
                    late = exo_clock_ns() - t_armed;
                }
                inflight--;
                exo_ring_cqe_seen(r, c);
            }
        }
        for (; inflight > 0; inflight--) { /* the rest, so the ring is clean */
            exo_cqe_t c = next_cqe(r);
            if (c.user_data == 999) { /* not within a second */
                res = c.res;
                late = exo_clock_ns() - t_armed;
            }
        }
        ok = ok && res == 0 && late < 150 * MS;
        gl += (size_t)fmt_snprintf(got + gl, sizeof(got) - gl, "%s%ld@%lums", round ? " " : "", res,
                                   late / MS);
        exo_yield(0);
    }
    verdict(ok, "timeout(10ms) among a stream of nops, 3 times", got, "0@10..150ms each");
}

static void test_timeouts(void) {
    exo_ring_t r;
    if (!ring_open(&r, 16, 0)) {
        return;
    }
    const int n = 5;
    for (int i = 0; i < n; i++) { /* submitted longest first */
        sqe_op(&r, EXO_OP_TIMEOUT, 0, (uint64_t)(n - i), (uint64_t)(n - i) * 20 * MS, 0, 0, 0);
    }
    uint64_t t0 = exo_clock_ns();
    submit_n(&r, (uint32_t)n);
    bool ordered = true;
    char got[160] = "", b[32];
    size_t gl = 0;
    for (int i = 1; i <= n; i++) {
        exo_cqe_t c = next_cqe(&r);
        uint64_t ns = exo_clock_ns() - t0, ms = ns / MS;
        /* (1 ms of slack: the clock and the timer deadline round differently) */
        ordered =
            ordered && c.user_data == (uint64_t)i && c.res == 0 && ns + MS >= (uint64_t)i * 20 * MS;
        gl += (size_t)fmt_snprintf(got + gl, sizeof(got) - gl, "%s%lu:%s@%lums", i > 1 ? " " : "",
                                   c.user_data, show(c.res, b, sizeof(b)), ms);
    }
    verdict(ordered, "5 timeouts of 100..20 ms", got, "1..5 in order, each after its deadline");
    timeout_while_busy(&r);

    /* Without DRAIN a nop overtakes a timeout; with DRAIN it waits for it, and so does
     * every SQE after it. */
    sqe_op(&r, EXO_OP_TIMEOUT, 0, 1, 30 * MS, 0, 0, 0);
    sqe_op(&r, EXO_OP_NOP, 0, 2, 0, 0, 0, 0);
    submit_n(&r, 2);
    const want_t plain[] = {{2, 0}, {1, 0}};
    expect_cqes(&r, "timeout(30ms), nop: the nop first", plain, 2);

    sqe_op(&r, EXO_OP_TIMEOUT, 0, 1, 30 * MS, 0, 0, 0);
    sqe_op(&r, EXO_OP_NOP, EXO_SQE_DRAIN, 2, 0, 0, 0, 0);
    sqe_op(&r, EXO_OP_NOP, 0, 3, 0, 0, 0, 0);
    t0 = exo_clock_ns();
    submit_n(&r, 3);
    exo_cqe_t c1 = next_cqe(&r), c2 = next_cqe(&r);
    uint64_t drain_ms = (exo_clock_ns() - t0) / MS;
    exo_cqe_t c3 = next_cqe(&r);
    fmt_snprintf(got, sizeof(got), "%lu:%ld %lu:%ld %lu:%ld, the drain nop after %lu ms",
                 c1.user_data, c1.res, c2.user_data, c2.res, c3.user_data, c3.res, drain_ms);
    verdict(c1.user_data == 1 && c2.user_data == 2 && c3.user_data == 3 && !c1.res && !c2.res &&
                !c3.res && drain_ms >= 29,
            "timeout(30ms), nop DRAIN, nop", got, "1:0 2:0 3:0, the drain nop after >= 30 ms");

    /* A drain behind a chain waits for the whole chain. */
    sqe_op(&r, EXO_OP_TIMEOUT, EXO_SQE_LINK, 1, 20 * MS, 0, 0, 0);
    sqe_op(&r, EXO_OP_TIMEOUT, 0, 2, 10 * MS, 0, 0, 0);
    sqe_op(&r, EXO_OP_NOP, EXO_SQE_DRAIN, 3, 0, 0, 0, 0);
    sqe_op(&r, EXO_OP_NOP, 0, 4, 0, 0, 0, 0);
    submit_n(&r, 4);
    const want_t chain_drain[] = {{1, 0}, {2, 0}, {3, 0}, {4, 0}};
    expect_cqes(&r, "timeout(20ms) LINK timeout(10ms), nop DRAIN, nop", chain_drain, 4);

    /* Two drains in a row, and a drain with nothing before it. */
    sqe_op(&r, EXO_OP_NOP, EXO_SQE_DRAIN, 1, 0, 0, 0, 0);
    sqe_op(&r, EXO_OP_TIMEOUT, 0, 2, 5 * MS, 0, 0, 0);
    sqe_op(&r, EXO_OP_NOP, EXO_SQE_DRAIN, 3, 0, 0, 0, 0);
    sqe_op(&r, EXO_OP_NOP, EXO_SQE_DRAIN, 4, 0, 0, 0, 0);
    submit_n(&r, 4);
    const want_t drains[] = {{1, 0}, {2, 0}, {3, 0}, {4, 0}};
    expect_cqes(&r, "nop DRAIN, timeout(5ms), nop DRAIN, nop DRAIN", drains, 4);

    /* SKIP_SUCCESS: no CQE for a success, one for a failure; a marker nop after each
     * group shows nothing else came. */
    sqe_op(&r, EXO_OP_NOP, EXO_SQE_SKIP_SUCCESS, 10, 0, 0, 0, 0);
    sqe_op(&r, EXO_OP_NOP, 0, 11, 0, 0, 0, 0);
    submit_n(&r, 2);
    const want_t skip1[] = {{11, 0}};
    expect_cqes(&r, "nop SKIP_SUCCESS, nop: one CQE", skip1, 1);

    sqe_op(&r, EXO_OP_CAP_DELETE, EXO_SQE_SKIP_SUCCESS, 12, BOGUS_HANDLE, 0, 0, 0);
    sqe_op(&r, EXO_OP_NOP, 0, 13, 0, 0, 0, 0);
    submit_n(&r, 2);
    const want_t skip2[] = {{12, ERR_BAD_HANDLE}, {13, 0}};
    expect_cqes_in(&r, "failing cap_delete SKIP_SUCCESS, nop (any order)", skip2, 2, false);

    sqe_op(&r, EXO_OP_TIMEOUT, EXO_SQE_SKIP_SUCCESS, 14, 2 * MS, 0, 0, 0);
    sqe_op(&r, EXO_OP_NOP, EXO_SQE_DRAIN, 15, 0, 0, 0, 0);
    submit_n(&r, 2);
    const want_t skip3[] = {{15, 0}};
    expect_cqes(&r, "timeout(2ms) SKIP_SUCCESS, nop DRAIN", skip3, 1);

    sqe_op(&r, EXO_OP_NOP, EXO_SQE_SKIP_SUCCESS | EXO_SQE_LINK, 16, 0, 0, 0, 0);
    sqe_op(&r, EXO_OP_CAP_DELETE, EXO_SQE_SKIP_SUCCESS | EXO_SQE_LINK, 17, BOGUS_HANDLE, 0, 0, 0);
    sqe_op(&r, EXO_OP_NOP, EXO_SQE_SKIP_SUCCESS, 18, 0, 0, 0, 0);
    submit_n(&r, 3);
    const want_t skip4[] = {{17, ERR_BAD_HANDLE}, {18, ERR_CANCELED}};
    expect_cqes(&r, "SKIP_SUCCESS chain nop -> bad delete -> nop", skip4, 2);
    expect("a nop after it (nothing else came)", ring_call(&r, EXO_OP_NOP, 0, 0, 0, 0, NULL), 0);
    expect("CQEs left over", exo_ring_cq_ready(&r), 0);
    exo_ring_exit(&r);
}

/* ---- chains and link timeouts ---- */

static void test_link(void) {
    exo_ring_t r;
    if (!ring_open(&r, 16, 0)) {
        return;
    }
    sqe_op(&r, EXO_OP_NOP, EXO_SQE_LINK, 1, 0, 0, 0, 0);
    sqe_op(&r, EXO_OP_CAP_DELETE, EXO_SQE_LINK, 2, BOGUS_HANDLE, 0, 0, 0);
    sqe_op(&r, EXO_OP_NOP, EXO_SQE_LINK, 3, 0, 0, 0, 0);
    sqe_op(&r, EXO_OP_NOP, 0, 4, 0, 0, 0, 0);
    submit_n(&r, 4);
    const want_t fail[] = {{1, 0}, {2, ERR_BAD_HANDLE}, {3, ERR_CANCELED}, {4, ERR_CANCELED}};
    expect_cqes(&r, "nop -> bad cap_delete -> nop -> nop", fail, 4);
    expect("a nop after that chain", ring_call(&r, EXO_OP_NOP, 0, 0, 0, 0, NULL), 0);

    sqe_op(&r, EXO_OP_NOP, EXO_SQE_LINK, 1, 0, 0, 0, 0);
    sqe_op(&r, 200, EXO_SQE_LINK, 2, 0, 0, 0, 0);
    sqe_op(&r, EXO_OP_TIMEOUT, 0, 3, 1000 * MS, 0, 0, 0);
    submit_n(&r, 3);
    const want_t bad_op[] = {{1, 0}, {2, ERR_UNSUPPORTED}, {3, ERR_CANCELED}};
    expect_cqes(&r, "nop -> opcode 200 -> timeout(1s)", bad_op, 3);

    uint64_t t0 = exo_clock_ns();
    sqe_op(&r, EXO_OP_TIMEOUT, EXO_SQE_LINK, 1, 10 * MS, 0, 0, 0);
    sqe_op(&r, EXO_OP_NOP, EXO_SQE_LINK, 2, 0, 0, 0, 0);
    sqe_op(&r, EXO_OP_TIMEOUT, 0, 3, 10 * MS, 0, 0, 0);
    submit_n(&r, 3);
    const want_t ok[] = {{1, 0}, {2, 0}, {3, 0}};
    bool in_order = expect_cqes(&r, "timeout(10ms) -> nop -> timeout(10ms)", ok, 3);
    uint64_t ms = (exo_clock_ns() - t0) / MS;
    char got[64];
    fmt_snprintf(got, sizeof(got), "%lu ms", ms);
    verdict(in_order && ms >= 19, "the chain ran one after the other", got, ">= 20 ms");

    /* A chain split over two submits: the second half still belongs to it. */
    sqe_op(&r, EXO_OP_CAP_DELETE, EXO_SQE_LINK, 1, BOGUS_HANDLE, 0, 0, 0);
    submit_n(&r, 1);
    const want_t first[] = {{1, ERR_BAD_HANDLE}};
    expect_cqes(&r, "bad cap_delete LINK, submitted alone", first, 1);
    sqe_op(&r, EXO_OP_NOP, 0, 2, 0, 0, 0, 0);
    sqe_op(&r, EXO_OP_NOP, 0, 3, 0, 0, 0, 0);
    submit_n(&r, 2);
    const want_t second[] = {{2, ERR_CANCELED}, {3, 0}};
    expect_cqes(&r, "then nop (its chain's tail), nop", second, 2);

    /* Link timeouts. */
    t0 = exo_clock_ns();
    sqe_op(&r, EXO_OP_TIMEOUT, EXO_SQE_LINK, 1, 1000 * MS, 0, 0, 0);
    sqe_op(&r, EXO_OP_LINK_TIMEOUT, 0, 2, 20 * MS, 0, 0, 0);
    submit_n(&r, 2);
    const want_t lt_fired[] = {{1, ERR_CANCELED}, {2, ERR_TIMEOUT}};
    in_order = expect_cqes(&r, "timeout(1s) -> link_timeout(20ms)", lt_fired, 2);
    ms = (exo_clock_ns() - t0) / MS;
    fmt_snprintf(got, sizeof(got), "%lu ms", ms);
    verdict(in_order && ms >= 19 && ms < 500, "the link timeout cut it short", got,
            "20..500 ms, not 1 s");

    t0 = exo_clock_ns();
    sqe_op(&r, EXO_OP_NOP, EXO_SQE_LINK, 1, 0, 0, 0, 0);
    sqe_op(&r, EXO_OP_LINK_TIMEOUT, 0, 2, 1000 * MS, 0, 0, 0);
    submit_n(&r, 2);
    const want_t lt_idle[] = {{1, 0}, {2, ERR_CANCELED}};
    in_order = expect_cqes(&r, "nop -> link_timeout(1s)", lt_idle, 2);
    ms = (exo_clock_ns() - t0) / MS;
    fmt_snprintf(got, sizeof(got), "%lu ms", ms);
    verdict(in_order && ms < 500, "the link timeout ended with its op", got, "< 500 ms");

    sqe_op(&r, EXO_OP_TIMEOUT, EXO_SQE_LINK, 1, 5 * MS, 0, 0, 0);
    sqe_op(&r, EXO_OP_LINK_TIMEOUT, EXO_SQE_LINK, 2, 1000 * MS, 0, 0, 0);
    sqe_op(&r, EXO_OP_NOP, 0, 3, 0, 0, 0, 0);
    submit_n(&r, 3);
    const want_t lt_go_on[] = {{1, 0}, {2, ERR_CANCELED}, {3, 0}};
    expect_cqes(&r, "timeout(5ms) -> link_timeout(1s) -> nop", lt_go_on, 3);

    sqe_op(&r, EXO_OP_TIMEOUT, EXO_SQE_LINK, 1, 1000 * MS, 0, 0, 0);
    sqe_op(&r, EXO_OP_LINK_TIMEOUT, EXO_SQE_LINK, 2, 5 * MS, 0, 0, 0);
    sqe_op(&r, EXO_OP_NOP, 0, 3, 0, 0, 0, 0);
    submit_n(&r, 3);
    const want_t lt_stop[] = {{1, ERR_CANCELED}, {2, ERR_TIMEOUT}, {3, ERR_CANCELED}};
    expect_cqes(&r, "timeout(1s) -> link_timeout(5ms) -> nop", lt_stop, 3);

    sqe_op(&r, EXO_OP_LINK_TIMEOUT, 0, 1, 10 * MS, 0, 0, 0);
    submit_n(&r, 1);
    const want_t lt_alone[] = {{1, ERR_INVALID}};
    expect_cqes(&r, "link_timeout after no LINK SQE", lt_alone, 1);

    sqe_op(&r, EXO_OP_NOP, 0, 1, 0, 0, 0, 0);
    sqe_op(&r, EXO_OP_LINK_TIMEOUT, 0, 2, 10 * MS, 0, 0, 0);
    submit_n(&r, 2);
    const want_t lt_unlinked[] = {{1, 0}, {2, ERR_INVALID}};
    expect_cqes_in(&r, "nop (no LINK), link_timeout (any order)", lt_unlinked, 2, false);

    sqe_op(&r, EXO_OP_NOP, EXO_SQE_LINK, 1, 0, 0, 0, 0);
    sqe_op(&r, EXO_OP_LINK_TIMEOUT, 0, 2, 7200000 * MS, 0, 0, 0);
    submit_n(&r, 2);
    const want_t lt_range[] = {{1, 0}, {2, ERR_RANGE}};
    expect_cqes(&r, "nop -> link_timeout(2 hours)", lt_range, 2);
    expect("CQEs left over", exo_ring_cq_ready(&r), 0);
    exo_ring_exit(&r);
}

/* ---- back-pressure: a CQ of 8 never overflows and never loses a completion ---- */

static void reap_into(exo_ring_t *r, uint32_t n, uint8_t *count, uint64_t max, uint64_t *bad) {
    for (uint32_t i = 0; i < n; i++) {
        exo_cqe_t c = next_cqe(r);
        if (c.user_data < max && c.res == 0) {
            count[c.user_data]++;
        } else {
            (*bad)++;
        }
    }
}

/* 16 timeouts of 200 ms on a ring of 8 + 8: only 8 may be taken until CQEs are reaped. */
static void backpressure_fixed(void) {
    exo_ring_t r;
    if (!ring_open(&r, 8, 8)) {
        return;
    }
    uint8_t count[16] = {0};
    uint64_t bad = 0;
    const uint32_t *sq_head = &r.hdr->sq_head;
    for (uint64_t i = 0; i < 8; i++) {
        sqe_op(&r, EXO_OP_TIMEOUT, 0, i, 200 * MS, 0, 0, 0);
    }
    uint64_t t0 = exo_clock_ns();
    submit_n(&r, 8);
    if (polled) {
        await32(sq_head, 8);
    }
    expect("the first 8 timeouts taken (sq_head)", load32(sq_head), 8);
    for (uint64_t i = 8; i < 16; i++) {
        sqe_op(&r, EXO_OP_TIMEOUT, 0, i, 200 * MS, 0, 0, 0);
    }
    int64_t st = exo_ring_submit(&r);
    expect("8 more, the CQ full of requests: submit", st, polled ? 8 : ERR_BUSY);
    if (!polled) {
        expect("submit again", exo_ring_submit(&r), ERR_BUSY);
    }
    pause_ms(20);
    expect("none of them taken (sq_head)", load32(sq_head), 8);
    expect("a 17th SQE: the SQ is full", exo_ring_get_sqe(&r) == NULL, 1);
    if (polled) {
        expect("the poller parked for want of CQ room (NEED_WAKEUP)",
               load32(&r.hdr->flags) & EXO_RING_NEED_WAKEUP, EXO_RING_NEED_WAKEUP);
    }
    /* Wait for 8 CQEs; the trap takes none of the SQEs still waiting (no room). */
    st = exo_ring_enter(r.handle, 0, 8, EXO_ENTER_GETEVENTS);
    uint64_t ms = (exo_clock_ns() - t0) / MS;
    char got[64];
    fmt_snprintf(got, sizeof(got), "%s, %u ready after %lu ms", status_str((status_t)st),
                 exo_ring_cq_ready(&r), ms);
    verdict(st == 0 && exo_ring_cq_ready(&r) == 8 && ms >= 199, "ring_enter waits for 8", got,
            "STATUS_OK, 8 ready after >= 200 ms");
    if (!polled) {
        expect("the CQ full of unread CQEs: submit", exo_ring_submit(&r), ERR_BUSY);
    }
    expect("still none taken", load32(sq_head), 8);
    reap_into(&r, 3, count, 16, &bad);
    if (polled) { /* reaping woke the poller (exo_ring_cq_advance) */
        expect("3 reaped: the poller took 3 (sq_head)", await32(sq_head, 11) ? 11 : 0, 11);
    } else {
        expect("3 reaped: submit", exo_ring_submit(&r), 3);
    }
    reap_into(&r, 5, count, 16, &bad);
    if (polled) {
        expect("5 more reaped: the poller took the last 5", await32(sq_head, 16) ? 16 : 0, 16);
    } else {
        expect("5 more reaped: submit", exo_ring_submit(&r), 5);
    }
    reap_into(&r, 8, count, 16, &bad);
    uint64_t once = 0;
    for (int i = 0; i < 16; i++) {
        once += count[i] == 1;
    }
    fmt_snprintf(got, sizeof(got), "%lu of 16 once, %lu bad, %u left", once, bad,
                 exo_ring_cq_ready(&r));
    verdict(once == 16 && bad == 0 && exo_ring_cq_ready(&r) == 0, "every timeout completed once",
            got, "16 of 16 once, 0 bad, 0 left");
    exo_ring_exit(&r);
}

/* 400 nops and short timeouts through a ring of 8 + 8, submitting whenever there is SQ
 * room and reaping at random: ERR_BUSY stalls, nothing is lost. */
static void backpressure_random(void) {
    exo_ring_t r;
    if (!ring_open(&r, 8, 8)) {
        return;
    }
    enum { N = 400 };
    static uint8_t count[N];
    memset(count, 0, sizeof(count));
    uint64_t next = 0, done = 0, bad = 0, busy = 0, x = 0x9e3779b97f4a7c15ull;
    while (done < N && bad < 10) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        for (uint32_t k = (uint32_t)(x % 9); k > 0 && next < N; k--) {
            exo_sqe_t *s = exo_ring_get_sqe(&r);
            if (s == NULL) {
                break;
            }
            if ((x >> 8) & 1) {
                exo_prep_timeout(s, ((x >> 16) % 2000) * 1000);
            } else {
                exo_prep_nop(s);
            }
            exo_sqe_set_data(s, next++);
        }
        int64_t st = exo_ring_submit(&r);
        busy += st == ERR_BUSY;
        bad += st < 0 && st != ERR_BUSY;
        uint32_t ready = exo_ring_cq_ready(&r);
        uint32_t take = (x >> 24) & 1 ? ready : ready / 2;
        if (take == 0 && done + ready < next) {
            /* Nothing to reap: wait for one (this takes nothing: the SQEs may not fit). */
            st = exo_ring_enter(r.handle, 0, 1, EXO_ENTER_GETEVENTS);
            bad += st < 0;
            continue;
        }
        reap_into(&r, take, count, N, &bad);
        done += take;
    }
    uint64_t once = 0;
    for (int i = 0; i < N; i++) {
        once += count[i] == 1;
    }
    char got[96];
    fmt_snprintf(got, sizeof(got), "%lu of %d once, %lu bad (%lu submits ERR_BUSY)", once, N, bad,
                 busy);
    verdict(once == N && bad == 0, "400 nops and timeouts, random reaping", got,
            "400 of 400 once, 0 bad");
    exo_ring_exit(&r);
}

/* The app moves cq_head back (lies that the CQ is full): completions wait in the kernel's
 * backlog, in order, until cq_head is back and the ring is entered. */
static void backpressure_backlog(void) {
    exo_ring_t r;
    if (!ring_open(&r, 8, 8)) {
        return;
    }
    for (uint64_t i = 0; i < 4; i++) {
        sqe_op(&r, EXO_OP_TIMEOUT, 0, 100 + i, (30 + 5 * i) * MS, 0, 0, 0);
    }
    uint32_t head = load32(&r.hdr->cq_head);
    uint32_t tail = load32(&r.hdr->cq_tail);
    submit_n(&r, 4);
    if (polled) {
        await32(&r.hdr->sq_head, 4);
    }
    /* Taken: now the CQ looks full to the kernel when they expire. */
    __atomic_store_n(&r.hdr->cq_head, head - 8, __ATOMIC_RELEASE);
    pause_ms(100);
    char got[96];
    uint32_t flags = load32(&r.hdr->flags);
    fmt_snprintf(got, sizeof(got), "%u CQEs posted, CQ_BACKLOG %s", load32(&r.hdr->cq_tail) - tail,
                 flags & EXO_RING_CQ_BACKLOG ? "set" : "clear");
    verdict(load32(&r.hdr->cq_tail) == tail && (flags & EXO_RING_CQ_BACKLOG),
            "cq_head moved back 8, 4 timeouts expired", got, "0 CQEs posted, CQ_BACKLOG set");
    __atomic_store_n(&r.hdr->cq_head, head, __ATOMIC_RELEASE);
    int64_t st = exo_ring_enter(r.handle, 0, 4, EXO_ENTER_GETEVENTS);
    flags = load32(&r.hdr->flags);
    fmt_snprintf(got, sizeof(got), "%s, %u ready, CQ_BACKLOG %s", status_str((status_t)st),
                 exo_ring_cq_ready(&r), flags & EXO_RING_CQ_BACKLOG ? "set" : "clear");
    verdict(st == 0 && exo_ring_cq_ready(&r) == 4 && !(flags & EXO_RING_CQ_BACKLOG),
            "cq_head back, ring_enter", got, "STATUS_OK, 4 ready, CQ_BACKLOG clear");
    const want_t w[] = {{100, 0}, {101, 0}, {102, 0}, {103, 0}};
    expect_cqes(&r, "the backlog's CQEs", w, 4);
    exo_ring_exit(&r);
}

/* exo_ring_wait_cqe with SQEs the CQ has no room for must sleep until a CQE comes (with
 * one core, a caller that never suspends would never let the timeouts complete). */
static void backpressure_wait_cqe(void) {
    exo_ring_t r;
    if (!ring_open(&r, 8, 8)) {
        return;
    }
    for (uint64_t i = 0; i < 16; i++) {
        sqe_op(&r, EXO_OP_TIMEOUT, 0, i, 50 * MS, 0, 0, 0);
        if (i == 7) {
            submit_n(&r, 8);
            if (polled) { /* the poller must take them before the SQ has room again */
                await32(&r.hdr->sq_head, 8);
            }
        }
    }
    uint64_t t0 = exo_clock_ns();
    exo_cqe_t *c;
    int64_t st = exo_ring_wait_cqe(&r, &c);
    uint64_t ms = (exo_clock_ns() - t0) / MS;
    char got[64];
    fmt_snprintf(got, sizeof(got), "%s, user_data %lu, after %lu ms", status_str((status_t)st),
                 st == 0 ? c->user_data : ~0ul, ms);
    verdict(st == 0 && c->user_data < 8 && ms >= 40, "wait_cqe, 8 in flight and 8 more pending",
            got, "STATUS_OK, one of the first 8, after ~50 ms");
    exo_ring_exit(&r);
}

static void test_backpressure(void) {
    backpressure_fixed();
    backpressure_random();
    backpressure_backlog();
    backpressure_wait_cqe();
}

/* ---- errors: each bad SQE, trap and parameter with its specific error ---- */

static int64_t region_protect(exo_handle_t h, uint32_t prot) {
    return exo_trap(SYS_REGION_PROTECT, h, prot, 0, 0, 0);
}

static void errors_sqe_fields(exo_ring_t *r) {
    exo_sqe_t s = {.opcode = 200};
    expect("opcode 200", ring_call_sqe(r, &s, NULL), ERR_UNSUPPORTED);
    s = (exo_sqe_t){.opcode = EXO_OP_COUNT};
    expect("opcode EXO_OP_COUNT", ring_call_sqe(r, &s, NULL), ERR_UNSUPPORTED);
    s = (exo_sqe_t){.opcode = 255};
    expect("opcode 255", ring_call_sqe(r, &s, NULL), ERR_UNSUPPORTED);
    s = (exo_sqe_t){.opcode = EXO_OP_NOP, .reserved0 = 1};
    expect("nop with reserved0 = 1", ring_call_sqe(r, &s, NULL), ERR_INVALID);
    s = (exo_sqe_t){.opcode = EXO_OP_NOP, .op_flags = 0x80000000u};
    expect("nop with op_flags set", ring_call_sqe(r, &s, NULL), ERR_INVALID);
    s = (exo_sqe_t){.opcode = EXO_OP_NOP, .arg = {1}};
    expect("nop with arg[0] = 1", ring_call_sqe(r, &s, NULL), ERR_INVALID);
    s = (exo_sqe_t){.opcode = EXO_OP_TIMEOUT, .arg = {1000, 0, 0, 0, 0, 1}};
    expect("timeout with arg[5] = 1", ring_call_sqe(r, &s, NULL), ERR_INVALID);
    s = (exo_sqe_t){.opcode = EXO_OP_CAP_DELETE, .arg = {BOGUS_HANDLE, 7}};
    expect("cap_delete with arg[1] = 7", ring_call_sqe(r, &s, NULL), ERR_INVALID);
    s = (exo_sqe_t){.opcode = EXO_OP_CONSOLE_WRITE, .arg = {exo_console_cap(), 0, 0, 1}};
    expect("console_write with arg[3] = 1", ring_call_sqe(r, &s, NULL), ERR_INVALID);
    s = (exo_sqe_t){.opcode = EXO_OP_NOP, .flags = 8};
    expect("nop with flag 8", ring_call_sqe(r, &s, NULL), ERR_INVALID);
    s = (exo_sqe_t){.opcode = EXO_OP_NOP, .flags = 0x80 | EXO_SQE_DRAIN};
    expect("nop with flags 0x82", ring_call_sqe(r, &s, NULL), ERR_INVALID);
    s = (exo_sqe_t){.opcode = EXO_OP_TIMEOUT, .arg = {3601ull * 1000 * MS}};
    expect("timeout of more than an hour", ring_call_sqe(r, &s, NULL), ERR_RANGE);
    s = (exo_sqe_t){.opcode = EXO_OP_TIMEOUT};
    expect("timeout of 0 ns", ring_call_sqe(r, &s, NULL), 0);
}

static void errors_vs_traps(exo_ring_t *r) {
    exo_handle_t con = exo_console_cap(), mem = exo_memory_cap();
    static exo_cap_info_t info;
    static uint8_t buf[64];
    uint64_t code = (uint64_t)(uintptr_t)&main & ~4095ull; /* read-only, executable */
    expect_same("cap_delete of a forged handle",
                ring_call(r, EXO_OP_CAP_DELETE, BOGUS_HANDLE, 0, 0, 0, NULL),
                exo_cap_delete(BOGUS_HANDLE), ERR_BAD_HANDLE);
    expect_same("cap_info into a kernel address",
                ring_call(r, EXO_OP_CAP_INFO, con, KERNEL_PTR, 0, 0, NULL),
                exo_cap_info(con, (exo_cap_info_t *)KERNEL_PTR), ERR_FAULT);
    expect_same("cap_info into page 0", ring_call(r, EXO_OP_CAP_INFO, con, 16, 0, 0, NULL),
                exo_cap_info(con, (exo_cap_info_t *)16), ERR_FAULT);
    expect_same("cap_info into our code (read-only)",
                ring_call(r, EXO_OP_CAP_INFO, con, code, 0, 0, NULL),
                exo_cap_info(con, (exo_cap_info_t *)code), ERR_FAULT);
    expect_same("cap_info into a non-canonical address",
                ring_call(r, EXO_OP_CAP_INFO, con, 0x0000800000000000ull, 0, 0, NULL),
                exo_cap_info(con, (exo_cap_info_t *)0x0000800000000000ull), ERR_FAULT);
    memset(buf, 0xee, sizeof(buf));
    int64_t rr = ring_call(r, EXO_OP_CAP_INFO, con, (uint64_t)(uintptr_t)(buf + 3), 0, 0, NULL);
    exo_cap_info_t got;
    memcpy(&got, buf + 3, sizeof(got));
    expect_same("cap_info into a misaligned buffer", rr,
                exo_cap_info(con, (exo_cap_info_t *)(buf + 3)), 0);
    expect("... and it holds the console's type", got.type, CAP_CONSOLE);
    expect_same("console_write from a kernel address",
                ring_call(r, EXO_OP_CONSOLE_WRITE, con, KERNEL_PTR, 16, 0, NULL),
                exo_trap(SYS_CONSOLE_WRITE, con, KERNEL_PTR, 16, 0, 0), ERR_FAULT);
    expect_same("console_write of 5000 bytes",
                ring_call(r, EXO_OP_CONSOLE_WRITE, con, (uint64_t)(uintptr_t)buf, 5000, 0, NULL),
                exo_trap(SYS_CONSOLE_WRITE, con, (uint64_t)(uintptr_t)buf, 5000, 0, 0),
                ERR_TOO_BIG);
    static const char line[] = "ringtest: a line through the ring\n";
    expect("console_write of a line",
           ring_call(r, EXO_OP_CONSOLE_WRITE, con, (uint64_t)(uintptr_t)line, sizeof(line) - 1, 0,
                     NULL),
           sizeof(line) - 1);
    expect_same(
        "console_write through the ring cap",
        ring_call(r, EXO_OP_CONSOLE_WRITE, r->handle, (uint64_t)(uintptr_t)line, 4, 0, NULL),
        exo_trap(SYS_CONSOLE_WRITE, r->handle, (uint64_t)(uintptr_t)line, 4, 0, 0), ERR_WRONG_TYPE);
    expect_same("cap_derive of the console asking for READ",
                ring_call(r, EXO_OP_CAP_DERIVE, con, CAP_RIGHT_READ, 0, 0, NULL),
                exo_cap_derive(con, CAP_RIGHT_READ), ERR_RIGHTS);
    expect_same("cap_derive with an unknown right bit",
                ring_call(r, EXO_OP_CAP_DERIVE, con, 1u << 20, 0, 0, NULL),
                exo_trap(SYS_CAP_DERIVE, con, 1u << 20, 0, 0, 0), ERR_INVALID);
    expect_same("cap_derive of the ring cap (no DERIVE)",
                ring_call(r, EXO_OP_CAP_DERIVE, r->handle, CAP_RIGHT_READ, 0, 0, NULL),
                exo_cap_derive(r->handle, CAP_RIGHT_READ), ERR_RIGHTS);
    expect_same("region_map of the console",
                ring_call(r, EXO_OP_REGION_MAP, con, EXO_PROT_READ, 0, 0, NULL),
                exo_region_map(con, EXO_PROT_READ), ERR_WRONG_TYPE);
    expect_same("region_alloc of 0 bytes", ring_call(r, EXO_OP_REGION_ALLOC, mem, 0, RW, 0, NULL),
                exo_region_alloc_cap(mem, 0, RW, NULL), ERR_INVALID);
    expect_same(
        "region_alloc writable and executable",
        ring_call(r, EXO_OP_REGION_ALLOC, mem, 4096, EXO_PROT_WRITE | EXO_PROT_EXEC, 0, NULL),
        exo_region_alloc_cap(mem, 4096, EXO_PROT_WRITE | EXO_PROT_EXEC, NULL), ERR_PERM);
    expect_same("region_alloc from the console",
                ring_call(r, EXO_OP_REGION_ALLOC, con, 4096, RW, 0, NULL),
                exo_region_alloc_cap(con, 4096, RW, NULL), ERR_WRONG_TYPE);
    expect_same("memory_split of 2^60 bytes",
                ring_call(r, EXO_OP_MEMORY_SPLIT, mem, 1ull << 60, 0, 0, NULL),
                exo_memory_split(mem, 1ull << 60), ERR_QUOTA);
    expect_same("cap_transfer to a forged domain handle",
                ring_call(r, EXO_OP_CAP_TRANSFER, BOGUS_HANDLE, con, CAP_RIGHT_WRITE, 0, NULL),
                exo_cap_transfer(BOGUS_HANDLE, con, CAP_RIGHT_WRITE, 0), ERR_BAD_HANDLE);
    expect_same("cap_transfer with unknown flags",
                ring_call(r, EXO_OP_CAP_TRANSFER, con, con, CAP_RIGHT_WRITE, 2, NULL),
                exo_cap_transfer(con, con, CAP_RIGHT_WRITE, 2), ERR_INVALID);
    expect_same("wait on the console", ring_call(r, EXO_OP_WAIT, con, 0, 0, 0, NULL),
                exo_domain_wait(con), ERR_WRONG_TYPE);
    expect("region_free of the console", ring_call(r, EXO_OP_REGION_FREE, con, 0, 0, 0, NULL),
           ERR_WRONG_TYPE);
    expect("... the console is still there",
           exo_cap_info(con, &info) == 0 && info.type == CAP_CONSOLE, 1);
    expect_same("cap_revoke of a forged handle",
                ring_call(r, EXO_OP_CAP_REVOKE, BOGUS_HANDLE, 0, 0, 0, NULL),
                exo_cap_revoke(BOGUS_HANDLE), ERR_BAD_HANDLE);
}

static void errors_caps(exo_ring_t *r) {
    exo_handle_t con = exo_console_cap(), mem = exo_memory_cap();
    static exo_cap_info_t info;
    int64_t c1 =
        ring_call(r, EXO_OP_CAP_DERIVE, con, CAP_RIGHT_WRITE | CAP_RIGHT_DERIVE, 0, 0, NULL);
    expect_handle("cap_derive of the console", c1);
    int64_t c2 = ring_call(r, EXO_OP_CAP_DERIVE, (uint64_t)c1, CAP_RIGHT_WRITE, 0, 0, NULL);
    expect_handle("cap_derive of that", c2);
    expect("cap_info of it",
           ring_call(r, EXO_OP_CAP_INFO, (uint64_t)c2, (uint64_t)(uintptr_t)&info, 0, 0, NULL), 0);
    expect("... a console with WRITE", info.type == CAP_CONSOLE && info.rights == CAP_RIGHT_WRITE,
           1);
    expect("cap_revoke of the first", ring_call(r, EXO_OP_CAP_REVOKE, (uint64_t)c1, 0, 0, 0, NULL),
           1);
    expect_same("cap_info of the revoked one",
                ring_call(r, EXO_OP_CAP_INFO, (uint64_t)c2, (uint64_t)(uintptr_t)&info, 0, 0, NULL),
                exo_cap_info((exo_handle_t)c2, &info), ERR_STALE);
    expect("cap_delete of the first", ring_call(r, EXO_OP_CAP_DELETE, (uint64_t)c1, 0, 0, 0, NULL),
           0);
    expect_same("cap_delete of it again",
                ring_call(r, EXO_OP_CAP_DELETE, (uint64_t)c1, 0, 0, 0, NULL),
                exo_cap_delete((exo_handle_t)c1), ERR_STALE);
    int64_t m = ring_call(r, EXO_OP_MEMORY_SPLIT, mem, 65536, 0, 0, NULL);
    expect_handle("memory_split of 64 KiB", m);
    ring_call(r, EXO_OP_CAP_INFO, (uint64_t)m, (uint64_t)(uintptr_t)&info, 0, 0, NULL);
    expect("... its budget", info.type == CAP_MEMORY ? (int64_t)info.a : -1, 65536);
    expect_same("region_alloc of 128 KiB from it",
                ring_call(r, EXO_OP_REGION_ALLOC, (uint64_t)m, 131072, RW, 0, NULL),
                exo_region_alloc_cap((exo_handle_t)m, 131072, RW, NULL), ERR_QUOTA);
    expect("cap_delete of the split", ring_call(r, EXO_OP_CAP_DELETE, (uint64_t)m, 0, 0, 0, NULL),
           0);
    expect("cap_info of the ring cap",
           ring_call(r, EXO_OP_CAP_INFO, r->handle, (uint64_t)(uintptr_t)&info, 0, 0, NULL), 0);
    expect("... a ring, READ|WRITE",
           info.type == CAP_RING && info.rights == (CAP_RIGHT_READ | CAP_RIGHT_WRITE), 1);
}

/* A region allocated through the ring: usable at aux, protected, unmapped, mapped, freed. */
static void errors_region(exo_ring_t *r) {
    static exo_cap_info_t info;
    uint64_t base = 0;
    int64_t h = ring_call(r, EXO_OP_REGION_ALLOC, exo_memory_cap(), 8192, RW, 0, &base);
    expect_handle("region_alloc of 8 KiB", h);
    if (h <= 0) {
        return;
    }
    expect("... aux is a page-aligned base", base && !(base & 4095), 1);
    volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)base;
    p[0] = 0x1122334455667788ull;
    p[8191 / 8] = 0x99;
    expect("... written and read back at base and at its end",
           p[0] == 0x1122334455667788ull && p[8191 / 8] == 0x99, 1);
    ring_call(r, EXO_OP_CAP_INFO, (uint64_t)h, (uint64_t)(uintptr_t)&info, 0, 0, NULL);
    expect("... cap_info: that base, 8 KiB, mapped READ|WRITE",
           info.a == base && info.b == 8192 && info.mapped && info.map_prot == RW, 1);
    expect("region_protect to READ",
           ring_call(r, EXO_OP_REGION_PROTECT, (uint64_t)h, EXO_PROT_READ, 0, 0, NULL), 0);
    ring_call(r, EXO_OP_CAP_INFO, (uint64_t)h, (uint64_t)(uintptr_t)&info, 0, 0, NULL);
    expect("... map_prot is READ", info.map_prot, EXO_PROT_READ);
    expect("... still readable", p[0] == 0x1122334455667788ull, 1);
    expect_same("region_protect WRITE|EXEC",
                ring_call(r, EXO_OP_REGION_PROTECT, (uint64_t)h, EXO_PROT_WRITE | EXO_PROT_EXEC, 0,
                          0, NULL),
                region_protect((exo_handle_t)h, EXO_PROT_WRITE | EXO_PROT_EXEC), ERR_PERM);
    expect_same("region_protect EXEC (not a right of the cap)",
                ring_call(r, EXO_OP_REGION_PROTECT, (uint64_t)h, EXO_PROT_EXEC, 0, 0, NULL),
                region_protect((exo_handle_t)h, EXO_PROT_EXEC), ERR_RIGHTS);
    expect_same("region_protect to 0",
                ring_call(r, EXO_OP_REGION_PROTECT, (uint64_t)h, 0, 0, 0, NULL),
                region_protect((exo_handle_t)h, 0), ERR_INVALID);
    expect("region_protect back to READ|WRITE",
           ring_call(r, EXO_OP_REGION_PROTECT, (uint64_t)h, RW, 0, 0, NULL), 0);
    p[1] = 7;
    expect("... writable again", p[1], 7);
    expect("region_unmap", ring_call(r, EXO_OP_REGION_UNMAP, (uint64_t)h, 0, 0, 0, NULL), 0);
    ring_call(r, EXO_OP_CAP_INFO, (uint64_t)h, (uint64_t)(uintptr_t)&info, 0, 0, NULL);
    expect("... cap_info: not mapped", info.mapped, 0);
    expect_same("region_unmap again", ring_call(r, EXO_OP_REGION_UNMAP, (uint64_t)h, 0, 0, 0, NULL),
                exo_region_unmap((exo_handle_t)h), ERR_STATE);
    expect_same("region_protect while unmapped",
                ring_call(r, EXO_OP_REGION_PROTECT, (uint64_t)h, EXO_PROT_READ, 0, 0, NULL),
                region_protect((exo_handle_t)h, EXO_PROT_READ), ERR_STATE);
    expect("region_map READ|WRITE", ring_call(r, EXO_OP_REGION_MAP, (uint64_t)h, RW, 0, 0, NULL),
           0);
    expect("... the contents are still there", p[0] == 0x1122334455667788ull && p[1] == 7, 1);
    expect_same("region_map again", ring_call(r, EXO_OP_REGION_MAP, (uint64_t)h, RW, 0, 0, NULL),
                exo_region_map((exo_handle_t)h, RW), ERR_STATE);
    expect("region_free", ring_call(r, EXO_OP_REGION_FREE, (uint64_t)h, 0, 0, 0, NULL), 0);
    expect_same("cap_info of the freed region",
                ring_call(r, EXO_OP_CAP_INFO, (uint64_t)h, (uint64_t)(uintptr_t)&info, 0, 0, NULL),
                exo_cap_info((exo_handle_t)h, &info), ERR_STALE);
    expect("region_free again", ring_call(r, EXO_OP_REGION_FREE, (uint64_t)h, 0, 0, 0, NULL),
           ERR_STALE);
}

static int64_t ring_create(exo_handle_t mem, exo_ring_params_t *p) {
    return exo_trap(SYS_RING_CREATE, mem, (uint64_t)(uintptr_t)p, 0, 0, 0);
}

/* Bad ring traps, and bad parameters that must leave nothing behind. */
static void errors_traps(exo_ring_t *r) {
    exo_handle_t con = exo_console_cap(), mem = exo_memory_cap();
    expect("ring_enter with flag 4", exo_ring_enter(r->handle, 0, 0, 4), ERR_INVALID);
    expect("ring_enter with flag 1<<31", exo_ring_enter(r->handle, 0, 0, 1u << 31), ERR_INVALID);
    expect("ring_enter with to_submit 2^32",
           exo_trap(SYS_RING_ENTER, r->handle, 1ull << 32, 0, 0, 0), ERR_INVALID);
    expect("ring_enter on the console", exo_ring_enter(con, 0, 0, 0), ERR_WRONG_TYPE);
    expect("ring_enter on a forged handle", exo_ring_enter(BOGUS_HANDLE, 0, 0, 0), ERR_BAD_HANDLE);
    expect("ring_enter on the ring's memory cap", exo_ring_enter(r->region, 0, 0, 0),
           ERR_WRONG_TYPE);
    expect("ring_enter waiting for more than the CQ holds",
           exo_ring_enter(r->handle, 0, r->cq_entries + 1, EXO_ENTER_GETEVENTS), ERR_INVALID);
    expect("ring_enter with nothing to do", exo_ring_enter(r->handle, 0, 0, 0), 0);

    exo_sysinfo_t before, after;
    exo_sysinfo(&before);
    static exo_ring_params_t p;
    struct {
        const char *what;
        exo_ring_params_t p;
        status_t want;
    } cases[] = {
        {"ring_create with 3 SQEs", {.sq_entries = 3}, ERR_INVALID},
        {"ring_create with 0 SQEs", {.sq_entries = 0}, ERR_INVALID},
        {"ring_create with 8192 SQEs", {.sq_entries = 8192}, ERR_INVALID},
        {"ring_create with a CQ smaller than the SQ",
         {.sq_entries = 8, .cq_entries = 4},
         ERR_INVALID},
        {"ring_create with 12 CQEs", {.sq_entries = 8, .cq_entries = 12}, ERR_INVALID},
        {"ring_create with flag 2", {.sq_entries = 8, .flags = 2}, ERR_INVALID},
        {"ring_create with base set", {.sq_entries = 8, .base = 4096}, ERR_INVALID},
        {"ring_create with reserved[2] set", {.sq_entries = 8, .reserved = {0, 0, 1}}, ERR_INVALID},
        {"ring_create with sq_idle_us 2 s",
         {.sq_entries = 8, .flags = EXO_RING_SQPOLL, .sq_idle_us = 2000000},
         ERR_RANGE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        p = cases[i].p;
        expect(cases[i].what, ring_create(mem, &p), cases[i].want);
    }
    p = (exo_ring_params_t){.sq_entries = 8};
    expect("ring_create paid by the console", ring_create(con, &p), ERR_WRONG_TYPE);
    expect("ring_create paid by a forged handle", ring_create(BOGUS_HANDLE, &p), ERR_BAD_HANDLE);
    expect("ring_create with params at a kernel address",
           exo_trap(SYS_RING_CREATE, mem, KERNEL_PTR, 0, 0, 0), ERR_FAULT);
    static const exo_ring_params_t ro = {.sq_entries = 8}; /* valid, but read-only */
    expect("ring_create with params in read-only memory",
           exo_trap(SYS_RING_CREATE, mem, (uint64_t)(uintptr_t)&ro, 0, 0, 0), ERR_FAULT);
    int64_t m = exo_memory_split(mem, 8192);
    expect("ring_create paid by a memory cap of 8 KiB", ring_create((exo_handle_t)m, &p),
           ERR_QUOTA);
    exo_cap_delete((exo_handle_t)m);
    exo_sysinfo(&after);
    char got[160];
    fmt_snprintf(got, sizeof(got), "rings %ld, regions %ld, caps %ld, heap objects %ld",
                 (int64_t)(after.rings - before.rings), (int64_t)(after.regions - before.regions),
                 (int64_t)(after.caps - before.caps),
                 (int64_t)(after.heap_objects - before.heap_objects));
    verdict(after.rings == before.rings && after.regions == before.regions &&
                after.caps == before.caps && after.heap_objects == before.heap_objects,
            "the refused creates left nothing (after - before)", got,
            "rings 0, regions 0, caps 0, heap objects 0");

    /* A ring closed with a timeout in flight, then used through its stale handle. */
    exo_ring_t r2;
    if (ring_open(&r2, 4, 0)) {
        exo_handle_t h = r2.handle;
        sqe_op(&r2, EXO_OP_TIMEOUT, 0, 1, 10000 * MS, 0, 0, 0);
        submit_n(&r2, 1);
        exo_ring_exit(&r2);
        expect("ring_enter on a deleted ring", exo_ring_enter(h, 0, 0, 0), ERR_STALE);
        for (uint64_t t0 = exo_clock_ns(); exo_clock_ns() - t0 < 1000 * MS;) {
            exo_sysinfo(&after);
            if (after.rings == before.rings) {
                break;
            }
            exo_yield(0);
        }
        expect("rings live after closing one with a 10 s timeout in flight, vs before",
               (int64_t)(after.rings - before.rings), 0);
    }
}

/* A corrupt sq_tail (more than a ring ahead of sq_head): refused, nothing taken; the app
 * repairs it and goes on. */
static void errors_corrupt_tail(exo_ring_t *r) {
    uint32_t head = load32(&r->hdr->sq_head);
    __atomic_store_n(&r->hdr->sq_tail, head + r->sq_entries + 5, __ATOMIC_RELEASE);
    int64_t st = exo_ring_enter(r->handle, 1, 0, polled ? EXO_ENTER_SQ_WAKEUP : 0);
    if (polled) {
        /* The poller parks on it; ring_enter itself does not look at the SQ. */
        pause_ms(20);
        char got[96];
        fmt_snprintf(got, sizeof(got), "ring_enter %s, sq_head +%u, NEED_WAKEUP %s",
                     status_str((status_t)st), load32(&r->hdr->sq_head) - head,
                     load32(&r->hdr->flags) & EXO_RING_NEED_WAKEUP ? "set" : "clear");
        verdict(load32(&r->hdr->sq_head) == head && (load32(&r->hdr->flags) & EXO_RING_NEED_WAKEUP),
                "sq_tail a ring + 5 ahead", got, "sq_head +0, NEED_WAKEUP set");
        exo_printf("ringtest: note: SQPOLL ring_enter on a corrupt sq_tail returned %s\n",
                   status_str((status_t)st));
    } else {
        expect("ring_enter with sq_tail a ring + 5 ahead", st, ERR_RANGE);
        expect("... nothing taken (sq_head)", load32(&r->hdr->sq_head) - head, 0);
    }
    __atomic_store_n(&r->hdr->sq_tail, r->sq_tail, __ATOMIC_RELEASE);
    expect("sq_tail repaired: a nop", ring_call(r, EXO_OP_NOP, 0, 0, 0, 0, NULL), 0);
}

static void test_errors(void) {
    exo_ring_t r;
    if (!ring_open(&r, 16, 0)) {
        return;
    }
    errors_sqe_fields(&r);
    errors_vs_traps(&r);
    errors_caps(&r);
    errors_region(&r);
    errors_traps(&r);
    errors_corrupt_tail(&r);
    expect("CQEs left over", exo_ring_cq_ready(&r), 0);
    exo_ring_exit(&r);
}

/* ---- wait: child domains ---- */

static int64_t child(const char *args) {
    char name[16];
    size_t n = 0;
    while (args[n] && args[n] != ' ' && n + 1 < sizeof(name)) {
        name[n] = args[n];
        n++;
    }
    name[n] = '\0';
    int64_t h = exo_domain_start(name, args, NULL);
    if (h < 0) {
        expect(args, h, 1);
    }
    return h;
}

static void test_wait(void) {
    exo_ring_t r;
    if (!ring_open(&r, 16, 0)) {
        return;
    }
    int64_t h = child("true");
    if (h > 0) {
        expect("wait for true", ring_call(&r, EXO_OP_WAIT, (uint64_t)h, 0, 0, 0, NULL), 0);
        expect("wait for it again (ended)", ring_call(&r, EXO_OP_WAIT, (uint64_t)h, 0, 0, 0, NULL),
               0);
        expect("... and the trap", exo_domain_wait((exo_handle_t)h), 0);
        int64_t d = exo_cap_derive((exo_handle_t)h, CAP_RIGHT_DOMAIN_KILL);
        expect_same("wait through a cap without DOMAIN_WAIT",
                    ring_call(&r, EXO_OP_WAIT, (uint64_t)d, 0, 0, 0, NULL),
                    exo_domain_wait((exo_handle_t)d), ERR_RIGHTS);
        exo_cap_delete((exo_handle_t)d);
        exo_cap_delete((exo_handle_t)h);
        expect("wait through the deleted handle",
               ring_call(&r, EXO_OP_WAIT, (uint64_t)h, 0, 0, 0, NULL), ERR_STALE);
    }
    h = child("ringtest exit 42");
    if (h > 0) {
        expect("wait for a child exiting 42",
               ring_call(&r, EXO_OP_WAIT, (uint64_t)h, 0, 0, 0, NULL), 42);
        exo_cap_delete((exo_handle_t)h);
    }
    /* Waits in flight: a nop overtakes them; two on the same child both get its status. */
    h = child("ringtest sleep 150 7");
    if (h > 0) {
        uint64_t t0 = exo_clock_ns();
        sqe_op(&r, EXO_OP_WAIT, 0, 1, (uint64_t)h, 0, 0, 0);
        sqe_op(&r, EXO_OP_WAIT, 0, 2, (uint64_t)h, 0, 0, 0);
        sqe_op(&r, EXO_OP_NOP, 0, 3, 0, 0, 0, 0);
        submit_n(&r, 3);
        exo_cqe_t a = next_cqe(&r), b = next_cqe(&r), c = next_cqe(&r);
        uint64_t ms = (exo_clock_ns() - t0) / MS;
        char got[96];
        fmt_snprintf(got, sizeof(got), "%lu:%ld %lu:%ld %lu:%ld after %lu ms", a.user_data, a.res,
                     b.user_data, b.res, c.user_data, c.res, ms);
        verdict(a.user_data == 3 && a.res == 0 && b.res == 7 && c.res == 7 &&
                    b.user_data + c.user_data == 3 && ms >= 100,
                "two waits for a child sleeping 150 ms exiting 7, then a nop", got,
                "3:0 first, then 1:7 and 2:7 after >= 150 ms");
        exo_cap_delete((exo_handle_t)h);
    }
    h = child("ringtest sleep 400 5");
    if (h > 0) {
        uint64_t t0 = exo_clock_ns();
        sqe_op(&r, EXO_OP_WAIT, EXO_SQE_LINK, 1, (uint64_t)h, 0, 0, 0);
        sqe_op(&r, EXO_OP_LINK_TIMEOUT, 0, 2, 30 * MS, 0, 0, 0);
        submit_n(&r, 2);
        const want_t w[] = {{1, ERR_CANCELED}, {2, ERR_TIMEOUT}};
        bool ok = expect_cqes(&r, "wait -> link_timeout(30ms) on a child sleeping 400 ms", w, 2);
        uint64_t ms = (exo_clock_ns() - t0) / MS;
        char got[32];
        fmt_snprintf(got, sizeof(got), "%lu ms", ms);
        verdict(ok && ms < 300, "... cut short", got, "< 300 ms");
        expect("... the child still ends with 5", exo_domain_wait((exo_handle_t)h), 5);
        exo_cap_delete((exo_handle_t)h);
    }
    h = child("ringtest sleep 10000 0");
    if (h > 0) {
        sqe_op(&r, EXO_OP_WAIT, 0, 1, (uint64_t)h, 0, 0, 0);
        submit_n(&r, 1);
        pause_ms(20);
        expect("kill the child waited for", exo_domain_kill((exo_handle_t)h), 0);
        const want_t w[] = {{1, EXO_EXIT_KILLED}};
        expect_cqes(&r, "wait for a killed child", w, 1);
        exo_cap_delete((exo_handle_t)h);
    }
    /* A ring closed while a wait is in flight: the child ends later, nothing leaks. */
    exo_ring_t r2;
    exo_sysinfo_t before, after;
    exo_sysinfo(&before); /* before the child: it has a ring of its own */
    h = child("ringtest sleep 100 3");
    if (h > 0 && ring_open(&r2, 4, 0)) {
        sqe_op(&r2, EXO_OP_WAIT, 0, 1, (uint64_t)h, 0, 0, 0);
        submit_n(&r2, 1);
        pause_ms(10);
        exo_ring_exit(&r2);
        expect("a child waited for by a closed ring ends", exo_domain_wait((exo_handle_t)h), 3);
        for (uint64_t t0 = exo_clock_ns(); exo_clock_ns() - t0 < 1000 * MS;) {
            exo_sysinfo(&after);
            if (after.rings == before.rings) {
                break;
            }
            exo_yield(0);
        }
        expect("... rings live, vs before", (int64_t)(after.rings - before.rings), 0);
        exo_cap_delete((exo_handle_t)h);
    }
    expect("CQEs left over", exo_ring_cq_ready(&r), 0);
    exo_ring_exit(&r);
}

/* A child for test_wait: sleeps on a ring timeout, then exits with status. */
static int child_sleep(uint64_t ms, int status) {
    exo_ring_t r;
    if (exo_ring_init(&r, 1, 0) < 0) {
        return 100;
    }
    exo_prep_timeout(exo_ring_get_sqe(&r), ms * MS);
    exo_cqe_t *c;
    exo_ring_submit(&r);
    if (exo_ring_wait_cqe(&r, &c) != STATUS_OK || c->res != 0) {
        return 101;
    }
    exo_ring_exit(&r);
    return status;
}

int main(int argc, char **argv) {
    mode = argc > 1 ? argv[1] : "nops";
    polled = argc > 2 && strcmp(argv[argc - 1], "poll") == 0;
    if (strcmp(mode, "exit") == 0) {
        return argc > 2 ? (int)exo_parse_u64(argv[2]) : 0;
    }
    if (strcmp(mode, "sleep") == 0) {
        return child_sleep(argc > 2 ? exo_parse_u64(argv[2]) : 0,
                           argc > 3 ? (int)exo_parse_u64(argv[3]) : 0);
    }
    if (strcmp(mode, "nops") == 0) {
        test_nops(argc > 2 ? exo_parse_u64(argv[2]) : 100000);
        if (polled) {
            test_nops_parking(20000);
        }
    } else if (strcmp(mode, "timeouts") == 0) {
        test_timeouts();
    } else if (strcmp(mode, "link") == 0) {
        test_link();
    } else if (strcmp(mode, "backpressure") == 0) {
        test_backpressure();
    } else if (strcmp(mode, "errors") == 0) {
        test_errors();
    } else if (strcmp(mode, "wait") == 0) {
        test_wait();
    } else {
        exo_printf("ringtest: unknown mode %s\n", mode);
        return 2;
    }
    return summary() ? 1 : 0;
}
