/*
 * Taking caps out of tables in batches: under caps_lock a cap's object reference and the
 * mapping it made are moved into a reap batch and its slot is freed; after the lock, the
 * batch shoots down TLBs and drops the references. Used by delete, revoke, a move out of
 * a table, unmap, and closing a table.
 */
#pragma once

#include <caps/cspace.h>
#include <mm/view.h>

struct domain;

#define CAP_REAP_BATCH 16

typedef struct cap_reaped {
    uint16_t type;      /* CAP_NONE: only an unmapping */
    void *obj;          /* the cap's reference, dropped by cap_reap_finish */
    struct domain *dom; /* the view that lost a mapping (a reference), or NULL */
    view_unmapped_t um;
} cap_reaped_t;

typedef struct cap_reap {
    uint32_t n;
    cap_reaped_t e[CAP_REAP_BATCH];
} cap_reap_t;

/* Under caps_lock: removes slot s's mapping, if it made one, from its owner's view (not
 * when the owner's table is closed: its view is going away whole). */
void cap_reap_unmap(cap_reap_t *r, cap_slot_t *s);
/* Under caps_lock: cap_reap_unmap, then deletes s, keeping its object reference in r. */
void cap_reap_slot(cap_reap_t *r, cap_slot_t *s);
/* Without any lock: TLB shootdowns, then the references. r is empty after. */
void cap_reap_finish(cap_reap_t *r);
