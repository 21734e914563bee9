/*
 * Domains (domain/domain.h): creation from an ELF image, start, kill, end and release.
 * Locks: list_lock guards the domain list and the counters; d->lock guards a domain's
 * live count and status (taken inside list_lock only by the listing, never the other way
 * round). The list is in id order (new domains go at its tail); it is walked to find a
 * domain by id and to list them (SYS_DOMAIN_LIST).
 */
#include <arch/mmu.h>
#include <arch/smp.h>
#include <caps/cap.h>
#include <domain/domain.h>
#include <domain/ucont.h>
#include <exo/syscall.h>
#include <kernel/cpu.h>
#include <kernel/kprintf.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <loader/elfapp.h>
#include <mm/heap.h>
#include <stdatomic.h>
#include <trace/trace.h>

_Static_assert(ELFAPP_PROT_R == EXO_PROT_READ && ELFAPP_PROT_W == EXO_PROT_WRITE &&
                   ELFAPP_PROT_X == EXO_PROT_EXEC,
               "segment rights are view rights");

static spinlock_t list_lock = SPINLOCK_INIT;
static domain_t *domains, *domains_tail; /* in id order */
static uint64_t next_id = 1, live_domains, created_domains;

static status_t image_write(void *arg, uint64_t off, const void *src, uint64_t len) {
    return region_write(arg, off, src, len);
}

/* Loads and maps the image; on failure the caller frees what is set in d. *prot: the
 * union of the segments' rights. */
static status_t load_image(domain_t *d, const void *elf, uint64_t size, budget_t *budget,
                           uint32_t *prot, const char **why) {
    elfapp_t app;
    status_t st = elfapp_parse(elf, size, &app, why);
    if (st != STATUS_OK) {
        return st;
    }
    st = region_create(budget, app.span, &d->image);
    if (st != STATUS_OK) {
        *why = st == ERR_QUOTA ? "the memory cap's budget cannot hold the image"
                               : "no memory or address space for the image";
        return st;
    }
    elfapp_sink_t sink = {.write = image_write, .arg = d->image};
    st = elfapp_load(&app, elf, size, d->image->base, &sink);
    if (st != STATUS_OK) {
        *why = "loading the segments failed";
        return st;
    }
    for (uint32_t i = 0; i < app.nsegments; i++) {
        const elfapp_segment_t *s = &app.seg[i];
        uint64_t start = d->image->base + s->start;
        st = view_attach(&d->view, d->image, start, start + s->size, s->prot, true);
        if (st != STATUS_OK) {
            *why = "mapping a segment failed";
            return st;
        }
        *prot |= s->prot;
    }
    d->entry = d->image->base + app.entry;
    d->image_base = d->image->base;
    d->image_size = d->image->size;
    return STATUS_OK;
}

/* The first continuation's stack; the lowest page stays unmapped, so an overflow
 * faults instead of running into whatever the space allocator placed below. */
static status_t make_stack(domain_t *d, budget_t *budget, const char **why) {
    status_t st = region_create(budget, DOMAIN_STACK_SIZE, &d->stack);
    if (st == STATUS_OK) {
        st = view_attach(&d->view, d->stack, d->stack->base + PAGE_SIZE,
                         d->stack->base + d->stack->size, EXO_PROT_READ | EXO_PROT_WRITE, false);
    }
    if (st != STATUS_OK) {
        *why = st == ERR_QUOTA ? "the memory cap's budget cannot hold the stack"
                               : "no memory for the stack";
    }
    return st;
}

/* The domain's caps to its own image and stack: mapped already, roots until a parent's
 * memory cap adopts them (SYS_DOMAIN_START). */
static void install_own_caps(domain_t *d, uint32_t image_prot) {
    bool irq = caps_lock();
    cap_slot_t *img, *stk;
    status_t st = cap_reserve(d, &img);
    st = st ? st : cap_reserve(d, &stk);
    ASSERT(st == STATUS_OK); /* a fresh table */
    /* The cap may map the whole image again later: never writable and executable at once,
     * so with code in it, it is R+X (map_prot tells what the segments have now). */
    uint32_t rights = image_prot & EXO_PROT_EXEC ? image_prot & ~EXO_PROT_WRITE : image_prot;
    cap_install_ref(img, CAP_REGION, rights | CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE, d->image, NULL);
    img->mapped = 1;
    img->map_prot = image_prot;
    cap_install_ref(stk, CAP_REGION,
                    CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE, d->stack,
                    NULL);
    stk->mapped = 1;
    stk->map_prot = EXO_PROT_READ | EXO_PROT_WRITE;
    caps_unlock(irq);
}

/* Frees what domain_create made, once nothing runs in d and nobody can reach it. */
static void domain_teardown(domain_t *d) {
    caps_table_close(d);
    view_destroy(&d->view);
    if (d->image) {
        region_unref(d->image);
        d->image = NULL;
    }
    if (d->stack) {
        region_unref(d->stack);
        d->stack = NULL;
    }
}

status_t domain_create(const char *name, const void *elf, uint64_t size, budget_t *budget,
                       uint64_t parent_id, domain_t **out, const char **why) {
    const char *ignored;
    why = why ? why : &ignored;
    *why = "";
    domain_t *d = kzalloc(sizeof(*d));
    if (d == NULL || caps_table_init(d) != STATUS_OK) {
        kfree(d);
        *why = "no memory for the domain";
        return ERR_NO_MEMORY;
    }
    status_t st = view_init(&d->view);
    if (st != STATUS_OK) {
        caps_table_free(d);
        kfree(d);
        *why = "no page table or PCID for the domain";
        return st;
    }
    uint32_t image_prot = 0;
    st = load_image(d, elf, size, budget, &image_prot, why);
    st = st ? st : make_stack(d, budget, why);
    if (st != STATUS_OK) {
        domain_teardown(d);
        caps_table_free(d);
        kfree(d);
        return st;
    }
    install_own_caps(d, image_prot);
    memcpy(d->name, name, strnlen(name, DOMAIN_NAME_MAX - 1)); /* d is zeroed: terminated */
    d->parent_id = parent_id;
    d->lock = (spinlock_t)SPINLOCK_INIT;
    event_init(&d->ended_ev);
    atomic_store(&d->refs, 1);
    atomic_store(&d->next_cont, 1);
    bool irq = spin_lock(&list_lock);
    d->id = next_id++;
    d->next = NULL;
    if (domains_tail) {
        domains_tail->next = d;
    } else {
        domains = d;
    }
    domains_tail = d;
    live_domains++;
    created_domains++;
    spin_unlock(&list_lock, irq);
    *out = d;
    return STATUS_OK;
}

/* The caps in d's table, in slot order, as the start block lists them. */
static void list_caps(domain_t *d, exo_start_t *start) {
    bool irq = caps_lock();
    for (uint32_t i = 1; i < d->caps.nslots && start->ncaps < EXO_START_CAPS; i++) {
        const cap_slot_t *s = &d->caps.slots[i];
        if (s->state == CAP_SLOT_LIVE) {
            start->caps[start->ncaps++] =
                (exo_start_cap_t){.handle = cap_handle(s), .type = s->type, .rights = s->rights};
        }
    }
    caps_unlock(irq);
}

/* Where the start block goes: the top of the stack, 16-byte aligned. */
static uint64_t start_block_offset(const domain_t *d) {
    return (d->stack->size - sizeof(exo_start_t)) & ~15ull;
}

status_t domain_prepare(domain_t *d) {
    ASSERT(d->first == NULL);
    exo_start_t zero = {0}; /* allocates the block's frame: domain_launch cannot fail */
    uint64_t off = start_block_offset(d);
    status_t st = region_write(d->stack, off, &zero, sizeof(zero));
    if (st != STATUS_OK) {
        return st;
    }
    uint64_t block = d->stack->base + off;
    return ucont_create(d, d->entry, block, block, sizeof(exo_start_t), &d->first);
}

void domain_launch(domain_t *d, const char *args, uint64_t args_len) {
    ASSERT(d->first != NULL && args_len < EXO_ARGS_MAX);
    exo_start_t start = {.version = EXO_START_VERSION,
                         .domain_id = d->id,
                         .image_base = d->image_base,
                         .image_size = d->image_size,
                         .args_len = args_len};
    memcpy(start.args, args, args_len);
    list_caps(d, &start);
    status_t st = region_write(d->stack, start_block_offset(d), &start, sizeof(start));
    ASSERT(st == STATUS_OK); /* in range, and its frame exists since domain_prepare */
    ucont_t *u = d->first;
    d->first = NULL;
    trace_domain_start(d->id, d->parent_id, d->name);
    sched_spawn(&u->k);
}

void domain_abort(domain_t *d) {
    domain_kill(d, EXO_EXIT_KILLED);
    domain_launch(d, "", 0); /* runs, finds the domain dying, and ends it the usual way */
}

status_t domain_start(domain_t *d, const char *args, uint64_t args_len) {
    if (args_len >= EXO_ARGS_MAX) {
        return ERR_TOO_BIG;
    }
    status_t st = domain_prepare(d);
    if (st == STATUS_OK) {
        domain_launch(d, args, args_len);
    }
    return st;
}

void domain_set_status(domain_t *d, int64_t status) {
    bool irq = spin_lock(&d->lock);
    if (!d->status_set) {
        d->status = status;
        d->status_set = true;
    }
    spin_unlock(&d->lock, irq);
}

void domain_waiter_arm(domain_t *d, ucont_t *u, bool add) {
    /* Under d->lock: a kill or cancel sets its flag before taking the lock, so it either
     * finds u registered here (and cancels it) or we see the flag and do not register. */
    bool irq = spin_lock(&d->lock);
    if (add) {
        u->wait_next = d->waiters;
        d->waiters = u;
    }
    if (ucont_must_end(u)) {
        sched_spawn(&u->k); /* resumes, and ends */
    } else {
        u->wait->arm(u);
    }
    spin_unlock(&d->lock, irq);
}

void domain_waiter_disarm(domain_t *d, ucont_t *u) {
    bool irq = spin_lock(&d->lock);
    u->wait_ev = NULL;
    spin_unlock(&d->lock, irq);
}

void domain_waiter_remove(domain_t *d, ucont_t *u) {
    bool irq = spin_lock(&d->lock);
    for (ucont_t **p = &d->waiters; *p; p = &(*p)->wait_next) {
        if (*p == u) {
            *p = u->wait_next;
            u->wait_ev = NULL;
            break;
        }
    }
    spin_unlock(&d->lock, irq);
}

void domain_waiter_wake(domain_t *d, ucont_t *u) {
    bool irq = spin_lock(&d->lock);
    for (ucont_t *w = d->waiters; w; w = w->wait_next) {
        if (w == u && u->wait_ev && event_cancel(u->wait_ev, &u->k)) {
            sched_spawn(&u->k);
        }
    }
    spin_unlock(&d->lock, irq);
}

void domain_kill(domain_t *d, int64_t status) {
    trace_event(EXO_TRACE_DOMAIN_KILL, (uint64_t)status, (uint32_t)d->id);
    domain_set_status(d, status);
    atomic_store(&d->dying, true); /* seq_cst: pairs with ucont_run's user_domain store */
    /* Waiters resume now (and end, seeing dying) instead of when their child ends. A
     * waiter the child's end already took off its event list is spawned by that end. */
    bool irq = spin_lock(&d->lock);
    for (ucont_t *u = d->waiters; u; u = u->wait_next) {
        if (u->wait_ev && event_cancel(u->wait_ev, &u->k)) {
            sched_spawn(&u->k);
        }
    }
    spin_unlock(&d->lock, irq);
    uint32_t self = this_cpu()->index;
    for (uint32_t i = 0; i < cpu_count; i++) {
        if (i != self && cpus[i] && atomic_load(&cpus[i]->user_domain) == d->id) {
            smp_wake(i); /* its interrupt exit sees dying and ends the continuation */
        }
    }
}

bool domain_hold(domain_t *d) {
    bool irq = spin_lock(&d->lock);
    bool ok = !atomic_load(&d->dying) && !d->ended;
    if (ok) {
        d->live++; /* at least one continuation is live, so this is not the first */
    }
    spin_unlock(&d->lock, irq);
    return ok;
}

void domain_cont_ended(domain_t *d) {
    bool irq = spin_lock(&d->lock);
    ASSERT(d->live > 0);
    bool last = --d->live == 0;
    if (last) {
        d->ended = true;
        if (!d->status_set) {
            d->status = 0;
            d->status_set = true;
        }
    }
    spin_unlock(&d->lock, irq);
    if (!last) {
        return;
    }
    trace_event_for(EXO_TRACE_DOMAIN_EXIT, d->id, 0, (uint64_t)d->status, 0);
    domain_teardown(d);
    if (!d->quiet) {
        kprintf("domain %lu (%s) ended: status %ld\n", d->id, d->name, d->status);
    }
    event_signal(&d->ended_ev);
    domain_release(d); /* the reference its live continuations held */
}

void domain_ref(domain_t *d) {
    uint32_t old = atomic_fetch_add(&d->refs, 1);
    ASSERT(old > 0);
}

bool domain_tryref(domain_t *d) {
    uint32_t refs = atomic_load(&d->refs);
    while (refs > 0 && !atomic_compare_exchange_weak(&d->refs, &refs, refs + 1)) {
    }
    return refs > 0;
}

void domain_release(domain_t *d) {
    uint32_t old = atomic_fetch_sub(&d->refs, 1);
    ASSERT(old > 0);
    if (old != 1) {
        return;
    }
    bool irq = spin_lock(&list_lock);
    domain_t *prev = NULL;
    for (domain_t **p = &domains; *p; prev = *p, p = &(*p)->next) {
        if (*p == d) {
            *p = d->next;
            if (domains_tail == d) {
                domains_tail = prev;
            }
            break;
        }
    }
    live_domains--;
    spin_unlock(&list_lock, irq);
    if (!d->ended) { /* created but never started */
        domain_teardown(d);
    }
    caps_table_free(d);
    kfree(d);
}

domain_t *domain_lookup(uint64_t id) {
    bool irq = spin_lock(&list_lock);
    domain_t *d = domains;
    while (d && d->id != id) {
        d = d->next;
    }
    if (d && !domain_tryref(d)) {
        d = NULL; /* its last reference is being dropped right now */
    }
    spin_unlock(&list_lock, irq);
    return d;
}

/* Under list_lock: what SYS_DOMAIN_LIST reports of d. */
static void domain_entry(domain_t *d, exo_domain_entry_t *e) {
    memset(e, 0, sizeof(*e));
    e->id = d->id;
    e->parent_id = d->parent_id;
    _Static_assert(sizeof(e->name) == sizeof(d->name), "names fit as they are");
    memcpy(e->name, d->name, sizeof(e->name)); /* terminated: domain_create zeroed it */
    bool irq = spin_lock(&d->lock);
    e->conts = d->live;
    if (d->ended) {
        e->state = EXO_DOMAIN_ENDED;
    } else if (atomic_load(&d->dying)) {
        e->state = EXO_DOMAIN_DYING;
    } else {
        e->state = d->live ? EXO_DOMAIN_RUNNING : EXO_DOMAIN_NEW;
    }
    e->status = d->status_set ? d->status : 0;
    spin_unlock(&d->lock, irq);
}

uint64_t domain_list(uint64_t after, exo_domain_entry_t *out, uint64_t max, uint64_t *total) {
    uint64_t n = 0;
    bool irq = spin_lock(&list_lock);
    for (domain_t *d = domains; d && n < max; d = d->next) {
        if (d->id > after) {
            domain_entry(d, &out[n++]);
        }
    }
    *total = live_domains;
    spin_unlock(&list_lock, irq);
    return n;
}

void domain_get_stats(domain_stats_t *out) {
    bool irq = spin_lock(&list_lock);
    out->live = live_domains;
    out->created = created_domains;
    spin_unlock(&list_lock, irq);
}
