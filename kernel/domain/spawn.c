/*
 * SYS_DOMAIN_START: a new domain from a boot module, paid for by the caller's memory cap,
 * holding only the caps the caller passes. Three steps: decode (copy the request in,
 * check every handle and right), make (the domain, its image and stack, its budget: may
 * fail, and nothing is visible yet), then under caps_lock decode the handles again (they
 * may have been deleted meanwhile) and invoke: the child's caps and the caller's domain
 * cap appear together, or not at all. The child's first continuation exists before it
 * becomes visible, so from then on it can only end the usual way; it is launched last.
 */
#include <caps/cap.h>
#include <domain/domain.h>
#include <domain/spawn.h>
#include <exo/syscall.h>
#include <kernel/kprintf.h>
#include <kernel/string.h>
#include <mm/budget.h>
#include <mm/uaccess.h>

typedef struct spawn {
    exo_domain_spawn_t req;
    char name[DOMAIN_NAME_MAX];
    char args[EXO_ARGS_MAX];
    /* decoded under caps_lock (valid only while it is held) */
    cap_slot_t *mem;
    cap_slot_t *pass[EXO_SPAWN_CAPS];
    /* reserved: the caller's domain cap, the child's memory cap and passed caps */
    cap_slot_t *self_slot, *mem_slot, *pass_slot[EXO_SPAWN_CAPS];
} spawn_t;

static status_t decode_request(uint64_t user_req, spawn_t *s) {
    status_t st = copy_from_user(&s->req, user_req, sizeof(s->req));
    if (st != STATUS_OK) {
        return st;
    }
    const exo_domain_spawn_t *r = &s->req;
    if (r->name_len == 0) {
        return ERR_INVALID;
    }
    if (r->name_len >= sizeof(s->name) || r->args_len >= sizeof(s->args) ||
        r->ncaps > EXO_SPAWN_CAPS) {
        return ERR_TOO_BIG;
    }
    st = copy_from_user(s->name, r->name, r->name_len);
    st = st ? st : copy_from_user(s->args, r->args, r->args_len);
    exo_domain_info_t probe = {0};
    if (st == STATUS_OK && r->info) { /* the result must be deliverable before anything starts */
        st = copy_to_user(r->info, &probe, sizeof(probe));
    }
    s->name[r->name_len] = '\0';
    s->args[r->args_len] = '\0';
    return st;
}

/* Under caps_lock: the memory cap and every passed cap. */
static status_t decode_caps(domain_t *self, spawn_t *s) {
    status_t st = cap_decode(self, s->req.memory, CAP_MEMORY, CAP_RIGHT_MEM_ALLOC, &s->mem);
    for (uint64_t i = 0; st == STATUS_OK && i < s->req.ncaps; i++) {
        st = cap_decode(self, s->req.caps[i].handle, CAP_NONE, CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE,
                        &s->pass[i]); /* a copy */
        st = st ? st : cap_check_rights(s->pass[i], s->req.caps[i].rights);
    }
    return st;
}

/* Under caps_lock: every slot the invoke fills, or none. */
static status_t reserve_slots(domain_t *self, domain_t *child, bool budget, spawn_t *s) {
    cap_slot_t **all[2 + EXO_SPAWN_CAPS];
    domain_t *owner[2 + EXO_SPAWN_CAPS];
    uint32_t n = 0;
    all[n] = &s->self_slot, owner[n++] = self;
    if (budget) {
        all[n] = &s->mem_slot, owner[n++] = child;
    }
    for (uint64_t i = 0; i < s->req.ncaps; i++) {
        all[n] = &s->pass_slot[i], owner[n++] = child;
    }
    for (uint32_t i = 0; i < n; i++) {
        status_t st = cap_reserve(owner[i], all[i]);
        if (st != STATUS_OK) {
            while (i-- > 0) {
                cspace_unreserve(*all[i]);
            }
            return st;
        }
    }
    return STATUS_OK;
}

/* Under caps_lock, cannot fail. The child's image and stack caps become children of the
 * memory cap that paid for them. */
static exo_handle_t invoke_spawn(domain_t *child, budget_t *budget, spawn_t *s) {
    cap_adopt_roots(child, s->mem);
    if (budget) {
        cap_install_take(s->mem_slot, CAP_MEMORY, s->mem->rights, budget, s->mem);
    }
    for (uint64_t i = 0; i < s->req.ncaps; i++) {
        cap_slot_t *src = s->pass[i];
        cap_install_child(s->pass_slot[i], src, (uint32_t)s->req.caps[i].rights);
        cap_map_arrival(s->pass_slot[i]);
    }
    cap_install_ref(s->self_slot, CAP_DOMAIN, CAP_RIGHTS_DOMAIN, child, NULL);
    return cap_handle(s->self_slot);
}

static void report(domain_t *self, const spawn_t *s, status_t st, const char *why) {
    kprintf("domain: %s (domain %lu) cannot start \"%s\": %s: %s\n", self->name, self->id, s->name,
            status_str(st), why);
}

int64_t sys_domain_start(domain_t *self, uint64_t user_req) {
    spawn_t s = {0};
    status_t st = decode_request(user_req, &s);
    if (st != STATUS_OK) {
        return st;
    }
    bool irq = caps_lock();
    st = decode_caps(self, &s);
    budget_t *pays = st ? NULL : s.mem->obj;
    if (pays) {
        budget_ref(pays); /* for making the child outside the lock */
    }
    caps_unlock(irq);
    if (st != STATUS_OK) {
        return st;
    }

    domain_t *child = NULL; /* the creation reference is ours until the end */
    budget_t *budget = NULL;
    const char *why = "";
    st = domain_create_module(s.name, s.req.name_len, pays, self->id, &child, &why);
    if (st == STATUS_OK) {
        st = domain_prepare(child);
        why = "no memory for its first continuation";
        if (st != STATUS_OK) {
            domain_release(child); /* never visible, never prepared: freed here */
            child = NULL;
        }
    }
    if (st == STATUS_OK && s.req.budget) {
        st = budget_split(pays, s.req.budget, &budget);
        why = "the memory cap cannot cover the child's budget";
    }
    budget_unref(pays);
    exo_handle_t h = 0;
    if (st == STATUS_OK) {
        irq = caps_lock();
        st = decode_caps(self, &s); /* a handle may have gone meanwhile */
        st = st ? st : reserve_slots(self, child, budget != NULL, &s);
        if (st == STATUS_OK) {
            h = invoke_spawn(child, budget, &s);
        }
        caps_unlock(irq);
        why = "a cap changed while the domain was made";
    }
    if (st != STATUS_OK) {
        if (budget) {
            budget_unref(budget);
        }
        if (child) {
            domain_abort(child); /* prepared: it ends through its first continuation */
            domain_release(child);
        }
        report(self, &s, st, why);
        return st;
    }
    exo_domain_info_t info = {.id = child->id,
                              .image_base = child->image_base,
                              .image_size = child->image_size,
                              .entry = child->entry};
    domain_launch(child, s.args, s.req.args_len);
    domain_release(child);
    if (s.req.info) {
        copy_to_user(s.req.info, &info, sizeof(info)); /* probed writable in decode */
    }
    return (int64_t)h;
}
