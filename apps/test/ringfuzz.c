/*
 * ringfuzz: random SQEs against the kernel's ring code, for init's "rings" scenario.
 *   ringfuzz [SEED [N]]         the parent: for seeds SEED and SEED + 1 it takes exo_sysinfo,
 *                               runs a child, waits for it, deletes its handle and takes
 *                               exo_sysinfo again: every figure must be back where it was
 *   ringfuzz child SEED N       submits N random SQEs (xorshift from SEED) on a trap ring,
 *                               and for odd seeds on an SQPOLL ring too; reaps as it goes;
 *                               checks every SQE completed exactly once (SKIP_SUCCESS: at
 *                               most once, and only failing) and that SQEs with bad fields
 *                               got their specific error; now and then corrupts sq_tail
 *                               (ring_enter must say ERR_RANGE and take nothing)
 * Random: opcodes 0..30 (but not the continuation ops and console read, which would start
 * code at random addresses or wait for input), flags 0..15, handles (held, protected,
 * stale, forged, zero), pointers (a scratch region at random offsets, its own freed and
 * read-only regions, kernel, non-canonical, page 0, its code), sizes, rights, prot bits,
 * stray reserved fields and arguments, timeouts <= 1 ms. IPC ops get random handles,
 * pointers and flags; the child holds no endpoint, so they test the decode paths (the
 * rest is ipctest's). Handles the child lives by (its
 * image, stack, default caps, rings and their memory, the scratch region) are never given
 * to an op that deletes, revokes, unmaps or reprotects; console writes read only a buffer
 * of newlines or addresses that fault.
 */
#include <user/exo.h>
#include <user/ring.h>
#include <user/trap.h>

#define MS 1000000ul
#define MAX_SQES (1u << 18)
#define SCRATCH_SIZE (64u * 1024)

static int checks, failures;

static void verdict(bool ok, const char *what, const char *got, const char *want) {
    checks++;
    failures += !ok;
    exo_printf("ringfuzz: %s: %s (expected %s): %s\n", what, got, want, ok ? "PASS" : "FAIL");
    exo_yield(0);
}

/* ---- the child ---- */

static uint64_t rng;

static uint64_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint64_t below(uint64_t n) {
    return rnd() % n;
}

/* What the child knows of each SQE it sent (indexed by user_data). */
typedef struct sent {
    uint8_t op, flags;
    uint8_t cqes;     /* CQEs seen for it */
    int8_t field_err; /* the error its fields alone must give (0: none), as ERR_* */
    uint64_t a0;      /* for bookkeeping of deletes */
} sent_t;

static sent_t sent[MAX_SQES];

#define HELD_MAX 48
#define STALE_MAX 64
#define PROT_MAX 32
#define FREED_MAX 16

static exo_handle_t held[HELD_MAX]; /* caps the fuzz made (some may be stale by now) */
static int nheld;
static exo_handle_t stale[STALE_MAX];
static int nstale;
static exo_handle_t protect[PROT_MAX]; /* caps the child lives by */
static int nprotect;
static uint64_t fuzz_regions[FREED_MAX]; /* bases of regions the fuzz allocated */
static int nregions;

static uint8_t *scratch;  /* cap_info's target: nothing of ours lives there */
static char newlines[16]; /* what a console write may print */
static exo_handle_t scratch_cap;

typedef struct fring {
    exo_ring_t r;
    bool poll;
    uint32_t taken;        /* sq_head as last seen */
    uint32_t *slot_seq;    /* user_data of SQE i at [i % SEQ_SLOTS] (twice the SQ: see below) */
    uint8_t last_flags;    /* of the last SQE: did it leave a chain open? */
    uint64_t nonskip_live; /* taken, not SKIP_SUCCESS, no CQE yet: a CQE is sure to come */
} fring_t;

static fring_t rings[2];
static int nrings;
/* note_taken runs at least once between two batches and a batch is at most the SQ (32), so
 * with 64 slots an entry's seq is read before the entry 64 later overwrites it. */
#define SEQ_SLOTS 64
static uint32_t slot_seq_mem[2][SEQ_SLOTS];

static struct stats {
    uint64_t ok, canceled, errors, busy, waits, yields, corrupt, wrong, dup, skip_posted;
    uint64_t per_op_ok[32], per_op[32];
} st;

static bool is_protected(exo_handle_t h) {
    for (int i = 0; i < nprotect; i++) {
        if (protect[i] == h) {
            return true;
        }
    }
    return false;
}

static void add_protected(exo_handle_t h) {
    if (nprotect < PROT_MAX) {
        protect[nprotect++] = h;
    }
}

static void add_held(exo_handle_t h) {
    if (nheld < HELD_MAX) {
        held[nheld++] = h;
    } else {
        held[below(HELD_MAX)] = h; /* forget one (it stays in the table) */
    }
}

static void add_stale(exo_handle_t h) {
    for (int i = 0; i < nheld; i++) {
        if (held[i] == h) {
            held[i] = held[--nheld];
            break;
        }
    }
    if (nstale < STALE_MAX) {
        stale[nstale++] = h;
    } else {
        stale[below(STALE_MAX)] = h;
    }
}

/* A handle; destructive: the op may delete, revoke, unmap or reprotect what it names. */
static exo_handle_t pick_handle(bool destructive) {
    exo_handle_t h;
    switch (below(10)) {
    case 0:
    case 1:
    case 2:
    case 3:
        h = nheld ? held[below((uint64_t)nheld)] : 0;
        break;
    case 4:
    case 5:
        h = protect[below((uint64_t)nprotect)];
        break;
    case 6:
        h = nstale ? stale[below((uint64_t)nstale)] : 0;
        break;
    case 7: /* handle-shaped: a small index and a small generation */
        h = below(256) | ((1 + below(4)) << EXO_HANDLE_INDEX_BITS);
        break;
    case 8:
        h = rnd();
        break;
    default:
        h = below(3) ? 0 : ~0ull;
        break;
    }
    return destructive && is_protected(h) ? 0 : h;
}

/* A pointer the kernel may write 32 bytes to (cap_info), or one that must fault. */
static uint64_t pick_write_ptr(void) {
    switch (below(9)) {
    case 0:
    case 1:
    case 2:
        return (uint64_t)(uintptr_t)scratch + below(SCRATCH_SIZE - 64); /* any alignment */
    case 3:
        return nregions ? fuzz_regions[below((uint64_t)nregions)] + below(64) : 0;
    case 4:
        return 0xffff800000000000ull + below(1ull << 30);
    case 5:
        return 0x0000800000000000ull + below(4096); /* non-canonical */
    case 6:
        return below(8192); /* page 0 and 1 */
    case 7:
        return (uint64_t)(uintptr_t)&main & ~4095ull; /* our code: read-only */
    default:
        return rnd();
    }
}

/* A pointer for console_write: our newlines or an address that must fault; its length. */
static uint64_t pick_print_ptr(uint64_t *len) {
    switch (below(8)) {
    case 0:
        *len = below(sizeof(newlines) + 1);
        return (uint64_t)(uintptr_t)newlines;
    case 1:
        *len = 4097 + below(100000); /* ERR_TOO_BIG before the pointer is looked at */
        return (uint64_t)(uintptr_t)newlines;
    case 2:
        *len = 1 + below(64);
        return 0xffff800000000000ull + below(1ull << 30);
    case 3:
        *len = 1 + below(64);
        return 0x0000800000000000ull + below(4096); /* non-canonical */
    case 4:
        *len = 1 + below(64);
        return below(4096);
    case 5:
        *len = ~0ull - below(16);
        return (uint64_t)(uintptr_t)newlines;
    default:
        *len = 1 + below(64);
        return rnd() | (1ull << 63);
    }
}

/* The error the SQE's fields alone give (exo/ring.h: every unused field must be zero). */
static int64_t field_error(const exo_sqe_t *s) {
    if (s->opcode >= EXO_OP_COUNT) {
        return ERR_UNSUPPORTED;
    }
    if ((s->flags & ~EXO_SQE_FLAGS_ALL) || s->reserved0 || s->op_flags) {
        return ERR_INVALID;
    }
    for (unsigned i = exo_op_nargs(s->opcode); i < 6; i++) {
        if (s->arg[i]) {
            return ERR_INVALID;
        }
    }
    if ((s->opcode == EXO_OP_TIMEOUT || s->opcode == EXO_OP_LINK_TIMEOUT) &&
        s->arg[0] > 3600ull * 1000 * MS) {
        return ERR_RANGE;
    }
    return 0;
}

static uint8_t pick_opcode(void) {
    for (;;) {
        uint8_t op = (uint8_t)below(31);
        if (op != EXO_OP_CONT_SPAWN && op != EXO_OP_CONT_JOIN && op != EXO_OP_CONT_CANCEL &&
            op != EXO_OP_CONSOLE_READ) {
            return op;
        }
    }
}

static uint64_t pick_ns(void) {
    return below(8) ? below(1000001) : 3600ull * 1000 * MS + 1 + below(1000); /* refused */
}

static void fill(exo_sqe_t *s, uint64_t seq) {
    uint8_t op = pick_opcode();
    uint64_t len;
    s->opcode = op;
    s->flags = below(4) ? 0 : (uint8_t)below(16);
    s->user_data = seq;
    uint64_t *a = s->arg;
    switch (op) {
    case EXO_OP_TIMEOUT:
    case EXO_OP_LINK_TIMEOUT:
        a[0] = pick_ns();
        break;
    case EXO_OP_CAP_DERIVE:
        a[0] = pick_handle(false);
        a[1] = below(4) ? below(32) : below(2) ? below(0x800) : rnd();
        break;
    case EXO_OP_CAP_TRANSFER:
        a[0] = pick_handle(false);
        a[1] = pick_handle(true);
        a[2] = below(0x800);
        a[3] = below(4);
        break;
    case EXO_OP_CAP_DELETE:
    case EXO_OP_CAP_REVOKE:
    case EXO_OP_REGION_UNMAP:
    case EXO_OP_REGION_FREE:
        a[0] = pick_handle(true);
        break;
    case EXO_OP_CAP_INFO:
        a[0] = pick_handle(false);
        a[1] = pick_write_ptr();
        break;
    case EXO_OP_REGION_ALLOC:
        a[0] = pick_handle(false);
        a[1] = below(4) ? 1 + below(65536) : (uint64_t[]){0, 4096, 1ull << 40, ~0ull}[below(4)];
        a[2] = below(8);
        break;
    case EXO_OP_REGION_MAP:
        a[0] = pick_handle(false);
        a[1] = below(8);
        break;
    case EXO_OP_REGION_PROTECT:
        a[0] = pick_handle(true);
        a[1] = below(8);
        break;
    case EXO_OP_MEMORY_SPLIT:
        a[0] = pick_handle(false);
        a[1] = below(2) ? below(65536) : rnd();
        break;
    case EXO_OP_CONSOLE_WRITE:
        a[0] = pick_handle(false);
        a[1] = pick_print_ptr(&len);
        a[2] = len;
        break;
    case EXO_OP_WAIT:
        a[0] = pick_handle(false);
        break;
    case EXO_OP_IPC_SEND: /* no endpoint is held: the decode paths, never a wait */
    case EXO_OP_IPC_RECV:
    case EXO_OP_IPC_CALL:
        a[0] = pick_handle(false);
        a[1] = pick_write_ptr();
        a[2] = below(4);
        break;
    case EXO_OP_IPC_REPLY:
        a[0] = pick_handle(true);
        a[1] = pick_write_ptr();
        break;
    default: /* nop, unknown opcodes */
        break;
    }
    /* Now and then a field that must be zero is not. */
    switch (below(64)) {
    case 0:
        s->reserved0 = (uint16_t)(1 + below(0xffff));
        break;
    case 1:
        s->op_flags = (uint32_t)(1 + below(0xffffffff));
        break;
    case 2:
        a[5] = 1 + below(1000);
        break;
    case 3:
        a[below(6)] = rnd();
        break;
    default:
        break;
    }
    int64_t fe = field_error(s);
    sent[seq] = (sent_t){.op = op, .flags = s->flags, .field_err = (int8_t)fe, .a0 = a[0]};
}

/* Takes note of SQEs the kernel took since we last looked (their CQEs are sure to come,
 * but for SKIP_SUCCESS). */
static void note_taken(fring_t *f) {
    uint32_t head = __atomic_load_n(&f->r.hdr->sq_head, __ATOMIC_ACQUIRE);
    for (; f->taken != head; f->taken++) {
        uint64_t seq = f->slot_seq[f->taken % SEQ_SLOTS];
        f->nonskip_live += !(sent[seq].flags & EXO_SQE_SKIP_SUCCESS);
    }
}

static void on_cqe(fring_t *f, const exo_cqe_t *c, uint64_t issued) {
    uint64_t seq = c->user_data;
    if (seq >= issued) {
        st.wrong++;
        return;
    }
    sent_t *s = &sent[seq];
    if (s->cqes++) {
        st.dup++;
        return;
    }
    if (!(s->flags & EXO_SQE_SKIP_SUCCESS)) {
        f->nonskip_live--;
    } else if (c->res >= 0) {
        st.skip_posted++; /* a success that asked for no CQE */
    }
    st.per_op[s->op]++;
    if (c->res >= 0) {
        st.ok++;
        st.per_op_ok[s->op]++;
    } else if (c->res == ERR_CANCELED) {
        st.canceled++;
    } else {
        st.errors++;
    }
    /* Fields the kernel must refuse: that error (or ERR_CANCELED: a link before it failed
     * and it never ran). A link timeout's fate depends on its chain: not judged. */
    if (s->op != EXO_OP_LINK_TIMEOUT && s->field_err && c->res != s->field_err &&
        c->res != ERR_CANCELED) {
        st.wrong++;
        if (st.wrong <= 5) {
            exo_printf("ringfuzz: SQE %lu op %u flags 0x%x: %ld, expected %ld\n", seq, s->op,
                       s->flags, c->res, (int64_t)s->field_err);
        }
    }
    if ((s->op == EXO_OP_NOP || s->op == EXO_OP_TIMEOUT) && !s->field_err && c->res != 0 &&
        c->res != ERR_CANCELED) {
        st.wrong++;
    }
    if (c->res > 0 && (s->op == EXO_OP_CAP_DERIVE || s->op == EXO_OP_REGION_ALLOC ||
                       s->op == EXO_OP_MEMORY_SPLIT)) {
        add_held((exo_handle_t)c->res);
        if (s->op == EXO_OP_REGION_ALLOC) {
            fuzz_regions[nregions < FREED_MAX ? nregions++ : (int)below(FREED_MAX)] = c->aux;
        }
    }
    if (c->res == 0 && (s->op == EXO_OP_CAP_DELETE || s->op == EXO_OP_REGION_FREE)) {
        add_stale(s->a0);
    }
}

static uint64_t reap(uint64_t issued) {
    uint64_t n = 0;
    for (int i = 0; i < nrings; i++) {
        fring_t *f = &rings[i];
        note_taken(f);
        exo_cqe_t *c;
        while (exo_ring_peek_cqe(&f->r, &c) == STATUS_OK) {
            on_cqe(f, c, issued);
            exo_ring_cqe_seen(&f->r, c);
            n++;
        }
    }
    return n;
}

/* Right after everything published was taken: a tail a ring (or more) ahead of the head, or
 * behind it, must be refused with ERR_RANGE and nothing taken; then it is repaired. */
static void corrupt_tail(fring_t *f) {
    exo_ring_hdr_t *h = f->r.hdr;
    uint32_t head = __atomic_load_n(&h->sq_head, __ATOMIC_ACQUIRE);
    if (f->poll || head != f->r.sq_tail) {
        return;
    }
    uint32_t bad = below(2) ? head + f->r.sq_entries + 1 + (uint32_t)below(100000) : head - 1;
    __atomic_store_n(&h->sq_tail, bad, __ATOMIC_RELEASE);
    int64_t ret = exo_ring_enter(f->r.handle, (uint32_t)(1 + below(8)), 0, 0);
    if (ret != ERR_RANGE || __atomic_load_n(&h->sq_head, __ATOMIC_ACQUIRE) != head) {
        st.wrong++;
        exo_printf("ringfuzz: corrupt sq_tail %u (head %u): ring_enter %ld, head now %u\n", bad,
                   head, ret, h->sq_head);
    }
    __atomic_store_n(&h->sq_tail, f->r.sq_tail, __ATOMIC_RELEASE);
    st.corrupt++;
}

static bool child_setup(uint64_t seed) {
    const exo_start_t *s = exo_start_info();
    for (uint64_t i = 0; i < s->ncaps && i < EXO_START_CAPS; i++) {
        add_protected(s->caps[i].handle);
    }
    void *base;
    int64_t h =
        exo_region_alloc_cap(exo_memory_cap(), SCRATCH_SIZE, EXO_PROT_READ | EXO_PROT_WRITE, &base);
    if (h < 0) {
        exo_printf("ringfuzz: scratch region: %s\n", status_str((status_t)h));
        return false;
    }
    scratch = base;
    scratch_cap = (exo_handle_t)h;
    add_protected(scratch_cap);
    memset(newlines, '\n', sizeof(newlines));
    nrings = (seed & 1) ? 2 : 1;
    for (int i = 0; i < nrings; i++) {
        fring_t *f = &rings[i];
        f->poll = i == 1;
        exo_ring_params_t p = {
            .sq_entries = 32, .cq_entries = 64, .flags = f->poll ? EXO_RING_SQPOLL : 0};
        h = exo_ring_init_params(&f->r, exo_memory_cap(), &p);
        if (h < 0) {
            exo_printf("ringfuzz: ring_create: %s\n", status_str((status_t)h));
            return false;
        }
        f->slot_seq = slot_seq_mem[i];
        add_protected(f->r.handle);
        add_protected(f->r.region);
    }
    return true;
}

static int child_main(uint64_t seed, uint64_t n) {
    rng = seed * 0x9e3779b97f4a7c15ull + 1;
    if (n > MAX_SQES - 4) {
        n = MAX_SQES - 4;
    }
    if (!child_setup(seed)) {
        return 1;
    }
    uint64_t t0 = exo_clock_ns();
    uint64_t issued = 0;
    uint64_t last_yield = exo_clock_ns();
    for (uint64_t round = 0; issued < n; round++) {
        fring_t *f = &rings[below((uint64_t)nrings)];
        uint64_t batch = 1 + below(32);
        for (uint64_t k = 0; k < batch && issued < n; k++) {
            exo_sqe_t *s = exo_ring_get_sqe(&f->r);
            if (s == NULL) {
                break;
            }
            f->slot_seq[(f->r.sq_tail - 1) % SEQ_SLOTS] = (uint32_t)issued;
            fill(s, issued);
            f->last_flags = sent[issued++].flags;
        }
        int64_t ret = exo_ring_submit(&f->r);
        st.busy += ret == ERR_BUSY;
        if (ret < 0 && ret != ERR_BUSY) {
            st.wrong++;
            exo_printf("ringfuzz: submit: %s\n", status_str((status_t)ret));
        }
        if (reap(issued) == 0 && exo_ring_sq_space(&f->r) == 0) {
            /* Stuck until something completes: sleep if a CQE is sure to come, else let
             * the kernel's work run. */
            note_taken(f);
            if (f->nonskip_live) {
                st.waits++;
                exo_ring_enter(f->r.handle, 0, 1, EXO_ENTER_GETEVENTS);
            } else {
                st.yields++;
                exo_yield(0);
            }
        }
        if (below(256) == 0) {
            corrupt_tail(f);
        }
        if ((round & 63) == 63 || exo_clock_ns() - last_yield > 20 * MS) {
            exo_yield(0); /* the watchdog (500 ms in qemu.domains_*): often, even on a slow host */
            last_yield = exo_clock_ns();
        }
    }
    /* A DRAIN nop at the end of each ring completes after everything before it (after a
     * plain nop that ends a chain the last SQE left open: a drain in a chain is none). */
    uint64_t marker[2];
    for (int i = 0; i < nrings; i++) {
        fring_t *f = &rings[i];
        for (int k = (f->last_flags & EXO_SQE_LINK) ? 0 : 1; k < 2; k++) {
            exo_sqe_t *s;
            while ((s = exo_ring_get_sqe(&f->r)) == NULL) {
                exo_ring_submit(&f->r);
                reap(issued);
                exo_yield(0);
            }
            f->slot_seq[(f->r.sq_tail - 1) % SEQ_SLOTS] = (uint32_t)issued;
            exo_prep_nop(s);
            exo_sqe_set_flags(s, k ? EXO_SQE_DRAIN : 0);
            exo_sqe_set_data(s, issued);
            marker[i] = issued;
            sent[issued++] = (sent_t){.op = EXO_OP_NOP, .flags = k ? EXO_SQE_DRAIN : 0};
        }
    }
    for (uint64_t t1 = exo_clock_ns();;) {
        for (int i = 0; i < nrings; i++) {
            exo_ring_submit(&rings[i].r);
        }
        reap(issued);
        bool done = true;
        for (int i = 0; i < nrings; i++) {
            done = done && sent[marker[i]].cqes;
        }
        if (done || exo_clock_ns() - t1 > 10000 * MS) {
            break;
        }
        exo_yield(0);
    }
    uint64_t after_markers = reap(issued);
    uint64_t ms = (exo_clock_ns() - t0) / MS;

    uint64_t missing = 0, twice = 0;
    for (uint64_t i = 0; i < issued; i++) {
        bool skip = (sent[i].flags & EXO_SQE_SKIP_SUCCESS) != 0;
        missing += !skip && sent[i].cqes == 0;
        twice += sent[i].cqes > 1;
    }
    exo_printf("ringfuzz child %lu: %lu SQEs on %d ring(s) in %lu ms: %lu ok, %lu cancelled, "
               "%lu errors; %lu submits ERR_BUSY, %lu waits, %lu yields, %lu sq_tail "
               "corruptions\n",
               seed, n, nrings, ms, st.ok, st.canceled, st.errors, st.busy, st.waits, st.yields,
               st.corrupt);
    exo_printf("ringfuzz child %lu: succeeded per opcode:", seed);
    for (int op = 0; op < EXO_OP_COUNT; op++) {
        exo_printf(" %d:%lu/%lu", op, st.per_op_ok[op], st.per_op[op]);
    }
    exo_printf("\n");
    char got[160];
    fmt_snprintf(got, sizeof(got),
                 "%lu missing, %lu twice, %lu SKIP_SUCCESS successes posted, %lu wrong, %lu "
                 "after the drain markers",
                 missing, twice + st.dup, st.skip_posted, st.wrong, after_markers);
    verdict(missing == 0 && twice + st.dup == 0 && st.skip_posted == 0 && st.wrong == 0 &&
                after_markers == 0,
            "every SQE completed exactly once", got, "0 of each");
    for (int i = 0; i < nrings; i++) {
        exo_ring_exit(&rings[i].r);
    }
    return failures;
}

/* ---- the parent ---- */

static void show_info(const char *when, const exo_sysinfo_t *s) {
    exo_printf("ringfuzz: %s: free frames %lu, heap %lu objects %lu bytes %lu pages, regions "
               "%lu, caps %lu, rings %lu, domains %lu\n",
               when, s->free_frames, s->heap_objects, s->heap_bytes, s->heap_pages, s->regions,
               s->caps, s->rings, s->domains);
}

static void run_child(uint64_t seed, uint64_t n) {
    exo_sysinfo_t before, after;
    exo_sysinfo(&before);
    show_info("before", &before);
    char args[64];
    fmt_snprintf(args, sizeof(args), "ringfuzz child %lu %lu", seed, n);
    uint64_t t0 = exo_clock_ns();
    int64_t h = exo_domain_start("ringfuzz", args, NULL);
    int64_t status = h < 0 ? h : exo_domain_wait((exo_handle_t)h);
    uint64_t ms = (exo_clock_ns() - t0) / MS;
    if (h > 0) {
        exo_cap_delete((exo_handle_t)h);
    }
    char got[64], what[64];
    fmt_snprintf(got, sizeof(got), "%ld after %lu ms", status, ms);
    fmt_snprintf(what, sizeof(what), "child %lu's status", seed);
    verdict(status == 0, what, got, "0");
    exo_sysinfo_settle(&before, &after, 2000); /* its last pieces go a moment after its end */
    show_info("after", &after);
    fmt_snprintf(what, sizeof(what), "child %lu: the kernel's figures, after - before", seed);
    fmt_snprintf(got, sizeof(got), "heap objects %ld bytes %ld, regions %ld, caps %ld",
                 (int64_t)(after.heap_objects - before.heap_objects),
                 (int64_t)(after.heap_bytes - before.heap_bytes),
                 (int64_t)(after.regions - before.regions), (int64_t)(after.caps - before.caps));
    verdict(after.heap_objects == before.heap_objects && after.heap_bytes == before.heap_bytes &&
                after.regions == before.regions && after.caps == before.caps,
            what, got, "heap objects 0 bytes 0, regions 0, caps 0");
    fmt_snprintf(got, sizeof(got), "rings %ld, domains %ld, free frames + heap pages %ld",
                 (int64_t)(after.rings - before.rings), (int64_t)(after.domains - before.domains),
                 (int64_t)(after.free_frames + after.heap_pages) -
                     (int64_t)(before.free_frames + before.heap_pages));
    verdict(after.rings == before.rings && after.domains == before.domains &&
                after.free_frames + after.heap_pages == before.free_frames + before.heap_pages,
            what, got, "rings 0, domains 0, free frames + heap pages 0");
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        return child_main(argc > 2 ? exo_parse_u64(argv[2]) : 1,
                          argc > 3 ? exo_parse_u64(argv[3]) : 100000);
    }
    uint64_t seed = argc > 1 ? exo_parse_u64(argv[1]) : 1;
    uint64_t n = argc > 2 ? exo_parse_u64(argv[2]) : 100000;
    run_child(seed, n);
    run_child(seed + 1, n);
    exo_printf("ringfuzz: %d checks, %d failed: %s\n", checks, failures,
               failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
