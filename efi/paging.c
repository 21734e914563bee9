/*
 * The handoff page tables. The loader keeps running identity-mapped across the CR3 write,
 * so [0, top) is mapped both at 0 (executable, for the jump) and at BOOT_PHYSMAP_BASE
 * (no-execute); the kernel image gets 4 KiB pages with its segments' W^X permissions.
 * The kernel replaces all of this with tables of its own early in boot.
 */
#include "loader.h"

#include <arch/mmu.h>
#include <exo/elf64.h>
#include <kernel/string.h>
#include <mm/pagetable.h>

typedef struct pool {
    uint64_t next; /* physical address of the next unused table frame */
    uint64_t end;
} pool_t;

static uint64_t pool_alloc(void *arg) {
    pool_t *p = arg;
    if (p->next >= p->end) {
        return 0;
    }
    uint64_t frame = p->next;
    p->next += PAGE_SIZE;
    memset((void *)(uintptr_t)frame, 0, PAGE_SIZE);
    return frame;
}

static void *identity_ptr(void *arg, uint64_t phys) {
    (void)arg;
    return (void *)(uintptr_t)phys;
}

status_t ldr_paging_build(uint64_t top, const kelf_image_t *img, uint64_t kernel_phys, bool nx,
                          uint64_t *root) {
    uint64_t no_exec = nx ? PTE_NX : 0;
    top = (top + HUGE_PAGE_SIZE - 1) & ~(HUGE_PAGE_SIZE - 1);
    uint64_t pds = top / HUGE_PAGE_SIZE;
    uint64_t pdpts = (pds + 511) / 512;
    uint64_t kernel_pts = (img->vmax - img->vmin) / LARGE_PAGE_SIZE + 2;
    uint64_t frames = 1 + 2 * (pds + pdpts) + 4 + kernel_pts + 8;

    pool_t pool;
    status_t st = ldr_alloc_pages(frames, LDR_MEM_BOOTDATA, &pool.next);
    if (st != STATUS_OK) {
        return st;
    }
    pool.end = pool.next + frames * PAGE_SIZE;

    pt_ctx_t pt = {.alloc_table = pool_alloc, .table_ptr = identity_ptr, .arg = &pool};
    pt.root = pool_alloc(&pool);

    st = pt_map(&pt, 0, 0, top, PTE_W, LARGE_PAGE_SIZE);
    if (st == STATUS_OK) {
        st = pt_map(&pt, BOOT_PHYSMAP_BASE, 0, top, PTE_W | no_exec, LARGE_PAGE_SIZE);
    }
    for (uint32_t i = 0; i < img->nsegs && st == STATUS_OK; i++) {
        const kelf_segment_t *s = &img->segs[i];
        uint64_t flags = ((s->flags & PF_W) ? PTE_W : 0) | ((s->flags & PF_X) ? 0 : no_exec);
        st =
            pt_map(&pt, s->vaddr, kernel_phys + (s->vaddr - img->vmin), s->memsz, flags, PAGE_SIZE);
    }
    *root = pt.root;
    return st;
}
