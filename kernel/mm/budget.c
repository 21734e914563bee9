/*
 * Memory budgets (mm/budget.h). Each budget's lock guards its used count; a split takes
 * the parent's lock only, never two at once.
 */
#include <kernel/panic.h>
#include <mm/budget.h>
#include <mm/heap.h>
#include <stdatomic.h>

static _Atomic uint64_t live_budgets;

static budget_t *budget_new(uint64_t limit, budget_t *parent) {
    budget_t *b = kzalloc(sizeof(*b));
    if (b == NULL) {
        return NULL;
    }
    b->limit = limit;
    b->parent = parent;
    b->lock = (spinlock_t)SPINLOCK_INIT;
    atomic_store(&b->refs, 1);
    atomic_fetch_add(&live_budgets, 1);
    return b;
}

status_t budget_create_root(uint64_t limit, budget_t **out) {
    *out = budget_new(limit, NULL);
    return *out ? STATUS_OK : ERR_NO_MEMORY;
}

status_t budget_split(budget_t *parent, uint64_t limit, budget_t **out) {
    if (limit == 0) {
        return ERR_INVALID;
    }
    status_t st = budget_charge(parent, limit);
    if (st != STATUS_OK) {
        return st;
    }
    budget_t *b = budget_new(limit, parent);
    if (b == NULL) {
        budget_uncharge(parent, limit);
        return ERR_NO_MEMORY;
    }
    budget_ref(parent);
    *out = b;
    return STATUS_OK;
}

status_t budget_charge(budget_t *b, uint64_t bytes) {
    bool irq = spin_lock(&b->lock);
    bool fits = bytes <= b->limit - b->used;
    if (fits) {
        b->used += bytes;
    }
    spin_unlock(&b->lock, irq);
    return fits ? STATUS_OK : ERR_QUOTA;
}

void budget_uncharge(budget_t *b, uint64_t bytes) {
    bool irq = spin_lock(&b->lock);
    ASSERT(b->used >= bytes);
    b->used -= bytes;
    spin_unlock(&b->lock, irq);
}

void budget_ref(budget_t *b) {
    uint32_t old = atomic_fetch_add(&b->refs, 1);
    ASSERT(old > 0);
}

void budget_unref(budget_t *b) {
    while (b != NULL) {
        uint32_t old = atomic_fetch_sub(&b->refs, 1);
        ASSERT(old > 0);
        if (old != 1) {
            return;
        }
        ASSERT(b->used == 0); /* every region and child holds a reference */
        budget_t *parent = b->parent;
        if (parent) {
            budget_uncharge(parent, b->limit);
        }
        kfree(b);
        atomic_fetch_sub(&live_budgets, 1);
        b = parent; /* drop the child's reference on its parent */
    }
}

uint64_t budget_live(void) {
    return atomic_load(&live_budgets);
}
