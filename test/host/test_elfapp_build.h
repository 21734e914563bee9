/*
 * In-memory static-PIE builder for test_elfapp.c: a test edits a tapp_t (headers, dynamic
 * and relocation tables, file size) and emits it into a malloc'd buffer of exactly that
 * size, so AddressSanitizer reports any read past the end of the "file".
 */
#pragma once

#include <exo/elf64.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#define PAGE 4096ull
#define BASE 0x400000000ull
#define TA_MAX_PH 12
#define TA_MAX_DYN 8 /* PT_DYNAMIC holds exactly this many entries (0x80 bytes) */
#define TA_MAX_RELA 8
#define TA_BUFFER_LIMIT (16ull << 20) /* larger images are loaded without a buffer */

/*
 * An app under construction: headers plus the dynamic and relocation tables, each written
 * at its file offset over a fixed byte pattern, clipped to `size`.
 */
typedef struct tapp {
    elf64_ehdr_t eh;
    elf64_phdr_t ph[TA_MAX_PH]; /* at eh.e_phoff, eh.e_phnum of them (clipped) */
    uint64_t dyn_off;
    elf64_dyn_t dyn[TA_MAX_DYN]; /* all TA_MAX_DYN written at dyn_off */
    uint64_t rela_off;
    elf64_rela_t rela[TA_MAX_RELA]; /* nrela written at rela_off */
    uint32_t nrela;
    uint64_t size;
} tapp_t;

/* Indices of the valid app's program headers. */
enum { PH_PHDR, PH_R, PH_RX, PH_RW, PH_DYN, PH_RELRO, PH_STACK, PH_COUNT };

static elf64_rela_t ta_rela(uint64_t off, int64_t addend) {
    elf64_rela_t r = {
        .r_offset = off, .r_info = ELF64_R_INFO(0, R_X86_64_RELATIVE), .r_addend = addend};
    return r;
}

/*
 * The reference app, laid out the way ld.lld lays out a static PIE:
 *   R   [0x0000, 0x0300)  file 0x0000  headers, RELA table at 0x200 (4 entries)
 *   RX  [0x1000, 0x1180)  file 0x1000  entry at 0x1010
 *   RW  [0x3100, 0x4500)  file 0x2100, 0x200 file bytes, the rest bss; .dynamic first
 * span 0x5000. Relocations: 0x3180 <- base+0x1010, 0x3200 <- base+0x3100,
 * 0x3191 (unaligned) <- base-0x10 (wraps at base 0), 0x4000 (bss) <- base+0x200.
 */
static void ta_valid(tapp_t *t) {
    memset(t, 0, sizeof(*t));
    test_elf_header(&t->eh);
    t->eh.e_type = ET_DYN;
    t->eh.e_entry = 0x1010;
    t->eh.e_phoff = sizeof(elf64_ehdr_t);
    t->eh.e_phnum = PH_COUNT;
    t->size = 0x2300;
    t->ph[PH_PHDR] = test_elf_phdr(PT_PHDR, PF_R, 0x40, 0x40, PH_COUNT * 56, PH_COUNT * 56, 8);
    t->ph[PH_R] = test_elf_phdr(PT_LOAD, PF_R, 0, 0, 0x300, 0x300, PAGE);
    t->ph[PH_RX] = test_elf_phdr(PT_LOAD, PF_R | PF_X, 0x1000, 0x1000, 0x180, 0x180, PAGE);
    t->ph[PH_RW] = test_elf_phdr(PT_LOAD, PF_R | PF_W, 0x2100, 0x3100, 0x200, 0x1400, PAGE);
    t->ph[PH_DYN] = test_elf_phdr(PT_DYNAMIC, PF_R | PF_W, 0x2100, 0x3100, 0x80, 0x80, 8);
    t->ph[PH_RELRO] = test_elf_phdr(PT_GNU_RELRO, PF_R, 0x2100, 0x3100, 0x80, 0xf00, 1);
    t->ph[PH_STACK] = test_elf_phdr(PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0);
    t->dyn_off = 0x2100;
    t->dyn[0] = (elf64_dyn_t){DT_RELA, 0x200};
    t->dyn[1] = (elf64_dyn_t){DT_RELASZ, 4 * sizeof(elf64_rela_t)};
    t->dyn[2] = (elf64_dyn_t){DT_RELAENT, sizeof(elf64_rela_t)};
    t->dyn[3] = (elf64_dyn_t){DT_RELACOUNT, 4};
    t->dyn[4] = (elf64_dyn_t){DT_FLAGS_1, DF_1_PIE};
    t->rela_off = 0x200;
    t->nrela = 4;
    t->rela[0] = ta_rela(0x3180, 0x1010);
    t->rela[1] = ta_rela(0x3200, 0x3100);
    t->rela[2] = ta_rela(0x3191, -0x10);
    t->rela[3] = ta_rela(0x4000, 0x200);
}

/* n PT_LOAD segments of 0x100 bytes, one page apart, the first executable; no PT_DYNAMIC. */
static void ta_many(tapp_t *t, uint16_t n) {
    ta_valid(t);
    t->eh.e_phnum = n;
    t->eh.e_entry = 0;
    t->size = (uint64_t)n * PAGE;
    for (uint16_t i = 0; i < n; i++) {
        t->ph[i] = test_elf_phdr(PT_LOAD, i == 0 ? PF_R | PF_X : PF_R, i * PAGE, i * PAGE, 0x100,
                                 0x100, PAGE);
    }
    t->nrela = 0;
    memset(t->dyn, 0, sizeof(t->dyn));
}

/* Sets the first entry with `tag` (or, failing that, the first DT_NULL) to tag = val. */
static void ta_dyn_set(tapp_t *t, int64_t tag, uint64_t val) {
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < TA_MAX_DYN; i++) {
            if (t->dyn[i].d_tag == (pass == 0 ? tag : DT_NULL)) {
                t->dyn[i] = (elf64_dyn_t){tag, val};
                return;
            }
        }
    }
    fail_msg("no room for dynamic tag %lld", (long long)tag);
}

/* Removes the entry with `tag`, keeping the others in order. */
static void ta_dyn_del(tapp_t *t, int64_t tag) {
    for (int i = 0; i < TA_MAX_DYN; i++) {
        if (t->dyn[i].d_tag == tag) {
            memmove(&t->dyn[i], &t->dyn[i + 1], (TA_MAX_DYN - 1 - i) * sizeof(t->dyn[0]));
            t->dyn[TA_MAX_DYN - 1] = (elf64_dyn_t){DT_NULL, 0};
            return;
        }
    }
    fail_msg("no dynamic tag %lld", (long long)tag);
}

static void ta_write(const tapp_t *t, uint8_t *buf) {
    test_elf_write_headers(buf, t->size, &t->eh, t->ph, TA_MAX_PH);
    test_put_clipped(buf, t->size, t->dyn_off, t->dyn, sizeof(t->dyn));
    test_put_clipped(buf, t->size, t->rela_off, t->rela, t->nrela * sizeof(t->rela[0]));
}

/* A malloc'd copy of exactly t->size bytes, so ASan catches any read past the end. */
static uint8_t *ta_emit(const tapp_t *t) {
    uint8_t *buf = malloc(t->size ? t->size : 1);
    assert_non_null(buf);
    ta_write(t, buf);
    return buf;
}
