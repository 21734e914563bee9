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

static void check(const char *what, int64_t got, int64_t want) {
    if (got != want) {
        exo_printf("ipctest %s: %s: got %ld (%s), expected %ld (%s): FAIL\n", mode, what, got,
                   got < 0 ? status_str((status_t)got) : "-", want,
                   want < 0 ? status_str((status_t)want) : "-");
        failures++;
    }
}

static exo_handle_t endpoint_from_start(void) {
    const exo_start_t *s = exo_start_info();
    exo_handle_t h = EXO_HANDLE_NONE;
    for (uint64_t i = 0; i < s->ncaps && i < EXO_START_CAPS; i++) {
        if (s->caps[i].type == CAP_ENDPOINT) {
            h = s->caps[i].handle; /* the last one */
        }
    }
    return h;
}

/* A child running role with endpoint ep (rights as given) as its last start cap. */
static int64_t start_role(const char *args, exo_handle_t ep, uint32_t rights) {
    exo_domain_spawn_t req = exo_spawn_request("ipctest", args);
    exo_cap_info_t con;
    uint32_t copy = CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE;
    if (exo_cap_info(exo_console_cap(), &con) == 0 && (con.rights & copy) == copy) {
        req.caps[req.ncaps++] =
            (exo_spawn_cap_t){.handle = exo_console_cap(), .rights = CAP_RIGHT_WRITE};
    }
    req.caps[req.ncaps++] = (exo_spawn_cap_t){.handle = ep, .rights = rights};
    int64_t id = exo_domain_spawn(&req);
    if (id < 0) {
        exo_printf("ipctest %s: cannot start %s: %s\n", mode, args, status_str((status_t)id));
        failures++;
    }
    return id;
}

/* ---- roles ---- */

static int role_echo(void) {
    exo_handle_t ep = endpoint_from_start();
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
    exo_handle_t ep = endpoint_from_start();
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

int main(int argc, char **argv) {
    mode = argc > 1 ? argv[1] : "?";
    uint64_t n = argc > 2 ? exo_parse_u64(argv[2]) : 0;
    if (strcmp(mode, "echo") == 0) {
        return role_echo();
    }
    if (strcmp(mode, "dier") == 0) {
        return role_dier(n);
    }
    if (strcmp(mode, "pingpong") == 0) {
        mode_pingpong(n ? n : 1000);
    } else if (strcmp(mode, "ringcall") == 0) {
        mode_ringcall(n ? n : 1000);
    } else {
        exo_printf("ipctest: unknown mode %s\n", mode);
        return 2;
    }
    exo_printf("ipctest %s: %s\n", mode, failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
