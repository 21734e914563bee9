/*
 * Regions (mm/region.h) over the user window's buddy allocator. Locks: space_lock guards
 * the allocator and the counters; each region's lock guards its frames. Never both at once.
 */
#include <arch/mmu.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <mm/budget.h>
#include <mm/heap.h>
#include <mm/physmap.h>
#include <mm/pmm.h>
#include <mm/region.h>
#include <mm/vspace.h>
#include <stdatomic.h>

static vspace_t space;
static spinlock_t space_lock = SPINLOCK_INIT;
static uint64_t live_regions, backed_frames;

static void *node_alloc(void *arg) {
    (void)arg;
    return kmalloc(sizeof(vspace_node_t));
}

static void node_free(void *arg, void *node) {
    (void)arg;
    kfree(node);
}

void region_init(void) {
    status_t st =
        vspace_init(&space, REGION_SPACE_BASE, REGION_SPACE_SIZE, node_alloc, node_free, NULL);
    if (st != STATUS_OK) {
        panic("region_init: %s", status_str(st));
    }
}

status_t region_create(budget_t *budget, uint64_t size, region_t **out) {
    if (size == 0) {
        return ERR_INVALID;
    }
    if (size > REGION_MAX_SIZE) {
        return ERR_TOO_BIG;
    }
    size = page_round_up(size);
    if (budget && budget_charge(budget, size) != STATUS_OK) {
        return ERR_QUOTA;
    }
    region_t *r = kzalloc(sizeof(*r));
    uint64_t *frames = kzalloc((size / PAGE_SIZE) * sizeof(uint64_t));
    unsigned order = vspace_order_for(size);
    status_t st = ERR_NO_MEMORY;
    if (r != NULL && frames != NULL) {
        bool irq = spin_lock(&space_lock);
        st = vspace_alloc(&space, order, &r->base);
        live_regions += st == STATUS_OK;
        spin_unlock(&space_lock, irq);
    }
    if (st != STATUS_OK) { /* no heap, or the window is exhausted */
        kfree(r);
        kfree(frames);
        if (budget) {
            budget_uncharge(budget, size);
        }
        return ERR_NO_MEMORY;
    }
    if (budget) {
        budget_ref(budget);
    }
    r->budget = budget;
    r->size = size;
    r->order = order;
    r->npages = size / PAGE_SIZE;
    r->frames = frames;
    r->lock = (spinlock_t)SPINLOCK_INIT;
    atomic_store(&r->refs, 1);
    *out = r;
    return STATUS_OK;
}

void region_ref(region_t *r) {
    uint32_t old = atomic_fetch_add(&r->refs, 1);
    ASSERT(old > 0);
}

void region_unref(region_t *r) {
    uint32_t old = atomic_fetch_sub(&r->refs, 1);
    ASSERT(old > 0);
    if (old != 1) {
        return;
    }
    for (uint64_t i = 0; i < r->npages; i++) {
        if (r->frames[i]) {
            pmm_free(r->frames[i], 0);
        }
    }
    bool irq = spin_lock(&space_lock);
    status_t st = vspace_free(&space, r->base, r->order);
    __atomic_fetch_sub(&backed_frames, r->backed, __ATOMIC_RELAXED);
    live_regions--;
    spin_unlock(&space_lock, irq);
    if (st != STATUS_OK) {
        panic("region_unref: vspace_free(%lx): %s", r->base, status_str(st));
    }
    if (r->budget) {
        budget_uncharge(r->budget, r->size);
        budget_unref(r->budget);
    }
    kfree(r->frames);
    kfree(r);
}

status_t region_frame(region_t *r, uint64_t va, uint64_t *pa) {
    if (va < r->base || va - r->base >= r->size) {
        return ERR_RANGE;
    }
    uint64_t i = (va - r->base) / PAGE_SIZE;
    bool irq = spin_lock(&r->lock);
    if (r->frames[i] == 0) {
        uint64_t f = pmm_alloc_zeroed(0);
        if (f == 0) {
            spin_unlock(&r->lock, irq);
            return ERR_NO_MEMORY;
        }
        r->frames[i] = f;
        r->backed++;
        __atomic_fetch_add(&backed_frames, 1, __ATOMIC_RELAXED);
    }
    *pa = r->frames[i];
    spin_unlock(&r->lock, irq);
    return STATUS_OK;
}

status_t region_write(region_t *r, uint64_t off, const void *src, uint64_t len) {
    if (off > r->size || len > r->size - off) {
        return ERR_RANGE;
    }
    const uint8_t *s = src;
    while (len > 0) {
        uint64_t in_page = off & (PAGE_SIZE - 1);
        uint64_t n = PAGE_SIZE - in_page < len ? PAGE_SIZE - in_page : len;
        uint64_t pa;
        status_t st = region_frame(r, r->base + off, &pa);
        if (st != STATUS_OK) {
            return st;
        }
        memcpy((uint8_t *)phys_to_virt(pa) + in_page, s, n);
        s += n;
        off += n;
        len -= n;
    }
    return STATUS_OK;
}

void region_get_stats(region_stats_t *out) {
    bool irq = spin_lock(&space_lock);
    out->live = live_regions;
    out->backed = __atomic_load_n(&backed_frames, __ATOMIC_RELAXED);
    out->space_free = vspace_free_bytes(&space);
    out->space_total = REGION_SPACE_SIZE;
    spin_unlock(&space_lock, irq);
}
