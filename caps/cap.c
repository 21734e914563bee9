/*
 * The kernel's capability layer (caps/cap.h, caps/reap.h): the caps lock, domain tables,
 * object references by type, and deletion and revoke in batches whose TLB shootdowns and
 * reference drops run after the lock is released.
 */
#include <caps/cap.h>
#include <caps/cdt.h>
#include <caps/reap.h>
#include <domain/contobj.h>
#include <domain/domain.h>
#include <exo/syscall.h>
#include <ipc/ipc.h>
#include <kernel/panic.h>
#include <mm/budget.h>
#include <mm/heap.h>
#include <rings/ring.h>

static spinlock_t lock = SPINLOCK_INIT;
static uint64_t live_caps; /* LIVE slots in all tables (lock) */

char cap_console_object;
char cap_power_object;
char cap_trace_object;

bool caps_lock(void) {
    return spin_lock(&lock);
}

void caps_unlock(bool irq) {
    spin_unlock(&lock, irq);
}

uint64_t caps_live(void) {
    bool irq = caps_lock();
    uint64_t n = live_caps;
    caps_unlock(irq);
    return n;
}

/* Each object type: the rights its caps can carry, how a cap holds its object, and
 * (optionally) what the object counts of its caps' rights. One row per type that has
 * objects; a new type is a new row. */
static void budget_ref_obj(void *o) {
    budget_ref(o);
}
static void budget_unref_obj(void *o) {
    budget_unref(o);
}
static void region_ref_obj(void *o) {
    region_ref(o);
}
static void region_unref_obj(void *o) {
    region_unref(o);
}
static void domain_ref_obj(void *o) {
    domain_ref(o);
}
static void domain_unref_obj(void *o) {
    domain_release(o);
}
static void static_obj(void *o) { /* the console, power, trace: singletons that never go */
    (void)o;
}

typedef struct cap_type_ops {
    uint32_t rights;
    void (*ref)(void *obj);
    void (*unref)(void *obj);
    /* Under caps_lock: a cap with rights appeared (delta +1) or went (-1), or a cap gained
     * or lost rights. No other lock may be taken; work is left to unref. */
    void (*rights_held)(void *obj, uint32_t rights, int delta);
} cap_type_ops_t;

static const cap_type_ops_t type_ops[CAP_TYPE_COUNT] = {
    [CAP_MEMORY] = {CAP_RIGHTS_MEMORY, budget_ref_obj, budget_unref_obj, NULL},
    [CAP_REGION] = {CAP_RIGHTS_REGION, region_ref_obj, region_unref_obj, NULL},
    [CAP_DOMAIN] = {CAP_RIGHTS_DOMAIN, domain_ref_obj, domain_unref_obj, NULL},
    [CAP_CONTINUATION] = {CAP_RIGHTS_CONTINUATION, contobj_ref_obj, contobj_unref_obj, NULL},
    [CAP_ENDPOINT] = {CAP_RIGHTS_ENDPOINT, endpoint_cap_ref, endpoint_cap_unref,
                      endpoint_rights_held},
    [CAP_REPLY] = {CAP_RIGHTS_REPLY, ipc_call_cap_ref, ipc_call_cap_unref, NULL},
    [CAP_RING] = {CAP_RIGHTS_RING, ring_cap_ref, ring_cap_unref, NULL},
    [CAP_CONSOLE] = {CAP_RIGHTS_CONSOLE, static_obj, static_obj, NULL},
    [CAP_POWER] = {CAP_RIGHTS_POWER, static_obj, static_obj, NULL},
    [CAP_TRACE] = {CAP_RIGHTS_TRACE, static_obj, static_obj, NULL},
};

static const cap_type_ops_t *ops_of(uint16_t type) {
    if (type >= CAP_TYPE_COUNT || type_ops[type].ref == NULL) {
        panic("caps: no objects of type %u", type);
    }
    return &type_ops[type];
}

static void rights_held(const cap_slot_t *s, uint32_t rights, int delta) {
    if (rights && type_ops[s->type].rights_held) {
        type_ops[s->type].rights_held(s->obj, rights, delta);
    }
}

uint32_t cap_type_rights(uint16_t type) {
    return type < CAP_TYPE_COUNT ? type_ops[type].rights : 0;
}

void cap_object_ref(uint16_t type, void *obj) {
    ops_of(type)->ref(obj);
}

void cap_object_unref(uint16_t type, void *obj) {
    if (type != CAP_NONE) { /* a reap entry that only unmapped */
        ops_of(type)->unref(obj);
    }
}

status_t caps_table_init(domain_t *d) {
    d->cap_slots = kzalloc(CAP_TABLE_SLOTS * sizeof(cap_slot_t));
    if (d->cap_slots == NULL) {
        return ERR_NO_MEMORY;
    }
    status_t st = cspace_init(&d->caps, d->cap_slots, CAP_TABLE_SLOTS, d);
    ASSERT(st == STATUS_OK);
    return STATUS_OK;
}

void caps_table_close(domain_t *d) {
    if (d->cap_slots == NULL) {
        return;
    }
    for (uint32_t next = 1;;) {
        cap_reap_t r = {0};
        bool irq = caps_lock();
        d->caps_closed = true;
        for (; next < d->caps.nslots && r.n + 2 <= CAP_REAP_BATCH; next++) {
            cap_slot_t *s = &d->caps.slots[next];
            if (s->state == CAP_SLOT_LIVE) {
                cap_reap_slot(&r, s);
            }
        }
        caps_unlock(irq);
        cap_reap_finish(&r);
        if (next >= d->caps.nslots) {
            return;
        }
    }
}

void caps_table_free(domain_t *d) {
    ASSERT(d->cap_slots == NULL || cspace_live(&d->caps) == 0);
    kfree(d->cap_slots);
    d->cap_slots = NULL;
}

status_t cap_decode(domain_t *d, exo_handle_t h, uint16_t type, uint32_t rights, cap_slot_t **out) {
    cap_slot_t *s;
    status_t st = cspace_lookup(&d->caps, h, &s);
    if (st != STATUS_OK) {
        return st;
    }
    if (type != CAP_NONE && s->type != type) {
        return ERR_WRONG_TYPE;
    }
    if (rights & ~s->rights) {
        return ERR_RIGHTS;
    }
    *out = s;
    return STATUS_OK;
}

status_t cap_check_rights(const cap_slot_t *s, uint64_t rights) {
    if (rights & ~(uint64_t)CAP_RIGHTS_ALL) {
        return ERR_INVALID;
    }
    return (rights & ~(uint64_t)s->rights) ? ERR_RIGHTS : STATUS_OK;
}

status_t cap_map(cap_slot_t *s, uint32_t prot) {
    domain_t *d = s->owner->owner;
    region_t *r = s->obj;
    status_t st = view_attach(&d->view, r, r->base, r->base + r->size, prot, false);
    if (st == STATUS_OK) {
        s->mapped = 1;
        s->map_prot = prot;
    }
    return st;
}

void cap_map_arrival(cap_slot_t *s) {
    uint32_t prot = s->rights & (EXO_PROT_READ | EXO_PROT_WRITE | EXO_PROT_EXEC);
    if (s->type != CAP_REGION || prot == 0 || s->mapped) {
        return;
    }
    if ((prot & EXO_PROT_WRITE) && (prot & EXO_PROT_EXEC)) {
        prot &= ~EXO_PROT_EXEC; /* W^X: a writable and executable cap maps writable */
    }
    (void)cap_map(s, prot); /* on failure the cap is held unmapped */
}

void cap_adopt_roots(domain_t *d, cap_slot_t *parent) {
    for (uint32_t i = 1; i < d->caps.nslots; i++) {
        cap_slot_t *s = &d->caps.slots[i];
        if (s->state == CAP_SLOT_LIVE && s->parent == NULL && s != parent) {
            cdt_attach(parent, s);
        }
    }
}

status_t cap_reserve(domain_t *d, cap_slot_t **out) {
    if (d->caps_closed) {
        return ERR_STATE;
    }
    return cspace_reserve(&d->caps, out);
}

void cap_install_ref(cap_slot_t *s, uint16_t type, uint32_t rights, void *obj, cap_slot_t *parent) {
    cap_object_ref(type, obj);
    cap_install_take(s, type, rights, obj, parent);
}

void cap_install_take(cap_slot_t *s, uint16_t type, uint32_t rights, void *obj,
                      cap_slot_t *parent) {
    cap_install(s, type, rights & cap_type_rights(type), obj, 0, parent);
    live_caps++;
    rights_held(s, s->rights, +1);
}

void cap_install_child(cap_slot_t *dst, cap_slot_t *src, uint32_t rights) {
    cap_install_ref(dst, src->type, rights, src->obj, src);
    dst->badge = src->badge; /* a badge is for good: copies and children keep it */
}

void cap_set_rights(cap_reap_t *r, cap_slot_t *s, uint32_t rights) {
    uint32_t old = s->rights;
    rights &= cap_type_rights(s->type);
    s->rights = rights;
    rights_held(s, old & ~rights, -1);
    rights_held(s, rights & ~old, +1);
    if ((old & ~rights) && type_ops[s->type].rights_held) {
        /* A right the object counts went: its unref, after the lock, acts on that. */
        cap_object_ref(s->type, s->obj);
        ASSERT(r->n < CAP_REAP_BATCH);
        r->e[r->n++] = (cap_reaped_t){.type = s->type, .obj = s->obj};
    }
}

void cap_reap_unmap(cap_reap_t *r, cap_slot_t *s) {
    if (!s->mapped) {
        return;
    }
    ASSERT(r->n < CAP_REAP_BATCH);
    cap_reaped_t *e = &r->e[r->n++];
    *e = (cap_reaped_t){.type = CAP_NONE};
    domain_t *d = s->owner->owner;
    /* A closed table's view goes away whole; a domain whose last reference is being
     * dropped never ran (a started one closes its table when it ends) and is torn down
     * by that release. */
    if (!d->caps_closed && domain_tryref(d)) {
        view_detach(&d->view, s->obj, &e->um);
        e->dom = d;
    }
    s->mapped = 0;
    s->map_prot = 0;
}

void cap_reap_slot(cap_reap_t *r, cap_slot_t *s) {
    cap_reap_unmap(r, s);
    ASSERT(r->n < CAP_REAP_BATCH);
    r->e[r->n++] = (cap_reaped_t){.type = s->type, .obj = s->obj};
    rights_held(s, s->rights, -1);
    cspace_release(s);
    live_caps--;
}

void cap_reap_finish(cap_reap_t *r) {
    for (uint32_t i = 0; i < r->n; i++) {
        cap_reaped_t *e = &r->e[i];
        if (e->dom) {
            view_unmap_finish(&e->dom->view, &e->um);
            domain_release(e->dom);
        }
        cap_object_unref(e->type, e->obj);
    }
    r->n = 0;
}

status_t cap_delete(domain_t *d, exo_handle_t h) {
    cap_reap_t r = {0};
    bool irq = caps_lock();
    cap_slot_t *s;
    status_t st = cap_decode(d, h, CAP_NONE, 0, &s);
    if (st == STATUS_OK) {
        cap_reap_slot(&r, s);
    }
    caps_unlock(irq);
    cap_reap_finish(&r);
    return st;
}

status_t cap_revoke(domain_t *d, exo_handle_t h, uint64_t *count) {
    *count = 0;
    for (;;) {
        cap_reap_t r = {0};
        bool irq = caps_lock();
        cap_slot_t *s;
        status_t st = cap_decode(d, h, CAP_NONE, 0, &s);
        /* Each reaped slot takes up to two entries (its unmapping and its object). */
        cap_slot_t *leaf;
        while (st == STATUS_OK && r.n + 2 <= CAP_REAP_BATCH &&
               (leaf = cdt_leaf_descendant(s)) != NULL) {
            cap_reap_slot(&r, leaf);
            ++*count;
        }
        bool more = st == STATUS_OK && cdt_leaf_descendant(s) != NULL;
        caps_unlock(irq);
        cap_reap_finish(&r);
        if (st != STATUS_OK) {
            /* Deleted by its own domain while we worked: what is left moved up. */
            return *count ? STATUS_OK : st;
        }
        if (!more) {
            return STATUS_OK;
        }
    }
}
