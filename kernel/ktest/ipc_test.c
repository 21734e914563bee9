/*
 * ktests for IPC below the traps: view_write (the way a message reaches a domain that is
 * not running), a message moving a region between two domains' tables and views, and an
 * endpoint closing with a region still in its queue. The in-OS side, with user code and
 * waiting continuations, is apps/test/ipctest.c and ipcmove.c.
 */
#include <arch/mmu.h>
#include <caps/cap.h>
#include <domain/domain.h>
#include <exo/syscall.h>
#include <ipc/ipc.h>
#include <kernel/string.h>
#include <ktest/ktest.h>
#include <mm/physmap.h>
#include <mm/region.h>

static domain_t *make_domain(void) {
    const void *elf;
    uint64_t size;
    domain_t *d = NULL;
    if (module_find("true", 4, &elf, &size) == STATUS_OK) {
        (void)domain_create("true", elf, size, NULL, 0, &d, NULL);
    }
    return d;
}

/* The byte at va of region r, through the physmap (0 if the page has no frame yet). */
static uint8_t byte_at(region_t *r, uint64_t va) {
    uint64_t i = (va - r->base) / PAGE_SIZE;
    return r->frames[i] ? ((uint8_t *)phys_to_virt(r->frames[i]))[va & (PAGE_SIZE - 1)] : 0;
}

KTEST(ipc_view_write_all_or_nothing) {
    domain_t *d = make_domain();
    KT_ASSERT(d != NULL);
    region_t *r;
    KT_ASSERT_EQ(region_create(NULL, 3 * PAGE_SIZE, &r), STATUS_OK);
    uint64_t b = r->base;
    /* page 0 writable, page 1 read-only, page 2 not mapped */
    KT_ASSERT_EQ(view_attach(&d->view, r, b, b + PAGE_SIZE, EXO_PROT_READ | EXO_PROT_WRITE, false),
                 STATUS_OK);
    KT_ASSERT_EQ(view_attach(&d->view, r, b + PAGE_SIZE, b + 2 * PAGE_SIZE, EXO_PROT_READ, false),
                 STATUS_OK);
    uint8_t msg[224];
    memset(msg, 0xab, sizeof(msg));
    KT_ASSERT_EQ(view_write(&d->view, b + 100, msg, sizeof(msg)), STATUS_OK);
    KT_ASSERT_EQ(byte_at(r, b + 100), 0xab);
    KT_ASSERT_EQ(byte_at(r, b + 100 + sizeof(msg) - 1), 0xab);
    memset(msg, 0xcd, sizeof(msg));
    /* across into the read-only page: nothing is written, not even the first part */
    KT_ASSERT_EQ(view_write(&d->view, b + PAGE_SIZE - 100, msg, sizeof(msg)), ERR_FAULT);
    KT_ASSERT_EQ(byte_at(r, b + PAGE_SIZE - 100), 0);
    KT_ASSERT_EQ(view_write(&d->view, b + 2 * PAGE_SIZE, msg, 8), ERR_FAULT);
    KT_ASSERT_EQ(view_write(&d->view, 0xffffffff80000000ull, msg, 8), ERR_FAULT);
    KT_ASSERT_EQ(view_write(&d->view, 0x00007ffffffffff0ull, msg, 32), ERR_FAULT);
    KT_ASSERT_EQ(view_write(&d->view, b, msg, PAGE_SIZE + 1), ERR_TOO_BIG);
    KT_ASSERT_EQ(view_prepare_write(&d->view, b + PAGE_SIZE, 1), ERR_FAULT);
    KT_ASSERT_EQ(view_prepare_write(&d->view, b + 8, 16), STATUS_OK);
    region_unref(r); /* the maps hold it until the domain goes */
    domain_release(d);
}

typedef struct pair {
    domain_t *tx, *rx;
    budget_t *budget;
    exo_handle_t send, recv, region;
    region_t *r;
} pair_t;

/* rx gets a memory cap and an endpoint made through it (all rights); tx gets a SEND copy
 * and a mapped 4-page region cap of its own. */
static bool pair_make(pair_t *p) {
    p->tx = make_domain();
    p->rx = make_domain();
    if (p->tx == NULL || p->rx == NULL || budget_create_root(1 << 20, &p->budget) != STATUS_OK) {
        return false;
    }
    bool irq = caps_lock();
    cap_slot_t *mem;
    bool ok = cap_reserve(p->rx, &mem) == STATUS_OK;
    if (ok) {
        cap_install_ref(mem, CAP_MEMORY, CAP_RIGHTS_MEMORY, p->budget, NULL);
    }
    exo_handle_t memh = ok ? cap_handle(mem) : 0;
    caps_unlock(irq);
    int64_t ep = sys_endpoint_create(p->rx, memh, 2);
    if (!ok || ep <= 0 || region_create(NULL, 4 * PAGE_SIZE, &p->r) != STATUS_OK) {
        return false;
    }
    p->recv = (exo_handle_t)ep;
    irq = caps_lock();
    cap_slot_t *eps, *s, *rs;
    ok = cap_decode(p->rx, p->recv, CAP_ENDPOINT, 0, &eps) == STATUS_OK &&
         cap_reserve(p->tx, &s) == STATUS_OK && cap_reserve(p->tx, &rs) == STATUS_OK;
    if (ok) {
        cap_install_child(s, eps, CAP_RIGHT_EP_SEND);
        cap_install_take(rs, CAP_REGION, CAP_RIGHTS_REGION, p->r, NULL);
        cap_map_arrival(rs);
        p->send = cap_handle(s);
        p->region = cap_handle(rs);
    }
    caps_unlock(irq);
    return ok;
}

static void pair_free(pair_t *p) {
    domain_release(p->tx);
    domain_release(p->rx); /* its endpoint cap goes with it: the endpoint closes */
    budget_unref(p->budget);
}

static exo_msg_t region_msg(exo_handle_t region) {
    exo_msg_t m;
    memset(&m, 0, sizeof(m));
    m.label = 77;
    m.len = 3;
    memcpy(m.data, "abc", 3);
    m.ncaps = 1;
    m.caps[0] = (exo_msg_cap_t){.handle = region,
                                .rights = CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_GRANT,
                                .flags = EXO_MSG_CAP_MOVE};
    return m;
}

KTEST(ipc_move_between_tables_and_views) {
    uint64_t caps_before = caps_live();
    region_stats_t rs0, rs1;
    region_get_stats(&rs0);
    pair_t p;
    KT_ASSERT(pair_make(&p));
    uint64_t base = p.r->base;
    KT_ASSERT_EQ(view_fault(&p.tx->view, base, EXO_PROT_WRITE), STATUS_OK);
    exo_msg_t m = region_msg(p.region);
    KT_ASSERT_EQ(ipc_send(p.tx, p.send, &m, NULL, NULL), STATUS_OK);
    /* gone from the sender's table and view before anyone received it */
    KT_ASSERT_EQ(view_fault(&p.tx->view, base, EXO_PROT_READ), ERR_NOT_FOUND);
    bool irq = caps_lock();
    cap_slot_t *s;
    KT_ASSERT_EQ(cap_decode(p.tx, p.region, CAP_NONE, 0, &s), ERR_STALE);
    caps_unlock(irq);
    /* delivered into the receiver's stack memory, which it can write */
    uint64_t buf = p.rx->stack->base + 2 * PAGE_SIZE - 100; /* across a page boundary */
    KT_ASSERT_EQ(ipc_recv(p.rx, p.recv, 0xffffffff80000000ull, NULL), ERR_FAULT);
    KT_ASSERT_EQ(ipc_recv(p.rx, p.recv, buf, NULL), STATUS_OK);
    exo_msg_t got;
    for (uint64_t i = 0; i < sizeof(got); i++) {
        ((uint8_t *)&got)[i] = byte_at(p.rx->stack, buf + i);
    }
    KT_ASSERT_EQ(got.label, 77);
    KT_ASSERT_EQ(got.len, 3);
    KT_ASSERT(memcmp(got.data, "abc", 3) == 0);
    KT_ASSERT_EQ(got.ncaps, 1);
    KT_ASSERT_EQ(got.caps[0].type, CAP_REGION);
    KT_ASSERT_EQ(got.caps[0].flags, EXO_MSG_CAP_MAPPED);
    KT_ASSERT_EQ(got.reply, 0);
    /* the same address in the receiver's view, with the rights sent */
    KT_ASSERT_EQ(view_fault(&p.rx->view, base, EXO_PROT_WRITE), STATUS_OK);
    KT_ASSERT_EQ(ipc_recv(p.rx, p.recv, buf, NULL), ERR_AGAIN);
    pair_free(&p);
    KT_ASSERT_EQ(caps_live(), caps_before);
    region_get_stats(&rs1);
    KT_ASSERT_EQ(rs1.live, rs0.live);
}

KTEST(ipc_close_frees_what_was_queued) {
    uint64_t caps_before = caps_live();
    region_stats_t rs0, rs1;
    pair_t p;
    KT_ASSERT(pair_make(&p));
    region_get_stats(&rs0);
    exo_msg_t m = region_msg(p.region);
    KT_ASSERT_EQ(ipc_send(p.tx, p.send, &m, NULL, NULL), STATUS_OK);
    memset(&m, 0, sizeof(m));
    KT_ASSERT_EQ(ipc_send(p.tx, p.send, &m, NULL, NULL), STATUS_OK);
    KT_ASSERT_EQ(ipc_send(p.tx, p.send, &m, NULL, NULL), ERR_BUSY); /* depth 2 */
    KT_ASSERT_EQ(cap_delete(p.rx, p.recv), STATUS_OK);              /* the only RECV cap */
    KT_ASSERT_EQ(ipc_send(p.tx, p.send, &m, NULL, NULL), ERR_CLOSED);
    region_get_stats(&rs1);
    KT_ASSERT_EQ(rs1.live, rs0.live - 1); /* the moved region went with the queue */
    pair_free(&p);
    KT_ASSERT_EQ(caps_live(), caps_before);
}
