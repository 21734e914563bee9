/*
 * The boot protocol: what the loader (efi/) hands the kernel. See docs/boot.md.
 * Built by the LLP64 UEFI loader and read by the LP64 kernel, so: fixed-width types only,
 * explicit padding, every size and offset pinned by _Static_assert. Addresses are
 * PHYSICAL unless a field says otherwise; the kernel reaches them through the physmap.
 * Any layout change bumps BOOTINFO_VERSION.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define BOOTINFO_MAGIC 0x4f464e49544f4f42ull /* "BOOTINFO" little-endian */
#define BOOTINFO_VERSION 3u

/* Virtual layout of the one address space (docs/boot.md). */
#define BOOT_PHYSMAP_BASE 0xffff800000000000ull /* all of RAM, phys + base */
#define BOOT_KERNEL_BASE 0xffffffff80000000ull  /* kernel image: top 2 GiB */
#define BOOT_USER_TOP 0x0000800000000000ull     /* lower half: shared user space */

#define BOOTINFO_CMDLINE_MAX 512
#define BOOTINFO_MAX_MMAP 512
#define BOOTINFO_MAX_MODULES 64
#define BOOTINFO_MODULE_NAME_MAX 64

/* Memory types, translated by the loader from the UEFI memory map. */
enum boot_mem_type {
    BOOT_MEM_USABLE = 1,       /* EfiConventionalMemory: free now */
    BOOT_MEM_RECLAIMABLE = 2,  /* boot services / loader code+data: free after handoff */
    BOOT_MEM_ACPI_RECLAIM = 3, /* ACPI tables: free once parsed */
    BOOT_MEM_ACPI_NVS = 4,     /* never touch */
    BOOT_MEM_RESERVED = 5,     /* unusable, reserved, unknown */
    BOOT_MEM_RUNTIME = 6,      /* UEFI runtime services code/data */
    BOOT_MEM_MMIO = 7,         /* memory-mapped I/O ranges listed by the firmware */
    BOOT_MEM_KERNEL = 8,       /* the loaded kernel image (all segments) */
    BOOT_MEM_MODULE = 9,       /* boot modules and the kernel ELF file copy */
    BOOT_MEM_BOOTDATA = 10,    /* bootinfo, loader page tables: free after handoff */
    BOOT_MEM_PERSISTENT = 11,  /* persistent memory */
};

typedef struct bootinfo_mmap_entry {
    uint64_t base;     /* physical, 4 KiB aligned */
    uint64_t pages;    /* 4 KiB pages */
    uint32_t type;     /* enum boot_mem_type */
    uint32_t efi_type; /* the firmware's EFI_MEMORY_TYPE, for diagnostics */
    uint64_t efi_attr; /* EFI_MEMORY_* attribute bits */
} bootinfo_mmap_entry_t;

/* Pixel formats, from EFI_GRAPHICS_PIXEL_FORMAT. */
enum boot_fb_format {
    BOOT_FB_NONE = 0,
    BOOT_FB_RGBX = 1, /* PixelRedGreenBlueReserved8BitPerColor */
    BOOT_FB_BGRX = 2, /* PixelBlueGreenRedReserved8BitPerColor */
    BOOT_FB_MASK = 3, /* PixelBitMask: use the masks */
};

typedef struct bootinfo_framebuffer {
    uint64_t base; /* physical; 0 when there is no usable linear framebuffer */
    uint64_t size; /* bytes */
    uint32_t width;
    uint32_t height;
    uint32_t pitch;  /* pixels per scan line (>= width) */
    uint32_t format; /* enum boot_fb_format; 4 bytes per pixel */
    uint32_t red_mask;
    uint32_t green_mask;
    uint32_t blue_mask;
    uint32_t reserved_mask;
} bootinfo_framebuffer_t;

typedef struct bootinfo_module {
    uint64_t base;                       /* physical, page aligned */
    uint64_t size;                       /* bytes */
    char name[BOOTINFO_MODULE_NAME_MAX]; /* NUL-terminated ESP path, e.g. "\EXOSPACE\HELLO.TXT" */
} bootinfo_module_t;

/* The firmware's clock as GetTime (UEFI 2.10, 8.3.1) gave it, just before the loader's
 * ExitBootServices. valid is 0 when GetTime failed (then the rest is 0). */
typedef struct bootinfo_time {
    uint16_t year; /* 1900..9999 */
    uint8_t month; /* 1..12 */
    uint8_t day;   /* 1..31 */
    uint8_t hour;  /* 0..23 */
    uint8_t minute;
    uint8_t second;
    uint8_t valid;
    int16_t timezone; /* minutes, local = UTC + timezone; 2047: unspecified (taken as UTC) */
    uint8_t daylight; /* EFI_TIME_ADJUST_DAYLIGHT / EFI_TIME_IN_DAYLIGHT bits */
    uint8_t _pad;
    uint32_t nanosecond;
    uint64_t tsc; /* rdtsc right after GetTime returned */
} bootinfo_time_t;

typedef struct bootinfo {
    uint64_t magic;   /* BOOTINFO_MAGIC */
    uint32_t version; /* BOOTINFO_VERSION */
    uint32_t size;    /* sizeof(bootinfo_t) as the loader saw it */

    uint64_t kernel_phys; /* physical base of the contiguous kernel image */
    uint64_t kernel_virt; /* virtual address that kernel_phys is mapped at */
    uint64_t kernel_size; /* bytes, page multiple */
    uint64_t kernel_file; /* physical address of the whole KERNEL.ELF file (symbols) */
    uint64_t kernel_file_size;

    uint64_t rsdp;             /* physical address of the ACPI RSDP, 0 if none */
    uint64_t efi_system_table; /* physical; for diagnostics only after handoff */
    uint64_t loader_pml4;      /* physical; the loader's page tables (BOOT_MEM_BOOTDATA) */
    uint64_t tsc_loader_entry; /* rdtsc at efi_main entry */
    uint64_t tsc_handoff;      /* rdtsc just before the jump to the kernel */
    uint32_t exit_bs_tries;    /* ExitBootServices attempts (1 unless the map key went stale) */
    uint32_t mmap_count;
    uint32_t module_count;
    uint32_t _pad0;

    bootinfo_framebuffer_t fb;
    char cmdline[BOOTINFO_CMDLINE_MAX]; /* NUL-terminated */
    bootinfo_mmap_entry_t mmap[BOOTINFO_MAX_MMAP];
    bootinfo_module_t modules[BOOTINFO_MAX_MODULES];
    bootinfo_time_t time;
} bootinfo_t;

_Static_assert(sizeof(bootinfo_mmap_entry_t) == 32, "mmap entry layout");
_Static_assert(sizeof(bootinfo_framebuffer_t) == 48, "framebuffer layout");
_Static_assert(sizeof(bootinfo_module_t) == 80, "module layout");
_Static_assert(offsetof(bootinfo_t, kernel_phys) == 16, "bootinfo header");
_Static_assert(offsetof(bootinfo_t, fb) == 112, "bootinfo fb offset");
_Static_assert(offsetof(bootinfo_t, cmdline) == 160, "bootinfo cmdline offset");
_Static_assert(offsetof(bootinfo_t, mmap) == 672, "bootinfo mmap offset");
_Static_assert(offsetof(bootinfo_t, modules) == 672 + 32 * BOOTINFO_MAX_MMAP, "modules offset");
_Static_assert(sizeof(bootinfo_time_t) == 24, "time layout");
_Static_assert(offsetof(bootinfo_t, time) ==
                   672 + 32 * BOOTINFO_MAX_MMAP + 80 * BOOTINFO_MAX_MODULES,
               "time offset");
_Static_assert(sizeof(bootinfo_t) == 672 + 32 * BOOTINFO_MAX_MMAP + 80 * BOOTINFO_MAX_MODULES + 24,
               "bootinfo size");
_Static_assert(sizeof(bootinfo_t) % 8 == 0, "bootinfo is 8-byte sized");

/* Kernel entry point: called on the loader's page tables, interrupts off, with
 * bootinfo's PHYSMAP virtual address in %rdi (SysV ABI). Never returns. */
typedef void kernel_entry_fn(bootinfo_t *bi);
