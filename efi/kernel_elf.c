/*
 * kelf_check: decides whether KERNEL.ELF may be loaded and describes its PT_LOAD segments.
 * The input is hostile until proven otherwise: every read is bounds-checked with
 * overflow-safe arithmetic and headers are memcpy'd out, so the buffer may be unaligned.
 */
#include "kernel_elf.h"

#include <exo/bootinfo.h>
#include <exo/elf64.h>
#include <kernel/elfhdr.h>
#include <kernel/string.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KELF_PAGE 4096ull

/*
 * Highest allowed segment end (exclusive). The last page of the address space is refused
 * so that page-rounded ends, and vmax, stay representable in 64 bits.
 */
#define KELF_TOP (0ull - KELF_PAGE)

/*
 * Reasons are static strings, so per-segment reasons come from tables indexed by the
 * PT_LOAD index (0-based, counting only PT_LOAD headers, in file order).
 */
_Static_assert(KELF_MAX_SEGMENTS == 8, "the message tables below list 8 segments");
_Static_assert(KELF_PAGE == ELF_PAGE, "segments are laid out in the shared ELF page size");

#define SEG_MSGS(what)                                                                             \
    {                                                                                              \
        "segment 0 " what, "segment 1 " what, "segment 2 " what, "segment 3 " what,                \
            "segment 4 " what, "segment 5 " what, "segment 6 " what, "segment 7 " what,            \
    }
#define PAIR_MSGS(what)                                                                            \
    {                                                                                              \
        "segments 0 and 1 " what, "segments 1 and 2 " what, "segments 2 and 3 " what,              \
            "segments 3 and 4 " what, "segments 4 and 5 " what, "segments 5 and 6 " what,          \
            "segments 6 and 7 " what,                                                              \
    }

static const char *const msg_empty[] = SEG_MSGS("has zero size in memory");
static const char *const msg_filesz[] = SEG_MSGS("has file size larger than memory size");
static const char *const msg_past_end[] = SEG_MSGS("file data extends past end of file");
static const char *const msg_misaligned[] =
    SEG_MSGS("vaddr and file offset differ modulo the page size");
static const char *const msg_window[] = SEG_MSGS("is outside the kernel's -2 GiB window");
static const char *const msg_wrap[] = SEG_MSGS("wraps past the top of the address space");
static const char *const msg_wx[] = SEG_MSGS("is both writable and executable");
static const char *const msg_unsorted[] = PAIR_MSGS("are not sorted by address");
static const char *const msg_overlap[] = PAIR_MSGS("overlap");
static const char *const msg_share[] = PAIR_MSGS("share a page");

/* The shared header checks (kernel/elfhdr.h), then the kernel's own type. */
static status_t check_ehdr(const uint8_t *file, uint64_t size, elf64_ehdr_t *eh, const char **why) {
    status_t st = elfhdr_check(file, size, eh, why);
    if (st != STATUS_OK) {
        return st;
    }
    if (eh->e_type != ET_EXEC) {
        return elf_fail(why, "ELF type is not ET_EXEC (static executable)", ERR_UNSUPPORTED);
    }
    return STATUS_OK;
}

/*
 * Scans every program header; collects the PT_LOAD ones into loads[] (at most
 * KELF_MAX_SEGMENTS) and rejects headers that ask for a dynamic loader.
 */
static status_t collect_loads(const uint8_t *file, const elf64_ehdr_t *eh, elf64_phdr_t *loads,
                              uint32_t *nloads, const char **why) {
    uint32_t n = 0;

    for (uint32_t i = 0; i < eh->e_phnum; i++) {
        elf64_phdr_t ph;
        memcpy(&ph, file + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
        if (ph.p_type == PT_INTERP) {
            return elf_fail(why, "has PT_INTERP: a dynamic loader is not supported",
                            ERR_UNSUPPORTED);
        }
        if (ph.p_type == PT_DYNAMIC) {
            return elf_fail(why, "has PT_DYNAMIC: dynamic linking is not supported",
                            ERR_UNSUPPORTED);
        }
        if (ph.p_type != PT_LOAD) {
            continue;
        }
        if (n == KELF_MAX_SEGMENTS) {
            return elf_fail(why, "too many PT_LOAD segments (more than 8)", ERR_TOO_BIG);
        }
        loads[n++] = ph;
    }
    if (n == 0) {
        return elf_fail(why, "no PT_LOAD segment", ERR_INVALID);
    }
    *nloads = n;
    return STATUS_OK;
}

/* Rules that concern one segment alone; i < KELF_MAX_SEGMENTS. */
static status_t check_segment(const elf64_phdr_t *ph, uint32_t i, uint64_t size, const char **why) {
    if (ph->p_memsz == 0) {
        return elf_fail(why, msg_empty[i], ERR_INVALID);
    }
    if (ph->p_filesz > ph->p_memsz) {
        return elf_fail(why, msg_filesz[i], ERR_INVALID);
    }
    if (!elf_in_file(ph->p_offset, ph->p_filesz, size)) {
        return elf_fail(why, msg_past_end[i], ERR_TRUNCATED);
    }
    if (ph->p_vaddr % KELF_PAGE != ph->p_offset % KELF_PAGE) {
        return elf_fail(why, msg_misaligned[i], ERR_ALIGN);
    }
    if (ph->p_vaddr < BOOT_KERNEL_BASE) {
        return elf_fail(why, msg_window[i], ERR_RANGE);
    }
    if (ph->p_vaddr >= KELF_TOP || ph->p_memsz > KELF_TOP - ph->p_vaddr) {
        return elf_fail(why, msg_wrap[i], ERR_RANGE);
    }
    if ((ph->p_flags & PF_W) != 0 && (ph->p_flags & PF_X) != 0) {
        return elf_fail(why, msg_wx[i], ERR_PERM);
    }
    return STATUS_OK;
}

/*
 * Rules between neighbours; loads[] already passed check_segment, so every end is
 * <= KELF_TOP. Checking adjacent pairs suffices: sorted + pairwise disjoint neighbours
 * means all segments are disjoint.
 */
static status_t check_layout(const elf64_phdr_t *loads, uint32_t n, const char **why) {
    for (uint32_t i = 1; i < n; i++) {
        const elf64_phdr_t *prev = &loads[i - 1];
        const elf64_phdr_t *cur = &loads[i];
        if (cur->p_vaddr < prev->p_vaddr) {
            return elf_fail(why, msg_unsorted[i - 1], ERR_INVALID);
        }
        if (prev->p_vaddr + prev->p_memsz > cur->p_vaddr) {
            return elf_fail(why, msg_overlap[i - 1], ERR_OVERLAP);
        }
        if (elf_page_up(prev->p_vaddr + prev->p_memsz) > elf_page_down(cur->p_vaddr)) {
            return elf_fail(why, msg_share[i - 1], ERR_OVERLAP);
        }
    }
    uint64_t vmin = elf_page_down(loads[0].p_vaddr);
    uint64_t vmax = elf_page_up(loads[n - 1].p_vaddr + loads[n - 1].p_memsz);
    if (vmax - vmin > KELF_MAX_IMAGE) {
        return elf_fail(why, "image spans more than 256 MiB", ERR_TOO_BIG);
    }
    return STATUS_OK;
}

static bool entry_is_executable(const elf64_phdr_t *loads, uint32_t n, uint64_t entry) {
    for (uint32_t i = 0; i < n; i++) {
        if ((loads[i].p_flags & PF_X) != 0 && entry >= loads[i].p_vaddr &&
            entry - loads[i].p_vaddr < loads[i].p_memsz) {
            return true;
        }
    }
    return false;
}

status_t kelf_check(const void *file, uint64_t size, kelf_image_t *out, const char **why) {
    elf64_ehdr_t eh;
    elf64_phdr_t loads[KELF_MAX_SEGMENTS];
    uint32_t n = 0;
    status_t st;

    if ((file == NULL && size != 0) || out == NULL) {
        return elf_fail(why, "kelf_check called without a file or an output", ERR_INVALID);
    }
    if (file == NULL) {
        return elf_fail(why, "file truncated: smaller than the ELF header", ERR_TRUNCATED);
    }
    st = check_ehdr(file, size, &eh, why);
    if (st != STATUS_OK) {
        return st;
    }
    st = collect_loads(file, &eh, loads, &n, why);
    if (st != STATUS_OK) {
        return st;
    }
    for (uint32_t i = 0; i < n; i++) {
        st = check_segment(&loads[i], i, size, why);
        if (st != STATUS_OK) {
            return st;
        }
    }
    st = check_layout(loads, n, why);
    if (st != STATUS_OK) {
        return st;
    }
    if (!entry_is_executable(loads, n, eh.e_entry)) {
        return elf_fail(why, "entry point is not in an executable segment", ERR_RANGE);
    }

    /* Everything is checked: only now is *out written. */
    memset(out, 0, sizeof(*out));
    out->entry = eh.e_entry;
    out->nsegs = n;
    for (uint32_t i = 0; i < n; i++) {
        kelf_segment_t *s = &out->segs[i];
        s->vaddr = elf_page_down(loads[i].p_vaddr);
        s->memsz = elf_page_up(loads[i].p_vaddr + loads[i].p_memsz) - s->vaddr;
        s->file_offset = loads[i].p_offset;
        s->filesz = loads[i].p_filesz;
        s->copy_to = loads[i].p_vaddr;
        s->flags = loads[i].p_flags & (PF_R | PF_W | PF_X);
    }
    out->vmin = out->segs[0].vaddr;
    out->vmax = out->segs[n - 1].vaddr + out->segs[n - 1].memsz;
    if (why != NULL) {
        *why = "ok";
    }
    return STATUS_OK;
}
