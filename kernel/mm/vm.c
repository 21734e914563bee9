/*
 * Kernel page tables. The physmap uses 1 GiB pages where the CPU has them (else 2 MiB),
 * global, no-execute; the image gets 4 KiB pages: text RX, rodata R, data and bss RW,
 * all no-execute except text. After the CR3 switch the loader's tables and identity map
 * are gone, and a stray low-address access faults.
 */
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <kernel/kprintf.h>
#include <kernel/panic.h>
#include <kernel/spinlock.h>
#include <kernel/symbols.h>
#include <mm/physmap.h>
#include <mm/pmm.h>
#include <mm/vm.h>

#define PHYSMAP_MIN_TOP (4ull << 30) /* the physmap's least extent: see vm_init */

static pt_ctx_t kernel_pt;
static uint64_t no_exec; /* PTE_NX, or 0 on a CPU without NX (the bit would be reserved) */
static uint64_t physmap_top;

static uint64_t table_alloc(void *arg) {
    (void)arg;
    return pmm_alloc_zeroed(0);
}

static void *table_ptr(void *arg, uint64_t phys) {
    (void)arg;
    return phys_to_virt(phys);
}

pt_ctx_t vm_pt_ctx(uint64_t root) {
    return (pt_ctx_t){.root = root, .alloc_table = table_alloc, .table_ptr = table_ptr};
}

void vm_table_free(void *arg, uint64_t phys) {
    (void)arg;
    pmm_free(phys, 0);
}

static void map_or_panic(uint64_t va, uint64_t pa, uint64_t size, uint64_t flags, uint64_t pg,
                         const char *what) {
    status_t st = pt_map(&kernel_pt, va, pa, size, flags, pg);
    if (st != STATUS_OK) {
        panic("vm: cannot map %s: %s", what, status_str(st));
    }
}

static void map_image_range(const bootinfo_t *bi, const char *start, const char *end,
                            uint64_t flags, const char *what) {
    uint64_t va = page_round_down((uint64_t)(uintptr_t)start);
    uint64_t va_end = page_round_up((uint64_t)(uintptr_t)end);
    uint64_t pa = bi->kernel_phys + (va - bi->kernel_virt);
    map_or_panic(va, pa, va_end - va, (flags & ~PTE_NX) | (flags & no_exec) | PTE_G, PAGE_SIZE,
                 what);
}

void vm_init(const bootinfo_t *bi) {
    uint64_t top = 0;
    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        uint64_t end = bi->mmap[i].base + bi->mmap[i].pages * PAGE_SIZE;
        top = end > top ? end : top;
    }
    if (bi->fb.base + bi->fb.size > top) {
        top = bi->fb.base + bi->fb.size;
    }
    /* At least the first 4 GiB: the LAPIC, IOAPICs and HPET sit at its top on every PC,
     * and firmware memory maps do not list them. (Without a framebuffer up there, OVMF's
     * map of a 512 MiB machine ends near 3 GiB, and lapic_init faulted.) */
    if (top < PHYSMAP_MIN_TOP) {
        top = PHYSMAP_MIN_TOP;
    }
    uint64_t pg = cpu_features.pdpe1gb ? HUGE_PAGE_SIZE : LARGE_PAGE_SIZE;
    physmap_top = (top + HUGE_PAGE_SIZE - 1) & ~(HUGE_PAGE_SIZE - 1);

    no_exec = cpu_features.nx ? PTE_NX : 0;
    kernel_pt = vm_pt_ctx(pmm_alloc_zeroed(0));
    if (kernel_pt.root == 0) {
        panic("vm: no frame for the kernel PML4");
    }
    map_or_panic(BOOT_PHYSMAP_BASE, 0, physmap_top, PTE_W | no_exec | PTE_G, pg, "physmap");
    if (pt_reserve_top(&kernel_pt, VM_STACK_BASE) != STATUS_OK) {
        panic("vm: no frame for the stack area's top-level table");
    }
    map_image_range(bi, __text_start, __text_end, 0, "text");
    map_image_range(bi, __rodata_start, __rodata_end, PTE_NX, "rodata");
    map_image_range(bi, __data_start, __bss_end, PTE_W | PTE_NX, "data");

    write_cr3(kernel_pt.root);
    kprintf("vm: kernel page tables at %lx, physmap %lu GiB with %s pages, image W^X\n",
            kernel_pt.root, physmap_top >> 30, pg == HUGE_PAGE_SIZE ? "1 GiB" : "2 MiB");
}

const pt_ctx_t *vm_kernel(void) {
    return &kernel_pt;
}

uint64_t vm_physmap_top(void) {
    return physmap_top;
}

static uint64_t stack_next = VM_STACK_BASE;
static spinlock_t stack_lock = SPINLOCK_INIT;

uint64_t vm_stack_alloc(uint64_t size) {
    size = page_round_up(size);
    bool irq = spin_lock(&stack_lock);
    uint64_t base = stack_next + PAGE_SIZE; /* stack_next itself is the guard page */
    if (base + size > VM_STACK_LIMIT) {
        spin_unlock(&stack_lock, irq);
        return 0;
    }
    stack_next = base + size;
    spin_unlock(&stack_lock, irq);
    for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
        uint64_t frame = pmm_alloc(0);
        if (frame == 0 || pt_map(&kernel_pt, base + off, frame, PAGE_SIZE, PTE_W | no_exec | PTE_G,
                                 PAGE_SIZE) != STATUS_OK) {
            return 0; /* boot-time only: what was mapped stays (no reuse of stack space) */
        }
    }
    return base + size;
}

void vm_guard(uint64_t va) {
    if (pt_unmap(&kernel_pt, page_round_down(va), NULL) == STATUS_OK) {
        invlpg(page_round_down(va));
    }
}
