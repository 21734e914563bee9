/*
 * Binary buddy allocator for virtual address space (the shared lower half handed out as
 * regions). The space is far too large for per-page metadata, so only FREE blocks have a
 * record, allocated through caller callbacks (kmalloc in the kernel, malloc on the host).
 * Pure logic, not thread-safe: the caller serializes.
 *
 * A block of order k is 2^k pages whose start is a multiple of 2^k pages (absolute address:
 * base is aligned to the whole space). Free blocks live in one AVL tree keyed by address;
 * each node also carries the set of orders present in its subtree, so "lowest free block of
 * order k", "free block at address a" and "any free block overlapping [a, b)" are all
 * O(log n) in the number n of free blocks.
 */
#pragma once

#include <exo/status.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VSPACE_PAGE 4096ull
#define VSPACE_MAX_ORDER 40 /* orders are in pages: order k = 2^k pages; 2^40 pages = 4 PiB */

/*
 * Record of one free block, or a spare (see vspace_t.spare). Private to vspace.c; it is in
 * the header only so callers can size their node allocator and tests can inspect the tree.
 */
typedef struct vspace_node vspace_node_t;
struct vspace_node {
    uint64_t addr;        /* key: first byte of the free block */
    vspace_node_t *left;  /* lower addresses; the next spare on the spare list */
    vspace_node_t *right; /* higher addresses */
    uint64_t orders;      /* bit k set iff this subtree holds a free block of order k */
    uint8_t order;        /* the block is 2^order pages */
    uint8_t height;       /* AVL height of this subtree, 1 for a leaf */
};

/*
 * Invariants kept by every call (vspace_check verifies them all):
 *   - the tree holds exactly the free blocks: pairwise disjoint, inside the space, each
 *     aligned to its size, and no two free blocks of one order are buddies (fully merged);
 *   - free_blocks[] and free_pages count them; the tree is AVL-balanced, heights and
 *     order sets are exact;
 *   - spares == number of blocks handed out by vspace_alloc and not yet freed, so a free
 *     always has a record for the freed block and never calls node_alloc;
 *   - nodes == sum(free_blocks) + spares: every node obtained from node_alloc.
 */
typedef struct vspace {
    uint64_t base;                  /* first address, aligned to 2^top_order pages */
    unsigned top_order;             /* the whole space is one block of this order */
    void *(*node_alloc)(void *arg); /* returns sizeof(vspace_node_t) bytes or NULL */
    void (*node_free)(void *arg, void *node);
    void *arg;
    vspace_node_t *root;  /* AVL tree of free blocks, keyed by address */
    vspace_node_t *spare; /* reserved nodes, one per allocated block, linked through left */
    uint64_t spares;      /* length of the spare list */
    uint64_t free_blocks[VSPACE_MAX_ORDER + 1]; /* free blocks of each order */
    uint64_t free_pages;
    uint64_t nodes; /* node records currently allocated (tree + spares) */
} vspace_t;

/* Covers [base, base + size) as one free block: size is a power-of-two number of pages, at
 * most 2^VSPACE_MAX_ORDER pages (ERR_INVALID otherwise, also for NULL callbacks), base is
 * aligned to size (ERR_ALIGN otherwise). ERR_NO_MEMORY if the first node cannot be
 * allocated. On failure *vs is left unusable and nothing is allocated. */
status_t vspace_init(vspace_t *vs, uint64_t base, uint64_t size, void *(*node_alloc)(void *),
                     void (*node_free)(void *, void *), void *arg);

/* Smallest order whose block holds size bytes (size >= 1; 0 gives 0); VSPACE_MAX_ORDER + 1
 * if none. */
unsigned vspace_order_for(uint64_t size);

/* Allocates a naturally aligned block of 2^order pages; *addr gets its start. Takes a free
 * block of the smallest sufficient order, the lowest-addressed one of that order, and keeps
 * its lowest part (deterministic, low addresses first). ERR_INVALID for order > top_order,
 * ERR_NO_MEMORY when no block is big enough or a node allocation fails: nothing changed.
 * Needs (order of the block split) - order new nodes, all allocated before any change. */
status_t vspace_alloc(vspace_t *vs, unsigned order, uint64_t *addr);

/* Returns a block from vspace_alloc (same order), merging it with free buddies. Never
 * allocates memory, so never fails for a correct call. ERR_INVALID for order > top_order,
 * ERR_RANGE if addr is outside the space, ERR_ALIGN if addr is not aligned to the order,
 * ERR_STATE if the block overlaps a free block (double free) or no allocated block is
 * outstanding: nothing changes then. A block that overlaps no free block but does not
 * match an allocation (wrong order, part of a block) cannot be told apart and is accepted;
 * that breaks the caller's accounting, not this structure. */
status_t vspace_free(vspace_t *vs, uint64_t addr, unsigned order);

/* Total free bytes. */
uint64_t vspace_free_bytes(const vspace_t *vs);

/* Full consistency check for tests and DEBUG_ASSERT: every invariant above (tree ordered,
 * balanced, annotations exact, counts right, no overlaps, no free buddies left unmerged,
 * spare list as long as counted). O(n); bounded even on a corrupted (cyclic) tree. */
bool vspace_check(const vspace_t *vs);

/* Frees every node, tree and spares, with node_free (the space is unusable afterwards). */
void vspace_destroy(vspace_t *vs);
