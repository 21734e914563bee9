/*
 * ipctest: endpoints, calls and their failures (init's "ipc" scenario; docs/ipc.md).
 *   ipctest pingpong N   N calls to an echo child, each payload checked (trap on both sides)
 *   ipctest ringcall N   N calls through a ring, 8 in flight, to the same echo child
 *   ipctest errors       every IPC check with its specific error, in one domain
 *   ipctest death        receivers that die: a call in flight, a queued call, a queued
 *                        region move, a send afterwards; caps and frames return
 * Roles started by the modes above (with an endpoint cap as their last start cap):
 *   ipctest echo         answers each call: label + 1, data bytes + 1, until label QUIT
 *   ipctest dier N       receives N calls (not answering them), then exits
 * Each mode prints "ipctest <mode>: ... PASS|FAIL" and exits 0 only if all passed.
 */
#include <user/exo.h>
#include <user/ring.h>

#define LABEL_QUIT (~0ull)
#define MS 1000000ull

static const char *mode = "?";
static int failures;

static void check(const char *what, int64_t got, int64_t want);

static void check(const char *what, int64_t got, int64_t want) {
    if (got != want) {
        exo_printf("ipctest %s: %s: got %ld (%s), expected %ld (%s): FAIL\n", mode, what, got,
                   got < 0 ? status_str((status_t)got) : "-", want,
                   want < 0 ? status_str((status_t)want) : "-");
        failures++;
    }
}

/* A child running role with endpoint ep (rights as given) as its last start cap. */
static int64_t start_role(const char *args, exo_handle_t ep, uint32_t rights) {
    exo_domain_spawn_t req = exo_spawn_request("ipctest", args);
    exo_spawn_add_console(&req, CAP_RIGHT_WRITE);
    req.caps[req.ncaps++] = (exo_spawn_cap_t){.handle = ep, .rights = rights};
    int64_t id = exo_domain_spawn(&req);
    if (id < 0) {
        exo_printf("ipctest %s: cannot start %s: %s\n", mode, args, status_str((status_t)id));
        failures++;
    }
    return id;
}

/* ---- roles ---- */

static int role_holder(void) {
    for (;;) {
        exo_yield(0); /* holds its RECV cap without ever receiving, until killed */
    }
}

static int role_echo(void) {
    exo_handle_t ep = exo_start_cap(CAP_ENDPOINT);
    exo_msg_t m;
    int64_t st = exo_ipc_recv(ep, &m, 0);
    while (st == 0 && m.label != LABEL_QUIT) {
        m.label++;
        for (uint32_t i = 0; i < m.len; i++) {
            m.data[i]++;
        }
        m.ncaps = 0;
        st = exo_ipc_reply_recv(m.reply, &m, ep, 0);
    }
    if (st == 0 && m.reply) {
        st = exo_ipc_reply(m.reply, &m);
    }
    return st == 0 ? 0 : 1;
}

static int role_dier(uint64_t n) {
    exo_handle_t ep = exo_start_cap(CAP_ENDPOINT);
    exo_msg_t m;
    for (uint64_t i = 0; i < n; i++) {
        if (exo_ipc_recv(ep, &m, 0) != 0) {
            return 1;
        }
    }
    return 0; /* the reply caps go with this domain: their callers get ERR_CLOSED */
}

/* ---- pingpong ---- */

static void fill(exo_msg_t *m, uint64_t i) {
    exo_msg_init(m, i);
    m->len = 1 + (uint32_t)(i % EXO_MSG_DATA);
    for (uint32_t j = 0; j < m->len; j++) {
        m->data[j] = (uint8_t)(i * 7 + j);
    }
}

static bool echoed(const exo_msg_t *m, uint64_t i) {
    if (m->label != i + 1 || m->len != 1 + i % EXO_MSG_DATA || m->ncaps != 0 || m->reply != 0) {
        return false;
    }
    for (uint32_t j = 0; j < m->len; j++) {
        if (m->data[j] != (uint8_t)(i * 7 + j + 1)) {
            return false;
        }
    }
    return true;
}

/* An echo child holding the only RECV cap (so its end closes the endpoint); *ep gets a
 * SEND-only cap. */
static int64_t start_echo(exo_handle_t *ep) {
    int64_t e = exo_endpoint_create(4);
    check("endpoint_create", e > 0, 1);
    int64_t child = start_role("ipctest echo", (exo_handle_t)e, CAP_RIGHT_EP_RECV);
    int64_t send = exo_cap_derive((exo_handle_t)e, CAP_RIGHT_EP_SEND);
    check("derive send", send > 0, 1);
    check("delete own RECV", exo_cap_delete((exo_handle_t)e), 0);
    *ep = (exo_handle_t)send;
    return child;
}

static void stop_echo(exo_handle_t ep, int64_t child) {
    exo_msg_t m;
    exo_msg_init(&m, LABEL_QUIT);
    check("quit call", exo_ipc_call(ep, &m, 0), 0);
    check("echo status", exo_domain_wait((exo_handle_t)child), 0);
}

static void mode_pingpong(uint64_t n) {
    exo_handle_t ep;
    int64_t child = start_echo(&ep);
    if (child < 0) {
        return;
    }
    uint64_t bad = 0, t0 = exo_clock_ns();
    for (uint64_t i = 0; i < n; i++) {
        exo_msg_t m;
        fill(&m, i);
        int64_t st = exo_ipc_call(ep, &m, 0);
        if (st != 0 || !echoed(&m, i)) {
            if (bad++ == 0) {
                exo_printf("ipctest pingpong: call %lu: %s, label %lu len %u\n", i,
                           status_str((status_t)st), m.label, m.len);
            }
        }
    }
    uint64_t ms = (exo_clock_ns() - t0) / MS;
    stop_echo(ep, child);
    check("bad answers", (int64_t)bad, 0);
    exo_printf("ipctest pingpong: %lu calls, %lu bad, %lu ms\n", n, bad, ms);
}

/* ---- ringcall ---- */

#define RING_INFLIGHT 8

static void mode_ringcall(uint64_t n) {
    exo_handle_t ep;
    int64_t child = start_echo(&ep);
    if (child < 0) {
        return;
    }
    exo_ring_t ring;
    int64_t st = exo_ring_init(&ring, 16, 0);
    if (st < 0) {
        check("ring_init", st, 0);
        stop_echo(ep, child);
        return;
    }
    static exo_msg_t msgs[RING_INFLIGHT];
    uint64_t sent = 0, done = 0, bad = 0;
    uint64_t which[RING_INFLIGHT];
    for (uint32_t s = 0; s < RING_INFLIGHT && sent < n; s++, sent++) {
        fill(&msgs[s], sent);
        which[s] = sent;
        exo_sqe_t *e = exo_ring_get_sqe(&ring);
        exo_prep_ipc_call(e, ep, &msgs[s], 0);
        e->user_data = s;
    }
    while (done < n) {
        exo_cqe_t *c;
        st = exo_ring_submit_and_wait(&ring, 1);
        if (st < 0 && st != ERR_BUSY) {
            check("submit_and_wait", st, 0);
            break;
        }
        while (exo_ring_peek_cqe(&ring, &c) == STATUS_OK) {
            uint32_t s = (uint32_t)c->user_data;
            if (c->res != 0 || !echoed(&msgs[s], which[s])) {
                if (bad++ == 0) {
                    exo_printf("ipctest ringcall: call %lu: res %ld label %lu\n", which[s], c->res,
                               msgs[s].label);
                }
            }
            exo_ring_cqe_seen(&ring, c);
            done++;
            if (sent < n) {
                fill(&msgs[s], sent);
                which[s] = sent++;
                exo_sqe_t *e = exo_ring_get_sqe(&ring);
                exo_prep_ipc_call(e, ep, &msgs[s], 0);
                e->user_data = s;
            }
        }
    }
    exo_ring_exit(&ring);
    stop_echo(ep, child);
    check("bad answers", (int64_t)bad, 0);
    exo_printf("ipctest ringcall: %lu calls through a ring, %lu bad\n", done, bad);
}

/* ---- helpers for the error and death modes ---- */

/* A continuation that makes one call, send or receive and records what it got. */
typedef struct side {
    int op; /* 0 call, 1 send, 2 ring call */
    exo_handle_t ep;
    exo_msg_t m;
    volatile bool done;
    volatile int64_t res;
    uint8_t stack[16384] __attribute__((aligned(16)));
} side_t;

static void side_main(void *arg) {
    side_t *s = arg;
    int64_t r;
    if (s->op == 0) {
        r = exo_ipc_call(s->ep, &s->m, 0);
    } else if (s->op == 1) {
        r = exo_ipc_send(s->ep, &s->m, 0);
    } else {
        exo_ring_t ring;
        r = exo_ring_init(&ring, 4, 0);
        if (r >= 0) {
            exo_prep_ipc_call(exo_ring_get_sqe(&ring), s->ep, &s->m, 0);
            exo_cqe_t *c;
            r = exo_ring_submit_and_wait(&ring, 1);
            r = r < 0 ? r : exo_ring_peek_cqe(&ring, &c) == STATUS_OK ? c->res : ERR_STATE;
            exo_ring_exit(&ring);
        }
    }
    s->res = r;
    s->done = true;
}

static void side_start(side_t *s, int op, exo_handle_t ep, uint64_t label) {
    s->op = op;
    s->ep = ep;
    s->done = false;
    exo_msg_init(&s->m, label);
    if (exo_spawn(side_main, s, s->stack, sizeof(s->stack)) < 0) {
        s->done = true;
        s->res = ERR_NO_MEMORY;
    }
}

/* Yields until s is done (or 5 s pass: then ERR_TIMEOUT, reported as a failure). */
static int64_t side_wait(side_t *s) {
    for (uint64_t t0 = exo_clock_ns(); !s->done;) {
        if (exo_clock_ns() - t0 > 5000 * MS) {
            return ERR_TIMEOUT;
        }
        exo_yield(0);
    }
    return s->res;
}

/* Lets other continuations run for a while (a side reaching its wait). */
static void settle(void) {
    for (uint64_t t0 = exo_clock_ns(); exo_clock_ns() - t0 < 20 * MS;) {
        exo_yield(0);
    }
}

static int64_t send_caps(exo_handle_t ep, exo_handle_t h, uint32_t rights, uint16_t flags) {
    exo_msg_t m;
    exo_msg_init(&m, 7);
    exo_msg_add_cap(&m, h, rights, flags);
    return exo_ipc_send(ep, &m, EXO_IPC_NOWAIT);
}

static void leak_check(const exo_sysinfo_t *before) {
    exo_sysinfo_t after;
    bool same = exo_sysinfo_settle(before, &after, 2000);
    exo_printf("ipctest %s: after - before: regions %ld, caps %ld, heap objects %ld, frames %ld, "
               "domains %ld\n",
               mode, (int64_t)(after.regions - before->regions),
               (int64_t)(after.caps - before->caps),
               (int64_t)(after.heap_objects - before->heap_objects),
               (int64_t)(after.free_frames + after.heap_pages) -
                   (int64_t)(before->free_frames + before->heap_pages),
               (int64_t)(after.domains - before->domains));
    check("figures back to the start", same, true);
}

/* ---- errors ---- */

static int checks;

static void expect_st(const char *what, int64_t got, int64_t want) {
    checks++;
    check(what, got, want);
}

static void errors_queue(exo_handle_t ep) {
    exo_msg_t m;
    exo_msg_init(&m, 1);
    expect_st("send 1 of 2", exo_ipc_send(ep, &m, EXO_IPC_NOWAIT), 0);
    m.label = 2;
    expect_st("send 2 of 2", exo_ipc_send(ep, &m, EXO_IPC_NOWAIT), 0);
    expect_st("send to a full queue, NOWAIT", exo_ipc_send(ep, &m, EXO_IPC_NOWAIT), ERR_BUSY);
    exo_msg_t r;
    expect_st("recv 1", exo_ipc_recv(ep, &r, 0), 0);
    expect_st("first in, first out", (int64_t)r.label, 1);
    expect_st("recv 2", exo_ipc_recv(ep, &r, 0), 0);
    expect_st("second", (int64_t)r.label, 2);
    expect_st("recv from an empty queue, NOWAIT", exo_ipc_recv(ep, &r, EXO_IPC_NOWAIT), ERR_AGAIN);
    /* A sender waiting for room gets it when a message is taken. */
    exo_msg_init(&m, 3);
    exo_ipc_send(ep, &m, 0);
    exo_ipc_send(ep, &m, 0);
    static side_t s;
    side_start(&s, 1, ep, 4);
    settle();
    expect_st("a sender waits on a full queue", s.done, false);
    expect_st("recv makes room", exo_ipc_recv(ep, &r, 0), 0);
    expect_st("the waiting sender's send completes", side_wait(&s), 0);
    exo_ipc_recv(ep, &r, 0);
    expect_st("recv its message", exo_ipc_recv(ep, &r, 0), 0);
    expect_st("its label", (int64_t)r.label, 4);
}

static void errors_message(exo_handle_t ep, exo_handle_t region) {
    exo_msg_t m;
    exo_msg_init(&m, 1);
    m.len = EXO_MSG_DATA + 1;
    expect_st("129 data bytes", exo_ipc_send(ep, &m, EXO_IPC_NOWAIT), ERR_TOO_BIG);
    exo_msg_init(&m, 1);
    m.ncaps = EXO_MSG_CAPS + 1;
    expect_st("5 caps", exo_ipc_send(ep, &m, EXO_IPC_NOWAIT), ERR_TOO_BIG);
    expect_st("unknown cap flag", send_caps(ep, region, CAP_RIGHT_READ, 2), ERR_INVALID);
    expect_st("handle 0", send_caps(ep, 0, CAP_RIGHT_READ, 0), ERR_INVALID);
    exo_msg_init(&m, 1);
    exo_msg_add_cap(&m, region, CAP_RIGHT_READ, 0);
    exo_msg_add_cap(&m, region, CAP_RIGHT_READ, 0);
    expect_st("one cap twice", exo_ipc_send(ep, &m, EXO_IPC_NOWAIT), ERR_INVALID);
    exo_msg_init(&m, 1);
    expect_st("unknown flags", exo_ipc_send(ep, &m, 2), ERR_INVALID);
    expect_st("recv, unknown flags", exo_ipc_recv(ep, &m, 2), ERR_INVALID);
    expect_st("recv into the kernel", exo_ipc_recv(ep, (exo_msg_t *)0xffffffff80000000ull, 0),
              ERR_FAULT);
    expect_st("send from an unmapped address",
              exo_ipc_send(ep, (const exo_msg_t *)0x1000, EXO_IPC_NOWAIT), ERR_FAULT);
    expect_st("nothing was queued", exo_ipc_recv(ep, &m, EXO_IPC_NOWAIT), ERR_AGAIN);
}

static void errors_caps(exo_handle_t ep, exo_handle_t region) {
    int64_t stale = exo_cap_derive(region, CAP_RIGHT_READ | CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE);
    exo_cap_delete((exo_handle_t)stale);
    expect_st("a stale cap", send_caps(ep, (exo_handle_t)stale, CAP_RIGHT_READ, 0), ERR_STALE);
    expect_st("a forged handle", send_caps(ep, 0x12345ull << 16 | 77, CAP_RIGHT_READ, 0),
              ERR_BAD_HANDLE);
    int64_t nogrant = exo_cap_derive(region, CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_DERIVE);
    expect_st("moving a region without GRANT (not the sender's to give)",
              send_caps(ep, (exo_handle_t)nogrant, CAP_RIGHT_READ, EXO_MSG_CAP_MOVE), ERR_RIGHTS);
    int64_t noderive = exo_cap_derive(region, CAP_RIGHT_READ | CAP_RIGHT_GRANT);
    expect_st("copying without DERIVE", send_caps(ep, (exo_handle_t)noderive, CAP_RIGHT_READ, 0),
              ERR_RIGHTS);
    int64_t ro = exo_cap_derive(region, CAP_RIGHT_READ | CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE);
    expect_st("asking for more rights than the cap has",
              send_caps(ep, (exo_handle_t)ro, CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0), ERR_RIGHTS);
    expect_st("a receive right in a message", send_caps(ep, ep, CAP_RIGHT_EP_RECV, 0), ERR_RIGHTS);
    exo_msg_t m;
    expect_st("nothing was queued", exo_ipc_recv(ep, &m, EXO_IPC_NOWAIT), ERR_AGAIN);
    expect_st("a send right in a message", send_caps(ep, ep, CAP_RIGHT_EP_SEND, 0), 0);
    expect_st("recv it", exo_ipc_recv(ep, &m, 0), 0);
    expect_st("it arrived as an endpoint cap with SEND",
              m.ncaps == 1 && m.caps[0].type == CAP_ENDPOINT &&
                  m.caps[0].rights == CAP_RIGHT_EP_SEND,
              true);
    exo_cap_delete(m.caps[0].handle);
    /* A moved cap leaves this table; the copy received here arrives unmapped (this domain
     * maps the region already through its own cap). */
    expect_st("move a read-only child",
              send_caps(ep, (exo_handle_t)ro, CAP_RIGHT_READ, EXO_MSG_CAP_MOVE), 0);
    exo_cap_info_t ci;
    expect_st("the moved cap is gone", exo_cap_info((exo_handle_t)ro, &ci), ERR_STALE);
    expect_st("recv the moved cap", exo_ipc_recv(ep, &m, 0), 0);
    expect_st("it names the region, unmapped here",
              exo_cap_info(m.caps[0].handle, &ci) == 0 && ci.type == CAP_REGION && !ci.mapped,
              true);
    exo_cap_delete(m.caps[0].handle);
    exo_cap_delete((exo_handle_t)nogrant);
    exo_cap_delete((exo_handle_t)noderive);
    /* A revoke while a copy is in flight deletes it there: it arrives as handle 0. */
    int64_t parent = exo_cap_derive(region, CAP_RIGHT_READ | CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE);
    expect_st("send a copy", send_caps(ep, (exo_handle_t)parent, CAP_RIGHT_READ, 0), 0);
    expect_st("revoke it in flight", exo_cap_revoke((exo_handle_t)parent), 1);
    expect_st("recv", exo_ipc_recv(ep, &m, 0), 0);
    expect_st("a cap revoked in flight arrives as handle 0", (int64_t)m.caps[0].handle, 0);
    exo_cap_delete((exo_handle_t)parent);
}

static void errors_rights_and_badges(exo_handle_t ep, exo_handle_t region) {
    exo_msg_t m;
    exo_msg_init(&m, 1);
    int64_t recv_only = exo_cap_derive(ep, CAP_RIGHT_EP_RECV);
    int64_t send_only = exo_cap_derive(ep, CAP_RIGHT_EP_SEND | CAP_RIGHT_DERIVE);
    expect_st("send without SEND", exo_ipc_send((exo_handle_t)recv_only, &m, 0), ERR_RIGHTS);
    expect_st("recv without RECV", exo_ipc_recv((exo_handle_t)send_only, &m, 0), ERR_RIGHTS);
    expect_st("send to a region", exo_ipc_send(region, &m, 0), ERR_WRONG_TYPE);
    expect_st("endpoint of depth 0", exo_endpoint_create(0), ERR_RANGE);
    expect_st("endpoint of depth 65", exo_endpoint_create(EXO_ENDPOINT_MAX_DEPTH + 1), ERR_RANGE);
    expect_st("mint badge 0", exo_cap_mint(ep, CAP_RIGHT_EP_SEND, 0), ERR_INVALID);
    expect_st("mint a region", exo_cap_mint(region, CAP_RIGHT_READ, 5), ERR_WRONG_TYPE);
    int64_t badged = exo_cap_mint(ep, CAP_RIGHT_EP_SEND | CAP_RIGHT_DERIVE | CAP_RIGHT_GRANT, 42);
    expect_st("mint badge 42", badged > 0, true);
    int64_t badged_recv = exo_cap_mint(ep, CAP_RIGHT_EP_RECV | CAP_RIGHT_DERIVE, 45);
    expect_st("mint from a badged cap (even with RECV)",
              exo_cap_mint((exo_handle_t)badged_recv, CAP_RIGHT_EP_RECV, 43), ERR_PERM);
    exo_cap_delete((exo_handle_t)badged_recv);
    expect_st("mint without RECV (a sender cannot name itself)",
              exo_cap_mint((exo_handle_t)send_only, CAP_RIGHT_EP_SEND, 44), ERR_RIGHTS);
    int64_t child = exo_cap_derive((exo_handle_t)badged, CAP_RIGHT_EP_SEND);
    exo_cap_info_t ci;
    expect_st("a derived copy keeps the badge",
              exo_cap_info((exo_handle_t)child, &ci) == 0 ? (int64_t)ci.a : -1, 42);
    expect_st("send through the copy", exo_ipc_send((exo_handle_t)child, &m, 0), 0);
    expect_st("recv", exo_ipc_recv(ep, &m, 0), 0);
    expect_st("the receiver sees badge 42", (int64_t)m.badge, 42);
    expect_st("send unbadged", exo_ipc_send(ep, &m, 0), 0);
    expect_st("recv", exo_ipc_recv(ep, &m, 0), 0);
    expect_st("badge 0", (int64_t)m.badge, 0);
    exo_cap_delete((exo_handle_t)child);
    exo_cap_delete((exo_handle_t)badged);
    exo_cap_delete((exo_handle_t)recv_only);
    exo_cap_delete((exo_handle_t)send_only);
}

static void errors_reply(exo_handle_t ep) {
    static side_t s;
    side_start(&s, 0, ep, 10);
    exo_msg_t m;
    expect_st("recv a call", exo_ipc_recv(ep, &m, 0), 0);
    expect_st("it carries a reply cap", m.reply != 0, true);
    expect_st("a reply cap cannot be copied", exo_cap_derive(m.reply, 0), ERR_RIGHTS);
    exo_handle_t reply = m.reply;
    m.label = 11;
    exo_msg_t self = m;
    exo_msg_add_cap(&self, reply, 0, EXO_MSG_CAP_MOVE);
    expect_st("an answer carrying its own reply cap", exo_ipc_reply(reply, &self), ERR_INVALID);
    expect_st("reply", exo_ipc_reply(reply, &m), 0);
    expect_st("reply again (one-shot)", exo_ipc_reply(reply, &m), ERR_STALE);
    expect_st("the caller got the answer", side_wait(&s), 0);
    expect_st("its label", (int64_t)s.m.label, 11);
    side_start(&s, 0, ep, 12);
    expect_st("recv a call", exo_ipc_recv(ep, &m, 0), 0);
    expect_st("delete its reply cap unanswered", exo_cap_delete(m.reply), 0);
    expect_st("the caller gets ERR_CLOSED", side_wait(&s), ERR_CLOSED);
    side_start(&s, 2, ep, 13);
    expect_st("recv a ring call", exo_ipc_recv(ep, &m, 0), 0);
    m.label = 14;
    expect_st("reply", exo_ipc_reply(m.reply, &m), 0);
    expect_st("the ring call completed", side_wait(&s), 0);
    expect_st("with the answer", (int64_t)s.m.label, 14);
}

static void mode_errors(void) {
    exo_sysinfo_t before;
    exo_sysinfo_quiet(&before);
    void *base;
    int64_t region =
        exo_region_alloc_cap(exo_memory_cap(), 8192, EXO_PROT_READ | EXO_PROT_WRITE, &base);
    int64_t ep = exo_endpoint_create(2);
    if (region < 0 || ep < 0) {
        check("setup", region < 0 ? region : ep, 0);
        return;
    }
    errors_queue((exo_handle_t)ep);
    exo_printf("ipctest errors: queue and waiting: %d checks so far\n", checks);
    errors_message((exo_handle_t)ep, (exo_handle_t)region);
    exo_printf("ipctest errors: message checks: %d checks so far\n", checks);
    errors_caps((exo_handle_t)ep, (exo_handle_t)region);
    exo_printf("ipctest errors: caps in messages: %d checks so far\n", checks);
    errors_rights_and_badges((exo_handle_t)ep, (exo_handle_t)region);
    exo_printf("ipctest errors: rights and badges: %d checks so far\n", checks);
    errors_reply((exo_handle_t)ep);
    exo_cap_delete((exo_handle_t)ep);
    exo_cap_delete((exo_handle_t)region);
    leak_check(&before);
    exo_printf("ipctest errors: %d checks, %d failed\n", checks, failures);
}

/* ---- death ---- */

static void mode_death(void) {
    exo_sysinfo_t before;
    exo_sysinfo_quiet(&before);
    /* A receiver that dies with one call answered by nobody and one still queued. */
    int64_t ep = exo_endpoint_create(4);
    int64_t dier = start_role("ipctest dier 1", (exo_handle_t)ep, CAP_RIGHT_EP_RECV);
    int64_t send = exo_cap_derive((exo_handle_t)ep, CAP_RIGHT_EP_SEND);
    exo_cap_delete((exo_handle_t)ep);
    static side_t a, b;
    side_start(&a, 0, (exo_handle_t)send, 1);
    side_start(&b, 2, (exo_handle_t)send, 2);
    expect_st("the receiver ended", exo_domain_wait((exo_handle_t)dier), 0);
    expect_st("a call it received and never answered: ERR_CLOSED", side_wait(&a), ERR_CLOSED);
    expect_st("a ring call still queued: ERR_CLOSED", side_wait(&b), ERR_CLOSED);
    exo_msg_t m;
    exo_msg_init(&m, 3);
    expect_st("a send afterwards: ERR_CLOSED", exo_ipc_send((exo_handle_t)send, &m, 0), ERR_CLOSED);
    expect_st("a call afterwards: ERR_CLOSED", exo_ipc_call((exo_handle_t)send, &m, 0), ERR_CLOSED);
    exo_cap_delete((exo_handle_t)send);
    exo_cap_delete((exo_handle_t)dier);

    /* A receiver killed with a region move and a waiting sender in its queue. */
    ep = exo_endpoint_create(1);
    int64_t holder = start_role("ipctest holder", (exo_handle_t)ep, CAP_RIGHT_EP_RECV);
    send = exo_cap_derive((exo_handle_t)ep, CAP_RIGHT_EP_SEND);
    exo_cap_delete((exo_handle_t)ep);
    void *base;
    int64_t region =
        exo_region_alloc_cap(exo_memory_cap(), 64 * 1024, EXO_PROT_READ | EXO_PROT_WRITE, &base);
    memset(base, 0x5a, 64 * 1024);
    expect_st("move a region into the queue",
              send_caps((exo_handle_t)send, (exo_handle_t)region, CAP_RIGHT_READ | CAP_RIGHT_WRITE,
                        EXO_MSG_CAP_MOVE),
              0);
    side_start(&a, 1, (exo_handle_t)send, 4);
    settle();
    expect_st("a sender waits on the full queue", a.done, false);
    exo_domain_kill((exo_handle_t)holder);
    expect_st("the receiver was killed", exo_domain_wait((exo_handle_t)holder), EXO_EXIT_KILLED);
    expect_st("the waiting sender: ERR_CLOSED", side_wait(&a), ERR_CLOSED);
    exo_cap_delete((exo_handle_t)send);
    exo_cap_delete((exo_handle_t)holder);
    leak_check(&before); /* the moved region and its frames are freed with the queue */
    exo_printf("ipctest death: %d checks, %d failed\n", checks, failures);
}

int main(int argc, char **argv) {
    mode = argc > 1 ? argv[1] : "?";
    uint64_t n = argc > 2 ? exo_parse_u64(argv[2]) : 0;
    if (strcmp(mode, "echo") == 0) {
        return role_echo();
    }
    if (strcmp(mode, "dier") == 0) {
        return role_dier(n);
    }
    if (strcmp(mode, "holder") == 0) {
        return role_holder();
    }
    if (strcmp(mode, "pingpong") == 0) {
        mode_pingpong(n ? n : 1000);
    } else if (strcmp(mode, "ringcall") == 0) {
        mode_ringcall(n ? n : 1000);
    } else if (strcmp(mode, "errors") == 0) {
        mode_errors();
    } else if (strcmp(mode, "death") == 0) {
        mode_death();
    } else {
        exo_printf("ipctest: unknown mode %s\n", mode);
        return 2;
    }
    exo_printf("ipctest %s: %s\n", mode, failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
