/*
 * capattack: a hostile app for init's "caps" scenario (docs/security-model.md). It forges,
 * reuses and abuses handles and rights, one check a line
 *   capattack: <what>: <got> (expected <want>): PASS|FAIL
 * and returns the number of failures. Every refusal must carry its specific error, and the
 * system must go on working after each. The other modes are the children it starts:
 *   capattack rowrite ADDR  reads the word at ADDR (a read-only region), then writes it
 *   capattack idle MS       yields for MS milliseconds, then exits 0
 *   capattack bare          holds only its image and stack: checks it can reach nothing
 *                           (exits 0 if so, 1 otherwise; it has no console to print on)
 */
#include <user/exo.h>
#include <user/trap.h>

#define PAGE ((uint64_t)4096)
#define GIB ((uint64_t)1 << 30)
#define MAGIC ((uint64_t)0x1234567890abcdef) /* the word rowrite must read, then fails to write */
#define RW (EXO_PROT_READ | EXO_PROT_WRITE)
#define TABLE_SLOTS 256 /* slots in every domain's table, slot 0 included */

static int checks, failures;

/* ---- reporting ---- */

static void verdict(const char *what, const char *got, const char *want, bool ok) {
    checks++;
    failures += !ok;
    exo_printf("capattack: %s: %s (expected %s): %s\n", what, got, want, ok ? "PASS" : "FAIL");
    /* Console output is slow under emulation: without suspending now and then, a run of
     * checks could outlast the test watchdog (500 ms). */
    exo_yield(0);
}

/* A trap's result: a status by name, a handle or count as a number. */
static const char *show(int64_t v, char *buf, size_t n) {
    if (v <= 0 && v >= ERR_QUOTA) {
        return status_str((status_t)v);
    }
    fmt_snprintf(buf, n, v > 0xffff ? "0x%lx" : "%ld", v);
    return buf;
}

static void expect_err(const char *what, int64_t got, status_t want) {
    char b[32];
    verdict(what, show(got, b, sizeof(b)), status_str(want), got == want);
}

/* A call that must return a handle (> 0). */
static void expect_handle(const char *what, int64_t got) {
    char b[32];
    verdict(what, show(got, b, sizeof(b)), "a handle", got > 0);
}

/* Counts, exit statuses, words. */
static void expect_num(const char *what, int64_t got, int64_t want) {
    char g[32], w[32];
    fmt_snprintf(g, sizeof(g), "%ld", got);
    fmt_snprintf(w, sizeof(w), "%ld", want);
    verdict(what, g, w, got == want);
}

/* ---- helpers ---- */

static int64_t region_new(size_t size, uint32_t prot, void **base) {
    return exo_region_alloc_cap(exo_memory_cap(), size, prot, base);
}

/* Deletes h and every cap made from it (in any domain). */
static void drop(int64_t h) {
    if (h > 0) {
        exo_cap_revoke((exo_handle_t)h);
        exo_cap_delete((exo_handle_t)h);
    }
}

/* Starts "capattack ARGS..." paid by our memory cap, with no budget and only caps[]. */
static int64_t start_child(const char *args, uint64_t ncaps, const exo_spawn_cap_t *caps) {
    exo_domain_spawn_t req = exo_spawn_request("capattack", args);
    req.ncaps = ncaps;
    for (uint64_t i = 0; i < ncaps && i < EXO_SPAWN_CAPS; i++) {
        req.caps[i] = caps[i];
    }
    return exo_domain_spawn(&req);
}

/* Passing a copy of a cap on needs GRANT and DERIVE (exo/syscall.h). */
static bool passable(exo_handle_t h) {
    exo_cap_info_t ci;
    uint32_t copy = CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE;
    return exo_cap_info(h, &ci) == 0 && (ci.rights & copy) == copy;
}

static int64_t console_write_through(exo_handle_t h) {
    static const char msg[] = "capattack: this line must never appear\n";
    return exo_trap(SYS_CONSOLE_WRITE, h, (uint64_t)(uintptr_t)msg, sizeof(msg) - 1, 0, 0);
}

static uint64_t used_bytes(void) {
    exo_cap_info_t mi;
    return exo_cap_info(exo_memory_cap(), &mi) == 0 ? mi.b : ~0ull;
}

/* ---- 1. forged handles ---- */

static void check_forged(void) {
    exo_handle_t con = exo_console_cap();
    const struct {
        const char *what;
        exo_handle_t h;
    } forged[] = {
        {"handle 0", EXO_HANDLE_NONE},
        {"unused slot 200, generation 1", 200 | 1ull << EXO_HANDLE_INDEX_BITS},
        {"console's slot, a future generation", con + (1ull << EXO_HANDLE_INDEX_BITS)},
        {"console's handle with bit 48 set", con | 1ull << 48},
        {"console's handle with bit 63 set", con | 1ull << 63},
        {"slot 256, past the table", 256 | 1ull << EXO_HANDLE_INDEX_BITS},
    };
    for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
        char what[96];
        exo_cap_info_t info;
        fmt_snprintf(what, sizeof(what), "forged %s: cap info", forged[i].what);
        expect_err(what, exo_cap_info(forged[i].h, &info), ERR_BAD_HANDLE);
        fmt_snprintf(what, sizeof(what), "forged %s: console write", forged[i].what);
        expect_err(what, console_write_through(forged[i].h), ERR_BAD_HANDLE);
    }
}

/* ---- 2. stale handles ---- */

static void check_stale(void) {
    exo_cap_info_t info;
    int64_t r = region_new(PAGE, RW, NULL);
    expect_handle("stale: region alloc", r);
    int64_t c = exo_cap_derive((exo_handle_t)r, EXO_PROT_READ);
    expect_handle("stale: derive a child", c);
    expect_num("stale: revoke the parent: caps deleted", exo_cap_revoke((exo_handle_t)r), 1);
    expect_err("stale: the revoked child's handle", exo_cap_info((exo_handle_t)c, &info),
               ERR_STALE);
    expect_err("stale: the parent after its revoke", exo_cap_info((exo_handle_t)r, &info),
               STATUS_OK);

    int64_t c1 = exo_cap_derive((exo_handle_t)r, EXO_PROT_READ);
    expect_err("stale: delete a child", exo_cap_delete((exo_handle_t)c1), STATUS_OK);
    int64_t c2 = exo_cap_derive((exo_handle_t)r, EXO_PROT_READ);
    char what[128];
    fmt_snprintf(what, sizeof(what),
                 "stale: a new cap (slot %lu generation %lu; the deleted one: slot %lu "
                 "generation %lu)",
                 (uint64_t)c2 & 0xffff, (uint64_t)c2 >> 16, (uint64_t)c1 & 0xffff,
                 (uint64_t)c1 >> 16);
    expect_handle(what, c2);
    expect_err("stale: the deleted cap's handle: cap info", exo_cap_info((exo_handle_t)c1, &info),
               ERR_STALE);
    expect_err("stale: the deleted cap's handle: delete again", exo_cap_delete((exo_handle_t)c1),
               ERR_STALE);
    expect_err("stale: the new cap's handle", exo_cap_info((exo_handle_t)c2, &info), STATUS_OK);
    drop(r);
}

/* ---- 3. rights escalation through derive ---- */

static void check_derive(void) {
    int64_t r = region_new(PAGE, RW, NULL);
    int64_t rd = exo_cap_derive((exo_handle_t)r, EXO_PROT_READ | CAP_RIGHT_DERIVE);
    expect_handle("derive: a READ|DERIVE child of a read-write cap", rd);
    expect_err("derive: READ|WRITE from the READ|DERIVE child",
               exo_cap_derive((exo_handle_t)rd, EXO_PROT_READ | EXO_PROT_WRITE), ERR_RIGHTS);
    expect_err("derive: EXEC from the read-write cap",
               exo_cap_derive((exo_handle_t)r, EXO_PROT_EXEC), ERR_RIGHTS);
    int64_t nd = exo_cap_derive((exo_handle_t)r, EXO_PROT_READ);
    expect_err("derive: from a cap without DERIVE", exo_cap_derive((exo_handle_t)nd, EXO_PROT_READ),
               ERR_RIGHTS);
    expect_err("derive: unknown right bit 20",
               exo_cap_derive((exo_handle_t)r, EXO_PROT_READ | 1u << 20), ERR_INVALID);
    expect_err("derive: a domain right (DOMAIN_INSERT) from a region cap",
               exo_cap_derive((exo_handle_t)r, CAP_RIGHT_DOMAIN_INSERT), ERR_RIGHTS);
    drop(r);
}

/* ---- 4. a read-only region used for writing ---- */

static int mode_rowrite(const char *arg) {
    volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)exo_parse_u64(arg);
    uint64_t v = *p;
    if (v != MAGIC) {
        exo_printf("capattack rowrite: read 0x%lx at %p, not 0x%lx\n", v, (void *)p, MAGIC);
        return 3;
    }
    exo_printf("capattack rowrite: read 0x%lx at %p through a read-only cap; writing it\n", v,
               (void *)p);
    *p = v + 1; /* must fault */
    return 4;
}

static void check_map(void) {
    void *base = NULL;
    int64_t r = region_new(PAGE, RW, &base);
    expect_handle("map: region alloc (mapped read-write)", r);
    if (r < 0) {
        return;
    }
    volatile uint64_t *word = base;
    *word = MAGIC;
    exo_handle_t rw = (exo_handle_t)r;
    int64_t ro = exo_cap_derive(rw, EXO_PROT_READ | CAP_RIGHT_GRANT);
    expect_handle("map: a read-only child (not mapped)", ro);
    expect_err("map: a cap that is mapped already", exo_region_map(rw, EXO_PROT_READ), ERR_STATE);
    expect_err("map: the same region through a second cap",
               exo_region_map((exo_handle_t)ro, EXO_PROT_READ), ERR_OVERLAP);
    expect_err("unmap: a cap that is not mapped", exo_region_unmap((exo_handle_t)ro), ERR_STATE);
    expect_err("unmap: the read-write cap", exo_region_unmap(rw), STATUS_OK);
    expect_err("map: the read-only cap for write", exo_region_map((exo_handle_t)ro, EXO_PROT_WRITE),
               ERR_RIGHTS);
    expect_err("map: the read-only cap for read and write",
               exo_region_map((exo_handle_t)ro, EXO_PROT_READ | EXO_PROT_WRITE), ERR_RIGHTS);
    expect_err("map: the read-only cap for read", exo_region_map((exo_handle_t)ro, EXO_PROT_READ),
               STATUS_OK);
    verdict("map: the word read through the read-only mapping",
            *word == MAGIC ? "intact" : "changed", "intact", *word == MAGIC);
    expect_err("unmap: the read-only cap", exo_region_unmap((exo_handle_t)ro), STATUS_OK);
    expect_err("map: the read-write cap again", exo_region_map(rw, RW), STATUS_OK);

    /* For real: a child holding only a read-only copy writes to it. */
    char args[64];
    fmt_snprintf(args, sizeof(args), "capattack rowrite 0x%lx", (uint64_t)(uintptr_t)base);
    exo_spawn_cap_t caps[] = {{.handle = rw, .rights = EXO_PROT_READ},
                              {.handle = exo_console_cap(), .rights = CAP_RIGHT_WRITE}};
    int64_t d = start_child(args, passable(exo_console_cap()) ? 2 : 1, caps);
    expect_handle("rowrite: start a child with a read-only copy", d);
    if (d > 0) {
        expect_num("rowrite: the child's status after writing a read-only region",
                   exo_domain_wait((exo_handle_t)d), EXO_EXIT_FAULT);
        exo_cap_delete((exo_handle_t)d);
    }
    verdict("rowrite: the word after the child's write", *word == MAGIC ? "intact" : "changed",
            "intact", *word == MAGIC);
    drop(r);
}

/* ---- 5. transfer without GRANT ---- */

static void check_transfer(void) {
    int64_t r = region_new(PAGE, RW, NULL);
    exo_handle_t rw = (exo_handle_t)r;
    int64_t ng = exo_cap_derive(rw, EXO_PROT_READ | CAP_RIGHT_DERIVE);
    expect_handle("transfer: a child cap without GRANT", ng);
    int64_t d = start_child("capattack idle 2000", 0, NULL);
    expect_handle("transfer: start an idle child", d);
    if (d < 0) {
        drop(r);
        return;
    }
    exo_handle_t dom = (exo_handle_t)d;
    expect_err("transfer: copy a cap without GRANT",
               exo_cap_transfer(dom, (exo_handle_t)ng, EXO_PROT_READ, 0), ERR_RIGHTS);
    expect_err("transfer: move a cap without GRANT",
               exo_cap_transfer(dom, (exo_handle_t)ng, EXO_PROT_READ, CAP_TRANSFER_MOVE),
               ERR_RIGHTS);
    /* Decode order: the domain cap is checked before the cap to send. */
    expect_err(
        "transfer: a forged domain handle and a cap without GRANT",
        exo_cap_transfer(dom + (1ull << EXO_HANDLE_INDEX_BITS), (exo_handle_t)ng, EXO_PROT_READ, 0),
        ERR_BAD_HANDLE);
    expect_err("transfer: a region cap for the domain and a cap without GRANT",
               exo_cap_transfer(rw, (exo_handle_t)ng, EXO_PROT_READ, 0), ERR_WRONG_TYPE);
    exo_spawn_cap_t pass = {.handle = (exo_handle_t)ng, .rights = EXO_PROT_READ};
    expect_err("transfer: pass a cap without GRANT at start",
               start_child("capattack idle 0", 1, &pass), ERR_RIGHTS);
    int64_t noins = exo_cap_derive(dom, CAP_RIGHTS_DOMAIN & ~CAP_RIGHT_DOMAIN_INSERT);
    expect_handle("transfer: a domain cap without DOMAIN_INSERT", noins);
    expect_err("transfer: through the domain cap without DOMAIN_INSERT",
               exo_cap_transfer((exo_handle_t)noins, rw, EXO_PROT_READ, 0), ERR_RIGHTS);
    expect_err("transfer: more rights than the cap has",
               exo_cap_transfer(dom, rw, EXO_PROT_READ | EXO_PROT_EXEC, 0), ERR_RIGHTS);
    expect_err("transfer: unknown flags", exo_cap_transfer(dom, rw, EXO_PROT_READ, 2), ERR_INVALID);
    /* A copy is a child of the cap it is made from: GRANT alone lets a cap only move. */
    int64_t nd = exo_cap_derive(rw, EXO_PROT_READ | CAP_RIGHT_GRANT);
    expect_handle("transfer: a child cap with GRANT but without DERIVE", nd);
    expect_err("transfer: copy a cap without DERIVE",
               exo_cap_transfer(dom, (exo_handle_t)nd, EXO_PROT_READ, 0), ERR_RIGHTS);
    pass.handle = (exo_handle_t)nd;
    expect_err("transfer: pass a cap without DERIVE at start",
               start_child("capattack idle 0", 1, &pass), ERR_RIGHTS);
    int64_t moved = exo_cap_transfer(dom, (exo_handle_t)nd, EXO_PROT_READ, CAP_TRANSFER_MOVE);
    expect_handle("transfer: move the cap without DERIVE into the idle child", moved);
    exo_cap_info_t info;
    expect_err("transfer: the moved cap's old handle", exo_cap_info((exo_handle_t)nd, &info),
               ERR_STALE);
    expect_handle("transfer: a read-only copy into the idle child",
                  exo_cap_transfer(dom, rw, EXO_PROT_READ, 0));
    expect_num("transfer: the idle child's status", exo_domain_wait(dom), 0);
    exo_cap_delete((exo_handle_t)noins);
    exo_cap_delete(dom);
    drop(r);
}

static int mode_idle(const char *arg) {
    uint64_t end = exo_clock_ns() + exo_parse_u64(arg) * 1000000ull;
    while (exo_clock_ns() < end) {
        exo_yield(0);
    }
    return 0;
}

/* ---- 6. wrong type ---- */

static void check_wrong_type(void) {
    exo_handle_t mem = exo_memory_cap();
    exo_handle_t image = exo_start_cap(CAP_REGION);
    expect_err("wrong type: console write through the memory cap", console_write_through(mem),
               ERR_WRONG_TYPE);
    expect_err("wrong type: region map on the memory cap", exo_region_map(mem, EXO_PROT_READ),
               ERR_WRONG_TYPE);
    expect_err("wrong type: domain wait on a region cap", exo_domain_wait(image), ERR_WRONG_TYPE);
    expect_err("wrong type: domain kill on the console cap", exo_domain_kill(exo_console_cap()),
               ERR_WRONG_TYPE);
    expect_err("wrong type: memory split on a region cap", exo_memory_split(image, PAGE),
               ERR_WRONG_TYPE);
    expect_err("wrong type: region alloc from the console cap",
               exo_region_alloc_cap(exo_console_cap(), PAGE, RW, NULL), ERR_WRONG_TYPE);
}

/* ---- 7. a full table ---- */

static void check_table_full(void) {
    static exo_handle_t held[TABLE_SLOTS];
    exo_handle_t src = exo_console_cap();
    uint32_t rights = CAP_RIGHT_WRITE;
    const char *src_name = "console";
    exo_cap_info_t ci;
    if (exo_cap_info(src, &ci) != 0 || !(ci.rights & CAP_RIGHT_DERIVE)) {
        /* A console passed without DERIVE (as exo_domain_start once did) cannot have
         * children: fill the table from the memory cap instead. */
        expect_err("table full: derive from the console cap (no DERIVE)",
                   exo_cap_derive(src, CAP_RIGHT_WRITE), ERR_RIGHTS);
        src = exo_memory_cap();
        rights = CAP_RIGHT_MEM_ALLOC;
        src_name = "memory";
    }
    uint64_t used = used_bytes();
    int n = 0;
    int64_t h = 0;
    while (n < TABLE_SLOTS && (h = exo_cap_derive(src, rights)) > 0) {
        held[n++] = (exo_handle_t)h;
    }
    char what[96];
    fmt_snprintf(what, sizeof(what), "table full: derive from the %s cap after %d derives",
                 src_name, n);
    expect_err(what, h, ERR_TABLE_FULL);
    expect_err("table full: region alloc", region_new(PAGE, RW, NULL), ERR_TABLE_FULL);
    expect_num("table full: bytes charged by the failed alloc", (int64_t)(used_bytes() - used), 0);
    int bad = 0;
    for (int i = 0; i < n; i++) {
        bad += exo_cap_delete(held[i]) != 0;
    }
    expect_num("table full: deletes that failed", bad, 0);
    h = exo_cap_derive(src, rights);
    expect_handle("table full: derive after the deletes", h);
    exo_cap_delete((exo_handle_t)h);
}

/* ---- 8. quotas ---- */

static void check_quota(void) {
    exo_handle_t mem = exo_memory_cap();
    exo_cap_info_t mi;
    expect_err("quota: memory cap info", exo_cap_info(mem, &mi), STATUS_OK);
    uint64_t avail = mi.a - mi.b;
    char what[112];
    if (avail + PAGE <= GIB) {
        fmt_snprintf(what, sizeof(what), "quota: a region of %lu bytes from a budget with %lu free",
                     avail + PAGE, avail);
        expect_err(what, exo_region_alloc_cap(mem, avail + PAGE, RW, NULL), ERR_QUOTA);
    }
    fmt_snprintf(what, sizeof(what), "quota: split %lu bytes from a budget with %lu free",
                 avail + PAGE, avail);
    expect_err(what, exo_memory_split(mem, avail + PAGE), ERR_QUOTA);

    /* A small budget of our own, filled exactly. */
    int64_t s = exo_memory_split(mem, 8 * PAGE);
    expect_handle("quota: split 8 pages", s);
    int64_t a = exo_region_alloc_cap((exo_handle_t)s, 8 * PAGE, RW, NULL);
    expect_handle("quota: a region of 8 pages from the 8-page budget", a);
    expect_err("quota: one page more from the full budget",
               exo_region_alloc_cap((exo_handle_t)s, PAGE, RW, NULL), ERR_QUOTA);
    exo_cap_delete((exo_handle_t)a);
    exo_cap_delete((exo_handle_t)s);

    expect_err("quota: a writable and executable region",
               exo_region_alloc_cap(mem, PAGE, EXO_PROT_WRITE | EXO_PROT_EXEC, NULL), ERR_PERM);
    expect_err("quota: a region of 0 bytes", exo_region_alloc_cap(mem, 0, RW, NULL), ERR_INVALID);
    expect_err("quota: a region past 1 GiB", exo_region_alloc_cap(mem, GIB + PAGE, RW, NULL),
               ERR_TOO_BIG);
}

/* ---- 9. domain rights ---- */

static void check_domain_rights(void) {
    int64_t d = start_child("capattack idle 5000", 0, NULL);
    expect_handle("domain rights: start an idle child", d);
    if (d < 0) {
        return;
    }
    exo_handle_t dom = (exo_handle_t)d;
    int64_t w = exo_cap_derive(dom, CAP_RIGHT_DOMAIN_WAIT);
    int64_t k = exo_cap_derive(dom, CAP_RIGHT_DOMAIN_KILL);
    expect_err("domain rights: kill through a WAIT-only cap", exo_domain_kill((exo_handle_t)w),
               ERR_RIGHTS);
    expect_err("domain rights: wait through a KILL-only cap", exo_domain_wait((exo_handle_t)k),
               ERR_RIGHTS);
    expect_err("domain rights: kill through the full cap", exo_domain_kill(dom), STATUS_OK);
    expect_num("domain rights: the killed child's status (through the WAIT-only cap)",
               exo_domain_wait((exo_handle_t)w), EXO_EXIT_KILLED);
    exo_cap_delete((exo_handle_t)w);
    exo_cap_delete((exo_handle_t)k);
    exo_cap_delete(dom);
}

/* ---- 10. no ambient authority ---- */

static int mode_bare(void) {
    const exo_start_t *s = exo_start_info();
    bool ok = s->ncaps == 2 && s->caps[0].type == CAP_REGION && s->caps[1].type == CAP_REGION;
    ok = ok && exo_console_cap() == EXO_HANDLE_NONE && exo_memory_cap() == EXO_HANDLE_NONE;
    ok = ok && exo_write("bare\n", 5) == ERR_BAD_HANDLE;
    ok = ok && exo_region_alloc_status(PAGE, RW) == ERR_BAD_HANDLE;
    ok = ok && exo_domain_start("true", "true", NULL) == ERR_BAD_HANDLE;
    /* Guessing: the handles other domains' first caps have name nothing here. */
    exo_cap_info_t info;
    for (uint64_t i = 3; ok && i < TABLE_SLOTS; i++) {
        ok = exo_cap_info(i | 1ull << EXO_HANDLE_INDEX_BITS, &info) == ERR_BAD_HANDLE;
    }
    return ok ? 0 : 1;
}

static void check_bare(void) {
    int64_t d = start_child("capattack bare", 0, NULL);
    expect_handle("no ambient authority: start a child with no caps and no budget", d);
    if (d > 0) {
        expect_num("no ambient authority: the bare child's status",
                   exo_domain_wait((exo_handle_t)d), 0);
        exo_cap_delete((exo_handle_t)d);
    }
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "rowrite") == 0) {
        return mode_rowrite(argv[2]);
    }
    if (argc >= 3 && strcmp(argv[1], "idle") == 0) {
        return mode_idle(argv[2]);
    }
    if (argc >= 2 && strcmp(argv[1], "bare") == 0) {
        return mode_bare();
    }
    uint64_t used = used_bytes();
    exo_printf("capattack: domain %lu, memory cap in use %lu bytes\n", exo_start_info()->domain_id,
               used);
    check_forged();
    check_stale();
    check_derive();
    check_map();
    check_transfer();
    check_wrong_type();
    check_table_full();
    check_quota();
    check_domain_rights();
    check_bare();
    expect_num("leaks: memory cap bytes in use, after vs before", (int64_t)(used_bytes() - used),
               0);
    exo_printf("capattack: %d checks, %d failed: %s\n", checks, failures,
               failures ? "FAIL" : "PASS");
    return failures;
}
