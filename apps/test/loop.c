/*
 * loop: runs until something kills it, sleeping 100 ms a round in a ring timeout, so the
 * watchdog never ends it (it suspends) and it costs almost no CPU. The shell's test runs
 * it in the foreground (Ctrl-C) and in the background (ps, kill), and as a stand-in service.
 * "loop N" ends by itself after N rounds with status 0.
 */
#include <user/exo.h>
#include <user/ring.h>

int main(int argc, char **argv) {
    uint64_t rounds = argc > 1 ? exo_parse_u64(argv[1]) : 0;
    exo_ring_t ring;
    int64_t st = exo_ring_init(&ring, 1, 0);
    if (st < 0) {
        exo_printf("loop: no ring: %s\n", status_str((status_t)st));
        return 1;
    }
    if (rounds) {
        exo_printf("loop: domain %lu running for %lu rounds of 100 ms\n",
                   exo_start_info()->domain_id, rounds);
    } else {
        exo_printf("loop: domain %lu running until killed\n", exo_start_info()->domain_id);
    }
    for (uint64_t i = 0; rounds == 0 || i < rounds; i++) {
        exo_sqe_t *sqe = exo_ring_get_sqe(&ring);
        exo_prep_timeout(sqe, 100 * 1000000ull);
        exo_cqe_t *cqe;
        st = exo_ring_submit_and_wait(&ring, 1);
        if (st < 0 || exo_ring_wait_cqe(&ring, &cqe) < 0) {
            exo_printf("loop: waiting failed\n");
            return 1;
        }
        exo_ring_cqe_seen(&ring, cqe);
    }
    return 0;
}
