/*
 * storeuser: clients of the object store (objstore, store.h), and init's "objstore" demo.
 *   storeuser demo   the driver, and client A: starts objstore with the endpoint's only
 *                    receive cap, uses an object and every error, fills the server's
 *                    table, starts client B with a copy of the object's cap without
 *                    GRANT, drops the object, stops the server, and checks the kernel's
 *                    figures are back where they were before
 *   storeuser b      client B: its first three endpoint start caps are the public cap
 *                    (SEND only), the object's cap (SEND, DERIVE) and a SEND cap to A's
 *                    sync endpoint; it tries to use, pass on, re-badge and forge handles
 *   storeuser idle   a domain that waits until it is killed (B's target for transfers)
 * Every check prints one line ending in PASS or FAIL; each mode ends with a verdict line
 * and exits 0 only if all its checks passed.
 */
#include <user/exo.h>

#include "store.h"

#define MS 1000000ull
#define SYNC_DROP 1 /* B to A: done with the object; answered once A dropped it */
#define SYNC_QUIT 2 /* B to A: done with stale caps; answered once the server is gone */

static const char *who = "storeuser";
static int checks, failures;

static void status_name(char *buf, size_t n, int64_t v) {
    if (v < 0) {
        fmt_snprintf(buf, n, "%s", status_str((status_t)v));
    } else if (v == 0) {
        fmt_snprintf(buf, n, "OK");
    } else {
        fmt_snprintf(buf, n, "%ld", v);
    }
}

/* A check with a detail of its own: "who: what: got (expected want): PASS|FAIL". */
static void verdict(const char *what, bool ok, const char *got, const char *want) {
    checks++;
    failures += !ok;
    exo_printf("%s: %s: %s (expected %s): %s\n", who, what, got, want, ok ? "PASS" : "FAIL");
}

/* A check of a status: OK (0), a positive number, or ERR_*. */
static void check(const char *what, int64_t got, int64_t want) {
    char g[32], w[32];
    status_name(g, sizeof(g), got);
    status_name(w, sizeof(w), want);
    verdict(what, got == want, g, w);
}

/* A check of a call that returns a new handle. */
static void check_handle(const char *what, int64_t got) {
    char g[32];
    status_name(g, sizeof(g), got);
    verdict(what, got > 0, got > 0 ? "a handle" : g, "a handle");
}

/* A check of a domain's exit status (EXO_EXIT_* are not ERR_* codes). */
static void check_exit(const char *what, int64_t got, int64_t want) {
    char g[32], w[32];
    fmt_snprintf(g, sizeof(g), "status %ld", got);
    fmt_snprintf(w, sizeof(w), "status %ld", want);
    verdict(what, got == want, g, w);
}

/* A call of label with len bytes of data through ep: the call's own error, or the
 * answer's label (STORE_OK or ERR_*). The answer is left in *m. */
static int64_t store_call(exo_handle_t ep, uint64_t label, const void *data, size_t len,
                          exo_msg_t *m) {
    exo_msg_init(m, label);
    exo_msg_put(m, data, len);
    int64_t st = exo_ipc_call(ep, m, 0);
    return st != 0 ? st : store_status(m);
}

/* st, or if it is OK: OK only if answer *m carries exactly the string want. */
static int64_t answer_is(int64_t st, const exo_msg_t *m, const char *want) {
    if (st == STORE_OK && (m->len != strlen(want) || memcmp(m->data, want, m->len) != 0)) {
        return ERR_BAD_FORMAT;
    }
    return st;
}

/* GET through ep: OK only if the answer carries exactly want. */
static int64_t store_get_is(exo_handle_t ep, const char *want) {
    exo_msg_t m;
    return answer_is(store_call(ep, STORE_GET, NULL, 0, &m), &m, want);
}

/* Starts name with args: a quarter of our free budget, the console (WRITE, passable on if
 * ours is) and caps[0..n) with their rights. Returns the domain handle or an error. */
static int64_t start(const char *name, const char *args, const exo_spawn_cap_t *caps, uint32_t n) {
    exo_domain_spawn_t req = exo_spawn_request(name, args);
    exo_cap_info_t ci;
    if (exo_cap_info(exo_memory_cap(), &ci) == 0) {
        req.budget = ((ci.a - ci.b) / EXO_CHILD_BUDGET_PART) & ~4095ull;
    }
    uint32_t pass = CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE;
    if (exo_cap_info(exo_console_cap(), &ci) == 0 && (ci.rights & pass) == pass) {
        req.caps[req.ncaps++] =
            (exo_spawn_cap_t){.handle = exo_console_cap(), .rights = CAP_RIGHT_WRITE | pass};
    }
    for (uint32_t i = 0; i < n; i++) {
        req.caps[req.ncaps++] = caps[i];
    }
    return exo_domain_spawn(&req);
}

static int finish(void) {
    exo_printf("%s: verdict %s: %d checks, %d failed\n", who, failures ? "FAIL" : "PASS", checks,
               failures);
    return failures ? 1 : 0;
}

/* ---- client B ---- */

/* Tries every way of passing obj on; each must fail for want of GRANT. */
static void b_pass_on(exo_handle_t pub, exo_handle_t obj) {
    int64_t idle = start("storeuser", "storeuser idle", NULL, 0);
    check_handle("start a domain to pass the cap to", idle);
    if (idle > 0) {
        check("exo_cap_transfer of the object cap (a copy)",
              exo_cap_transfer((exo_handle_t)idle, obj, CAP_RIGHT_EP_SEND, 0), ERR_RIGHTS);
        check("exo_cap_transfer of the object cap (a move)",
              exo_cap_transfer((exo_handle_t)idle, obj, CAP_RIGHT_EP_SEND, CAP_TRANSFER_MOVE),
              ERR_RIGHTS);
        int64_t con = exo_cap_transfer((exo_handle_t)idle, exo_console_cap(), CAP_RIGHT_WRITE, 0);
        check_handle("exo_cap_transfer of the console cap, which has GRANT (control)", con);
    }
    exo_spawn_cap_t give = {.handle = obj, .rights = CAP_RIGHT_EP_SEND};
    int64_t child = start("storeuser", "storeuser idle", &give, 1);
    check("a new domain started with the object cap", child, ERR_RIGHTS);
    exo_msg_t m;
    exo_msg_init(&m, STORE_CREATE);
    exo_msg_add_cap(&m, obj, CAP_RIGHT_EP_SEND, 0);
    check("the object cap in a message (a copy)", exo_ipc_call(pub, &m, 0), ERR_RIGHTS);
    exo_msg_init(&m, STORE_CREATE);
    exo_msg_add_cap(&m, obj, CAP_RIGHT_EP_SEND, EXO_MSG_CAP_MOVE);
    check("the object cap in a message (a move)", exo_ipc_call(pub, &m, 0), ERR_RIGHTS);
    if (idle > 0) {
        exo_domain_kill((exo_handle_t)idle);
        check_exit("the domain we passed things to, killed", exo_domain_wait((exo_handle_t)idle),
                   EXO_EXIT_KILLED);
        exo_cap_delete((exo_handle_t)idle);
    }
}

static int mode_b(void) {
    who = "storeuser B";
    exo_handle_t pub = exo_start_cap_nth(CAP_ENDPOINT, 0), obj = exo_start_cap_nth(CAP_ENDPOINT, 1),
                 sync = exo_start_cap_nth(CAP_ENDPOINT, 2);
    exo_cap_info_t oi = {0}, pi = {0};
    bool got = exo_cap_info(obj, &oi) == 0 && exo_cap_info(pub, &pi) == 0;
    uint64_t badge = oi.a;
    char detail[96];
    fmt_snprintf(detail, sizeof(detail),
                 "object cap rights 0x%x badge 0x%lx, public 0x%x badge %lu", oi.rights, oi.a,
                 pi.rights, pi.a);
    verdict("the caps A gave",
            got && oi.rights == (CAP_RIGHT_EP_SEND | CAP_RIGHT_DERIVE) && badge != 0 &&
                pi.rights == CAP_RIGHT_EP_SEND && pi.a == 0,
            detail, "object SEND|DERIVE with a badge, public SEND only unbadged");

    check("GET through the object cap gives \"hello\"", store_get_is(obj, "hello"), STORE_OK);
    b_pass_on(pub, obj);

    /* A new badge from a badged cap: it has DERIVE, so the kernel gets to the badge rule. */
    check("mint a new badge from the object cap (badged, no RECV)",
          exo_cap_mint(obj, CAP_RIGHT_EP_SEND, badge + 1), ERR_RIGHTS);
    int64_t own = exo_cap_derive(obj, CAP_RIGHT_EP_SEND);
    check_handle("derive a SEND-only copy of the object cap, kept here", own);
    exo_handle_t copy = own > 0 ? (exo_handle_t)own : EXO_HANDLE_NONE;
    check("GET through the copy (it keeps the badge)", store_get_is(copy, "hello"), STORE_OK);
    check("mint from the copy (no DERIVE, no RECV)",
          exo_cap_mint(copy, CAP_RIGHT_EP_SEND, badge + 1), ERR_RIGHTS);
    check("mint A's badge from the public cap (no DERIVE, no RECV)",
          exo_cap_mint(pub, CAP_RIGHT_EP_SEND, badge), ERR_RIGHTS);

    /* The public cap with the object's id (its badge, which is no secret) in the data. */
    exo_msg_t m;
    check("GET through the public cap, A's badge in the data",
          store_call(pub, STORE_GET, &badge, sizeof(badge), &m), ERR_PERM);
    uint8_t forged[16];
    memcpy(forged, &badge, sizeof(badge));
    memcpy(forged + sizeof(badge), "forged!", 8);
    check("PUT through the public cap, A's badge in the data",
          store_call(pub, STORE_PUT, forged, sizeof(forged), &m), ERR_PERM);
    check("DROP through the public cap, A's badge in the data",
          store_call(pub, STORE_DROP, &badge, sizeof(badge), &m), ERR_PERM);
    check("GET through the object cap still gives \"hello\"", store_get_is(obj, "hello"), STORE_OK);

    exo_msg_init(&m, SYNC_DROP);
    check("call A: drop the object", exo_ipc_call(sync, &m, 0), 0);
    check("GET through the object cap after the drop", store_get_is(obj, "hello"), ERR_STALE);
    check("GET through the copy B derived after the drop", store_get_is(copy, "hello"), ERR_STALE);

    exo_msg_init(&m, SYNC_QUIT);
    check("call A: stop the server", exo_ipc_call(sync, &m, 0), 0);
    check("CREATE through the public cap once the server is gone",
          store_call(pub, STORE_CREATE, NULL, 0, &m), ERR_CLOSED);
    return finish();
}

static int mode_idle(void) {
    int64_t ep = exo_endpoint_create(1);
    exo_msg_t m;
    if (ep > 0) {
        exo_ipc_recv((exo_handle_t)ep, &m, 0); /* nobody else can send: waits to be killed */
    }
    return 1;
}

/* ---- the driver, and client A ---- */

static void show_info(const char *when, const exo_sysinfo_t *s) {
    exo_printf("%s: %s: free frames %lu, heap %lu objects %lu bytes %lu pages, regions %lu, "
               "caps %lu, rings %lu, domains %lu\n",
               who, when, s->free_frames, s->heap_objects, s->heap_bytes, s->heap_pages, s->regions,
               s->caps, s->rings, s->domains);
}

static bool same(const exo_sysinfo_t *a, const exo_sysinfo_t *b) {
    return a->heap_objects == b->heap_objects && a->heap_bytes == b->heap_bytes &&
           a->regions == b->regions && a->caps == b->caps && a->rings == b->rings &&
           a->domains == b->domains &&
           a->free_frames + a->heap_pages == b->free_frames + b->heap_pages;
}

typedef struct demo {
    exo_handle_t owner; /* unbadged SEND GRANT DERIVE: the public cap, and what mints */
    exo_handle_t admin; /* badged STORE_BADGE_ADMIN: may QUIT */
    exo_handle_t obj;   /* A's object */
    int64_t server;     /* its domain handle */
    bool server_ended;  /* waited for */
} demo_t;

/* The server holds the endpoint's only RECV cap: its end closes the endpoint. */
static void a_start_server(demo_t *d) {
    int64_t e = exo_endpoint_create(STORE_EP_DEPTH);
    exo_spawn_cap_t give = {.handle = (exo_handle_t)e,
                            .rights = CAP_RIGHT_EP_SEND | CAP_RIGHT_EP_RECV | CAP_RIGHT_GRANT |
                                      CAP_RIGHT_DERIVE};
    d->server = e > 0 ? start("objstore", "objstore", &give, 1) : e;
    int64_t admin = exo_cap_mint((exo_handle_t)e, CAP_RIGHT_EP_SEND, STORE_BADGE_ADMIN);
    int64_t owner =
        exo_cap_derive((exo_handle_t)e, CAP_RIGHT_EP_SEND | CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE);
    int64_t del = exo_cap_delete((exo_handle_t)e);
    char got[96];
    fmt_snprintf(got, sizeof(got), "server %ld, admin %s, public %s, own RECV deleted %s",
                 d->server, admin > 0 ? "minted" : "failed", owner > 0 ? "derived" : "failed",
                 del == 0 ? "yes" : "no");
    verdict("start objstore with the only RECV cap",
            d->server > 0 && admin > 0 && owner > 0 && del == 0, got,
            "a server, an admin and a public cap");
    d->admin = admin > 0 ? (exo_handle_t)admin : EXO_HANDLE_NONE;
    d->owner = owner > 0 ? (exo_handle_t)owner : EXO_HANDLE_NONE;
}

static void a_use(demo_t *d) {
    exo_msg_t m;
    uint32_t capacity = 16;
    int64_t st = store_call(d->owner, STORE_CREATE, &capacity, sizeof(capacity), &m);
    d->obj = st == STORE_OK && m.ncaps == 1 ? m.caps[0].handle : EXO_HANDLE_NONE;
    exo_cap_info_t oi = {0};
    exo_cap_info(d->obj, &oi);
    char got[96];
    fmt_snprintf(got, sizeof(got), "%s, %u cap(s), type %u rights 0x%x badge 0x%lx",
                 st ? status_str((status_t)st) : "OK", m.ncaps, oi.type, oi.rights, oi.a);
    uint32_t rights = CAP_RIGHT_EP_SEND | CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE;
    verdict("CREATE (16 bytes) through the public cap",
            d->obj != 0 && oi.type == CAP_ENDPOINT && oi.rights == rights && oi.a != 0, got,
            "OK, one endpoint cap SEND|GRANT|DERIVE with a badge");

    check("PUT \"hello\"", store_call(d->obj, STORE_PUT, "hello", 5, &m), STORE_OK);
    check("GET gives \"hello\"", store_get_is(d->obj, "hello"), STORE_OK);
    check("PUT of 17 bytes into 16", store_call(d->obj, STORE_PUT, "0123456789abcdefg", 17, &m),
          ERR_TOO_BIG);
    check("GET still gives \"hello\"", store_get_is(d->obj, "hello"), STORE_OK);
    capacity = STORE_OBJ_MAX + 1;
    st = store_call(d->owner, STORE_CREATE, &capacity, sizeof(capacity), &m);
    check("CREATE of 129 bytes", st, ERR_TOO_BIG);
    exo_msg_init(&m, STORE_PUT);
    m.len = EXO_MSG_DATA + 1;
    check("a request of 129 bytes (the kernel refuses it)", exo_ipc_call(d->obj, &m, 0),
          ERR_TOO_BIG);
    check("unknown label through the object cap", store_call(d->obj, 99, NULL, 0, &m), ERR_INVALID);
    check("unknown label through the public cap", store_call(d->owner, 99, NULL, 0, &m),
          ERR_INVALID);
    check("GET through the public cap", store_call(d->owner, STORE_GET, NULL, 0, &m), ERR_PERM);
    check("CREATE through the object cap", store_call(d->obj, STORE_CREATE, NULL, 0, &m), ERR_PERM);
    check("QUIT through the public cap", store_call(d->owner, STORE_QUIT, NULL, 0, &m), ERR_PERM);
    check("QUIT through the object cap", store_call(d->obj, STORE_QUIT, NULL, 0, &m), ERR_PERM);

    /* Minting needs RECV: not even the owner, who gave up its RECV cap, can make a badge
     * the server never gave. */
    check("minting a badge through the owner's SEND cap (no RECV)",
          exo_cap_mint(d->owner, CAP_RIGHT_EP_SEND, 0xdead01), ERR_RIGHTS);

    exo_msg_init(&m, STORE_GET);
    check("a send, not a call (nothing to answer)", exo_ipc_send(d->obj, &m, 0), 0);
    int64_t extra = exo_cap_derive(d->owner, CAP_RIGHT_EP_SEND | CAP_RIGHT_GRANT);
    exo_msg_init(&m, STORE_GET);
    exo_msg_add_cap(&m, (exo_handle_t)extra, CAP_RIGHT_EP_SEND, EXO_MSG_CAP_MOVE);
    st = exo_ipc_call(d->obj, &m, 0);
    check("GET carrying a cap (the server deletes it)",
          answer_is(st ? st : store_status(&m), &m, "hello"), STORE_OK);
}

/* Fills the server's table (A's object holds one slot), empties it again, and shows a
 * reused slot's new badge (the old one cannot be minted again outside the server). */
static void a_fill_table(demo_t *d) {
    exo_handle_t more[STORE_OBJECTS];
    uint32_t made = 0;
    exo_msg_t m;
    int64_t st = STORE_OK;
    while (made < STORE_OBJECTS) {
        st = store_call(d->owner, STORE_CREATE, NULL, 0, &m);
        if (st != STORE_OK) {
            break;
        }
        more[made++] = m.caps[0].handle;
    }
    char got[64], want[64];
    fmt_snprintf(got, sizeof(got), "%u made, then %s", made, st ? status_str((status_t)st) : "OK");
    fmt_snprintf(want, sizeof(want), "%u made, then ERR_NO_MEMORY", STORE_OBJECTS - 1);
    verdict("CREATE until the table is full", made == STORE_OBJECTS - 1 && st == ERR_NO_MEMORY, got,
            want);
    exo_cap_info_t first = {0};
    exo_cap_info(made ? more[0] : EXO_HANDLE_NONE, &first);
    uint32_t dropped = 0;
    for (uint32_t i = 0; i < made; i++) {
        uint64_t n = 0;
        if (store_call(more[i], STORE_DROP, NULL, 0, &m) == STORE_OK) {
            memcpy(&n, m.data, sizeof(n));
            dropped += n == 1; /* the revoke deleted our one cap */
        }
    }
    fmt_snprintf(got, sizeof(got), "%u of %u, each revoking 1 cap", dropped, made);
    verdict("DROP them all", made > 0 && dropped == made, got, "all, each revoking 1 cap");

    st = store_call(d->owner, STORE_CREATE, NULL, 0, &m);
    exo_handle_t again = st == STORE_OK ? m.caps[0].handle : EXO_HANDLE_NONE;
    exo_cap_info_t now = {0};
    exo_cap_info(again, &now);
    fmt_snprintf(got, sizeof(got), "badge 0x%lx, the slot's last 0x%lx", now.a, first.a);
    verdict("CREATE reuses the first free slot with a new badge",
            again != 0 && now.a != first.a && STORE_BADGE_SLOT(now.a) == STORE_BADGE_SLOT(first.a),
            got, "the same slot, another badge");
    check("minting the slot's last badge again (only the server can mint)",
          exo_cap_mint(d->owner, CAP_RIGHT_EP_SEND, first.a), ERR_RIGHTS);
    check("DROP the new one", again ? store_call(again, STORE_DROP, NULL, 0, &m) : ERR_NOT_FOUND,
          STORE_OK);
}

/* Waits for B's call with label want on sync; *s keeps its reply cap for the answer. If B
 * died before calling this would wait for ever: the boot test's timeout reports it. */
static void hear_b(exo_handle_t sync, exo_msg_t *s, uint64_t want, const char *what) {
    int64_t st = exo_ipc_recv(sync, s, 0);
    char got[48], w[48];
    fmt_snprintf(got, sizeof(got), "%s, label %lu, %s reply cap",
                 st ? status_str((status_t)st) : "OK", st ? 0 : s->label,
                 st == 0 && s->reply ? "a" : "no");
    fmt_snprintf(w, sizeof(w), "OK, label %lu, a reply cap", want);
    verdict(what, st == 0 && s->label == want && s->reply != EXO_HANDLE_NONE, got, w);
}

/* Client B gets the public cap (SEND only), a copy of A's object cap without GRANT and a
 * SEND cap to A's sync endpoint; A answers B's two sync calls at the two steps. */
static void a_with_b(demo_t *d) {
    int64_t sync = exo_endpoint_create(1);
    exo_spawn_cap_t give[3] = {
        {.handle = d->owner, .rights = CAP_RIGHT_EP_SEND},
        {.handle = d->obj, .rights = CAP_RIGHT_EP_SEND | CAP_RIGHT_DERIVE},
        {.handle = (exo_handle_t)sync, .rights = CAP_RIGHT_EP_SEND},
    };
    int64_t b = sync > 0 ? start("storeuser", "storeuser b", give, 3) : sync;
    check_handle("start client B", b);
    if (b < 0) {
        exo_cap_delete((exo_handle_t)sync);
        return;
    }
    exo_msg_t s, m;
    hear_b((exo_handle_t)sync, &s, SYNC_DROP, "B's call: drop the object");
    /* A copy in flight: queued on sync (B's call is out of the queue), received after the
     * drop. It is a cap in the derivation tree like any other, so the revoke reaches it. */
    exo_msg_t q;
    exo_msg_init(&q, 0);
    exo_msg_add_cap(&q, d->obj, CAP_RIGHT_EP_SEND, 0);
    check("queue a copy of the object cap in a message to ourselves",
          exo_ipc_send((exo_handle_t)sync, &q, EXO_IPC_NOWAIT), 0);
    int64_t st = store_call(d->obj, STORE_DROP, NULL, 0, &m);
    uint64_t n = 0;
    memcpy(&n, m.data, sizeof(n));
    char got[64];
    fmt_snprintf(got, sizeof(got), "%s, the revoke deleted %lu caps",
                 st ? status_str((status_t)st) : "OK", n);
    verdict("DROP", st == STORE_OK && n == 4, got,
            "OK, 4 caps (A's, B's, the copy B derived, the one in flight)");
    check("GET through A's own object cap after the drop", store_get_is(d->obj, "hello"),
          ERR_STALE);
    st = exo_ipc_recv((exo_handle_t)sync, &q, EXO_IPC_NOWAIT);
    fmt_snprintf(got, sizeof(got), "%s, %u cap(s), handle %lu",
                 st ? status_str((status_t)st) : "OK", q.ncaps, q.caps[0].handle);
    verdict("the message in flight, received after the drop",
            st == 0 && q.ncaps == 1 && q.caps[0].handle == 0, got,
            "OK, 1 cap(s), handle 0 (revoked in flight)");
    exo_msg_init(&m, 0);
    check("answer B", exo_ipc_reply(s.reply, &m), 0);

    hear_b((exo_handle_t)sync, &s, SYNC_QUIT, "B's call: stop the server");
    check("QUIT through the admin cap", store_call(d->admin, STORE_QUIT, NULL, 0, &m), STORE_OK);
    check_exit("objstore's status", exo_domain_wait((exo_handle_t)d->server), 0);
    d->server_ended = true;
    check("CREATE through the public cap once the server is gone",
          store_call(d->owner, STORE_CREATE, NULL, 0, &m), ERR_CLOSED);
    check("QUIT through the admin cap once the server is gone",
          store_call(d->admin, STORE_QUIT, NULL, 0, &m), ERR_CLOSED);
    exo_msg_init(&m, 0);
    check("answer B", exo_ipc_reply(s.reply, &m), 0);
    check_exit("B's status", exo_domain_wait((exo_handle_t)b), 0);
    exo_cap_delete((exo_handle_t)b);
    exo_cap_delete((exo_handle_t)sync);
}

static int mode_demo(void) {
    who = "storeuser A";
    exo_sysinfo_t before, after;
    exo_sysinfo(&before);
    show_info("before the server", &before);
    demo_t d = {0};
    a_start_server(&d);
    if (d.server > 0 && d.owner && d.admin) {
        a_use(&d);
        a_fill_table(&d);
        if (d.obj) {
            a_with_b(&d);
        }
    }
    if (d.server > 0 && !d.server_ended) { /* something failed above */
        exo_domain_kill((exo_handle_t)d.server);
        exo_domain_wait((exo_handle_t)d.server);
    }
    if (d.server > 0) {
        exo_cap_delete((exo_handle_t)d.server);
    }
    exo_cap_delete(d.obj);
    exo_cap_delete(d.owner);
    exo_cap_delete(d.admin);
    /* A domain's last pieces go with its last reference, after its wait: allow a moment. */
    for (uint64_t t0 = exo_clock_ns(); exo_clock_ns() - t0 < 5000 * MS;) {
        exo_sysinfo(&after);
        if (same(&before, &after)) {
            break;
        }
        exo_yield(0);
    }
    show_info("after everything went", &after);
    char got[160];
    fmt_snprintf(
        got, sizeof(got),
        "caps %ld, heap objects %ld bytes %ld, regions %ld, rings %ld, domains %ld, "
        "free frames + heap pages %ld",
        (int64_t)(after.caps - before.caps), (int64_t)(after.heap_objects - before.heap_objects),
        (int64_t)(after.heap_bytes - before.heap_bytes), (int64_t)(after.regions - before.regions),
        (int64_t)(after.rings - before.rings), (int64_t)(after.domains - before.domains),
        (int64_t)(after.free_frames + after.heap_pages) -
            (int64_t)(before.free_frames + before.heap_pages));
    verdict("the kernel's figures, after - before", same(&before, &after), got, "all 0");
    return finish();
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "demo";
    if (strcmp(mode, "b") == 0) {
        return mode_b();
    }
    if (strcmp(mode, "idle") == 0) {
        return mode_idle();
    }
    if (strcmp(mode, "demo") == 0) {
        return mode_demo();
    }
    exo_printf("storeuser: unknown mode %s\n", mode);
    return 2;
}
