/*
 * The kernel's address space: the kernel builds its own PML4 at boot (physmap + its image
 * with W^X section permissions, no identity map) and owns it from then on. The upper half
 * of this PML4 is what every future domain shares.
 */
#pragma once

#include <exo/bootinfo.h>
#include <exo/status.h>
#include <mm/pagetable.h>
#include <stdint.h>

/* Builds the kernel page tables and switches CR3 to them. Needs pmm_init. */
void vm_init(const bootinfo_t *bi);

/* The kernel's page-table context (tables reached through the physmap, frames from pmm). */
const pt_ctx_t *vm_kernel(void);

/* A page-table context whose tables are zeroed pmm frames reached through the physmap:
 * the kernel's own, and every domain view's (mm/view.h). */
pt_ctx_t vm_pt_ctx(uint64_t root);
/* Frees a table frame of such a context (pt_free_tables' callback). */
void vm_table_free(void *arg, uint64_t phys);

/* Top of the physmap (exclusive physical address it covers). */
uint64_t vm_physmap_top(void);

/* Kernel stacks live in their own 512 GiB slot, mapped with 4 KiB pages, each with an
 * unmapped guard page below it: an overflow faults (and the #DF handler, on its IST
 * stack, reports it) instead of overwriting a neighbour. */
#define VM_STACK_BASE 0xffffff0000000000ull
#define VM_STACK_LIMIT 0xffffff8000000000ull

/* Maps a fresh stack of size bytes (a page multiple) with a guard page below it and
 * returns its top (16-byte aligned), or 0 when frames or stack space run out. */
uint64_t vm_stack_alloc(uint64_t size);

/* Unmaps the 4 KiB kernel-image page at va (a guard page carved out of .bss). */
void vm_guard(uint64_t va);
