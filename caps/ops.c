/*
 * The capability traps (caps/ops.h): derive, transfer (copy or move into another
 * domain's table), delete, revoke, info; region alloc, map and unmap; memory split. Each
 * runs decode_* under caps_lock (every check, a reserved slot, objects that may fail to
 * be made), then invoke_* (cannot fail), then, after the lock, the TLB shootdowns and
 * reference drops of what it unmapped or deleted.
 */
#include <caps/cap.h>
#include <caps/cdt.h>
#include <caps/ops.h>
#include <caps/reap.h>
#include <domain/domain.h>
#include <exo/syscall.h>
#include <ipc/ipc.h>
#include <mm/budget.h>
#include <mm/uaccess.h>
#include <stddef.h>

#define PROT_ALL (EXO_PROT_READ | EXO_PROT_WRITE | EXO_PROT_EXEC)

_Static_assert(CAP_RIGHT_READ == EXO_PROT_READ && CAP_RIGHT_WRITE == EXO_PROT_WRITE &&
                   CAP_RIGHT_EXEC == EXO_PROT_EXEC,
               "a region cap's first three rights are its map rights");

/* Map rights: not empty, known, never W+X, and within what the cap allows. */
static status_t decode_prot(const cap_slot_t *cap, uint64_t prot) {
    if (prot == 0 || (prot & ~(uint64_t)PROT_ALL)) {
        return ERR_INVALID;
    }
    if ((prot & EXO_PROT_WRITE) && (prot & EXO_PROT_EXEC)) {
        return ERR_PERM; /* W^X for user memory too */
    }
    return (cap && (prot & ~(uint64_t)cap->rights)) ? ERR_RIGHTS : STATUS_OK;
}

/* ---- derive ---- */

int64_t sys_cap_derive(domain_t *d, exo_handle_t h, uint64_t rights) {
    bool irq = caps_lock();
    cap_slot_t *src, *dst;
    status_t st = cap_decode(d, h, CAP_NONE, CAP_RIGHT_DERIVE, &src);
    st = st ? st : cap_check_rights(src, rights);
    st = st ? st : cap_reserve(d, &dst);
    if (st == STATUS_OK) { /* invoke */
        cap_install_child(dst, src, (uint32_t)rights);
    }
    int64_t ret = st ? st : (int64_t)cap_handle(dst);
    caps_unlock(irq);
    return ret;
}

/* A derive that stamps a badge on an endpoint cap: receivers see it on every message sent
 * through the new cap or its copies. Badges are the receiver's names for its senders, so
 * minting needs RECV (with DERIVE), and only an unbadged cap can be minted from
 * (ERR_PERM): no sender can make a cap with a badge of its choosing. */
int64_t sys_cap_mint(domain_t *d, exo_handle_t h, uint64_t rights, uint64_t badge) {
    bool irq = caps_lock();
    cap_slot_t *src, *dst;
    status_t st = cap_decode(d, h, CAP_ENDPOINT, CAP_RIGHT_DERIVE | CAP_RIGHT_EP_RECV, &src);
    st = st ? st : cap_check_rights(src, rights);
    if (st == STATUS_OK && badge == 0) {
        st = ERR_INVALID;
    }
    if (st == STATUS_OK && src->badge != 0) {
        st = ERR_PERM;
    }
    st = st ? st : cap_reserve(d, &dst);
    if (st == STATUS_OK) { /* invoke */
        cap_install_child(dst, src, (uint32_t)rights);
        dst->badge = badge;
    }
    int64_t ret = st ? st : (int64_t)cap_handle(dst);
    caps_unlock(irq);
    return ret;
}

/* ---- transfer ---- */

typedef struct transfer {
    domain_t *to;
    cap_slot_t *src, *dst;
    uint32_t rights;
    bool move;
} transfer_t;

static status_t decode_transfer(domain_t *d, exo_handle_t to, exo_handle_t h, uint64_t rights,
                                uint64_t flags, transfer_t *t) {
    if (flags & ~(uint64_t)CAP_TRANSFER_MOVE) {
        return ERR_INVALID;
    }
    cap_slot_t *dom;
    status_t st = cap_decode(d, to, CAP_DOMAIN, CAP_RIGHT_DOMAIN_INSERT, &dom);
    /* Leaving the domain needs GRANT; a copy is a child of h, which needs DERIVE too. */
    uint32_t need = CAP_RIGHT_GRANT | (flags & CAP_TRANSFER_MOVE ? 0 : CAP_RIGHT_DERIVE);
    st = st ? st : cap_decode(d, h, CAP_NONE, need, &t->src);
    st = st ? st : cap_check_rights(t->src, rights);
    if (st != STATUS_OK) {
        return st;
    }
    t->to = dom->obj;
    t->rights = (uint32_t)rights;
    t->move = flags & CAP_TRANSFER_MOVE;
    return cap_reserve(t->to, &t->dst);
}

static void invoke_transfer(transfer_t *t, cap_reap_t *reap) {
    if (t->move) {
        cap_reap_unmap(reap, t->src); /* the sender's view loses it first */
        cap_move_to(t->dst, t->src);
        cap_set_rights(reap, t->dst, t->rights);
    } else {
        cap_install_child(t->dst, t->src, t->rights);
        cap_map_arrival(t->dst);
    }
}

int64_t sys_cap_transfer(domain_t *d, exo_handle_t to, exo_handle_t h, uint64_t rights,
                         uint64_t flags) {
    cap_reap_t reap = {0};
    transfer_t t;
    bool irq = caps_lock();
    status_t st = decode_transfer(d, to, h, rights, flags, &t);
    if (st == STATUS_OK) {
        invoke_transfer(&t, &reap);
        if (t.move) {
            domain_ref(t.to);
        }
    }
    int64_t ret = st ? st : (int64_t)cap_handle(t.dst);
    caps_unlock(irq);
    cap_reap_finish(&reap);
    if (st == STATUS_OK && t.move) {
        /* A moved region appears in the receiver's view only once no TLB of the sender's
         * can reach it any more (the cap may have gone meanwhile: then nothing maps). */
        irq = caps_lock();
        cap_slot_t *s;
        if (cspace_lookup(&t.to->caps, (exo_handle_t)ret, &s) == STATUS_OK) {
            cap_map_arrival(s);
        }
        caps_unlock(irq);
        domain_release(t.to);
    }
    return ret;
}

/* ---- delete, revoke, info ---- */

int64_t sys_cap_delete(domain_t *d, exo_handle_t h) {
    return cap_delete(d, h);
}

int64_t sys_cap_revoke(domain_t *d, exo_handle_t h) {
    uint64_t count;
    status_t st = cap_revoke(d, h, &count);
    return st ? st : (int64_t)count;
}

static void info_of(const cap_slot_t *s, exo_cap_info_t *info) {
    *info = (exo_cap_info_t){
        .type = s->type, .rights = s->rights, .mapped = s->mapped, .map_prot = s->map_prot};
    if (s->type == CAP_REGION) {
        const region_t *r = s->obj;
        info->a = r->base;
        info->b = r->size;
    } else if (s->type == CAP_MEMORY) {
        budget_t *b = s->obj;
        bool irq = spin_lock(&b->lock);
        info->a = b->limit;
        info->b = b->used;
        spin_unlock(&b->lock, irq);
    } else if (s->type == CAP_DOMAIN) {
        info->a = ((const domain_t *)s->obj)->id;
    } else if (s->type == CAP_ENDPOINT) {
        info->a = s->badge;
        info->b = endpoint_depth(s->obj);
    }
}

int64_t sys_cap_info(domain_t *d, exo_handle_t h, uint64_t info_ptr) {
    exo_cap_info_t info;
    bool irq = caps_lock();
    cap_slot_t *s;
    status_t st = cap_decode(d, h, CAP_NONE, 0, &s);
    if (st == STATUS_OK) {
        info_of(s, &info);
    }
    caps_unlock(irq);
    return st ? st : copy_to_user(info_ptr, &info, sizeof(info));
}

#define CAP_LIST_BATCH 16 /* entries per pass under the caps lock (768 bytes of stack) */

/* decode: the array in the user half, its length against the caps there are; invoke:
 * batches of entries built under the caps lock and copied out after it. Caps arriving
 * meanwhile (another continuation, a transfer) are listed only while there is room. */
int64_t sys_cap_list(domain_t *d, uint64_t ptr, uint64_t max) {
    bool irq = caps_lock();
    uint64_t count = 0;
    for (uint32_t i = 1; i < d->caps.nslots; i++) {
        count += d->caps.slots[i].state == CAP_SLOT_LIVE;
    }
    caps_unlock(irq);
    if (max == 0) {
        return (int64_t)count;
    }
    if (!user_array_ok(ptr, max, sizeof(exo_cap_entry_t))) {
        return ERR_FAULT;
    }
    if (max < count) {
        return ERR_TOO_BIG;
    }
    exo_cap_entry_t batch[CAP_LIST_BATCH];
    uint64_t written = 0;
    for (uint32_t next = 1; next < d->caps.nslots && written < max;) {
        uint64_t n = 0;
        irq = caps_lock();
        for (; next < d->caps.nslots && n < CAP_LIST_BATCH && written + n < max; next++) {
            cap_slot_t *s = &d->caps.slots[next];
            if (s->state == CAP_SLOT_LIVE) {
                batch[n] = (exo_cap_entry_t){.handle = cap_handle(s), .badge = s->badge};
                info_of(s, &batch[n].info);
                n++;
            }
        }
        caps_unlock(irq);
        status_t st = copy_to_user(ptr + written * sizeof(batch[0]), batch, n * sizeof(batch[0]));
        if (st != STATUS_OK) {
            return st;
        }
        written += n;
    }
    return (int64_t)written;
}

/* ---- regions ---- */

typedef struct region_alloc {
    cap_slot_t *mem, *dst;
    region_t *region; /* made in decode: its creation is what may fail */
    uint32_t prot;
} region_alloc_t;

static status_t decode_region_alloc(domain_t *d, exo_handle_t mem, uint64_t size, uint64_t prot,
                                    region_alloc_t *a) {
    status_t st = decode_prot(NULL, prot);
    if (st != STATUS_OK) {
        return st;
    }
    if (size == 0) {
        return ERR_INVALID;
    }
    if (size > REGION_MAX_SIZE) {
        return ERR_TOO_BIG;
    }
    st = cap_decode(d, mem, CAP_MEMORY, CAP_RIGHT_MEM_ALLOC, &a->mem);
    st = st ? st : cap_reserve(d, &a->dst);
    st = st ? st : region_create(a->mem->obj, size, &a->region);
    if (st != STATUS_OK) {
        if (a->dst) {
            cspace_unreserve(a->dst);
        }
        return st;
    }
    a->prot = (uint32_t)prot;
    st = view_attach(&d->view, a->region, a->region->base, a->region->base + a->region->size,
                     a->prot, false);
    if (st != STATUS_OK) {
        cspace_unreserve(a->dst);
        /* The last reference, but the region was never visible: freeing it here under
         * the lock touches no table and shoots nothing down. */
        region_unref(a->region);
    }
    return st;
}

int64_t sys_region_alloc(domain_t *d, exo_handle_t mem, uint64_t size, uint64_t prot,
                         uint64_t base_ptr) {
    uint64_t zero = 0;
    if (base_ptr && copy_to_user(base_ptr, &zero, sizeof(zero)) != STATUS_OK) {
        return ERR_FAULT; /* the result must be deliverable before anything is made */
    }
    uint64_t base = 0;
    int64_t ret = cap_region_alloc(d, mem, size, prot, &base);
    if (ret > 0 && base_ptr) {
        copy_to_user(base_ptr, &base, sizeof(base)); /* probed above */
    }
    return ret;
}

int64_t cap_region_alloc(domain_t *d, exo_handle_t mem, uint64_t size, uint64_t prot,
                         uint64_t *base_out) {
    region_alloc_t a = {0};
    bool irq = caps_lock();
    status_t st = decode_region_alloc(d, mem, size, prot, &a);
    int64_t ret = st;
    if (st == STATUS_OK) { /* invoke: the cap takes over the creation's reference */
        cap_install_take(a.dst, CAP_REGION, a.prot | CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE, a.region,
                         a.mem);
        a.dst->mapped = 1;
        a.dst->map_prot = a.prot;
        *base_out = a.region->base;
        ret = (int64_t)cap_handle(a.dst);
    }
    caps_unlock(irq);
    return ret;
}

int64_t sys_region_map(domain_t *d, exo_handle_t h, uint64_t prot) {
    bool irq = caps_lock();
    cap_slot_t *s;
    status_t st = cap_decode(d, h, CAP_REGION, 0, &s);
    st = st ? st : decode_prot(s, prot);
    if (st == STATUS_OK && s->mapped) {
        st = ERR_STATE;
    }
    if (st == STATUS_OK) {
        st = cap_map(s, (uint32_t)prot); /* ERR_OVERLAP: mapped through another cap here */
    }
    caps_unlock(irq);
    return st;
}

int64_t sys_region_unmap(domain_t *d, exo_handle_t h) {
    cap_reap_t reap = {0};
    bool irq = caps_lock();
    cap_slot_t *s;
    status_t st = cap_decode(d, h, CAP_REGION, 0, &s);
    if (st == STATUS_OK && !s->mapped) {
        st = ERR_STATE;
    }
    if (st == STATUS_OK) {
        cap_reap_unmap(&reap, s);
    }
    caps_unlock(irq);
    cap_reap_finish(&reap);
    return st;
}

int64_t sys_region_protect(domain_t *d, exo_handle_t h, uint64_t prot) {
    view_unmapped_t um = {0};
    bool irq = caps_lock();
    cap_slot_t *s;
    status_t st = cap_decode(d, h, CAP_REGION, 0, &s);
    st = st ? st : decode_prot(s, prot);
    if (st == STATUS_OK && !s->mapped) {
        st = ERR_STATE;
    }
    if (st == STATUS_OK) { /* invoke: pages come back on their next touch, with prot */
        view_protect(&d->view, s->obj, (uint32_t)prot, &um);
        s->map_prot = (uint32_t)prot;
    }
    caps_unlock(irq);
    view_unmap_finish(&d->view, &um); /* fewer rights take effect before we return */
    return st;
}

/* ---- memory ---- */

int64_t sys_memory_split(domain_t *d, exo_handle_t mem, uint64_t bytes) {
    bool irq = caps_lock();
    cap_slot_t *src, *dst = NULL;
    budget_t *b = NULL;
    status_t st = cap_decode(d, mem, CAP_MEMORY, CAP_RIGHT_MEM_ALLOC, &src);
    st = st ? st : cap_reserve(d, &dst);
    st = st ? st : budget_split(src->obj, bytes, &b);
    if (st != STATUS_OK && dst) {
        cspace_unreserve(dst);
    }
    if (st == STATUS_OK) { /* invoke: the cap takes over the split's reference */
        cap_install_take(dst, CAP_MEMORY, src->rights, b, src);
    }
    int64_t ret = st ? st : (int64_t)cap_handle(dst);
    caps_unlock(irq);
    return ret;
}
