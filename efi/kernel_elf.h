/*
 * Validation of KERNEL.ELF before the loader trusts any of it. Pure C (no UEFI calls),
 * compiled into the loader (LLP64) and into a host test (LP64): fixed-width types only.
 */
#pragma once

#include <exo/status.h>
#include <stdint.h>

#define KELF_MAX_SEGMENTS 8
#define KELF_MAX_IMAGE (256ull << 20) /* kernel image span limit: 256 MiB */

typedef struct kelf_segment {
    uint64_t vaddr;       /* page aligned down */
    uint64_t memsz;       /* bytes from vaddr (page multiple, covers the whole segment) */
    uint64_t file_offset; /* offset of the segment's first byte in the file */
    uint64_t filesz;      /* bytes to copy from file_offset */
    uint64_t copy_to;     /* vaddr of the first copied byte (p_vaddr) */
    uint32_t flags;       /* PF_R | PF_W | PF_X */
    uint32_t _pad;
} kelf_segment_t;

typedef struct kelf_image {
    uint64_t entry;
    uint64_t vmin; /* lowest page of any segment */
    uint64_t vmax; /* end of the highest page (exclusive) */
    uint32_t nsegs;
    uint32_t _pad;
    kelf_segment_t segs[KELF_MAX_SEGMENTS]; /* PT_LOAD segments, ascending vaddr */
} kelf_image_t;

/*
 * Checks the ELF file image (size bytes) as an Exospace kernel and describes how to load
 * it. On failure returns a specific status and sets *why to a one-line English reason
 * (static string). Rules: ELF64, little-endian, version 1, ET_EXEC, EM_X86_64; program
 * headers inside the file; 1..KELF_MAX_SEGMENTS PT_LOAD segments, each with
 * filesz <= memsz, its file bytes inside the file, vaddr % 4096 == offset % 4096,
 * entirely within [BOOT_KERNEL_BASE, 2^64) without wrap-around, not writable and
 * executable at once; segments sorted and not sharing any page; total span
 * <= KELF_MAX_IMAGE; no PT_INTERP or PT_DYNAMIC; entry inside an executable segment.
 */
status_t kelf_check(const void *file, uint64_t size, kelf_image_t *out, const char **why);
