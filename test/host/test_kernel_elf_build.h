/*
 * In-memory ELF builder and image invariant checker for test_kernel_elf.c. A test edits a
 * telf_t (headers + file size) and emits it into a malloc'd buffer of exactly that size, so
 * AddressSanitizer reports any read past the end of the "file".
 */
#pragma once

#include <exo/bootinfo.h>
#include <exo/elf64.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_elf.h"
#include "test_util.h"

#define KB BOOT_KERNEL_BASE
#define TELF_MAX_PH 16
#define TELF_PAGE 4096ull

typedef struct telf {
    elf64_ehdr_t eh;
    elf64_phdr_t ph[TELF_MAX_PH]; /* written at eh.e_phoff, eh.e_phnum of them (clipped) */
    uint64_t size;                /* file size; payload bytes are a fixed pattern */
} telf_t;

static elf64_phdr_t telf_ph(uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
                            uint64_t filesz, uint64_t memsz) {
    return test_elf_phdr(type, flags, off, vaddr, filesz, memsz, TELF_PAGE);
}

static void telf_header(telf_t *t, uint16_t phnum, uint64_t entry, uint64_t size) {
    memset(t, 0, sizeof(*t));
    test_elf_header(&t->eh);
    t->eh.e_entry = entry;
    t->eh.e_phoff = sizeof(elf64_ehdr_t);
    t->eh.e_phnum = phnum;
    t->size = size;
}

/*
 * The reference kernel: text (R+X, 0x1800 bytes), a PT_NOTE, rodata (R), data+bss (R+W,
 * starting mid-page) and a PT_GNU_STACK. Load segments are ph[0], ph[1], ph[3].
 */
static void telf_valid(telf_t *t) {
    telf_header(t, 5, KB + 0x40, 0x4300);
    t->ph[0] = telf_ph(PT_LOAD, PF_R | PF_X, 0x1000, KB, 0x1800, 0x1800);
    t->ph[1] = telf_ph(PT_LOAD, PF_R, 0x3000, KB + 0x2000, 0x500, 0x500);
    t->ph[2] = telf_ph(PT_NOTE, PF_R, 0x3000, KB + 0x2000, 0x20, 0x20);
    t->ph[3] = telf_ph(PT_LOAD, PF_R | PF_W, 0x4100, KB + 0x3100, 0x200, 0x3000);
    t->ph[4] = telf_ph(PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
}

/* n PT_LOAD segments of one page each, one page apart, the first one executable. */
static void telf_many(telf_t *t, uint16_t n) {
    telf_header(t, n, KB, 0x1000 + (uint64_t)n * TELF_PAGE);
    for (uint16_t i = 0; i < n; i++) {
        uint64_t off = 0x1000 + (uint64_t)i * TELF_PAGE;
        t->ph[i] =
            telf_ph(PT_LOAD, i == 0 ? PF_R | PF_X : PF_R, off, KB + 2 * i * TELF_PAGE, 0x10, 0x800);
    }
}

/* Writes the file into buf (t->size bytes). */
static void telf_write(const telf_t *t, uint8_t *buf) {
    test_elf_write_headers(buf, t->size, &t->eh, t->ph, TELF_MAX_PH);
}

/* A malloc'd copy of the file, exactly t->size bytes (at least 1 so malloc never fails). */
static uint8_t *telf_emit(const telf_t *t) {
    uint8_t *buf = malloc(t->size ? t->size : 1);
    if (buf != NULL) {
        telf_write(t, buf);
    }
    return buf;
}

/*
 * Every property a successful kelf_check promises, re-derived from the output alone plus
 * the file size: this is what the loader relies on.
 */
static bool telf_image_consistent(const kelf_image_t *img, uint64_t size) {
    if (img->nsegs < 1 || img->nsegs > KELF_MAX_SEGMENTS) {
        return false;
    }
    bool entry_ok = false;
    for (uint32_t i = 0; i < img->nsegs; i++) {
        const kelf_segment_t *s = &img->segs[i];
        uint64_t copy_off = s->copy_to - s->vaddr;
        if (s->vaddr % TELF_PAGE != 0 || s->memsz % TELF_PAGE != 0 || s->memsz == 0 ||
            s->vaddr < KB || s->vaddr > 0 - TELF_PAGE || s->memsz > (0 - TELF_PAGE) - s->vaddr ||
            s->copy_to < s->vaddr || copy_off >= TELF_PAGE || s->filesz > s->memsz - copy_off ||
            s->file_offset > size || s->filesz > size - s->file_offset ||
            s->copy_to % TELF_PAGE != s->file_offset % TELF_PAGE ||
            (s->flags & ~(uint32_t)(PF_R | PF_W | PF_X)) != 0 ||
            ((s->flags & PF_W) && (s->flags & PF_X))) {
            return false;
        }
        if (i > 0 && s->vaddr < img->segs[i - 1].vaddr + img->segs[i - 1].memsz) {
            return false;
        }
        if ((s->flags & PF_X) && img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz) {
            entry_ok = true;
        }
    }
    const kelf_segment_t *last = &img->segs[img->nsegs - 1];
    return entry_ok && img->vmin == img->segs[0].vaddr && img->vmax == last->vaddr + last->memsz &&
           img->vmax - img->vmin <= KELF_MAX_IMAGE;
}
