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

/* Top of the physmap (exclusive physical address it covers). */
uint64_t vm_physmap_top(void);
