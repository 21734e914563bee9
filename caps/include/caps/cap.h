/*
 * The kernel's capability layer: one lock over every domain's cspace and the derivation
 * tree, the references caps hold on their objects, and deletion and revoke, which undo
 * what the deleted caps mapped (page-table entries cleared under the lock, TLBs shot
 * down on every core that may hold them after it, before the call returns).
 *
 * Lock order: caps_lock, then a view's lock, a region's, a budget's, the heap's, the
 * pmm's. caps_lock is never held across a TLB shootdown or while dropping a reference
 * (a last reference may free a domain, whose table needs the lock).
 */
#pragma once

#include <caps/cspace.h>
#include <exo/caps.h>
#include <exo/status.h>
#include <stdbool.h>
#include <stdint.h>

struct domain;

#define CAP_TABLE_SLOTS 256 /* per domain, slot 0 included */

bool caps_lock(void);
void caps_unlock(bool irq);

/* A domain's table: made with the domain; closed (every cap deleted, nothing can be
 * inserted any more) when it ends, before its view goes; freed with the domain_t. */
status_t caps_table_init(struct domain *d);
void caps_table_close(struct domain *d);
void caps_table_free(struct domain *d);

/* Under caps_lock: the live cap h names in d's table, of type type (CAP_NONE: any) with
 * every right in rights. ERR_BAD_HANDLE, ERR_STALE, ERR_WRONG_TYPE, ERR_RIGHTS. */
status_t cap_decode(struct domain *d, exo_handle_t h, uint16_t type, uint32_t rights,
                    cap_slot_t **out);
/* Rights a call asks for: ERR_INVALID for unknown bits, ERR_RIGHTS for any s lacks. */
status_t cap_check_rights(const cap_slot_t *s, uint64_t rights);
/* Under caps_lock: maps region cap s's whole region in its owner's view with prot (the
 * caller checked prot against s's rights). view_attach's errors (ERR_OVERLAP: that domain
 * maps the region through another cap; ERR_NO_MEMORY); nothing changes on failure. */
status_t cap_map(cap_slot_t *s, uint32_t prot);
/* Under caps_lock: every root cap in d's table except parent becomes parent's child (the
 * image and stack of a new domain, adopted by the memory cap that paid for them). */
void cap_adopt_roots(struct domain *d, cap_slot_t *parent);
/* Under caps_lock: a region cap that arrived in a domain (transfer, start) appears in its
 * view with the cap's map rights (writable wins over executable), unless that domain maps
 * the region already or the view has no memory for one more map; the cap is then held
 * unmapped, and SYS_REGION_MAP can map it later. Never fails. */
void cap_map_arrival(cap_slot_t *s);
/* Under caps_lock: a free slot in d's table. ERR_STATE if d's table is closed (it ended),
 * ERR_TABLE_FULL. */
status_t cap_reserve(struct domain *d, cap_slot_t **out);
/* Under caps_lock: fills a reserved slot, taking a reference on obj for the cap. */
void cap_install_ref(cap_slot_t *s, uint16_t type, uint32_t rights, void *obj, cap_slot_t *parent);
/* The same, taking over a reference the caller holds. */
void cap_install_take(cap_slot_t *s, uint16_t type, uint32_t rights, void *obj, cap_slot_t *parent);
/* Under caps_lock: fills reserved slot dst with a child of src (its object, its badge)
 * with rights (the caller checked them against src's). */
void cap_install_child(cap_slot_t *dst, cap_slot_t *src, uint32_t rights);
struct cap_reap;
/* Under caps_lock: live cap s gets rights (a move that narrows them); objects that count
 * their caps' rights (an endpoint's receivers) see the change, through r after the lock. */
void cap_set_rights(struct cap_reap *r, cap_slot_t *s, uint32_t rights);
/* The rights a cap of type can carry (exo/caps.h). */
uint32_t cap_type_rights(uint16_t type);

void cap_object_ref(uint16_t type, void *obj);
void cap_object_unref(uint16_t type, void *obj);

/* Deletes the cap h names in d's table (its children move up to its parent). */
status_t cap_delete(struct domain *d, exo_handle_t h);
/* Deletes every descendant of the cap h names, in every table; *count: how many. */
status_t cap_revoke(struct domain *d, exo_handle_t h, uint64_t *count);

/* The kernel console's object (caps of type CAP_CONSOLE point to it). */
extern char cap_console_object;
/* The machine's power (CAP_POWER): one object; the kernel gives init the only root cap. */
extern char cap_power_object;
/* Kernel tracing (CAP_TRACE): one object; the kernel gives init the only root cap. */
extern char cap_trace_object;

/* Live caps in all tables (leak checks). */
uint64_t caps_live(void);
