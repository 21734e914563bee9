/*
 * Kernel symbolizer over the kernel's own ELF file: ksym_init locates .symtab and its
 * linked string table through the section headers, ksym_lookup scans the symbols linearly.
 * The file is untrusted and may be unaligned: every structure is bounds-checked and memcpy'd.
 */
#include <exo/elf64.h>
#include <kernel/ksym.h>
#include <kernel/string.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How far past the start of a function an address may lie and still be attributed to it. */
#define KSYM_NEAR_LIMIT (64ull << 10)

/* True when [off, off + len) lies inside a file of `size` bytes (no overflow possible). */
static bool in_file(uint64_t off, uint64_t len, uint64_t size) {
    return off <= size && len <= size - off;
}

/* Caller guarantees index < e_shnum and that the table was bounds-checked. */
static void read_shdr(const uint8_t *file, const elf64_ehdr_t *eh, uint32_t index,
                      elf64_shdr_t *sh) {
    memcpy(sh, file + eh->e_shoff + (uint64_t)index * sizeof(*sh), sizeof(*sh));
}

static status_t check_ehdr(const uint8_t *file, uint64_t size, elf64_ehdr_t *eh) {
    static const uint8_t magic[4] = {ELF_MAGIC0, ELF_MAGIC1, ELF_MAGIC2, ELF_MAGIC3};
    uint64_t have = size < 4 ? size : 4;

    if (memcmp(file, magic, (size_t)have) != 0) {
        return ERR_BAD_FORMAT;
    }
    if (size < sizeof(*eh)) {
        return ERR_TRUNCATED;
    }
    memcpy(eh, file, sizeof(*eh));
    if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB) {
        return ERR_BAD_FORMAT;
    }
    /* No section headers at all (e_shnum == 0 also covers extended numbering). */
    if (eh->e_shnum == 0) {
        return ERR_NOT_FOUND;
    }
    if (eh->e_shentsize != sizeof(elf64_shdr_t)) {
        return ERR_BAD_FORMAT;
    }
    /* e_shnum * 64 < 2^22: computed in 64 bits it cannot overflow. */
    if (!in_file(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(elf64_shdr_t), size)) {
        return ERR_TRUNCATED;
    }
    return STATUS_OK;
}

status_t ksym_init(ksym_table_t *t, const void *elf_file, uint64_t size) {
    const uint8_t *file = elf_file;
    elf64_ehdr_t eh;
    elf64_shdr_t symtab;
    elf64_shdr_t strtab;
    uint32_t i;
    status_t st;

    if (t == NULL || (file == NULL && size != 0)) {
        return ERR_INVALID;
    }
    if (file == NULL) {
        return ERR_TRUNCATED;
    }
    st = check_ehdr(file, size, &eh);
    if (st != STATUS_OK) {
        return st;
    }
    /* The gABI allows one SHT_SYMTAB per file; the first one found is used. */
    for (i = 0; i < eh.e_shnum; i++) {
        read_shdr(file, &eh, i, &symtab);
        if (symtab.sh_type == SHT_SYMTAB) {
            break;
        }
    }
    if (i == eh.e_shnum) {
        return ERR_NOT_FOUND;
    }
    if (!in_file(symtab.sh_offset, symtab.sh_size, size)) {
        return ERR_RANGE;
    }
    if (symtab.sh_entsize != sizeof(elf64_sym_t) || symtab.sh_size % sizeof(elf64_sym_t) != 0) {
        return ERR_BAD_FORMAT;
    }
    if (symtab.sh_link == SHN_UNDEF || symtab.sh_link >= eh.e_shnum) {
        return ERR_NOT_FOUND;
    }
    read_shdr(file, &eh, symtab.sh_link, &strtab);
    if (strtab.sh_type != SHT_STRTAB) {
        return ERR_NOT_FOUND;
    }
    if (!in_file(strtab.sh_offset, strtab.sh_size, size)) {
        return ERR_RANGE;
    }

    t->file = file;
    t->file_size = size;
    t->syms = file + symtab.sh_offset;
    t->nsyms = symtab.sh_size / sizeof(elf64_sym_t);
    t->strtab = (const char *)file + strtab.sh_offset;
    t->strtab_size = strtab.sh_size;
    return STATUS_OK;
}

/* The symbol's name if it is non-empty and NUL-terminated inside the string table. */
static const char *sym_name(const ksym_table_t *t, const elf64_sym_t *sym) {
    if (sym->st_name == 0 || sym->st_name >= t->strtab_size) {
        return NULL;
    }
    const char *name = t->strtab + sym->st_name;
    uint64_t room = t->strtab_size - sym->st_name;
    size_t len = strnlen(name, (size_t)room);
    if (len == 0 || len == room) {
        return NULL;
    }
    return name;
}

const char *ksym_lookup(const ksym_table_t *t, uint64_t addr, uint64_t *offset) {
    const char *inside = NULL; /* best symbol whose [value, value + size) holds addr */
    uint64_t inside_value = 0;
    const char *below = NULL; /* best symbol starting within KSYM_NEAR_LIMIT below addr */
    uint64_t below_value = 0;

    if (t == NULL || t->syms == NULL || t->strtab == NULL) {
        return NULL;
    }
    for (uint64_t i = 0; i < t->nsyms; i++) {
        elf64_sym_t sym;
        memcpy(&sym, (const uint8_t *)t->syms + i * sizeof(sym), sizeof(sym));
        if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF ||
            sym.st_value > addr) {
            continue;
        }
        uint64_t delta = addr - sym.st_value;
        bool contains = delta < sym.st_size;
        bool near = delta < KSYM_NEAR_LIMIT;
        if (!contains && !near) {
            continue;
        }
        /* Among candidates of one kind the highest start wins (the innermost alias). */
        if (contains && inside != NULL && sym.st_value <= inside_value) {
            continue;
        }
        if (!contains && below != NULL && sym.st_value <= below_value) {
            continue;
        }
        const char *name = sym_name(t, &sym);
        if (name == NULL) {
            continue;
        }
        if (contains) {
            inside = name;
            inside_value = sym.st_value;
        } else {
            below = name;
            below_value = sym.st_value;
        }
    }
    if (inside != NULL) {
        if (offset != NULL) {
            *offset = addr - inside_value;
        }
        return inside;
    }
    if (below != NULL) {
        if (offset != NULL) {
            *offset = addr - below_value;
        }
        return below;
    }
    return NULL;
}
