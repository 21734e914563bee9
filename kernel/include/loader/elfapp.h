/*
 * The app loader's view of a static-PIE ELF file: elfapp_parse validates a hostile file and
 * describes its segments and R_X86_64_RELATIVE table; elfapp_load copies and relocates it
 * through a caller-supplied sink. Pure C, compiled into the kernel and into host tools/tests.
 */
#pragma once

#include <exo/status.h>
#include <stdint.h>

#define ELFAPP_MAX_SEGMENTS 8
#define ELFAPP_MAX_SPAN (1ull << 30) /* an app image is at most 1 GiB */
#define ELFAPP_PAGE 4096ull
#define ELFAPP_BASE_LIMIT (1ull << 47) /* base + span must stay in the lower half */

#define ELFAPP_PROT_R 1u
#define ELFAPP_PROT_W 2u
#define ELFAPP_PROT_X 4u

typedef struct elfapp_segment {
    uint64_t start;     /* page-aligned offset from the image base (vaddr rounded down) */
    uint64_t size;      /* page-rounded size of the mapping */
    uint64_t vaddr;     /* exact offset where file bytes go */
    uint64_t file_off;  /* bytes [file_off, file_off + file_size) of the file are copied */
    uint64_t file_size; /* <= mem_size */
    uint64_t mem_size;  /* bytes from vaddr; those past file_size are zero (bss) */
    uint32_t prot;      /* ELFAPP_PROT_*, never W and X together */
    uint32_t _pad;
} elfapp_segment_t;

typedef struct elfapp {
    uint64_t span;      /* page-rounded bytes the image occupies from base (vaddr 0) */
    uint64_t entry;     /* entry point, offset from base; inside an executable segment */
    uint32_t nsegments; /* PT_LOAD segments, ascending, page ranges disjoint */
    uint32_t _pad;
    elfapp_segment_t seg[ELFAPP_MAX_SEGMENTS];
    uint64_t rela_off;   /* file offset of the validated R_X86_64_RELATIVE table */
    uint64_t rela_count; /* 24-byte entries at rela_off; 0 when the app needs none */
} elfapp_t;

/*
 * Validates the whole file (size bytes at file, any alignment) as a static PIE for
 * Exospace and fills *out; *out is written only on success. On failure returns a specific
 * ERR_* and sets *why (if non-NULL) to a constant one-line English reason; on success
 * *why is "ok". Never reads outside [file, file + size).
 *
 * Rules: ELF64, little-endian, version 1, ET_DYN, EM_X86_64, 56-byte program headers, all
 * inside the file; 1..ELFAPP_MAX_SEGMENTS PT_LOAD, each with p_align 0, 1 or a power of
 * two, p_vaddr and p_offset congruent modulo 4096, 0 < p_memsz, p_filesz <= p_memsz, file
 * bytes inside the file, not writable and executable, ascending with disjoint page ranges
 * and ending at most ELFAPP_MAX_SPAN above vaddr 0; no PT_INTERP, no PT_TLS, no executable
 * PT_GNU_STACK; entry inside an executable segment. The optional PT_DYNAMIC may ask only for
 * R_X86_64_RELATIVE relocations (DT_RELA, 24-byte entries, table inside one segment's file
 * bytes) of 8 bytes inside a writable segment; no DT_NEEDED, REL, RELR, PLT relocations or
 * text relocations.
 */
status_t elfapp_parse(const void *file, uint64_t size, elfapp_t *out, const char **why);

typedef struct elfapp_sink {
    /* Writes len (> 0) bytes at offset off from the image base into the zero-filled image. */
    status_t (*write)(void *arg, uint64_t off, const void *src, uint64_t len);
    void *arg;
} elfapp_sink_t;

/*
 * Copies every segment's file bytes through sink, then writes base + r_addend (8 bytes,
 * little-endian, wrapping modulo 2^64) at every relocation's r_offset, for an image placed
 * at base. base must be page-aligned (else ERR_ALIGN) and base + span <= 2^47 (else
 * ERR_RANGE). app must come from elfapp_parse of the same file; even so, app's bounds are
 * re-checked against size (ERR_INVALID) and every relocation is re-validated as in
 * elfapp_parse (its ERR_*), so a file changed after parsing still cannot make it read
 * outside [file, file + size) or write outside [0, span). Returns the first error of
 * sink->write as is; on any error the image may be partly written.
 */
status_t elfapp_load(const elfapp_t *app, const void *file, uint64_t size, uint64_t base,
                     const elfapp_sink_t *sink);
