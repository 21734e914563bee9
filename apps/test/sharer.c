/*
 * sharer: revoke across three domains (init's "revoke" scenario). It shares a 64 KiB
 * region R, read-only, with three readers (apps/test/reader.c) that keep reading it on
 * whatever cores they run on, then revokes R: the call must delete the three copies and
 * return only once no reader can read R any more, so each is killed by a fault on its next
 * read (EXO_EXIT_FAULT), while sharer's own mapping keeps working (sharer then changes R:
 * a reader that still saw it would end with 2 instead). Prints one line
 *   sharer: revoke deleted N caps; readers ended S1 S2 S3; K of 3 were running on another
 *   core: PASS|FAIL
 * (K is informative: how many readers were running elsewhere when R was revoked.)
 */
#include <user/exo.h>

/* Shared with reader.c: keep both in step. */
#define SHARED_BYTES (64 * 1024)
#define READERS 3

typedef struct beat {
    volatile uint64_t count; /* heartbeats so far (written last) */
    volatile uint64_t cpu;   /* the core of the latest one */
    uint64_t pad[6];         /* one cache line each */
} beat_t;

#define BOARD_BYTES 4096
#define START_TIMEOUT_MS 3000 /* for every reader's first heartbeat */
#define WATCH_MS 30           /* sharer spins this long before the revoke, */
#define WATCH_MAX_MS 200      /* or up to this long until a reader runs elsewhere */
#define MS 1000000ull

static uint64_t pattern(uint64_t i) {
    return (i + 1) * 0x9e3779b97f4a7c15ull;
}

static bool pattern_intact(const volatile uint64_t *data) {
    for (uint64_t i = 0; i < SHARED_BYTES / 8; i++) {
        if (data[i] != pattern(i)) {
            return false;
        }
    }
    return true;
}

static int64_t start_reader(int i, exo_handle_t r, uint64_t rbase, exo_handle_t board,
                            uint64_t bbase) {
    char args[80];
    fmt_snprintf(args, sizeof(args), "reader %d 0x%lx 0x%lx", i, rbase, bbase);
    exo_domain_spawn_t req = exo_spawn_request("reader", args);
    req.ncaps = 2;
    req.caps[0] = (exo_spawn_cap_t){.handle = r, .rights = CAP_RIGHT_READ};
    req.caps[1] = (exo_spawn_cap_t){.handle = board, .rights = CAP_RIGHT_READ | CAP_RIGHT_WRITE};
    exo_spawn_add_console(&req, CAP_RIGHT_WRITE);
    return exo_domain_spawn(&req);
}

static bool all_beating(const beat_t *board) {
    for (int i = 0; i < READERS; i++) {
        if (board[i].count == 0) {
            return false;
        }
    }
    return true;
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    exo_handle_t mem = exo_memory_cap();
    void *rp = NULL, *bp = NULL;
    int64_t r = exo_region_alloc_cap(mem, SHARED_BYTES, EXO_PROT_READ | EXO_PROT_WRITE, &rp);
    int64_t b = exo_region_alloc_cap(mem, BOARD_BYTES, EXO_PROT_READ | EXO_PROT_WRITE, &bp);
    if (r < 0 || b < 0) {
        exo_printf("sharer: cannot allocate the regions: %s\n",
                   status_str((status_t)(r < 0 ? r : b)));
        return 1;
    }
    volatile uint64_t *data = rp;
    beat_t *board = bp;
    for (uint64_t i = 0; i < SHARED_BYTES / 8; i++) {
        data[i] = pattern(i);
    }
    memset(board, 0, BOARD_BYTES);

    bool ok = true;
    int64_t dom[READERS];
    for (int i = 0; i < READERS; i++) {
        dom[i] = start_reader(i, (exo_handle_t)r, (uint64_t)(uintptr_t)rp, (exo_handle_t)b,
                              (uint64_t)(uintptr_t)bp);
        if (dom[i] < 0) {
            exo_printf("sharer: cannot start reader %d: %s\n", i, status_str((status_t)dom[i]));
            ok = false;
        }
        exo_yield(0); /* making a domain is slow under emulation: mind the watchdog */
    }

    uint64_t deadline = exo_clock_ns() + START_TIMEOUT_MS * MS;
    while (!all_beating(board) && exo_clock_ns() < deadline) {
        exo_yield(0);
    }
    if (!all_beating(board)) {
        exo_printf("sharer: not every reader started within %u ms\n", START_TIMEOUT_MS);
        ok = false;
    }

    /* Watch the readers run for a while without yielding: those whose heartbeat moves
     * meanwhile run on another core. With one core none can; on a loaded host a vCPU may
     * stall, so the watch goes on (within the watchdog's budget) until one is seen. */
    uint64_t before[READERS];
    for (int i = 0; i < READERS; i++) {
        before[i] = board[i].count;
    }
    uint64_t t0 = exo_clock_ns();
    uint32_t mine = exo_cpu();
    int elsewhere = 0;
    for (uint64_t t = t0; t - t0 < WATCH_MS * MS || (elsewhere == 0 && t - t0 < WATCH_MAX_MS * MS);
         t = exo_clock_ns()) {
        elsewhere = 0;
        for (int i = 0; i < READERS; i++) {
            elsewhere += board[i].count != before[i] && board[i].cpu != mine;
        }
    }
    exo_printf("sharer: on core %u; readers' heartbeats %lu %lu %lu on cores %lu %lu %lu\n", mine,
               board[0].count, board[1].count, board[2].count, board[0].cpu, board[1].cpu,
               board[2].cpu);

    int64_t deleted = exo_cap_revoke((exo_handle_t)r);
    ok = ok && deleted == READERS;
    bool intact = pattern_intact(data);
    if (!intact) {
        exo_printf("sharer: R's pattern changed under its own mapping\n");
        ok = false;
    }
    /* The revoke has returned: no reader may see this (one that does ends with 2). */
    for (uint64_t i = 0; i < SHARED_BYTES / 8; i++) {
        data[i] = ~pattern(i);
    }

    int64_t status[READERS];
    for (int i = 0; i < READERS; i++) {
        status[i] = dom[i] < 0 ? dom[i] : exo_domain_wait((exo_handle_t)dom[i]);
        ok = ok && status[i] == EXO_EXIT_FAULT;
        if (dom[i] > 0) {
            exo_cap_delete((exo_handle_t)dom[i]);
        }
    }
    exo_cap_delete((exo_handle_t)r);
    exo_cap_delete((exo_handle_t)b);
    exo_printf("sharer: revoke deleted %ld caps; readers ended %ld %ld %ld; %d of 3 were running "
               "on another core: %s\n",
               deleted, status[0], status[1], status[2], elsewhere, ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
