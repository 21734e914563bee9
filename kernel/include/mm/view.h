/*
 * A protection domain's view of the one shared address space: its own page tables for
 * the lower half, in which a region appears at its one address with the rights this domain
 * holds, and the kernel half shared with everyone (PML4 entries 256..511 copied from the
 * kernel's, whose tables never change at the top level). Pages are mapped on first touch
 * (view_fault); an address outside every mapping, or an access the mapping does not allow,
 * is the caller's to punish. Each view has a PCID, so switching views is a CR3 write
 * that keeps the TLB.
 */
#pragma once

#include <exo/status.h>
#include <kernel/spinlock.h>
#include <mm/pagetable.h>
#include <mm/region.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct view_map {
    uint64_t start, end; /* page-aligned, inside region */
    region_t *region;    /* one reference held per map */
    uint32_t prot;       /* EXO_PROT_* */
} view_map_t;

typedef struct view {
    pt_ctx_t pt;
    uint16_t pcid;             /* 0 when PCIDs are off */
    _Atomic uint64_t pcid_gen; /* generation of this PCID's owner (cpu_t.pcid_gen) */
    _Atomic uint64_t on_cores; /* bit i: core i has this view in CR3 now */
    spinlock_t lock;           /* maps and the page tables */
    view_map_t *maps;          /* sorted by start, disjoint */
    uint32_t nmaps, cap;
    uint64_t mapped; /* leaf pages present */
} view_t;

/* A view with no mappings. ERR_NO_MEMORY without a frame for the PML4, or (with PCIDs)
 * when all 4095 are taken by live views. */
status_t view_init(view_t *v);
/* Unmaps everything, drops the region references, frees the tables and the PCID. No core
 * may be running on it (view_activate) any more. */
void view_destroy(view_t *v);

/* Makes [start, end) of region r accessible with prot (pages appear on first touch; with
 * populate, now). Takes a reference on r. ERR_RANGE / ERR_ALIGN for a range outside r or
 * not page-aligned, ERR_OVERLAP if it intersects an existing map, ERR_INVALID for an
 * empty or unknown prot, ERR_NO_MEMORY. */
status_t view_attach(view_t *v, region_t *r, uint64_t start, uint64_t end, uint32_t prot,
                     bool populate);

/* What view_detach took out: the range to shoot down and the region references the
 * removed maps held, to drop only after the shootdown. */
typedef struct view_unmapped {
    uint64_t start, end; /* covers every removed map; empty when nothing was mapped */
    region_t *region;
    uint32_t refs;
} view_unmapped_t;

/* Removes every map of region r from v and clears their page-table entries (tables stay).
 * No TLB is touched and no reference dropped: the caller, holding no spinlock, calls
 * view_unmap_finish. Never fails; out->refs == 0 if r was not mapped. */
void view_detach(view_t *v, region_t *r, view_unmapped_t *out);
/* Gives every map of region r in v the rights prot and clears their page-table entries, so
 * pages come back on their next touch with the new rights. Never fails; the caller then
 * calls view_unmap_finish (a shootdown, no references to drop). */
void view_protect(view_t *v, region_t *r, uint32_t prot, view_unmapped_t *out);
/* Completes a detach (or a protect): makes sure no core can use a TLB entry for the removed pages
 * (IPIs to the cores running v, invlpg here, a new PCID generation for cores that ran v
 * before), then drops the region references. May wait for other cores: no locks held. */
void view_unmap_finish(view_t *v, view_unmapped_t *u);

/* Resolves a fault at addr with access (EXO_PROT_READ/WRITE/EXEC): maps the page if a map
 * covers it with that right (done already by another core counts). ERR_NOT_FOUND when no
 * map covers addr, ERR_PERM when the map lacks the right, ERR_NO_MEMORY. */
status_t view_fault(view_t *v, uint64_t addr, uint32_t access);

/* Writes src[0..len) (len <= a page, else ERR_TOO_BIG) at user address va as v's domain
 * could (every byte under a map with WRITE; pages appear as on first touch), from any
 * context: through the physmap, without running in v. All or nothing: ERR_FAULT when a
 * byte is not writable for v, ERR_NO_MEMORY when a frame cannot be had, and then nothing
 * is written. Callers that must not race with an unmap hold caps_lock (every unmap and
 * protect takes it). */
status_t view_write(view_t *v, uint64_t va, const void *src, uint64_t len);
/* Checks view_write could write there now and gets the frames of those pages: ERR_FAULT,
 * ERR_NO_MEMORY. After it, while no unmap can run (caps_lock), view_write cannot fail. */
status_t view_prepare_write(view_t *v, uint64_t va, uint64_t len);

/* Switches this core to v (a CR3 write; no TLB flush unless this core still holds entries
 * of an older generation of v's PCID), or from v back to the kernel's own tables.
 * Interrupts off. */
void view_activate(view_t *v);
void view_deactivate(view_t *v);
