/*
 * ringtest: the rings from an app's side (docs/rings.md). Each mode prints one PASS or
 * FAIL line and the app exits non-zero on any failure:
 *   ringtest nops N [poll]   N nops in batches, each completing exactly once
 *   ringtest timeouts [poll] timeouts of decreasing length complete in deadline order
 */
#include <user/exo.h>
#include <user/ring.h>

static int failures;

static void check(bool ok, const char *what) {
    exo_printf("ringtest: %s: %s\n", what, ok ? "PASS" : "FAIL");
    failures += !ok;
}

static int64_t setup(exo_ring_t *r, uint32_t entries, bool poll) {
    int64_t h = exo_ring_init(r, entries, poll ? EXO_RING_SQPOLL : 0);
    if (h < 0) {
        exo_printf("ringtest: ring_create: %s\n", status_str((status_t)h));
    }
    return h;
}

static void test_nops(uint64_t n, bool poll) {
    exo_ring_t r;
    if (setup(&r, 64, poll) < 0) {
        failures++;
        return;
    }
    static uint8_t seen[1 << 20];
    uint64_t cap = n < sizeof(seen) * 8 ? n : sizeof(seen) * 8;
    uint64_t submitted = 0, completed = 0, bad = 0, dup = 0;
    while (completed < n) {
        exo_sqe_t *s;
        while (submitted < n && (s = exo_ring_get_sqe(&r)) != NULL) {
            exo_prep_nop(s);
            exo_sqe_set_data(s, submitted++);
        }
        int64_t st = exo_ring_submit_and_wait(&r, 1);
        if (st < 0 && st != ERR_BUSY) {
            exo_printf("ringtest: submit: %s\n", status_str((status_t)st));
            bad++;
            break;
        }
        exo_cqe_t *c;
        while (exo_ring_peek_cqe(&r, &c) == STATUS_OK) {
            uint64_t id = c->user_data;
            if (c->res != 0 || id >= submitted) {
                bad++;
            } else if (id < cap) {
                if (seen[id / 8] & (1u << (id % 8))) {
                    dup++;
                }
                seen[id / 8] |= (uint8_t)(1u << (id % 8));
            }
            completed++;
            exo_ring_cqe_seen(&r, c);
        }
    }
    uint64_t missing = 0;
    for (uint64_t i = 0; i < cap; i++) {
        missing += !(seen[i / 8] & (1u << (i % 8)));
    }
    exo_printf("ringtest: %lu nops (%s): %lu completed, %lu missing, %lu twice, %lu bad\n", n,
               poll ? "polled" : "trap", completed, missing, dup, bad);
    check(completed == n && missing == 0 && dup == 0 && bad == 0, "nops exactly once");
    exo_ring_exit(&r);
}

static void test_timeouts(bool poll) {
    exo_ring_t r;
    if (setup(&r, 16, poll) < 0) {
        failures++;
        return;
    }
    const int n = 5;
    for (int i = 0; i < n; i++) { /* submitted longest first */
        exo_sqe_t *s = exo_ring_get_sqe(&r);
        exo_prep_timeout(s, (uint64_t)(n - i) * 20000000ull);
        exo_sqe_set_data(s, (uint64_t)(n - i));
    }
    uint64_t t0 = exo_clock_ns();
    exo_ring_submit(&r);
    bool ordered = true;
    for (int i = 1; i <= n; i++) {
        exo_cqe_t *c;
        int64_t st = exo_ring_wait_cqe(&r, &c);
        if (st != STATUS_OK || c->user_data != (uint64_t)i || c->res != 0 ||
            exo_clock_ns() - t0 < (uint64_t)i * 20000000ull) {
            ordered = false;
        }
        if (st == STATUS_OK) {
            exo_ring_cqe_seen(&r, c);
        }
    }
    check(ordered, poll ? "timeouts in order (polled)" : "timeouts in order (trap)");
    exo_ring_exit(&r);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "nops";
    bool poll = argc > 1 && strcmp(argv[argc - 1], "poll") == 0;
    if (strcmp(mode, "nops") == 0) {
        test_nops(argc > 2 ? exo_parse_u64(argv[2]) : 100000, poll);
    } else if (strcmp(mode, "timeouts") == 0) {
        test_timeouts(poll);
    } else {
        exo_printf("ringtest: unknown mode %s\n", mode);
        return 2;
    }
    return failures ? 1 : 0;
}
