/*
 * bench: the benchmark suite's Exospace side (docs/performance.md). It runs each workload
 * for a fixed count, a warm-up round and then several timed rounds, and prints one line
 * per workload (suite.h): `bench: NAME min=N median=N unit=ticks count=N rounds=N`. Under
 * QEMU's -icount mode (scripts/bench) a tick is one retired guest instruction; the Linux
 * twin (apps/bench/linux/twin.c) runs the same schedule under Debian's kernel.
 *
 *   bench [quick] [rounds=N] [div=N] [NAME-PREFIX...]    (suite.h)
 *   bench server                                          the IPC partner (suite_ipc.c)
 *
 * Workloads, each against its twin:
 *   null_entry          ring_enter with nothing to do       getppid()
 *   null_trap           SYS_NULL (no twin: for scale)
 *   ring_nop.bB         nops in batches of B (1, 8, 64)     io_uring IORING_OP_NOP
 *   ring_nop.poll.bB    the same on an SQPOLL ring          IORING_SETUP_SQPOLL
 *   ipc_rtt.1B, .128B   call/reply to another domain        pipe ping-pong, two processes
 *   move.4KiB, .2MiB    a region moved there and back       written and read through pipes
 *   cont_spawn_join     continuation spawn + join           pthread_create + join
 *   app_spawn_wait      start `true` + wait                 posix_spawn + waitpid
 * Per operation: a nop, a round trip, a spawn and its join or wait.
 */
#include "suite_exo.h"

static int failures;

static const char *why(int64_t err) {
    return status_str((status_t)err);
}

static void run(const suite_opts_t *o, const char *name, uint32_t count, uint32_t align,
                suite_round_fn *fn, void *state) {
    failures += !suite_run(o, name, count, align, fn, state, why);
}

static void setup_failed(const char *what, int64_t st) {
    exo_printf("bench: %s failed: %s\n", what, why(st));
    failures++;
}

static void run_rings(const suite_opts_t *o) {
    static const uint32_t batches[] = {1, 8, 64};
    char name[32];
    for (int polled = 0; polled < 2; polled++) {
        ring_state_t rs;
        int64_t st = ring_state_init(&rs, polled);
        if (st < 0) {
            setup_failed(polled ? "ring_nop.poll" : "ring_nop", st);
            continue;
        }
        if (!polled) {
            run(o, "null_entry", SUITE_N_NULL, 1, round_null_entry, &rs);
            run(o, "null_trap", SUITE_N_NULL, 1, round_null_trap, NULL);
        }
        for (uint32_t i = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
            rs.batch = batches[i];
            fmt_snprintf(name, sizeof(name), "ring_nop.%sb%u", polled ? "poll." : "", batches[i]);
            run(o, name, SUITE_N_NOP, SUITE_SQ_ENTRIES, round_nops, &rs);
        }
        exo_ring_exit(&rs.ring);
    }
}

static void run_ipc(const suite_opts_t *o) {
    if (!suite_selected(o, "ipc_rtt") && !suite_selected(o, "move")) {
        return;
    }
    ipc_state_t s = {0};
    int64_t st = ipc_server_start(&s);
    if (st < 0) {
        setup_failed("ipc server start", st);
        return;
    }
    s.len = 1;
    run(o, "ipc_rtt.1B", SUITE_N_RTT, 1, round_ipc_rtt, &s);
    s.len = EXO_MSG_DATA;
    run(o, "ipc_rtt.128B", SUITE_N_RTT, 1, round_ipc_rtt, &s);
    static const struct {
        const char *name;
        uint64_t size;
        uint32_t count;
    } moves[] = {{"move.4KiB", 4096, SUITE_N_MOVE_4K}, {"move.2MiB", 2u << 20, SUITE_N_MOVE_2M}};
    for (uint32_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
        if (!suite_selected(o, moves[i].name)) {
            continue;
        }
        st = ipc_move_setup(&s, moves[i].size);
        if (st < 0) {
            setup_failed(moves[i].name, st);
            continue;
        }
        run(o, moves[i].name, moves[i].count, 1, round_move, &s);
        ipc_move_done(&s);
    }
    st = ipc_server_stop(&s);
    if (st != 0) {
        setup_failed("ipc server end", st < 0 ? st : ERR_STATE);
    }
}

static void run_spawns(const suite_opts_t *o) {
    exo_ring_t ring;
    int64_t st = spawn_state_init(&ring);
    if (st < 0) {
        setup_failed("cont_spawn_join", st);
    } else {
        run(o, "cont_spawn_join", SUITE_N_CONT, 1, round_cont_spawn_join, &ring);
        exo_ring_exit(&ring);
    }
    run(o, "app_spawn_wait", SUITE_N_APP, 1, round_app_spawn_wait, NULL);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "server") == 0) {
        return ipc_server_main();
    }
    suite_opts_t o;
    if (!suite_parse(&o, argc, argv, 1)) {
        return 2;
    }
    exo_printf("bench: suite exospace rounds=%u div=%u\n", o.rounds, o.div);
    run_rings(&o);
    run_ipc(&o);
    run_spawns(&o);
    exo_printf("bench: done, %d failure(s)\n", failures);
    return failures ? 1 : 0;
}
