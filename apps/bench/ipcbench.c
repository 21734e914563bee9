/*
 * ipcbench: cycle counts (rdtsc) of IPC between two domains, for docs/performance.md
 * (section IPC). The app starts a second copy of itself (`ipcbench server`) holding the
 * only RECV cap of endpoint E1 and a SEND cap of E2, and measures against it. Each figure
 * is the median of BENCH_ROUNDS rounds, each the mean over its iterations, after a
 * warm-up round:
 *   null trap                  SYS_NULL, for scale
 *   ipc call/reply round trip  exo_ipc_call against a server in exo_ipc_reply_recv, 16 and
 *                              128 bytes each way: per round trip. A wake-up spawns the woken
 *                              continuation on the waking core, so the two share a core
 *                              unless an idle core steals one of them (the cores of every
 *                              WHERE_EVERY-th call are printed)
 *   ipc round trip across cores  both sides spin with EXO_IPC_NOWAIT on two cores (client:
 *                              send on E1, poll E2; server: poll E1, send on E2), 16 bytes:
 *                              per round trip. Skipped with one core
 *   ipc move SIZE              a region cap moved to the server (EXO_MSG_CAP_MOVE in a call)
 *                              and moved back in the reply: per one-way move (half a round
 *                              trip). Nobody touches the region in the timed loop; after
 *                              each round the server checks a few words of it
 *   ipc move+touch SIZE        the same, and each side reads one byte of every page after
 *                              each arrival (pages of a moved region map on first touch);
 *                              the sums are checked every time
 *   ipc copy SIZE              the bytes copied into a region both map (shared once), a call
 *                              naming them; the server copies them out into a buffer of its
 *                              own, checks a few words, copies them back in, answers; the
 *                              client copies them out and checks: per one-way transfer
 * `ipcbench quick` runs a tenth of the iterations (the ctest).
 */
#include <user/exo.h>
#include <user/trap.h>

#include "bench.h"

#define KIB 1024ul
#define MIB (1024ul * 1024)
#define PAGE 4096ul
#define MS 1000000ul

#define CALL_ITERS 2000
#define SPIN_ITERS 2000
#define MOVE_ITERS_4K 500
#define MOVE_ITERS_2M 60
#define TOUCH_ITERS_2M 20
#define COPY_ITERS_4K 500
#define COPY_ITERS_2M 30
#define NULL_ITERS 20000
#define WHERE_EVERY 64 /* calls per sample of the cores */
#define QUICK_DIV 10

#define COPY_MAX (2 * MIB)
#define SERVER_BUDGET (6 * MIB)  /* the server's copy buffer and its page tables */
#define SPIN_YIELD_NS (300 * MS) /* a spinning side yields at least this often */
#define SPIN_TIMEOUT_NS (5000 * MS)

/* Request labels; the answer keeps the label. */
enum op {
    OP_ECHO = 1,   /* data word 0 comes back + 1 */
    OP_ECHO_WHERE, /* the same; word 1: the server's core */
    OP_SPIN,       /* answered, then the server polls E1 and answers on E2 until OP_SPIN_END */
    OP_SPIN_PING,  /* (spinning) word 0 comes back + 1, word 1: the server's core */
    OP_SPIN_YIELD, /* (spinning) answered as OP_SPIN_PING, then the server yields */
    OP_SPIN_END,   /* (spinning) answered as OP_SPIN_PING, then back to calls */
    OP_MOVE,       /* cap 0: a region (base word 0, size word 1), moved back */
    OP_MOVE_TOUCH, /* the same; word 2: the sum of the first byte of every page */
    OP_MOVE_CHECK, /* the same; word 2: the sum of the region's check words */
    OP_COPY_SETUP, /* cap 0: the shared region (base word 0, size word 1); word 0: status */
    OP_COPY,       /* size word 0, sequence word 1; word 0: 1 if the words checked out */
    OP_QUIT,
    OP_ERROR = 0xbad, /* the server's answer to a request it could not serve */
};

static uint32_t iters_div = 1;
static int failures;

/* ---- shared helpers ---- */

static uint64_t word(const exo_msg_t *m, uint32_t i) {
    uint64_t v;
    memcpy(&v, m->data + 8 * i, 8);
    return v;
}

static void set_word(exo_msg_t *m, uint32_t i, uint64_t v) {
    memcpy(m->data + 8 * i, &v, 8);
    if (m->len < 8 * (i + 1)) {
        m->len = 8 * (i + 1);
    }
}

static uint64_t pattern(uint64_t i) {
    return (i + 1) * 0x9e3779b97f4a7c15ull;
}

/* The words a moved region is checked by: first, middle, last. */
static uint64_t check_sum(const volatile uint64_t *p, uint64_t size) {
    uint64_t n = size / 8;
    return p[0] + 3 * p[n / 2] + 7 * p[n - 1];
}

/* Reads the first byte of every page (each read maps the page if it is not yet). */
static uint64_t touch_sum(const volatile uint8_t *p, uint64_t size) {
    uint64_t s = 0;
    for (uint64_t off = 0; off < size; off += PAGE) {
        s += p[off];
    }
    return s;
}

/* ---- the server ---- */

/* Polls in (E1) and answers on out (E2) until OP_SPIN_END, yielding when asked and at
 * least every SPIN_YIELD_NS (the watchdog). */
static int64_t server_spin(exo_handle_t in, exo_handle_t out) {
    uint32_t cpu = exo_cpu();
    uint64_t last_yield = exo_clock_ns();
    for (uint64_t polls = 1;; polls++) {
        if ((polls & 255) == 0 && exo_clock_ns() - last_yield > SPIN_YIELD_NS) {
            exo_yield(0);
            cpu = exo_cpu();
            last_yield = exo_clock_ns();
        }
        exo_msg_t m;
        int64_t st = exo_ipc_recv(in, &m, EXO_IPC_NOWAIT);
        if (st == ERR_AGAIN) {
            continue;
        }
        if (st != 0) {
            return st;
        }
        uint64_t label = m.label;
        set_word(&m, 0, word(&m, 0) + 1);
        set_word(&m, 1, cpu);
        m.ncaps = 0;
        st = exo_ipc_send(out, &m, EXO_IPC_NOWAIT);
        if (st != 0 || label == OP_SPIN_END) {
            return st;
        }
        if (label == OP_SPIN_YIELD) {
            exo_yield(0);
            cpu = exo_cpu();
            last_yield = exo_clock_ns();
        }
    }
}

/* A moved region arrives in cap 0; it goes back the same way. */
static void server_move(exo_msg_t *m) {
    if (m->ncaps != 1 || m->caps[0].handle == EXO_HANDLE_NONE || m->caps[0].type != CAP_REGION) {
        m->label = OP_ERROR;
        m->ncaps = 0;
        return;
    }
    const void *base = (const void *)(uintptr_t)word(m, 0);
    uint64_t size = word(m, 1);
    if (m->label == OP_MOVE_TOUCH) {
        set_word(m, 2, touch_sum(base, size));
    } else if (m->label == OP_MOVE_CHECK) {
        set_word(m, 2, check_sum(base, size));
    }
    m->caps[0].flags = EXO_MSG_CAP_MOVE; /* the handle and rights as they came */
}

/* The client's bytes are in the shared region: out into buf, checked, back in (word 0
 * + 1, so the client sees they made the trip). */
static void server_copy(exo_msg_t *m, uint64_t *shared, uint64_t *buf, uint64_t max) {
    uint64_t size = word(m, 0), seq = word(m, 1);
    if (shared == NULL || size < 16 || size > max) {
        m->label = OP_ERROR;
        return;
    }
    uint64_t n = size / 8;
    memcpy(buf, shared, size);
    bool ok = buf[0] == seq && buf[n / 2] == pattern(n / 2) && buf[n - 1] == ~seq;
    buf[0] = seq + 1;
    memcpy(shared, buf, size);
    m->len = 0;
    set_word(m, 0, ok);
}

static int role_server(void) {
    const exo_start_t *s = exo_start_info();
    exo_handle_t in = EXO_HANDLE_NONE, out = EXO_HANDLE_NONE;
    for (uint64_t i = 0; i < s->ncaps && i < EXO_START_CAPS; i++) {
        if (s->caps[i].type == CAP_ENDPOINT && (s->caps[i].rights & CAP_RIGHT_EP_RECV)) {
            in = s->caps[i].handle;
        } else if (s->caps[i].type == CAP_ENDPOINT) {
            out = s->caps[i].handle;
        }
    }
    uint64_t *shared = NULL, *buf = NULL, max = 0;
    exo_msg_t m;
    exo_handle_t reply = EXO_HANDLE_NONE;
    for (;;) {
        int64_t st = exo_ipc_reply_recv(reply, &m, in, 0);
        if (st != 0) {
            exo_printf("ipcbench server: receive: %s\n", status_str((status_t)st));
            return 1;
        }
        reply = m.reply;
        switch (m.label) {
        case OP_ECHO:
            set_word(&m, 0, word(&m, 0) + 1);
            break;
        case OP_ECHO_WHERE:
            set_word(&m, 0, word(&m, 0) + 1);
            set_word(&m, 1, exo_cpu());
            break;
        case OP_SPIN:
            st = exo_ipc_reply(reply, &m);
            st = st ? st : server_spin(in, out);
            if (st != 0) {
                exo_printf("ipcbench server: spin: %s\n", status_str((status_t)st));
                return 1;
            }
            reply = EXO_HANDLE_NONE;
            break;
        case OP_MOVE:
        case OP_MOVE_TOUCH:
        case OP_MOVE_CHECK:
            server_move(&m);
            break;
        case OP_COPY_SETUP: {
            void *p = NULL;
            int64_t r = exo_region_alloc_cap(exo_memory_cap(), word(&m, 1),
                                             EXO_PROT_READ | EXO_PROT_WRITE, &p);
            bool ok = m.ncaps == 1 && m.caps[0].type == CAP_REGION && r > 0;
            shared = ok ? (uint64_t *)(uintptr_t)word(&m, 0) : NULL;
            buf = p;
            max = word(&m, 1);
            m.ncaps = 0;
            m.len = 0;
            set_word(&m, 0, ok ? 0 : (uint64_t)(r < 0 ? r : ERR_INVALID));
            break;
        }
        case OP_COPY:
            server_copy(&m, shared, buf, max);
            break;
        case OP_QUIT:
            return exo_ipc_reply(reply, &m) == 0 ? 0 : 1;
        default:
            m.label = OP_ERROR;
            m.ncaps = 0;
            break;
        }
    }
}

/* ---- the client ---- */

static void report(const char *what, int64_t v) {
    if (v < 0) {
        exo_printf("bench: %s failed: %s\n", what, status_str((status_t)v));
        failures++;
    } else {
        exo_printf("bench: %s %ld cycles\n", what, v);
    }
}

static uint32_t iters(uint32_t n) {
    return n / iters_div ? n / iters_div : 1;
}

/* The cores, found by hopping (an idle core may steal us on the way, so no lap is sure to
 * visit every core: 32 hops). */
/* Cores online, as SYS_DOMAIN_LIST counts them (no entries asked for: only the totals). */
static uint32_t count_cores(void) {
    exo_domain_list_t req = {0};
    int64_t st = exo_domain_list(&req);
    return (st == 0 || st == ERR_TOO_BIG) && req.total_cpus ? (uint32_t)req.total_cpus : 1;
}

static uint64_t bench_null(void) {
    uint64_t r[BENCH_ROUNDS];
    uint32_t n = iters(NULL_ITERS);
    for (int k = -1; k < BENCH_ROUNDS; k++) {
        uint64_t t0 = rdtsc();
        for (uint32_t i = 0; i < n; i++) {
            exo_trap0(SYS_NULL);
        }
        if (k >= 0) {
            r[k] = (rdtsc() - t0) / n;
        }
    }
    return median(r, BENCH_ROUNDS);
}

/* A server holding the only RECV cap of E1 (so its end closes E1) and a SEND cap of E2;
 * *e1 gets a SEND-only cap of E1, *e2 keeps E2's RECV. */
static int64_t start_server(exo_handle_t *e1, exo_handle_t *e2) {
    int64_t a = exo_endpoint_create(4), b = exo_endpoint_create(4);
    if (a < 0 || b < 0) {
        return a < 0 ? a : b;
    }
    exo_domain_spawn_t req = exo_spawn_request("ipcbench", "ipcbench server");
    req.budget = SERVER_BUDGET;
    exo_spawn_add_console(&req, CAP_RIGHT_WRITE);
    req.caps[req.ncaps++] =
        (exo_spawn_cap_t){.handle = (exo_handle_t)a, .rights = CAP_RIGHT_EP_RECV};
    req.caps[req.ncaps++] =
        (exo_spawn_cap_t){.handle = (exo_handle_t)b, .rights = CAP_RIGHT_EP_SEND};
    int64_t id = exo_domain_spawn(&req);
    if (id < 0) {
        return id;
    }
    int64_t send = exo_cap_derive((exo_handle_t)a, CAP_RIGHT_EP_SEND);
    if (send < 0) {
        return send;
    }
    exo_cap_delete((exo_handle_t)a);
    *e1 = (exo_handle_t)send;
    *e2 = (exo_handle_t)b;
    return id;
}

/* Where the two sides of a call ran: bit masks of cores, and of the sampled calls how many
 * had both on one core. */
typedef struct where {
    uint64_t client, server;
    uint32_t samples, same;
} where_t;

/* Round trips of len-byte calls. Every WHERE_EVERY-th call also asks for the server's core
 * (one SYS_CPU trap on each side: a few cycles per call on average). */
static int64_t bench_call(exo_handle_t ep, uint32_t len, where_t *where) {
    uint64_t r[BENCH_ROUNDS];
    uint32_t n = iters(CALL_ITERS);
    *where = (where_t){0};
    for (int k = -1; k < BENCH_ROUNDS; k++) {
        exo_msg_t m;
        uint64_t t0 = rdtsc();
        for (uint32_t i = 0; i < n; i++) {
            bool sample = i % WHERE_EVERY == WHERE_EVERY - 1;
            exo_msg_init(&m, sample ? OP_ECHO_WHERE : OP_ECHO);
            m.len = len;
            set_word(&m, 0, i);
            int64_t st = exo_ipc_call(ep, &m, 0);
            if (st != 0) {
                return st;
            }
            if (m.len != len || word(&m, 0) != i + 1) {
                return ERR_STATE;
            }
            if (sample && k >= 0) {
                uint32_t mine = exo_cpu();
                uint64_t theirs = word(&m, 1);
                where->client |= 1ull << (mine & 63);
                where->server |= 1ull << (theirs & 63);
                where->samples++;
                where->same += mine == theirs;
            }
        }
        if (k >= 0) {
            r[k] = (rdtsc() - t0) / n;
        }
    }
    return (int64_t)median(r, BENCH_ROUNDS);
}

static void core_list(char *buf, size_t size, uint64_t mask) {
    size_t l = 0;
    buf[0] = 0;
    for (uint32_t c = 0; c < 64 && l < size; c++) {
        if (mask & (1ull << c)) {
            l += (size_t)fmt_snprintf(buf + l, size - l, " %u", c);
        }
    }
}

static void print_where(const char *what, const where_t *w) {
    char a[80], b[80];
    core_list(a, sizeof(a), w->client);
    core_list(b, sizeof(b), w->server);
    exo_printf("ipcbench: %s: client on core(s)%s, server on core(s)%s; both on one core in %u "
               "of %u sampled calls\n",
               what, a, b, w->same, w->samples);
}

/* ---- across cores ---- */

typedef struct spinner {
    exo_handle_t e1, e2;
    uint32_t cpu;        /* the client's core (exo_cpu after each yield) */
    uint64_t last_yield; /* exo_clock_ns */
    bool met;            /* a pong came from the client's own core */
} spinner_t;

/* One ping (label, word 0 = seq) and its pong; *server_cpu gets word 1. */
static int64_t spin_ping(spinner_t *s, uint64_t label, uint64_t seq, uint64_t *server_cpu) {
    exo_msg_t m;
    exo_msg_init(&m, label);
    m.len = 16;
    set_word(&m, 0, seq);
    int64_t st = exo_ipc_send(s->e1, &m, EXO_IPC_NOWAIT);
    if (st != 0) {
        return st;
    }
    uint64_t waited_since = 0;
    for (uint64_t polls = 1;; polls++) {
        st = exo_ipc_recv(s->e2, &m, EXO_IPC_NOWAIT);
        if (st != ERR_AGAIN) {
            break;
        }
        if ((polls & 4095) == 0) { /* the server is not answering: mind the watchdog */
            uint64_t now = exo_clock_ns();
            waited_since = waited_since ? waited_since : now;
            if (now - waited_since > SPIN_TIMEOUT_NS) {
                return ERR_TIMEOUT;
            }
            if (now - s->last_yield > SPIN_YIELD_NS) {
                exo_yield(0);
                s->cpu = exo_cpu();
                s->last_yield = exo_clock_ns();
            }
        }
    }
    if (st != 0) {
        return st;
    }
    if (m.label != label || word(&m, 0) != seq + 1) {
        return ERR_STATE;
    }
    *server_cpu = word(&m, 1);
    s->met = s->met || word(&m, 1) == s->cpu;
    return 0;
}

/* Moves the client until the server answers from another core (the server never
 * suspends between its yields, so hopping along the cores leaves its core). */
static int64_t spin_place(spinner_t *s) {
    for (int tries = 0; tries < 64; tries++) {
        uint64_t srv;
        s->cpu = exo_cpu();
        int64_t st = spin_ping(s, OP_SPIN_PING, 0, &srv);
        if (st != 0) {
            return st;
        }
        if (srv != s->cpu) {
            s->met = false;
            return (int64_t)srv;
        }
        exo_yield(YIELD_MIGRATE);
        s->last_yield = exo_clock_ns();
    }
    return ERR_BUSY;
}

static int64_t bench_spin(exo_handle_t e1, exo_handle_t e2) {
    spinner_t s = {.e1 = e1, .e2 = e2, .last_yield = exo_clock_ns()};
    exo_msg_t m;
    exo_msg_init(&m, OP_SPIN);
    int64_t st = exo_ipc_call(e1, &m, 0);
    if (st != 0) {
        return st;
    }
    uint64_t r[BENCH_ROUNDS], srv = 0, cores = 0;
    uint32_t n = iters(SPIN_ITERS);
    int redone = 0;
    for (int k = -1; k < BENCH_ROUNDS && st >= 0; k++) {
        st = spin_place(&s);
        if (st < 0) {
            break;
        }
        uint64_t t0 = rdtsc();
        for (uint32_t i = 0; i < n && st >= 0; i++) {
            st = spin_ping(&s, OP_SPIN_PING, i, &srv);
        }
        uint64_t t1 = rdtsc();
        if (st < 0) {
            break;
        }
        /* Both yield between rounds (the watchdog), outside the timed loop. */
        st = spin_ping(&s, OP_SPIN_YIELD, 0, &srv);
        exo_yield(0);
        s.last_yield = exo_clock_ns();
        if (s.met && redone < 2 * BENCH_ROUNDS) {
            k--; /* a yield put both on one core mid-round: not this figure */
            redone++;
            continue;
        }
        if (k >= 0) {
            r[k] = (t1 - t0) / n;
            cores |= (1ull << (s.cpu & 63)) | (1ull << (srv & 63));
        }
    }
    uint64_t end_srv;
    int64_t end = spin_ping(&s, OP_SPIN_END, 0, &end_srv);
    if (st < 0 || end < 0) {
        return st < 0 ? st : end;
    }
    char list[80];
    core_list(list, sizeof(list), cores);
    exo_printf("ipcbench: across cores: client and server on two different cores in every "
               "round (cores seen:%s), %d round(s) redone\n",
               list, redone);
    return (int64_t)median(r, BENCH_ROUNDS);
}

/* ---- moving a region ---- */

/* One call moving region *h (at base, size bytes) there and back; *h is its handle here
 * again after. The server's word 2 comes back in *sum. */
static int64_t move_call(exo_handle_t ep, uint64_t op, exo_handle_t *h, void *base, uint64_t size,
                         uint64_t *sum) {
    exo_msg_t m;
    exo_msg_init(&m, op);
    set_word(&m, 0, (uint64_t)(uintptr_t)base);
    set_word(&m, 1, size);
    exo_msg_add_cap(&m, *h, CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_GRANT, EXO_MSG_CAP_MOVE);
    int64_t st = exo_ipc_call(ep, &m, 0);
    if (st != 0) {
        return st;
    }
    if (m.label != op || m.ncaps != 1 || m.caps[0].handle == EXO_HANDLE_NONE ||
        m.caps[0].type != CAP_REGION) {
        return ERR_STATE;
    }
    *h = m.caps[0].handle;
    *sum = word(&m, 2);
    return 0;
}

/* Per one-way move of a size-byte region; touch: each side reads one byte of every page
 * after each arrival. */
static int64_t bench_move(exo_handle_t ep, uint64_t size, bool touch, uint32_t n) {
    void *base = NULL;
    int64_t h0 =
        exo_region_alloc_cap(exo_memory_cap(), size, EXO_PROT_READ | EXO_PROT_WRITE, &base);
    if (h0 < 0) {
        return h0;
    }
    exo_handle_t h = (exo_handle_t)h0;
    exo_printf("ipcbench: move%s %lu KiB: the region is at %p\n", touch ? "+touch" : "", size / KIB,
               base);
    volatile uint64_t *w = base;
    volatile uint8_t *b = base;
    uint64_t r[BENCH_ROUNDS], sum;
    int64_t st = 0;
    for (int k = -1; k < BENCH_ROUNDS && st == 0; k++) {
        /* Fresh contents for this round (they map the pages here: the settling move below
         * takes them out again, so the timed loop starts from the steady state). */
        for (uint64_t off = 0; off < size; off += PAGE) {
            b[off] = (uint8_t)(off / PAGE * 13 + (uint64_t)k);
        }
        w[0] = pattern((uint64_t)k + 100);
        w[size / 16] = pattern((uint64_t)k + 200);
        w[size / 8 - 1] = pattern((uint64_t)k + 300);
        uint64_t check_want = check_sum(w, size), touch_want = touch_sum(b, size);
        st = move_call(ep, touch ? OP_MOVE_TOUCH : OP_MOVE, &h, base, size, &sum);
        if (st != 0) {
            break;
        }
        uint64_t t0 = rdtsc();
        for (uint32_t i = 0; i < n && st == 0; i++) {
            st = move_call(ep, touch ? OP_MOVE_TOUCH : OP_MOVE, &h, base, size, &sum);
            if (st == 0 && touch && (sum != touch_want || touch_sum(b, size) != touch_want)) {
                st = ERR_STATE;
            }
        }
        uint64_t t1 = rdtsc();
        /* The data made every trip: the server reads the check words, then so do we. */
        st = st ? st : move_call(ep, OP_MOVE_CHECK, &h, base, size, &sum);
        if (st == 0 && (sum != check_want || check_sum(w, size) != check_want)) {
            exo_printf("ipcbench: move %lu bytes: check words %lx here, %lx there, expected %lx\n",
                       size, check_sum(w, size), sum, check_want);
            st = ERR_STATE;
        }
        if (k >= 0) {
            r[k] = (t1 - t0) / (2 * n);
        }
    }
    exo_cap_delete(h);
    return st ? st : (int64_t)median(r, BENCH_ROUNDS);
}

/* ---- copying through a shared region ---- */

typedef struct copier {
    exo_handle_t ep;
    uint64_t *shared; /* COPY_MAX bytes, mapped by both */
    uint64_t *src, *dst;
} copier_t;

static int64_t copy_setup(copier_t *c, exo_handle_t ep) {
    c->ep = ep;
    void *p = NULL;
    int64_t h =
        exo_region_alloc_cap(exo_memory_cap(), COPY_MAX, EXO_PROT_READ | EXO_PROT_WRITE, &p);
    c->src = exo_region_alloc(COPY_MAX, EXO_PROT_READ | EXO_PROT_WRITE);
    c->dst = exo_region_alloc(COPY_MAX, EXO_PROT_READ | EXO_PROT_WRITE);
    if (h < 0 || c->src == NULL || c->dst == NULL) {
        return h < 0 ? h : ERR_NO_MEMORY;
    }
    c->shared = p;
    for (uint64_t i = 0; i < COPY_MAX / 8; i++) {
        c->src[i] = pattern(i);
    }
    exo_msg_t m;
    exo_msg_init(&m, OP_COPY_SETUP);
    set_word(&m, 0, (uint64_t)(uintptr_t)p);
    set_word(&m, 1, COPY_MAX);
    exo_msg_add_cap(&m, (exo_handle_t)h, CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0);
    int64_t st = exo_ipc_call(ep, &m, 0);
    return st ? st : m.label != OP_COPY_SETUP ? ERR_STATE : (int64_t)word(&m, 0);
}

/* Per one-way transfer of size bytes (a round trip carries them there and back). */
static int64_t bench_copy(copier_t *c, uint64_t size, uint32_t n) {
    uint64_t r[BENCH_ROUNDS], words = size / 8, seq = 0;
    for (int k = -1; k < BENCH_ROUNDS; k++) {
        uint64_t t0 = rdtsc();
        for (uint32_t i = 0; i < n; i++) {
            seq++;
            c->src[0] = seq;
            c->src[words - 1] = ~seq;
            memcpy(c->shared, c->src, size);
            exo_msg_t m;
            exo_msg_init(&m, OP_COPY);
            set_word(&m, 0, size);
            set_word(&m, 1, seq);
            int64_t st = exo_ipc_call(c->ep, &m, 0);
            if (st != 0) {
                return st;
            }
            memcpy(c->dst, c->shared, size);
            if (m.label != OP_COPY || word(&m, 0) != 1 || c->dst[0] != seq + 1 ||
                c->dst[words / 2] != pattern(words / 2) || c->dst[words - 1] != ~seq) {
                return ERR_STATE;
            }
        }
        if (k >= 0) {
            r[k] = (rdtsc() - t0) / (2 * n);
        }
    }
    return (int64_t)median(r, BENCH_ROUNDS);
}

/* ---- main ---- */

static void run_client(uint32_t cores) {
    exo_handle_t e1, e2;
    int64_t server = start_server(&e1, &e2);
    if (server < 0) {
        exo_printf("ipcbench: cannot start the server: %s\n", status_str((status_t)server));
        failures++;
        return;
    }
    where_t where;
    int64_t v = bench_call(e1, 16, &where);
    report("ipc call/reply round trip 16B", v);
    if (v >= 0) {
        print_where("call/reply 16B", &where);
    }
    v = bench_call(e1, EXO_MSG_DATA, &where);
    report("ipc call/reply round trip 128B", v);
    if (v >= 0) {
        print_where("call/reply 128B", &where);
    }

    if (cores > 1) {
        report("ipc round trip across cores", bench_spin(e1, e2));
    } else {
        exo_printf("bench: ipc round trip across cores skipped: one core\n");
    }

    report("ipc move 4KiB", bench_move(e1, 4 * KIB, false, iters(MOVE_ITERS_4K)));
    report("ipc move 2MiB", bench_move(e1, 2 * MIB, false, iters(MOVE_ITERS_2M)));
    report("ipc move+touch 4KiB", bench_move(e1, 4 * KIB, true, iters(MOVE_ITERS_4K)));
    report("ipc move+touch 2MiB", bench_move(e1, 2 * MIB, true, iters(TOUCH_ITERS_2M)));

    copier_t c;
    v = copy_setup(&c, e1);
    if (v != 0) {
        report("ipc copy setup", v);
    } else {
        report("ipc copy 4KiB", bench_copy(&c, 4 * KIB, iters(COPY_ITERS_4K)));
        report("ipc copy 2MiB", bench_copy(&c, 2 * MIB, iters(COPY_ITERS_2M)));
    }

    exo_msg_t m;
    exo_msg_init(&m, OP_QUIT);
    int64_t st = exo_ipc_call(e1, &m, 0);
    int64_t status = st < 0 ? st : exo_domain_wait((exo_handle_t)server);
    if (st != 0 || status != 0) {
        exo_printf("ipcbench: server: quit %s, status %ld\n", status_str((status_t)st), status);
        failures++;
    }
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "server") == 0) {
        return role_server();
    }
    iters_div = argc > 1 && strcmp(argv[1], "quick") == 0 ? QUICK_DIV : 1;
    uint32_t cores = count_cores();
    exo_printf("ipcbench: %u core(s)%s\n", cores, iters_div > 1 ? ", quick mode" : "");
    exo_printf("bench: null trap %lu cycles\n", bench_null());
    uint64_t t0 = exo_clock_ns();
    run_client(cores);
    exo_printf("ipcbench: %d failure(s), %lu ms\n", failures, (exo_clock_ns() - t0) / MS);
    return failures ? 1 : 0;
}
