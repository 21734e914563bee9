/*
 * elfapp_parse and elfapp_load: the static-PIE app loader's file checks and its copy and
 * relocation pass. The file is hostile until proven otherwise: every read is bounds-checked
 * with overflow-safe arithmetic and structures are memcpy'd out, so it may be unaligned.
 */
#include <loader/elfapp.h>

#include <exo/elf64.h>
#include <exo/status.h>
#include <kernel/elfhdr.h>
#include <kernel/string.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

_Static_assert(ELFAPP_MAX_SPAN % ELFAPP_PAGE == 0, "span limit is a page multiple");
_Static_assert(ELFAPP_MAX_SPAN <= ELFAPP_BASE_LIMIT, "an image fits the lower half");
_Static_assert(ELFAPP_PAGE == ELF_PAGE, "segments are laid out in the shared ELF page size");

/* The shared header checks (kernel/elfhdr.h), then the app's own type: a static PIE. */
static status_t check_ehdr(const uint8_t *file, uint64_t size, elf64_ehdr_t *eh, const char **why) {
    status_t st = elfhdr_check(file, size, eh, why);
    if (st != STATUS_OK) {
        return st;
    }
    if (eh->e_type == ET_EXEC) {
        return elf_fail(why, "ELF type is ET_EXEC: apps must be static PIE (ET_DYN)",
                        ERR_UNSUPPORTED);
    }
    if (eh->e_type != ET_DYN) {
        return elf_fail(why, "ELF type is not ET_DYN (static PIE)", ERR_BAD_FORMAT);
    }
    return STATUS_OK;
}

/* What the program header table announces, before any segment is checked. */
typedef struct phdr_scan {
    elf64_phdr_t loads[ELFAPP_MAX_SEGMENTS]; /* PT_LOAD headers in file order */
    uint32_t nloads;
    bool has_dynamic;
    elf64_phdr_t dynamic;
} phdr_scan_t;

/* Reads every program header; rejects the types an app may not have. */
static status_t scan_phdrs(const uint8_t *file, const elf64_ehdr_t *eh, phdr_scan_t *scan,
                           const char **why) {
    scan->nloads = 0;
    scan->has_dynamic = false;
    for (uint32_t i = 0; i < eh->e_phnum; i++) {
        elf64_phdr_t ph;
        memcpy(&ph, file + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
        switch (ph.p_type) {
        case PT_INTERP:
            return elf_fail(why, "has PT_INTERP: needs a dynamic linker", ERR_UNSUPPORTED);
        case PT_TLS:
            return elf_fail(why, "has PT_TLS: thread-local storage is not supported",
                            ERR_UNSUPPORTED);
        case PT_GNU_STACK:
            if ((ph.p_flags & PF_X) != 0) {
                return elf_fail(why, "PT_GNU_STACK asks for an executable stack", ERR_PERM);
            }
            break;
        case PT_DYNAMIC:
            if (scan->has_dynamic) {
                return elf_fail(why, "more than one PT_DYNAMIC", ERR_BAD_FORMAT);
            }
            scan->has_dynamic = true;
            scan->dynamic = ph;
            break;
        case PT_LOAD:
            if (scan->nloads == ELFAPP_MAX_SEGMENTS) {
                return elf_fail(why, "too many PT_LOAD segments (more than 8)", ERR_TOO_BIG);
            }
            scan->loads[scan->nloads++] = ph;
            break;
        default: /* PT_NOTE, PT_PHDR, PT_GNU_RELRO, PT_GNU_EH_FRAME, ...: not the loader's */
            break;
        }
    }
    if (scan->nloads == 0) {
        return elf_fail(why, "no PT_LOAD segment", ERR_BAD_FORMAT);
    }
    return STATUS_OK;
}

/* Rules that concern one PT_LOAD alone. */
static status_t check_segment(const elf64_phdr_t *ph, uint64_t size, const char **why) {
    if (ph->p_align > 1 && (ph->p_align & (ph->p_align - 1)) != 0) {
        return elf_fail(why, "PT_LOAD alignment is not a power of two", ERR_ALIGN);
    }
    if (ph->p_vaddr % ELFAPP_PAGE != ph->p_offset % ELFAPP_PAGE) {
        return elf_fail(why, "PT_LOAD vaddr and file offset differ modulo the page size",
                        ERR_ALIGN);
    }
    if (ph->p_memsz == 0) {
        return elf_fail(why, "PT_LOAD has zero size in memory", ERR_INVALID);
    }
    if (ph->p_filesz > ph->p_memsz) {
        return elf_fail(why, "PT_LOAD has file size larger than memory size", ERR_INVALID);
    }
    if ((ph->p_flags & PF_W) != 0 && (ph->p_flags & PF_X) != 0) {
        return elf_fail(why, "PT_LOAD is both writable and executable", ERR_PERM);
    }
    if (ph->p_vaddr > ELFAPP_MAX_SPAN || ph->p_memsz > ELFAPP_MAX_SPAN - ph->p_vaddr) {
        return elf_fail(why, "image spans more than 1 GiB", ERR_TOO_BIG);
    }
    if (!elf_in_file(ph->p_offset, ph->p_filesz, size)) {
        return elf_fail(why, "PT_LOAD file data extends past end of file", ERR_TRUNCATED);
    }
    return STATUS_OK;
}

static uint32_t prot_of(uint32_t p_flags) {
    uint32_t prot = 0;
    if ((p_flags & PF_R) != 0) {
        prot |= ELFAPP_PROT_R;
    }
    if ((p_flags & PF_W) != 0) {
        prot |= ELFAPP_PROT_W;
    }
    if ((p_flags & PF_X) != 0) {
        prot |= ELFAPP_PROT_X;
    }
    return prot;
}

/*
 * Checks every PT_LOAD and their order, then describes them in app->seg[] and app->span.
 * Adjacent pairs suffice: ascending with disjoint neighbours means pairwise disjoint.
 */
static status_t build_segments(const phdr_scan_t *scan, uint64_t size, elfapp_t *app,
                               const char **why) {
    for (uint32_t i = 0; i < scan->nloads; i++) {
        const elf64_phdr_t *ph = &scan->loads[i];
        status_t st = check_segment(ph, size, why);
        if (st != STATUS_OK) {
            return st;
        }
        elfapp_segment_t *s = &app->seg[i];
        s->start = elf_page_down(ph->p_vaddr);
        s->size = elf_page_up(ph->p_vaddr + ph->p_memsz) - s->start;
        s->vaddr = ph->p_vaddr;
        s->file_off = ph->p_offset;
        s->file_size = ph->p_filesz;
        s->mem_size = ph->p_memsz;
        s->prot = prot_of(ph->p_flags);
        if (i > 0) {
            const elfapp_segment_t *prev = &app->seg[i - 1];
            if (s->vaddr < prev->vaddr) {
                return elf_fail(why, "PT_LOAD segments are not in ascending order", ERR_OVERLAP);
            }
            if (prev->start + prev->size > s->start) {
                return elf_fail(why, "PT_LOAD segments share a page", ERR_OVERLAP);
            }
        }
    }
    app->nsegments = scan->nloads;
    const elfapp_segment_t *last = &app->seg[app->nsegments - 1];
    app->span = last->start + last->size;
    return STATUS_OK;
}

static bool entry_is_executable(const elfapp_t *app, uint64_t entry) {
    for (uint32_t i = 0; i < app->nsegments; i++) {
        const elfapp_segment_t *s = &app->seg[i];
        if ((s->prot & ELFAPP_PROT_X) != 0 && entry >= s->vaddr && entry - s->vaddr < s->mem_size) {
            return true;
        }
    }
    return false;
}

/* The relocation-related content of PT_DYNAMIC. */
typedef struct dyn_info {
    bool has_rela;
    bool has_relasz;
    uint64_t rela;   /* vaddr of the RELA table */
    uint64_t relasz; /* its size in bytes */
    uint64_t pltrelsz;
} dyn_info_t;

/* Interprets one dynamic entry; refuses anything the loader cannot or must not do. */
static status_t check_dyn(const elf64_dyn_t *d, dyn_info_t *info, const char **why) {
    switch (d->d_tag) {
    case DT_NEEDED:
        return elf_fail(why, "needs shared libraries (DT_NEEDED)", ERR_UNSUPPORTED);
    case DT_REL:
    case DT_RELSZ:
        return elf_fail(why, "has REL relocations (DT_REL): only RELA is supported",
                        ERR_UNSUPPORTED);
    case DT_RELR:
    case DT_RELRSZ:
        return elf_fail(why, "has packed RELR relocations: only RELA is supported",
                        ERR_UNSUPPORTED);
    case DT_PLTRELSZ:
        info->pltrelsz = d->d_val;
        return STATUS_OK;
    case DT_TEXTREL:
        return elf_fail(why, "has text relocations (DT_TEXTREL)", ERR_PERM);
    case DT_FLAGS:
        if ((d->d_val & DF_TEXTREL) != 0) {
            return elf_fail(why, "has text relocations (DF_TEXTREL in DT_FLAGS)", ERR_PERM);
        }
        return STATUS_OK;
    case DT_RELAENT:
        if (d->d_val != sizeof(elf64_rela_t)) {
            return elf_fail(why, "DT_RELAENT is not 24", ERR_BAD_FORMAT);
        }
        return STATUS_OK;
    case DT_RELA:
        if (info->has_rela) {
            return elf_fail(why, "more than one DT_RELA", ERR_BAD_FORMAT);
        }
        info->has_rela = true;
        info->rela = d->d_val;
        return STATUS_OK;
    case DT_RELASZ:
        if (info->has_relasz) {
            return elf_fail(why, "more than one DT_RELASZ", ERR_BAD_FORMAT);
        }
        info->has_relasz = true;
        info->relasz = d->d_val;
        return STATUS_OK;
    default: /* symbol tables, hashes, DT_DEBUG, DT_FLAGS_1, ...: nothing to do */
        return STATUS_OK;
    }
}

/* Reads PT_DYNAMIC (entries until DT_NULL or its end) into *info. */
static status_t read_dynamic(const uint8_t *file, uint64_t size, const elf64_phdr_t *dyn,
                             dyn_info_t *info, const char **why) {
    memset(info, 0, sizeof(*info));
    if (!elf_in_file(dyn->p_offset, dyn->p_filesz, size)) {
        return elf_fail(why, "PT_DYNAMIC extends past end of file", ERR_TRUNCATED);
    }
    if (dyn->p_filesz % sizeof(elf64_dyn_t) != 0) {
        return elf_fail(why, "PT_DYNAMIC size is not a multiple of 16", ERR_BAD_FORMAT);
    }
    uint64_t n = dyn->p_filesz / sizeof(elf64_dyn_t);
    for (uint64_t i = 0; i < n; i++) {
        elf64_dyn_t d;
        memcpy(&d, file + dyn->p_offset + i * sizeof(d), sizeof(d));
        if (d.d_tag == DT_NULL) {
            break;
        }
        status_t st = check_dyn(&d, info, why);
        if (st != STATUS_OK) {
            return st;
        }
    }
    if (info->pltrelsz != 0) {
        return elf_fail(why, "has PLT relocations (DT_JMPREL): only RELA is supported",
                        ERR_UNSUPPORTED);
    }
    if (info->has_rela && !info->has_relasz) {
        return elf_fail(why, "DT_RELA without DT_RELASZ", ERR_BAD_FORMAT);
    }
    if (!info->has_rela && info->relasz != 0) {
        return elf_fail(why, "DT_RELASZ without DT_RELA", ERR_BAD_FORMAT);
    }
    if (info->relasz % sizeof(elf64_rela_t) != 0) {
        return elf_fail(why, "DT_RELASZ is not a multiple of 24", ERR_BAD_FORMAT);
    }
    return STATUS_OK;
}

/*
 * One relocation against the described image: R_X86_64_RELATIVE, symbol 0, and its 8
 * bytes inside a writable segment's [vaddr, vaddr + mem_size). Shared by parse and load.
 */
static status_t check_rela(const elfapp_t *app, const elf64_rela_t *r, const char **why) {
    if (ELF64_R_TYPE(r->r_info) != R_X86_64_RELATIVE) {
        return elf_fail(why,
                        "relocation of type other than R_X86_64_RELATIVE (only R_X86_64_RELATIVE "
                        "is supported)",
                        ERR_UNSUPPORTED);
    }
    if (ELF64_R_SYM(r->r_info) != 0) {
        return elf_fail(why, "relocation names a symbol (only R_X86_64_RELATIVE with symbol 0)",
                        ERR_UNSUPPORTED);
    }
    for (uint32_t i = 0; i < app->nsegments; i++) {
        const elfapp_segment_t *s = &app->seg[i];
        if ((s->prot & ELFAPP_PROT_W) != 0 && r->r_offset >= s->vaddr && s->mem_size >= 8 &&
            r->r_offset - s->vaddr <= s->mem_size - 8) {
            return STATUS_OK;
        }
    }
    return elf_fail(why, "relocation target is not 8 bytes inside a writable segment", ERR_RANGE);
}

/* Locates the RELA table in the file and checks every entry; fills rela_off/rela_count. */
static status_t check_relocations(const uint8_t *file, const dyn_info_t *info, elfapp_t *app,
                                  const char **why) {
    app->rela_off = 0;
    app->rela_count = info->relasz / sizeof(elf64_rela_t);
    if (app->rela_count == 0) {
        return STATUS_OK;
    }
    bool found = false;
    for (uint32_t i = 0; i < app->nsegments && !found; i++) {
        const elfapp_segment_t *s = &app->seg[i];
        if (info->rela >= s->vaddr && info->rela - s->vaddr <= s->file_size &&
            info->relasz <= s->file_size - (info->rela - s->vaddr)) {
            /* Inside the segment's file bytes, which build_segments put inside the file. */
            app->rela_off = s->file_off + (info->rela - s->vaddr);
            found = true;
        }
    }
    if (!found) {
        return elf_fail(why, "DT_RELA table is not inside one segment's file bytes", ERR_RANGE);
    }
    for (uint64_t i = 0; i < app->rela_count; i++) {
        elf64_rela_t r;
        memcpy(&r, file + app->rela_off + i * sizeof(r), sizeof(r));
        status_t st = check_rela(app, &r, why);
        if (st != STATUS_OK) {
            return st;
        }
    }
    return STATUS_OK;
}

status_t elfapp_parse(const void *file, uint64_t size, elfapp_t *out, const char **why) {
    elf64_ehdr_t eh;
    phdr_scan_t scan;
    elfapp_t app;
    status_t st;

    if ((file == NULL && size != 0) || out == NULL) {
        return elf_fail(why, "elfapp_parse called without a file or an output", ERR_INVALID);
    }
    if (file == NULL) {
        return elf_fail(why, "file truncated: smaller than the ELF header", ERR_TRUNCATED);
    }
    st = check_ehdr(file, size, &eh, why);
    if (st != STATUS_OK) {
        return st;
    }
    st = scan_phdrs(file, &eh, &scan, why);
    if (st != STATUS_OK) {
        return st;
    }
    memset(&app, 0, sizeof(app));
    st = build_segments(&scan, size, &app, why);
    if (st != STATUS_OK) {
        return st;
    }
    if (!entry_is_executable(&app, eh.e_entry)) {
        return elf_fail(why, "entry point is not in an executable segment", ERR_RANGE);
    }
    app.entry = eh.e_entry;
    if (scan.has_dynamic) {
        dyn_info_t info;
        st = read_dynamic(file, size, &scan.dynamic, &info, why);
        if (st != STATUS_OK) {
            return st;
        }
        st = check_relocations(file, &info, &app, why);
        if (st != STATUS_OK) {
            return st;
        }
    }

    /* Everything is checked: only now is *out written. */
    *out = app;
    if (why != NULL) {
        *why = "ok";
    }
    return STATUS_OK;
}

/*
 * The cheap half of elfapp_parse's promises, re-derived from app and size alone: enough
 * that elfapp_load reads only inside the file and writes only inside [0, span).
 */
static bool app_fits(const elfapp_t *app, uint64_t size) {
    if (app->nsegments < 1 || app->nsegments > ELFAPP_MAX_SEGMENTS || app->span > ELFAPP_MAX_SPAN) {
        return false;
    }
    for (uint32_t i = 0; i < app->nsegments; i++) {
        const elfapp_segment_t *s = &app->seg[i];
        if (s->vaddr > app->span || s->mem_size > app->span - s->vaddr ||
            s->file_size > s->mem_size || !elf_in_file(s->file_off, s->file_size, size)) {
            return false;
        }
    }
    return app->rela_count <= size / sizeof(elf64_rela_t) &&
           elf_in_file(app->rela_off, app->rela_count * sizeof(elf64_rela_t), size);
}

status_t elfapp_load(const elfapp_t *app, const void *file, uint64_t size, uint64_t base,
                     const elfapp_sink_t *sink) {
    const uint8_t *bytes = file;

    if (app == NULL || file == NULL || sink == NULL || sink->write == NULL) {
        return ERR_INVALID;
    }
    if (base % ELFAPP_PAGE != 0) {
        return ERR_ALIGN;
    }
    if (base > ELFAPP_BASE_LIMIT || app->span > ELFAPP_BASE_LIMIT - base) {
        return ERR_RANGE;
    }
    if (!app_fits(app, size)) {
        return ERR_INVALID;
    }
    for (uint32_t i = 0; i < app->nsegments; i++) {
        const elfapp_segment_t *s = &app->seg[i];
        if (s->file_size == 0) {
            continue;
        }
        status_t st = sink->write(sink->arg, s->vaddr, bytes + s->file_off, s->file_size);
        if (st != STATUS_OK) {
            return st;
        }
    }
    /* After the copies, so relocated words override the file's placeholder bytes. */
    for (uint64_t i = 0; i < app->rela_count; i++) {
        elf64_rela_t r;
        memcpy(&r, bytes + app->rela_off + i * sizeof(r), sizeof(r));
        status_t st = check_rela(app, &r, NULL);
        if (st != STATUS_OK) {
            return st;
        }
        uint64_t value = base + (uint64_t)r.r_addend;
        uint8_t le[8];
        for (int b = 0; b < 8; b++) {
            le[b] = (uint8_t)(value >> (8 * b));
        }
        st = sink->write(sink->arg, r.r_offset, le, sizeof(le));
        if (st != STATUS_OK) {
            return st;
        }
    }
    return STATUS_OK;
}
