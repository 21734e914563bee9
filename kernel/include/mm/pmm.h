/*
 * Physical memory manager: one buddy allocator (mm/buddy.h) over every frame the UEFI map
 * lists as usable, later joined by boot-services and loader memory (pmm_reclaim_boot).
 * Frames below 1 MiB are never handed out (kept for the SMP trampoline and firmware
 * quirks). All functions take the pmm lock; callable with interrupts on or off.
 */
#pragma once

#include <exo/bootinfo.h>
#include <exo/status.h>
#include <stdint.h>

typedef struct pmm_stats {
    uint64_t total_frames;     /* frames ever added to the allocator */
    uint64_t free_frames;      /* frames free now */
    uint64_t reclaimed_frames; /* of total, frames that came from pmm_reclaim_boot */
    uint64_t metadata_frames;  /* frames holding the allocator's per-frame array */
} pmm_stats_t;

/* Builds the allocator from the boot memory map (only BOOT_MEM_USABLE ranges). */
void pmm_init(const bootinfo_t *bi);

/* Adds BOOT_MEM_RECLAIMABLE and BOOT_MEM_BOOTDATA ranges: call once nothing from the
 * firmware, the loader or the loader's page tables is needed any more. */
void pmm_reclaim_boot(const bootinfo_t *bi);

/* Allocates 2^order contiguous, naturally aligned frames; returns the physical address,
 * or 0 when out of memory. Contents are undefined. */
uint64_t pmm_alloc(unsigned order);
/* Same, zero-filled. */
uint64_t pmm_alloc_zeroed(unsigned order);
/* Returns a block from pmm_alloc; panics on a free the allocator rejects (double free,
 * wrong order, foreign address): that is memory corruption, not a recoverable error. */
void pmm_free(uint64_t phys, unsigned order);

void pmm_get_stats(pmm_stats_t *out);

/* Finds `pages` contiguous RAM pages below 1 MiB (never handed out by the allocator),
 * above the real-mode IVT/BDA page, for the SMP trampoline. 0 if there are none. */
uint64_t pmm_low_pages(const bootinfo_t *bi, unsigned pages);
