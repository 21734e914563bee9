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
