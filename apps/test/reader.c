/*
 * reader: one of the three domains sharer revokes a region from (init's "revoke"
 * scenario). Started as "reader I RBASE BOARDBASE" with a read-only copy of sharer's
 * region R at RBASE and a read-write copy of its board at BOARDBASE, it keeps checking R's
 * pattern and posting a heartbeat (count and core) in board slot I, yielding only every
 * READER_SLICE_MS of spinning. Its end is the test: the revoke must kill it on its next
 * read of R (status EXO_EXIT_FAULT). Exit 2: R's pattern was wrong; 3: never revoked.
 */
#include <user/exo.h>

/* Shared with sharer.c: keep both in step. */
#define SHARED_BYTES (64 * 1024)
#define READERS 3
#define READER_SLICE_MS 50  /* spinning between yields (the test watchdog is 500 ms) */
#define READER_LIFE_MS 5000 /* then it gives up: never revoked */

typedef struct beat {
    volatile uint64_t count; /* heartbeats so far (written last) */
    volatile uint64_t cpu;   /* the core of the latest one */
    uint64_t pad[6];         /* one cache line each */
} beat_t;

static uint64_t pattern(uint64_t i) {
    return (i + 1) * 0x9e3779b97f4a7c15ull;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        exo_printf("reader: usage: reader I RBASE BOARDBASE\n");
        return 4;
    }
    uint64_t me = exo_parse_u64(argv[1]);
    const volatile uint64_t *data = (const volatile uint64_t *)(uintptr_t)exo_parse_u64(argv[2]);
    beat_t *board = (beat_t *)(uintptr_t)exo_parse_u64(argv[3]);
    if (me >= READERS) {
        return 4;
    }
    beat_t *slot = &board[me];
    uint64_t start = exo_clock_ns(), last_yield = start;
    for (uint64_t n = 1;; n++) {
        for (uint64_t i = 0; i < SHARED_BYTES / 8; i++) {
            if (data[i] != pattern(i)) {
                exo_printf("reader %lu: word %lu is 0x%lx, not 0x%lx\n", me, i, data[i],
                           pattern(i));
                return 2;
            }
        }
        slot->cpu = exo_cpu();
        slot->count = n;
        uint64_t now = exo_clock_ns();
        if (now - start > READER_LIFE_MS * 1000000ull) {
            exo_printf("reader %lu: still holding the region after %u ms\n", me, READER_LIFE_MS);
            return 3;
        }
        if (now - last_yield >= READER_SLICE_MS * 1000000ull) {
            exo_yield(0);
            last_yield = exo_clock_ns();
        }
    }
}
