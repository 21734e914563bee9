/*
 * The physmap: all of physical memory (RAM, and the firmware-listed MMIO below the top of
 * the memory map) mapped at BOOT_PHYSMAP_BASE, read/write, no-execute, in every address
 * space. The kernel reaches any frame through it.
 */
#pragma once

#include <exo/bootinfo.h>
#include <stdint.h>

static inline void *phys_to_virt(uint64_t phys) {
    return (void *)(uintptr_t)(phys + BOOT_PHYSMAP_BASE);
}

static inline uint64_t virt_to_phys(const void *virt) {
    return (uint64_t)(uintptr_t)virt - BOOT_PHYSMAP_BASE;
}
