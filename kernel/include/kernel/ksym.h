/*
 * Kernel symbolizer: maps code addresses to "function+offset" using the .symtab and
 * .strtab of the kernel's own ELF file, which the loader passes in memory
 * (bootinfo.kernel_file). Pure; every header, index and offset is bounds-checked, so a
 * corrupt file yields an error, never a fault.
 */
#pragma once

#include <exo/status.h>
#include <stdint.h>

typedef struct ksym_table {
    const uint8_t *file; /* the whole ELF file */
    uint64_t file_size;
    const void *syms; /* elf64_sym_t array inside file (may be unaligned-safe copied) */
    uint64_t nsyms;
    const char *strtab;
    uint64_t strtab_size;
} ksym_table_t;

/* ERR_BAD_FORMAT (not ELF64), ERR_TRUNCATED / ERR_RANGE (headers outside the file),
 * ERR_NOT_FOUND (no SHT_SYMTAB with a valid linked SHT_STRTAB). */
status_t ksym_init(ksym_table_t *t, const void *elf_file, uint64_t size);

/* Name of the STT_FUNC symbol containing addr (value <= addr < value + size), or if none
 * contains it, the nearest STT_FUNC below addr within 64 KiB. *offset gets addr - value.
 * NULL when nothing matches or the table is empty. */
const char *ksym_lookup(const ksym_table_t *t, uint64_t addr, uint64_t *offset);
