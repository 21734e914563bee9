/*
 * Private interface between the loader's files. The loader runs as a UEFI application
 * (LLP64, Microsoft x64 ABI) until ExitBootServices, then only builds tables and jumps.
 */
#pragma once

#include <efi.h>

#include <stdbool.h>

#include <exo/bootinfo.h>
#include <exo/status.h>

#include "kernel_elf.h"

/* UEFI memory types the loader allocates with (the OS-defined range 0x80000000+), so the
 * kernel can tell its image, modules and boot-only data apart in the memory map. */
#define LDR_MEM_KERNEL 0x80000001u
#define LDR_MEM_MODULE 0x80000002u
#define LDR_MEM_BOOTDATA 0x80000003u

#define LDR_KERNEL_PATH "\\EXOSPACE\\KERNEL.ELF"
#define LDR_CONFIG_PATH "\\EXOSPACE\\BOOT.CFG"
#define LDR_MAX_FILE (128ull << 20)

/* Pages needed to hold bytes (at least one, so empty files still get a buffer). */
static inline uint64_t page_count(uint64_t bytes) {
    return bytes == 0 ? 1 : (bytes + 4095) / 4096;
}

extern EFI_HANDLE ldr_image;
extern EFI_SYSTEM_TABLE *ldr_st;

/* console.c: printf to the firmware console (screen and serial). */
void ldr_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* fs.c: reads a whole file from the ESP the loader was started from into fresh pages of
 * UEFI memory type mem_type. ERR_NOT_FOUND, ERR_TOO_BIG (> max), ERR_NO_MEMORY, ERR_INVALID
 * (firmware error). *why gets a one-line reason on failure. */
status_t ldr_file_read(const char *path, uint32_t mem_type, uint64_t max, uint64_t *phys,
                       uint64_t *size, const char **why);

/* memmap.c: every allocation is recorded so that a failed boot can free them all
 * (ldr_free_all) before returning to the firmware. */
status_t ldr_alloc_pages(uint64_t pages, uint32_t mem_type, uint64_t *phys);
void ldr_free_all(void);
/* Highest physical address the firmware's memory map mentions (exclusive). */
status_t ldr_memmap_top(uint64_t *top);
/* Gets the final memory map, exits boot services (retrying on a stale map key) and fills
 * bi->mmap. After success, no firmware service may be called. force_stale_key makes the
 * first attempt fail on purpose (boot config "loader_test = stale-map-key"). *attempted
 * becomes true once ExitBootServices was called: from then on, even on failure, only
 * memory-allocation services may be used (UEFI 2.10, 7.4), so no console, no return. */
status_t ldr_exit_boot_services(bootinfo_t *bi, bool force_stale_key, bool *attempted);

/* platform.c */
void ldr_gop_query(bootinfo_framebuffer_t *fb);
uint64_t ldr_acpi_rsdp(void);

/* paging.c: builds the handoff page tables (identity map of [0, top) for the jump, the
 * physmap of [0, top), the kernel image W^X at its link address). *root gets the PML4.
 * Without nx (a CPU without NX/XD) no page carries the NX bit. */
status_t ldr_paging_build(uint64_t top, const kelf_image_t *img, uint64_t kernel_phys, bool nx,
                          uint64_t *root);

/* handoff.c: enables NX (when nx), WP, switches CR3 and jumps. */
__attribute__((noreturn)) void ldr_handoff(uint64_t pml4, uint64_t entry, bootinfo_t *bi_virt,
                                           bool nx);
/* True if the CPU has NX/XD (CPUID 0x80000001 EDX bit 20). */
bool ldr_cpu_has_nx(void);
/* Writes to COM1 directly: the only output left after a failed ExitBootServices. */
void ldr_serial_puts(const char *s);
