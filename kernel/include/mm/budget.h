/*
 * Memory budgets: what a memory capability names. A budget is a number of bytes that
 * regions may be created against; a region charges its size when created and gives it
 * back when freed. A budget may be split: the child's whole limit is charged to the
 * parent until the child is freed. The root budget is the RAM free at boot, so a domain
 * can only ever hold as much memory as the budgets it was given. Kernel page tables and
 * heap objects are not charged (docs/security-model.md).
 */
#pragma once

#include <exo/status.h>
#include <kernel/spinlock.h>
#include <stdint.h>

typedef struct budget {
    uint64_t limit;        /* bytes; fixed at creation */
    uint64_t used;         /* charged by regions and child budgets (lock) */
    struct budget *parent; /* charged limit bytes; NULL for the root */
    _Atomic uint32_t refs; /* caps naming it, regions and child budgets charged to it */
    spinlock_t lock;
} budget_t;

/* The root budget of limit bytes (boot: the free RAM), one reference. ERR_NO_MEMORY. */
status_t budget_create_root(uint64_t limit, budget_t **out);
/* A child of parent with limit bytes, charged to parent; one reference. ERR_INVALID for
 * 0 bytes, ERR_QUOTA when parent cannot cover it, ERR_NO_MEMORY. */
status_t budget_split(budget_t *parent, uint64_t limit, budget_t **out);

/* Charges bytes to b; ERR_QUOTA (nothing charged) when it would pass the limit. */
status_t budget_charge(budget_t *b, uint64_t bytes);
void budget_uncharge(budget_t *b, uint64_t bytes);

void budget_ref(budget_t *b);
/* The last reference frees b and gives its limit back to its parent. */
void budget_unref(budget_t *b);

/* Budgets alive now (leak checks). */
uint64_t budget_live(void);
