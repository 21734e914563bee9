/*
 * ipcmove: zero-copy IPC (init's "ipc" scenario; docs/ipc.md#zero-copy). A region moves
 * between domains in a message and keeps its address, so the pointers inside it stay
 * valid in the receiver.
 *   ipcmove move         a sender builds a linked list in a region and moves it to a
 *                        walker, which walks it through the original pointers and writes it;
 *                        the sender then touches the region: it must be killed by a fault
 *   ipcmove moveremote   a second continuation of the sender keeps writing the region, on
 *                        another core if there is one, while the first moves it and then
 *                        leaves the region alone: the writer's next write must fault (its
 *                        core's TLB entry was shot down), and the walker must see no write
 *                        land after the move
 *   ipcmove share        this domain shares its list read-only: the walker reads it, then
 *                        writes it and must be killed by a fault; the list here is intact
 * Roles (started by the modes, with the endpoint as their last start cap):
 *   ipcmove sender [spin]   builds the list, moves it, touches it (spin: leaves that to the
 *                           spinner)
 *   ipcmove walker rw|ro    receives the list and walks it (rw: then writes every node and
 *                           checks no one else writes; ro: then writes one node, faulting)
 * Each mode prints "ipcmove <mode>: ... PASS|FAIL" lines and exits 0 only if all passed.
 */
#include <user/exo.h>

#define LIST_BYTES (64 * 1024)
#define NODES 1000
#define STILL_MS 30 /* the walker watches the moved region this long for foreign writes */
#define SPIN_ELSEWHERE_MS 300
#define MS 1000000ull

typedef struct node {
    struct node *next;
    uint64_t value;
} node_t;

/* The region's first page: the list head and the sender's spinner's counter. */
typedef struct list_hdr {
    node_t *head;
    uint64_t nodes, sum;
    volatile uint64_t spins; /* moveremote: written by the sender's spinner, nonstop */
    volatile uint64_t spin_cpu;
    volatile uint64_t sender_cpu;
} list_hdr_t;

/* What the sender tells the walker, inline in the message. */
typedef struct list_msg {
    uint64_t base;
    uint64_t head;
    uint64_t nodes, sum;
} list_msg_t;

static const char *mode = "?";
static int failures;

static void check(const char *what, bool ok) {
    exo_printf("ipcmove %s: %s: %s\n", mode, what, ok ? "PASS" : "FAIL");
    failures += !ok;
}

/* Nodes scattered through the region in a shuffled order: the walk follows pointers, not
 * addresses in sequence. */
static void build_list(list_hdr_t *h, uint8_t *base) {
    node_t *nodes = (node_t *)(base + 4096);
    uint32_t order[NODES];
    for (uint32_t i = 0; i < NODES; i++) {
        order[i] = i;
    }
    uint64_t x = 0x2545f4914f6cdd1dull;
    for (uint32_t i = NODES - 1; i > 0; i--) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint32_t j = (uint32_t)(x % (i + 1));
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    h->sum = 0;
    for (uint32_t i = 0; i < NODES; i++) {
        node_t *n = &nodes[order[i] * 3]; /* gaps between nodes */
        n->value = (uint64_t)order[i] * 0x9e3779b97f4a7c15ull;
        n->next = i + 1 < NODES ? &nodes[order[i + 1] * 3] : NULL;
        h->sum += n->value;
    }
    h->head = &nodes[order[0] * 3];
    h->nodes = NODES;
}

static void describe(list_msg_t *lm, const list_hdr_t *h, const void *base) {
    *lm = (list_msg_t){.base = (uint64_t)(uintptr_t)base,
                       .head = (uint64_t)(uintptr_t)h->head,
                       .nodes = h->nodes,
                       .sum = h->sum};
}

/* ---- roles ---- */

static list_hdr_t *spin_hdr;

static void spinner(void *arg) {
    (void)arg;
    list_hdr_t *h = spin_hdr;
    for (uint64_t i = 0;; i++) {
        h->spins++; /* after the move this write must fault, wherever it runs */
        if ((i & 4095) == 0) {
            h->spin_cpu = exo_cpu(); /* a trap: no TLB flush */
            if (h->spin_cpu == h->sender_cpu) {
                exo_yield(YIELD_MIGRATE); /* off the sender's core (with one core: let it run) */
            }
        }
    }
}

static int role_sender(bool spin) {
    exo_handle_t ep = exo_start_cap(CAP_ENDPOINT);
    void *base = NULL;
    int64_t r =
        exo_region_alloc_cap(exo_memory_cap(), LIST_BYTES, EXO_PROT_READ | EXO_PROT_WRITE, &base);
    if (r < 0) {
        exo_printf("ipcmove sender: region: %s\n", status_str((status_t)r));
        return 1;
    }
    list_hdr_t *h = base;
    build_list(h, base);
    static uint8_t stack[16384] __attribute__((aligned(16)));
    if (spin) {
        spin_hdr = h;
        h->spin_cpu = ~0ull;
        h->sender_cpu = exo_cpu();
        if (exo_spawn(spinner, NULL, stack, sizeof(stack)) < 0) {
            return 1;
        }
        /* Until it runs on another core (the spinner moves off ours): yielding lets it
         * start here first if no other core takes it. */
        for (uint64_t t0 = exo_clock_ns(); exo_clock_ns() - t0 < SPIN_ELSEWHERE_MS * MS;) {
            uint64_t s = h->spins;
            for (uint64_t t1 = exo_clock_ns(); exo_clock_ns() - t1 < MS;) {
            }
            if (h->spins != s && h->spin_cpu != h->sender_cpu) {
                break;
            }
            exo_yield(0);
            h->sender_cpu = exo_cpu();
        }
        uint64_t s0 = h->spins;
        uint64_t t1 = exo_clock_ns();
        while (exo_clock_ns() - t1 < 5 * MS) {
        }
        bool elsewhere = h->spins != s0 && h->spin_cpu != exo_cpu();
        exo_printf("ipcmove sender: on core %u, spinner on core %lu, running there now: %s\n",
                   exo_cpu(), h->spin_cpu, elsewhere ? "yes" : "no");
    }
    list_msg_t lm;
    describe(&lm, h, base);
    exo_msg_t m;
    exo_msg_init(&m, 1);
    exo_msg_put(&m, &lm, sizeof(lm));
    exo_msg_add_cap(&m, (exo_handle_t)r, CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_GRANT,
                    EXO_MSG_CAP_MOVE);
    int64_t st = exo_ipc_send(ep, &m, 0);
    exo_printf("ipcmove sender: moved the region at 0x%lx: %s\n", lm.base,
               status_str((status_t)st));
    if (st != 0) {
        return 1;
    }
    exo_cap_info_t ci;
    if (exo_cap_info((exo_handle_t)r, &ci) != ERR_STALE) {
        exo_printf("ipcmove sender: the moved cap is still in the table\n");
        return 1;
    }
    if (spin) {
        /* Only the spinner touches the region now: its next write must fault wherever it
         * runs (its core's TLB was shot down), which ends this domain. A stale entry would
         * let it go on writing, and the walker would see the counter move. */
        for (uint64_t t0 = exo_clock_ns(); exo_clock_ns() - t0 < 3000 * MS;) {
            exo_yield(0);
        }
        exo_printf("ipcmove sender: the spinner went on without a fault\n");
        return 2;
    }
    exo_printf("ipcmove sender: touching the moved region\n");
    h->nodes = 0; /* must fault: the domain ends with EXO_EXIT_FAULT */
    exo_printf("ipcmove sender: wrote the moved region without a fault\n");
    return 2;
}

static int role_walker(bool rw) {
    exo_handle_t ep = exo_start_cap(CAP_ENDPOINT);
    exo_msg_t m;
    int64_t st = exo_ipc_recv(ep, &m, 0);
    list_msg_t lm;
    if (st != 0 || m.len != sizeof(lm) || m.ncaps != 1 || m.caps[0].type != CAP_REGION) {
        exo_printf("ipcmove walker: bad message: %s, len %u, %u caps\n", status_str((status_t)st),
                   m.len, m.ncaps);
        return 1;
    }
    memcpy(&lm, m.data, sizeof(lm));
    exo_cap_info_t ci;
    st = exo_cap_info(m.caps[0].handle, &ci);
    bool same = st == 0 && ci.a == lm.base && ci.mapped &&
                ci.map_prot == (rw ? EXO_PROT_READ | EXO_PROT_WRITE : EXO_PROT_READ);
    exo_printf("ipcmove walker: region arrived at 0x%lx (sent from 0x%lx), mapped %s: %s\n", ci.a,
               lm.base, rw ? "read-write" : "read-only", same ? "PASS" : "FAIL");
    uint64_t n = 0, sum = 0;
    const list_hdr_t *h = (const list_hdr_t *)(uintptr_t)lm.base;
    for (const node_t *p = (const node_t *)(uintptr_t)lm.head; p && n <= NODES; p = p->next) {
        n++;
        sum += p->value;
    }
    bool walked = n == lm.nodes && sum == lm.sum && h->nodes == lm.nodes;
    exo_printf("ipcmove walker: walked %lu nodes through the sender's pointers, sum %s: %s\n", n,
               sum == lm.sum ? "right" : "wrong", walked ? "PASS" : "FAIL");
    if (!same || !walked) {
        return 1;
    }
    if (!rw) {
        exo_printf("ipcmove walker: writing the read-only share (must fault)\n");
        ((node_t *)(uintptr_t)lm.head)->value = 0;
        return 2;
    }
    for (node_t *p = (node_t *)(uintptr_t)lm.head; p; p = p->next) {
        p->value = ~p->value;
    }
    /* No write from the sender may land any more (its spinner faults on its next one). */
    uint64_t s0 = h->spins, t0 = exo_clock_ns();
    while (exo_clock_ns() - t0 < STILL_MS * MS) {
    }
    bool still = h->spins == s0;
    exo_printf("ipcmove walker: the sender's counter stood at %lu for %u ms: %s\n", s0, STILL_MS,
               still ? "PASS" : "FAIL");
    return still ? 0 : 1;
}

/* ---- modes ---- */

static int64_t start_role(const char *args, exo_handle_t ep, uint32_t rights) {
    exo_domain_spawn_t req = exo_spawn_request("ipcmove", args);
    exo_spawn_add_console(&req, CAP_RIGHT_WRITE);
    req.budget = 1 << 20;
    req.caps[req.ncaps++] = (exo_spawn_cap_t){.handle = ep, .rights = rights};
    int64_t id = exo_domain_spawn(&req);
    if (id < 0) {
        exo_printf("ipcmove %s: cannot start %s: %s\n", mode, args, status_str((status_t)id));
        failures++;
    }
    return id;
}

static void check_figures(const exo_sysinfo_t *before) {
    exo_sysinfo_t after;
    bool same = exo_sysinfo_settle(before, &after, 2000);
    exo_printf("ipcmove %s: after - before: regions %ld, caps %ld, heap objects %ld, frames %ld\n",
               mode, (int64_t)(after.regions - before->regions),
               (int64_t)(after.caps - before->caps),
               (int64_t)(after.heap_objects - before->heap_objects),
               (int64_t)(after.free_frames + after.heap_pages) -
                   (int64_t)(before->free_frames + before->heap_pages));
    check("regions, caps, heap and frames back to the start figures", same);
}

static void mode_move(bool spin) {
    exo_sysinfo_t before;
    exo_sysinfo_quiet(&before);
    int64_t ep = exo_endpoint_create(1);
    if (ep < 0) {
        check("endpoint", false);
        return;
    }
    int64_t walker = start_role("ipcmove walker rw", (exo_handle_t)ep, CAP_RIGHT_EP_RECV);
    int64_t sender = start_role(spin ? "ipcmove sender spin" : "ipcmove sender", (exo_handle_t)ep,
                                CAP_RIGHT_EP_SEND);
    exo_cap_delete((exo_handle_t)ep);
    if (walker < 0 || sender < 0) {
        return;
    }
    int64_t ws = exo_domain_wait((exo_handle_t)walker);
    int64_t ss = exo_domain_wait((exo_handle_t)sender);
    check("the walker walked and wrote the moved list (status 0)", ws == 0);
    check("the sender's next access faulted (status EXO_EXIT_FAULT)", ss == EXO_EXIT_FAULT);
    exo_cap_delete((exo_handle_t)walker);
    exo_cap_delete((exo_handle_t)sender);
    check_figures(&before);
}

static void mode_share(void) {
    exo_sysinfo_t before;
    exo_sysinfo_quiet(&before);
    void *base = NULL;
    int64_t r =
        exo_region_alloc_cap(exo_memory_cap(), LIST_BYTES, EXO_PROT_READ | EXO_PROT_WRITE, &base);
    int64_t ep = exo_endpoint_create(1);
    if (r < 0 || ep < 0) {
        check("region and endpoint", false);
        return;
    }
    list_hdr_t *h = base;
    build_list(h, base);
    int64_t walker = start_role("ipcmove walker ro", (exo_handle_t)ep, CAP_RIGHT_EP_RECV);
    list_msg_t lm;
    describe(&lm, h, base);
    exo_msg_t m;
    exo_msg_init(&m, 1);
    exo_msg_put(&m, &lm, sizeof(lm));
    exo_msg_add_cap(&m, (exo_handle_t)r, CAP_RIGHT_READ, 0); /* a read-only copy */
    check("sent a read-only copy", exo_ipc_send((exo_handle_t)ep, &m, 0) == 0);
    int64_t ws = walker < 0 ? walker : exo_domain_wait((exo_handle_t)walker);
    check("the walker read the share, and its write faulted (status EXO_EXIT_FAULT)",
          ws == EXO_EXIT_FAULT);
    uint64_t n = 0, sum = 0;
    for (node_t *p = h->head; p && n <= NODES; p = p->next) {
        n++;
        sum += p->value;
        p->value++; /* still writable here */
    }
    check("the list is intact and still writable in the sharing domain",
          n == NODES && sum == h->sum);
    exo_cap_delete((exo_handle_t)walker);
    exo_cap_delete((exo_handle_t)ep);
    exo_cap_delete((exo_handle_t)r);
    check_figures(&before);
}

int main(int argc, char **argv) {
    mode = argc > 1 ? argv[1] : "?";
    const char *arg = argc > 2 ? argv[2] : "";
    if (strcmp(mode, "sender") == 0) {
        return role_sender(strcmp(arg, "spin") == 0);
    }
    if (strcmp(mode, "walker") == 0) {
        return role_walker(strcmp(arg, "ro") != 0);
    }
    if (strcmp(mode, "move") == 0) {
        mode_move(false);
    } else if (strcmp(mode, "moveremote") == 0) {
        mode_move(true);
    } else if (strcmp(mode, "share") == 0) {
        mode_share();
    } else {
        exo_printf("ipcmove: unknown mode %s\n", mode);
        return 2;
    }
    exo_printf("ipcmove %s: verdict %s\n", mode, failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
