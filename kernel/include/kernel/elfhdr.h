/*
 * ELF64 header checks shared by the two ELF consumers: the UEFI loader's kernel check
 * (efi/kernel_elf.c) and the app loader (kernel/loader/elfapp.c). Pure; the file is
 * hostile, so every read is bounds-checked and the header is copied out (it may be
 * unaligned).
 */
#pragma once

#include <exo/elf64.h>
#include <exo/status.h>
#include <stdbool.h>
#include <stdint.h>

/* Sets *why (if non-NULL) to reason and returns status: the one-line error convention. */
static inline status_t elf_fail(const char **why, const char *reason, status_t status) {
    if (why != 0) {
        *why = reason;
    }
    return status;
}

/* True when [off, off + len) lies inside a file of `size` bytes (no overflow possible). */
static inline bool elf_in_file(uint64_t off, uint64_t len, uint64_t size) {
    return off <= size && len <= size - off;
}

#define ELF_PAGE 4096ull /* the page size both consumers lay segments out in */

static inline uint64_t elf_page_down(uint64_t a) {
    return a & ~(ELF_PAGE - 1);
}

/* Callers guarantee a <= 2^64 - ELF_PAGE, so the result does not wrap. */
static inline uint64_t elf_page_up(uint64_t a) {
    return (a + ELF_PAGE - 1) & ~(ELF_PAGE - 1);
}

/* Copies the header into *eh and checks everything but e_type (each caller wants its
 * own): magic, size, class ELF64, little-endian, version 1, machine x86-64, 56-byte
 * program headers, and the program header table inside the file. */
status_t elfhdr_check(const void *file, uint64_t size, elf64_ehdr_t *eh, const char **why);
