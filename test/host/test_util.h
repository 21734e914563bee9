/*
 * Helpers shared by the host test suites: a seeded PRNG (tests must be repeatable) and a
 * valid ELF64 x86-64 header to build test files from.
 */
#pragma once

#include <exo/elf64.h>
#include <stdint.h>
#include <string.h>

/* xorshift64 (Marsaglia): deterministic, never returns 0 for a non-zero seed. */
static inline uint64_t xorshift64(uint64_t *s) {
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

/* A zeroed header with the identification, type, machine and entry sizes of a valid
 * little-endian ELF64 x86-64 ET_EXEC file; tables (phoff/shoff, counts) are the caller's. */
static inline void test_elf_header(elf64_ehdr_t *eh) {
    memset(eh, 0, sizeof(*eh));
    eh->e_ident[0] = ELF_MAGIC0;
    eh->e_ident[1] = ELF_MAGIC1;
    eh->e_ident[2] = ELF_MAGIC2;
    eh->e_ident[3] = ELF_MAGIC3;
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_ehsize = sizeof(elf64_ehdr_t);
    eh->e_phentsize = sizeof(elf64_phdr_t);
    eh->e_shentsize = sizeof(elf64_shdr_t);
}

/* A program header; p_paddr mirrors p_vaddr. */
static inline elf64_phdr_t test_elf_phdr(uint32_t type, uint32_t flags, uint64_t off,
                                         uint64_t vaddr, uint64_t filesz, uint64_t memsz,
                                         uint64_t align) {
    elf64_phdr_t ph = {
        .p_type = type,
        .p_flags = flags,
        .p_offset = off,
        .p_vaddr = vaddr,
        .p_paddr = vaddr,
        .p_filesz = filesz,
        .p_memsz = memsz,
        .p_align = align,
    };
    return ph;
}

/* Copies [src, src + len) to file offset off of a size-byte file, clipped to the file. */
static inline void test_put_clipped(uint8_t *buf, uint64_t size, uint64_t off, const void *src,
                                    uint64_t len) {
    if (off >= size) {
        return;
    }
    if (len > size - off) {
        len = size - off;
    }
    memcpy(buf + off, src, len);
}

/* The byte every test file holds where no structure was written. */
static inline uint8_t test_elf_pattern(uint64_t i) {
    return (uint8_t)(i * 7 + 3);
}

/* Fills a size-byte file with the pattern, then writes eh and its program headers (at most
 * max_ph of ph[], at eh->e_phoff, stopping if the offset wraps), all clipped to the file. */
static inline void test_elf_write_headers(uint8_t *buf, uint64_t size, const elf64_ehdr_t *eh,
                                          const elf64_phdr_t *ph, uint16_t max_ph) {
    for (uint64_t i = 0; i < size; i++) {
        buf[i] = test_elf_pattern(i);
    }
    test_put_clipped(buf, size, 0, eh, sizeof(*eh));
    uint16_t n = eh->e_phnum < max_ph ? eh->e_phnum : max_ph;
    for (uint16_t i = 0; i < n; i++) {
        uint64_t off = eh->e_phoff + (uint64_t)i * sizeof(elf64_phdr_t);
        if (off < eh->e_phoff) {
            break;
        }
        test_put_clipped(buf, size, off, &ph[i], sizeof(ph[i]));
    }
}
