/*
 * Building and querying x86-64 4-level page tables, independent of how table frames are
 * obtained or reached: the loader runs identity-mapped with a bump pool, the kernel
 * through the physmap with the buddy allocator, host tests with malloc. Pure logic.
 */
#pragma once

#include <exo/status.h>
#include <stdint.h>

typedef struct pt_ctx {
    uint64_t root; /* physical address of the PML4 */
    /* Returns the physical address of a zeroed 4 KiB frame for a new table, 0 if none. */
    uint64_t (*alloc_table)(void *arg);
    /* Returns a pointer through which the table at phys can be read and written. */
    void *(*table_ptr)(void *arg, uint64_t phys);
    void *arg;
} pt_ctx_t;

/*
 * Maps [va, va + size) to [pa, pa + size) with leaf flags (PTE_* bits, PTE_P implied) and
 * pages of page_size (4 KiB, 2 MiB or 1 GiB). Intermediate entries are created present,
 * writable, and user-accessible iff flags has PTE_U; permissions are decided at the leaf.
 * ERR_ALIGN: va, pa or size not multiples of page_size; ERR_INVALID: bad page_size, or a
 * range that is non-canonical, wraps around or crosses the canonical hole; ERR_OVERLAP when a
 * present leaf or a large page is in the way; ERR_NO_MEMORY when alloc_table fails. On failure,
 * pages before the failing one stay mapped.
 */
status_t pt_map(const pt_ctx_t *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
                uint64_t page_size);

/* Looks va up. On success sets *pa (the byte's physical address), *flags (leaf entry bits)
 * and *page_size. ERR_NOT_FOUND when not mapped. Any out pointer may be NULL. */
status_t pt_query(const pt_ctx_t *pt, uint64_t va, uint64_t *pa, uint64_t *flags,
                  uint64_t *page_size);

/* Makes sure the PML4 entry covering va points to a table, so that copies of the top
 * level (other address spaces, the SMP trampoline) see everything mapped there later.
 * ERR_NO_MEMORY if a table cannot be allocated. */
status_t pt_reserve_top(const pt_ctx_t *pt, uint64_t va);

/* Clears the leaf for va (4 KiB, 2 MiB or 1 GiB, whatever maps it); returns the page size
 * it unmapped in *page_size. ERR_NOT_FOUND if not mapped. Tables are not freed and the TLB
 * is not touched: the caller flushes. */
status_t pt_unmap(const pt_ctx_t *pt, uint64_t va, uint64_t *page_size);

/* Frees every table frame reached from PML4 entries first..last (inclusive) through
 * free_table and clears those entries; leaf frames (the mapped memory) are not touched.
 * Returns the number of tables freed. The root itself stays. The caller flushes. */
uint64_t pt_free_tables(const pt_ctx_t *pt, unsigned first, unsigned last,
                        void (*free_table)(void *arg, uint64_t phys));
