/*
 * Domains (domain/domain.h): creation from an ELF image, start, kill, end and release.
 * Locks: list_lock guards the domain list and the counters; d->lock guards a domain's
 * live count and status. The list is only walked to find a domain by id.
 */
#include <arch/mmu.h>
#include <arch/smp.h>
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

_Static_assert(ELFAPP_PROT_R == EXO_PROT_READ && ELFAPP_PROT_W == EXO_PROT_WRITE &&
                   ELFAPP_PROT_X == EXO_PROT_EXEC,
               "segment rights are view rights");

static spinlock_t list_lock = SPINLOCK_INIT;
static domain_t *domains;
static uint64_t next_id = 1, live_domains, created_domains;

static status_t image_write(void *arg, uint64_t off, const void *src, uint64_t len) {
    return region_write(arg, off, src, len);
}

/* Loads and maps the image; on failure the caller frees what is set in d. */
static status_t load_image(domain_t *d, const void *elf, uint64_t size, const char **why) {
    elfapp_t app;
    status_t st = elfapp_parse(elf, size, &app, why);
    if (st != STATUS_OK) {
        return st;
    }
    st = region_create(app.span, &d->image);
    if (st != STATUS_OK) {
        *why = "no memory or address space for the image";
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
    }
    d->entry = d->image->base + app.entry;
    d->image_base = d->image->base;
    d->image_size = d->image->size;
    return STATUS_OK;
}

status_t domain_create(const char *name, const void *elf, uint64_t size, uint64_t parent_id,
                       domain_t **out, const char **why) {
    const char *ignored;
    why = why ? why : &ignored;
    *why = "";
    domain_t *d = kzalloc(sizeof(*d));
    if (d == NULL) {
        *why = "no memory for the domain";
        return ERR_NO_MEMORY;
    }
    status_t st = view_init(&d->view);
    if (st != STATUS_OK) {
        kfree(d);
        *why = "no page table or PCID for the domain";
        return st;
    }
    st = load_image(d, elf, size, why);
    if (st != STATUS_OK) {
        view_destroy(&d->view);
        if (d->image) {
            region_unref(d->image);
        }
        kfree(d);
        return st;
    }
    memcpy(d->name, name, strnlen(name, DOMAIN_NAME_MAX - 1)); /* d is zeroed: terminated */
    d->parent_id = parent_id;
    d->parent_holds = parent_id != 0;
    d->lock = (spinlock_t)SPINLOCK_INIT;
    event_init(&d->ended_ev);
    atomic_store(&d->refs, 1);
    atomic_store(&d->next_cont, 1);
    bool irq = spin_lock(&list_lock);
    d->id = next_id++;
    d->next = domains;
    domains = d;
    live_domains++;
    created_domains++;
    spin_unlock(&list_lock, irq);
    *out = d;
    return STATUS_OK;
}

status_t domain_start(domain_t *d, const char *args, uint64_t args_len) {
    if (args_len >= EXO_ARGS_MAX) {
        return ERR_TOO_BIG;
    }
    region_t *stack;
    status_t st = region_create(DOMAIN_STACK_SIZE, &stack);
    if (st != STATUS_OK) {
        return st;
    }
    /* The lowest page stays unmapped: an overflow faults instead of running into
     * whatever the space allocator placed below. */
    st = view_attach(&d->view, stack, stack->base + PAGE_SIZE, stack->base + stack->size,
                     EXO_PROT_READ | EXO_PROT_WRITE, false);
    region_unref(stack); /* the view's reference keeps it */
    if (st != STATUS_OK) {
        return st;
    }
    exo_start_t start = {.version = EXO_START_VERSION,
                         .domain_id = d->id,
                         .image_base = d->image->base,
                         .image_size = d->image->size,
                         .args_len = args_len};
    memcpy(start.args, args, args_len);
    uint64_t off = (stack->size - sizeof(start)) & ~15ull;
    st = region_write(stack, off, &start, sizeof(start));
    if (st != STATUS_OK) {
        return st;
    }
    uint64_t block = stack->base + off;
    ucont_t *u;
    st = ucont_create(d, d->entry, block, block, sizeof(start), &u);
    if (st != STATUS_OK) {
        return st;
    }
    sched_spawn(&u->k);
    return STATUS_OK;
}

void domain_set_status(domain_t *d, int64_t status) {
    bool irq = spin_lock(&d->lock);
    if (!d->status_set) {
        d->status = status;
        d->status_set = true;
    }
    spin_unlock(&d->lock, irq);
}

void domain_waiter_add(domain_t *d, ucont_t *u) {
    bool irq = spin_lock(&d->lock);
    u->wait_next = d->waiters;
    d->waiters = u;
    spin_unlock(&d->lock, irq);
}

void domain_waiter_remove(domain_t *d, ucont_t *u) {
    bool irq = spin_lock(&d->lock);
    for (ucont_t **p = &d->waiters; *p; p = &(*p)->wait_next) {
        if (*p == u) {
            *p = u->wait_next;
            break;
        }
    }
    spin_unlock(&d->lock, irq);
}

void domain_kill(domain_t *d, int64_t status) {
    domain_set_status(d, status);
    atomic_store(&d->dying, true); /* seq_cst: pairs with ucont_run's user_domain store */
    /* Waiters resume now (and end, seeing dying) instead of when their child ends. A
     * waiter the child's end already took off its event list is spawned by that end. */
    bool irq = spin_lock(&d->lock);
    for (ucont_t *u = d->waiters; u; u = u->wait_next) {
        if (event_cancel(&u->waiting->ended_ev, &u->k)) {
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

status_t domain_claim_child(domain_t *child, uint64_t parent_id) {
    if (child->parent_id != parent_id || parent_id == 0) {
        return ERR_NOT_FOUND;
    }
    bool irq = spin_lock(&child->lock);
    bool held = child->parent_holds;
    child->parent_holds = false;
    spin_unlock(&child->lock, irq);
    return held ? STATUS_OK : ERR_STATE;
}

/* A parent that ended drops the references to children it never waited for. */
static void release_children(uint64_t parent_id) {
    for (;;) {
        domain_t *child = NULL;
        bool irq = spin_lock(&list_lock);
        for (domain_t *c = domains; c; c = c->next) {
            if (c->parent_id == parent_id && c->parent_holds) {
                child = c;
                break;
            }
        }
        spin_unlock(&list_lock, irq);
        if (child == NULL) {
            return;
        }
        if (domain_claim_child(child, parent_id) == STATUS_OK) {
            domain_release(child);
        }
    }
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
    view_destroy(&d->view);
    region_unref(d->image);
    d->image = NULL;
    release_children(d->id);
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

void domain_release(domain_t *d) {
    uint32_t old = atomic_fetch_sub(&d->refs, 1);
    ASSERT(old > 0);
    if (old != 1) {
        return;
    }
    bool irq = spin_lock(&list_lock);
    for (domain_t **p = &domains; *p; p = &(*p)->next) {
        if (*p == d) {
            *p = d->next;
            break;
        }
    }
    live_domains--;
    spin_unlock(&list_lock, irq);
    if (!d->ended) { /* created but never started */
        view_destroy(&d->view);
        region_unref(d->image);
    }
    kfree(d);
}

domain_t *domain_lookup(uint64_t id) {
    bool irq = spin_lock(&list_lock);
    domain_t *d = domains;
    while (d && d->id != id) {
        d = d->next;
    }
    uint32_t refs = d ? atomic_load(&d->refs) : 0;
    while (refs > 0 && !atomic_compare_exchange_weak(&d->refs, &refs, refs + 1)) {
    }
    if (refs == 0) {
        d = NULL; /* none, or its last reference is being dropped right now */
    }
    spin_unlock(&list_lock, irq);
    return d;
}

void domain_get_stats(domain_stats_t *out) {
    bool irq = spin_lock(&list_lock);
    out->live = live_domains;
    out->created = created_domains;
    spin_unlock(&list_lock, irq);
}
