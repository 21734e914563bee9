/*
 * Physical frames: the buddy allocator fed from the boot memory map. Its per-frame array
 * is carved from the first usable range large enough, through the physmap.
 */
#include <arch/mmu.h>
#include <kernel/kprintf.h>
#include <kernel/panic.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>
#include <mm/buddy.h>
#include <mm/physmap.h>
#include <mm/pmm.h>

#define LOW_MEMORY_LIMIT (1ull << 20)

static buddy_t buddy;
static spinlock_t pmm_lock = SPINLOCK_INIT;
static pmm_stats_t stats;
static uint64_t meta_base, meta_end; /* physical range of the per-frame array */

/* Frees [base, end) minus low memory and the metadata range into the buddy allocator. */
static uint64_t add_range(uint64_t base, uint64_t end) {
    if (base < LOW_MEMORY_LIMIT) {
        base = LOW_MEMORY_LIMIT;
    }
    uint64_t added = 0;
    uint64_t pieces[2][2] = {{base, end < meta_base ? end : meta_base},
                             {base > meta_end ? base : meta_end, end}};
    for (int i = 0; i < 2; i++) {
        uint64_t lo = pieces[i][0], hi = pieces[i][1];
        if (lo >= hi) {
            continue;
        }
        uint64_t frames = (hi - lo) / PAGE_SIZE;
        status_t st = buddy_add_range(&buddy, lo / PAGE_SIZE, frames);
        if (st != STATUS_OK) {
            panic("pmm: cannot add %lx..%lx: %s", lo, hi, status_str(st));
        }
        added += frames;
    }
    return added;
}

static int reclaimable(uint32_t type) {
    return type == BOOT_MEM_RECLAIMABLE || type == BOOT_MEM_BOOTDATA;
}

void pmm_init(const bootinfo_t *bi) {
    uint64_t top = 0;
    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const bootinfo_mmap_entry_t *e = &bi->mmap[i];
        if (e->type == BOOT_MEM_USABLE || reclaimable(e->type)) {
            uint64_t end = e->base + e->pages * PAGE_SIZE;
            top = end > top ? end : top;
        }
    }
    uint64_t nframes = top / PAGE_SIZE;
    uint64_t meta_bytes = page_round_up(nframes * sizeof(buddy_frame_t));
    for (uint32_t i = 0; i < bi->mmap_count && meta_end == 0; i++) {
        const bootinfo_mmap_entry_t *e = &bi->mmap[i];
        uint64_t base = e->base < LOW_MEMORY_LIMIT ? LOW_MEMORY_LIMIT : e->base;
        uint64_t end = e->base + e->pages * PAGE_SIZE;
        if (e->type == BOOT_MEM_USABLE && end > base && end - base >= meta_bytes) {
            meta_base = base;
            meta_end = base + meta_bytes;
        }
    }
    if (meta_end == 0) {
        panic("pmm: no usable range can hold %lu KiB of frame metadata", meta_bytes / 1024);
    }
    buddy_init(&buddy, 0, nframes, phys_to_virt(meta_base));
    stats.metadata_frames = meta_bytes / PAGE_SIZE;
    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const bootinfo_mmap_entry_t *e = &bi->mmap[i];
        if (e->type == BOOT_MEM_USABLE) {
            stats.total_frames += add_range(e->base, e->base + e->pages * PAGE_SIZE);
        }
    }
    kprintf("pmm: %lu MiB usable of %lu MiB tracked, %lu KiB metadata\n", stats.total_frames / 256,
            nframes / 256, meta_bytes / 1024);
}

void pmm_reclaim_boot(const bootinfo_t *bi) {
    uint64_t frames = 0;
    bool irq = spin_lock(&pmm_lock);
    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const bootinfo_mmap_entry_t *e = &bi->mmap[i];
        if (reclaimable(e->type)) {
            frames += add_range(e->base, e->base + e->pages * PAGE_SIZE);
        }
    }
    stats.total_frames += frames;
    stats.reclaimed_frames += frames;
    spin_unlock(&pmm_lock, irq);
    kprintf("pmm: reclaimed %lu KiB of boot-services and loader memory\n", frames * 4);
}

uint64_t pmm_alloc(unsigned order) {
    uint64_t pfn = 0;
    bool irq = spin_lock(&pmm_lock);
    status_t st = buddy_alloc(&buddy, order, &pfn);
    spin_unlock(&pmm_lock, irq);
    return st == STATUS_OK ? pfn * PAGE_SIZE : 0;
}

uint64_t pmm_alloc_zeroed(unsigned order) {
    uint64_t phys = pmm_alloc(order);
    if (phys) {
        memset(phys_to_virt(phys), 0, PAGE_SIZE << order);
    }
    return phys;
}

void pmm_free(uint64_t phys, unsigned order) {
    bool irq = spin_lock(&pmm_lock);
    status_t st = buddy_free(&buddy, phys / PAGE_SIZE, order);
    spin_unlock(&pmm_lock, irq);
    if (st != STATUS_OK) {
        panic("pmm_free(%lx, order %u): %s", phys, order, status_str(st));
    }
}

void pmm_get_stats(pmm_stats_t *out) {
    bool irq = spin_lock(&pmm_lock);
    *out = stats;
    out->free_frames = buddy_free_frames(&buddy);
    spin_unlock(&pmm_lock, irq);
}

uint64_t pmm_low_pages(const bootinfo_t *bi, unsigned pages) {
    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const bootinfo_mmap_entry_t *e = &bi->mmap[i];
        if (e->type != BOOT_MEM_USABLE && !reclaimable(e->type)) {
            continue;
        }
        uint64_t base = e->base < PAGE_SIZE ? PAGE_SIZE : e->base;
        uint64_t end = e->base + e->pages * PAGE_SIZE;
        end = end > LOW_MEMORY_LIMIT ? LOW_MEMORY_LIMIT : end;
        if (end > base && (end - base) / PAGE_SIZE >= pages) {
            return base;
        }
    }
    return 0;
}
