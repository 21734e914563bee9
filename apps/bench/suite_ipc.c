/*
 * IPC for the benchmark suite (suite_exo.h): a second copy of the bench app (`bench
 * server`) holds the only RECV cap of an endpoint and answers calls in
 * exo_ipc_reply_recv. Round trips carry 1 or 128 bytes each way (the twin: a pipe
 * ping-pong between two processes); moves carry a region cap there and back with
 * EXO_MSG_CAP_MOVE, so the pages change views and no byte is copied (the twin: the same
 * bytes written into a pipe and read back out of another).
 */
#include "suite_exo.h"

#define SERVER_BUDGET (4ul << 20) /* its image, stack and page tables */

enum op {
    OP_ECHO = 1, /* data[0] comes back + 1, the length unchanged */
    OP_MOVE,     /* cap 0: a region, moved back */
    OP_CHECK,    /* the same; word 0: base, word 1: size; answer word 0: check_sum */
    OP_QUIT,
    OP_ERROR = 0xbad,
};

/* The words a moved region is checked by: first and last. */
static uint64_t check_sum(const volatile uint64_t *p, uint64_t size) {
    return p[0] + 3 * p[size / 8 - 1];
}

static uint64_t word(const exo_msg_t *m, uint32_t i) {
    uint64_t v;
    memcpy(&v, m->data + 8 * i, 8);
    return v;
}

static void set_word(exo_msg_t *m, uint32_t i, uint64_t v) {
    memcpy(m->data + 8 * i, &v, 8);
    m->len = m->len > 8 * (i + 1) ? m->len : 8 * (i + 1);
}

/* ---- the server ---- */

/* A region arrives in cap 0 and goes back the same way (OP_CHECK reads it first). */
static void serve_move(exo_msg_t *m) {
    if (m->ncaps != 1 || m->caps[0].handle == EXO_HANDLE_NONE || m->caps[0].type != CAP_REGION) {
        m->label = OP_ERROR;
        m->ncaps = 0;
        return;
    }
    if (m->label == OP_CHECK) {
        set_word(m, 0, check_sum((const uint64_t *)(uintptr_t)word(m, 0), word(m, 1)));
    }
    m->caps[0].flags = EXO_MSG_CAP_MOVE; /* the handle and rights as they came */
}

int ipc_server_main(void) {
    exo_handle_t ep = exo_start_cap(CAP_ENDPOINT);
    exo_handle_t reply = EXO_HANDLE_NONE;
    exo_msg_t m; /* the answer, sent by the next turn's reply_recv: it must outlive a turn */
    for (;;) {
        int64_t st = exo_ipc_reply_recv(reply, &m, ep, 0);
        if (st != 0) {
            exo_printf("bench server: receive: %s\n", status_str((status_t)st));
            return 1;
        }
        reply = m.reply;
        switch (m.label) {
        case OP_ECHO:
            m.data[0]++;
            break;
        case OP_MOVE:
        case OP_CHECK:
            serve_move(&m);
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

int64_t ipc_server_start(ipc_state_t *s) {
    int64_t ep = exo_endpoint_create(4);
    if (ep < 0) {
        return ep;
    }
    exo_domain_spawn_t req = exo_spawn_request("bench", "bench server");
    req.budget = SERVER_BUDGET;
    exo_spawn_add_console(&req, CAP_RIGHT_WRITE);
    req.caps[req.ncaps++] =
        (exo_spawn_cap_t){.handle = (exo_handle_t)ep, .rights = CAP_RIGHT_EP_RECV};
    int64_t id = exo_domain_spawn(&req);
    int64_t send = id < 0 ? id : exo_cap_derive((exo_handle_t)ep, CAP_RIGHT_EP_SEND);
    exo_cap_delete((exo_handle_t)ep); /* the server holds the only RECV: its end closes it */
    if (send < 0) {
        return send;
    }
    s->ep = (exo_handle_t)send;
    s->server = (exo_handle_t)id;
    return 0;
}

int64_t ipc_server_stop(ipc_state_t *s) {
    exo_msg_t m;
    exo_msg_init(&m, OP_QUIT);
    int64_t st = exo_ipc_call(s->ep, &m, 0);
    st = st ? st : exo_domain_wait(s->server);
    exo_cap_delete(s->ep);
    exo_cap_delete(s->server);
    return st;
}

/* Round trips of s->len bytes each way; every answer is checked. */
int64_t round_ipc_rtt(void *state, uint32_t n) {
    ipc_state_t *s = state;
    exo_msg_t m;
    uint64_t t0 = rdtsc();
    for (uint32_t i = 0; i < n; i++) {
        exo_msg_init(&m, OP_ECHO);
        m.len = s->len;
        m.data[0] = (uint8_t)i;
        int64_t st = exo_ipc_call(s->ep, &m, 0);
        if (st != 0) {
            return st;
        }
        if (m.label != OP_ECHO || m.len != s->len || m.data[0] != (uint8_t)(i + 1)) {
            return ERR_STATE;
        }
    }
    return (int64_t)(rdtsc() - t0);
}

/* One call moving the region there and back; s->region is its handle here again after.
 * OP_CHECK answers with the server's check_sum in *sum. */
static int64_t move_call(ipc_state_t *s, uint64_t op, uint64_t *sum) {
    exo_msg_t m;
    exo_msg_init(&m, op);
    set_word(&m, 0, (uint64_t)(uintptr_t)s->base);
    set_word(&m, 1, s->size);
    exo_msg_add_cap(&m, s->region, CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_GRANT,
                    EXO_MSG_CAP_MOVE);
    int64_t st = exo_ipc_call(s->ep, &m, 0);
    if (st != 0) {
        return st;
    }
    if (m.label != op || m.ncaps != 1 || m.caps[0].handle == EXO_HANDLE_NONE ||
        m.caps[0].type != CAP_REGION) {
        return ERR_STATE;
    }
    s->region = m.caps[0].handle;
    *sum = word(&m, 0);
    return 0;
}

int64_t ipc_move_setup(ipc_state_t *s, uint64_t size) {
    int64_t h =
        exo_region_alloc_cap(exo_memory_cap(), size, EXO_PROT_READ | EXO_PROT_WRITE, &s->base);
    if (h < 0) {
        return h;
    }
    s->region = (exo_handle_t)h;
    s->size = size;
    return 0;
}

void ipc_move_done(ipc_state_t *s) {
    exo_cap_delete(s->region);
}

/* n moves there and back, nobody touching the pages in between (zero-copy: the receiver
 * could read them through the sender's own pointers). Before the timed loop the contents
 * are written here and an untimed move takes the pages out of this view (the steady
 * state); after it, the server and then this side check them. */
int64_t round_move(void *state, uint32_t n) {
    ipc_state_t *s = state;
    volatile uint64_t *w = s->base;
    uint64_t sum = 0, seq = rdtsc();
    for (uint64_t off = 0; off < s->size; off += 4096) {
        w[off / 8] = seq + off;
    }
    w[s->size / 8 - 1] = ~seq;
    uint64_t want = check_sum(w, s->size);
    int64_t st = move_call(s, OP_MOVE, &sum);
    if (st != 0) {
        return st;
    }
    uint64_t t0 = rdtsc();
    for (uint32_t i = 0; i < n && st == 0; i++) {
        st = move_call(s, OP_MOVE, &sum);
    }
    uint64_t t1 = rdtsc();
    st = st ? st : move_call(s, OP_CHECK, &sum);
    if (st == 0 && (sum != want || check_sum(w, s->size) != want)) {
        st = ERR_STATE;
    }
    return st ? st : (int64_t)(t1 - t0);
}
