/*
 * Regions: ranges of the shared lower half, each with its backing frames. The range comes
 * from one buddy allocator over the user window (mm/vspace.h), so every region has its own
 * addresses, and they go back to the allocator only when the last reference is dropped:
 * while anything refers to a region, nothing else can appear at its addresses. Frames are
 * allocated on first touch (a demand fault in any domain, or a kernel write) and then
 * shared by every view that maps the region: same virtual -> physical for everyone.
 */
#pragma once

#include <exo/status.h>
#include <kernel/spinlock.h>
#include <mm/budget.h>
#include <stdint.h>

#define REGION_SPACE_BASE 0x0000200000000000ull /* 32 TiB: below it nothing is handed out */
#define REGION_SPACE_SIZE 0x0000200000000000ull /* 32 TiB, ending far below the canonical hole */
#define REGION_MAX_SIZE (1ull << 30)

typedef struct region {
    uint64_t base;         /* first address; aligned to the buddy block */
    uint64_t size;         /* bytes the region covers (page multiple, <= the block) */
    unsigned order;        /* the vspace block's order, in pages */
    _Atomic uint32_t refs; /* views mapping it, domains holding it, kernel users */
    spinlock_t lock;       /* frames[] and backed */
    uint64_t npages;
    uint64_t *frames; /* physical address per page, 0 until first touched */
    uint64_t backed;  /* non-zero entries of frames[] */
    budget_t *budget; /* charged size bytes until freed (a reference); NULL: the kernel's */
} region_t;

typedef struct region_stats {
    uint64_t live;        /* regions not yet freed */
    uint64_t backed;      /* frames held by them */
    uint64_t space_free;  /* bytes of the user window not held by any region */
    uint64_t space_total; /* REGION_SPACE_SIZE */
} region_stats_t;

/* Sets up the user window's allocator. Once, at boot, after the heap works. */
void region_init(void);

/* A new region of size bytes (rounded up to pages) with one reference and no frames yet,
 * charged to budget (NULL: kernel-internal, uncharged). ERR_INVALID for size 0,
 * ERR_TOO_BIG past REGION_MAX_SIZE, ERR_QUOTA when the budget cannot cover it,
 * ERR_NO_MEMORY when the window or the kernel heap is exhausted. */
status_t region_create(budget_t *budget, uint64_t size, region_t **out);
void region_ref(region_t *r);
/* Drops a reference; the last one frees the frames and returns the addresses. */
void region_unref(region_t *r);

/* The frame backing the page at va (inside r), allocating a zeroed one on first touch.
 * ERR_RANGE outside the region, ERR_NO_MEMORY when frames run out. */
status_t region_frame(region_t *r, uint64_t va, uint64_t *pa);
/* Kernel-side write of len bytes at offset off (through the physmap, allocating frames). */
status_t region_write(region_t *r, uint64_t off, const void *src, uint64_t len);

void region_get_stats(region_stats_t *out);
