/*
 * Binary buddy allocator over a contiguous range of page frame numbers (PFNs).
 * Pure logic: the caller provides the per-frame metadata array, so the same code runs in
 * the kernel (over the UEFI memory map) and in host tests. Not thread-safe: the caller
 * serializes (pmm.c holds a lock).
 *
 * A block of order k is 2^k frames whose first PFN is a multiple of 2^k (ABSOLUTE PFN,
 * so physical alignment holds: an order-9 block is a 2 MiB aligned 2 MiB page).
 * Every frame starts reserved; buddy_add_range() frees ranges in, coalescing.
 */
#pragma once

#include <exo/status.h>
#include <stdbool.h>
#include <stdint.h>

#define BUDDY_MAX_ORDER 20 /* largest block: 2^20 frames = 4 GiB */
#define BUDDY_NIL 0xffffffffu

/* Per-frame metadata; meaningful only in a block's first frame. */
typedef struct buddy_frame {
    uint32_t next; /* free list link (index from base_pfn), BUDDY_NIL at the end */
    uint32_t prev;
    uint8_t order; /* order of the block this frame heads */
    uint8_t state; /* BUDDY_RESERVED, BUDDY_FREE (heads a free block), BUDDY_ALLOCATED,
                      BUDDY_TAIL (inside a larger block) */
    uint16_t _pad;
} buddy_frame_t;

enum { BUDDY_RESERVED = 0, BUDDY_FREE = 1, BUDDY_ALLOCATED = 2, BUDDY_TAIL = 3 };

typedef struct buddy {
    uint64_t base_pfn;     /* first PFN covered */
    uint64_t nframes;      /* frames covered (< 2^32) */
    buddy_frame_t *frames; /* nframes entries, owned by the caller */
    uint32_t free_head[BUDDY_MAX_ORDER + 1];
    uint64_t free_blocks[BUDDY_MAX_ORDER + 1]; /* blocks on each free list */
    uint64_t free_frames;                      /* total frames free */
} buddy_t;

/* Covers [base_pfn, base_pfn + nframes) with every frame reserved. nframes < 2^32. */
void buddy_init(buddy_t *b, uint64_t base_pfn, uint64_t nframes, buddy_frame_t *storage);

/* Frees [pfn, pfn + count) into the allocator, as maximal aligned blocks, coalescing
 * with free neighbours. Returns ERR_RANGE if the range leaves the covered span,
 * ERR_STATE if any frame in it is already free (nothing is changed then). */
status_t buddy_add_range(buddy_t *b, uint64_t pfn, uint64_t count);

/* Allocates one block of 2^order frames; *pfn_out gets its first PFN.
 * ERR_INVALID for order > BUDDY_MAX_ORDER, ERR_NO_MEMORY when no block is large enough. */
status_t buddy_alloc(buddy_t *b, unsigned order, uint64_t *pfn_out);

/* Returns a block obtained from buddy_alloc with the same order. ERR_RANGE outside the
 * span, ERR_ALIGN if pfn is not aligned to the order, ERR_STATE if the block is not an
 * allocated block of exactly that order (double free, wrong order): nothing changes. */
status_t buddy_free(buddy_t *b, uint64_t pfn, unsigned order);

/* Total free frames. */
uint64_t buddy_free_frames(const buddy_t *b);

/* Smallest order whose block holds n frames (n >= 1); BUDDY_MAX_ORDER + 1 if none. */
unsigned buddy_order_for(uint64_t nframes);

/* Full consistency check (free lists well-linked, counts match, no free buddies left
 * uncoalesced). For tests and DEBUG_ASSERT; O(nframes). */
bool buddy_check(const buddy_t *b);
