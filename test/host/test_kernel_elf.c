/*
 * Host tests for kelf_check (efi/kernel_elf.c): the exact description of a valid kernel,
 * one hostile file per rule, every truncation length, and a seeded mutation fuzz loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "test_kernel_elf_build.h"

/* Emits t into an exact-size buffer and checks it; *why is always set on return. */
static status_t run(const telf_t *t, kelf_image_t *img, const char **why) {
    uint8_t *buf = telf_emit(t);
    assert_non_null(buf);
    *why = NULL;
    status_t st = kelf_check(buf, t->size, img, why);
    free(buf);
    assert_non_null(*why);
    return st;
}

static void expect_fail(const telf_t *t, status_t want, const char *want_why) {
    kelf_image_t img;
    const char *why;
    status_t st = run(t, &img, &why);
    if (st != want || strcmp(why, want_why) != 0) {
        fail_msg("got %d \"%s\", want %d \"%s\"", st, why, want, want_why);
    }
}

static void expect_ok(const telf_t *t) {
    kelf_image_t img;
    const char *why;
    status_t st = run(t, &img, &why);
    if (st != STATUS_OK) {
        fail_msg("got %d \"%s\", want success", st, why);
    }
    assert_true(telf_image_consistent(&img, t->size));
}

static void assert_seg(const kelf_segment_t *s, uint64_t vaddr, uint64_t memsz, uint64_t off,
                       uint64_t filesz, uint64_t copy_to, uint32_t flags) {
    assert_int_equal(s->vaddr, vaddr);
    assert_int_equal(s->memsz, memsz);
    assert_int_equal(s->file_offset, off);
    assert_int_equal(s->filesz, filesz);
    assert_int_equal(s->copy_to, copy_to);
    assert_int_equal(s->flags, flags);
}

static void test_valid_image(void **state) {
    (void)state;
    telf_t t;
    kelf_image_t img;
    const char *why;
    telf_valid(&t);
    memset(&img, 0xa5, sizeof(img));
    assert_int_equal(run(&t, &img, &why), STATUS_OK);
    assert_int_equal(img.entry, KB + 0x40);
    assert_int_equal(img.vmin, KB);
    assert_int_equal(img.vmax, KB + 0x7000);
    assert_int_equal(img.nsegs, 3);
    assert_seg(&img.segs[0], KB, 0x2000, 0x1000, 0x1800, KB, PF_R | PF_X);
    assert_seg(&img.segs[1], KB + 0x2000, 0x1000, 0x3000, 0x500, KB + 0x2000, PF_R);
    assert_seg(&img.segs[2], KB + 0x3000, 0x4000, 0x4100, 0x200, KB + 0x3100, PF_R | PF_W);
    assert_true(telf_image_consistent(&img, t.size));
}

/* The loader's buffer carries no alignment promise; UBSan checks the accesses. */
static void test_unaligned_buffer_and_null_why(void **state) {
    (void)state;
    telf_t t;
    kelf_image_t img;
    telf_valid(&t);
    uint8_t *raw = malloc(t.size + 3);
    assert_non_null(raw);
    for (uint64_t shift = 1; shift <= 3; shift++) {
        telf_write(&t, raw + shift);
        assert_int_equal(kelf_check(raw + shift, t.size, &img, NULL), STATUS_OK);
        assert_int_equal(img.vmax, KB + 0x7000);
    }
    free(raw);
}

static void test_bad_arguments(void **state) {
    (void)state;
    kelf_image_t img;
    const char *why = NULL;
    assert_int_equal(kelf_check(NULL, 64, &img, &why), ERR_INVALID);
    assert_non_null(why);
    assert_int_equal(kelf_check(NULL, 0, &img, &why), ERR_TRUNCATED);
    uint8_t byte = 0x7f;
    assert_int_equal(kelf_check(&byte, 1, NULL, &why), ERR_INVALID);
}

/* Every prefix of the valid file must fail as truncated, reading only the prefix. */
static void test_truncated_every_length(void **state) {
    (void)state;
    telf_t t;
    telf_valid(&t);
    uint8_t *full = telf_emit(&t);
    assert_non_null(full);
    for (uint64_t len = 0; len < t.size; len++) {
        uint8_t *part = malloc(len ? len : 1);
        assert_non_null(part);
        memcpy(part, full, len);
        kelf_image_t img;
        const char *why = NULL;
        status_t st = kelf_check(part, len, &img, &why);
        free(part);
        if (st != ERR_TRUNCATED || why == NULL) {
            fail_msg("length %llu: got %d \"%s\"", (unsigned long long)len, st, why);
        }
    }
    free(full);
}

static void test_ident_rules(void **state) {
    (void)state;
    telf_t t;
    telf_valid(&t);
    t.eh.e_ident[1] = 'X';
    expect_fail(&t, ERR_BAD_FORMAT, "not an ELF file (bad magic)");
    telf_valid(&t);
    t.size = 2; /* "\x7fX": short, and already not ELF */
    t.eh.e_ident[1] = 'X';
    expect_fail(&t, ERR_BAD_FORMAT, "not an ELF file (bad magic)");
    telf_valid(&t);
    t.eh.e_ident[EI_CLASS] = 1;
    expect_fail(&t, ERR_BAD_FORMAT, "ELF class is not 64-bit");
    telf_valid(&t);
    t.eh.e_ident[EI_DATA] = 2;
    expect_fail(&t, ERR_BAD_FORMAT, "ELF data is not little-endian");
    telf_valid(&t);
    t.eh.e_ident[EI_VERSION] = 0;
    expect_fail(&t, ERR_BAD_FORMAT, "ELF version is not 1");
    telf_valid(&t);
    t.eh.e_version = 2;
    expect_fail(&t, ERR_BAD_FORMAT, "ELF version is not 1");
    telf_valid(&t);
    t.eh.e_machine = 3; /* EM_386 */
    expect_fail(&t, ERR_BAD_FORMAT, "machine is not x86-64");
    telf_valid(&t);
    t.eh.e_type = ET_DYN;
    expect_fail(&t, ERR_UNSUPPORTED, "ELF type is not ET_EXEC (static executable)");
}

static void test_program_header_table(void **state) {
    (void)state;
    telf_t t;
    telf_valid(&t);
    t.eh.e_phoff = t.size + 1;
    expect_fail(&t, ERR_TRUNCATED, "file truncated: program headers start past end");
    t.eh.e_phoff = UINT64_MAX;
    expect_fail(&t, ERR_TRUNCATED, "file truncated: program headers start past end");
    /* A table ending exactly at the end of the file is fine. */
    telf_valid(&t);
    t.eh.e_phoff = t.size - 5 * sizeof(elf64_phdr_t);
    expect_ok(&t);
    t.eh.e_phoff++;
    expect_fail(&t, ERR_TRUNCATED, "file truncated: program headers extend past end");
    /* 1171 * 56 wraps to 40 in 16 bits: the size must be computed wide. */
    telf_valid(&t);
    t.eh.e_phnum = 1171;
    expect_fail(&t, ERR_TRUNCATED, "file truncated: program headers extend past end");
    telf_valid(&t);
    t.eh.e_phnum = 0xffff;
    expect_fail(&t, ERR_TRUNCATED, "file truncated: program headers extend past end");
    telf_valid(&t);
    t.eh.e_phentsize = 64;
    expect_fail(&t, ERR_BAD_FORMAT, "program header entry size is not 56");
    t.eh.e_phentsize = 0;
    expect_fail(&t, ERR_BAD_FORMAT, "program header entry size is not 56");
}

static void test_segment_count(void **state) {
    (void)state;
    telf_t t;
    telf_valid(&t);
    t.eh.e_phnum = 0;
    expect_fail(&t, ERR_INVALID, "no PT_LOAD segment");
    telf_valid(&t);
    t.ph[0].p_type = t.ph[1].p_type = t.ph[3].p_type = PT_NULL;
    expect_fail(&t, ERR_INVALID, "no PT_LOAD segment");
    telf_many(&t, KELF_MAX_SEGMENTS);
    expect_ok(&t);
    telf_many(&t, KELF_MAX_SEGMENTS + 1);
    expect_fail(&t, ERR_TOO_BIG, "too many PT_LOAD segments (more than 8)");
}

static void test_dynamic_headers(void **state) {
    (void)state;
    telf_t t;
    telf_valid(&t);
    t.ph[2].p_type = PT_INTERP;
    expect_fail(&t, ERR_UNSUPPORTED, "has PT_INTERP: a dynamic loader is not supported");
    t.ph[2].p_type = PT_DYNAMIC;
    expect_fail(&t, ERR_UNSUPPORTED, "has PT_DYNAMIC: dynamic linking is not supported");
}

static void test_segment_sizes(void **state) {
    (void)state;
    telf_t t;
    telf_valid(&t);
    t.ph[1].p_filesz = t.ph[1].p_memsz + 1;
    expect_fail(&t, ERR_INVALID, "segment 1 has file size larger than memory size");
    telf_valid(&t);
    t.ph[1].p_filesz = t.ph[1].p_memsz = 0;
    expect_fail(&t, ERR_INVALID, "segment 1 has zero size in memory");
    /* Segment 2 (ph[3]) ends exactly at the end of the file; one more byte is too many. */
    telf_valid(&t);
    t.ph[3].p_filesz = t.size - t.ph[3].p_offset;
    expect_ok(&t);
    t.ph[3].p_filesz++;
    expect_fail(&t, ERR_TRUNCATED, "segment 2 file data extends past end of file");
    /* offset + filesz wraps to a small value: a naive sum would pass. */
    telf_valid(&t);
    t.ph[3].p_offset = 0xffffffffffffff00ull;
    t.ph[3].p_vaddr = KB + 0x3f00;
    expect_fail(&t, ERR_TRUNCATED, "segment 2 file data extends past end of file");
    telf_valid(&t);
    t.ph[3].p_filesz = 0xffffffffffffff00ull;
    t.ph[3].p_memsz = UINT64_MAX;
    expect_fail(&t, ERR_TRUNCATED, "segment 2 file data extends past end of file");
    telf_valid(&t);
    t.ph[3].p_offset = t.size + TELF_PAGE;
    t.ph[3].p_filesz = 0;
    expect_fail(&t, ERR_TRUNCATED, "segment 2 file data extends past end of file");
}

static void test_segment_placement(void **state) {
    (void)state;
    telf_t t;
    telf_valid(&t);
    t.ph[1].p_vaddr += 0x10;
    expect_fail(&t, ERR_ALIGN, "segment 1 vaddr and file offset differ modulo the page size");
    telf_valid(&t);
    t.ph[0].p_vaddr = KB - TELF_PAGE;
    t.eh.e_entry = KB - TELF_PAGE;
    expect_fail(&t, ERR_RANGE, "segment 0 is outside the kernel's -2 GiB window");
    telf_valid(&t);
    t.ph[0].p_vaddr = 0x1000000;
    expect_fail(&t, ERR_RANGE, "segment 0 is outside the kernel's -2 GiB window");
    /* vaddr + memsz wraps past 2^64. */
    telf_valid(&t);
    t.ph[3].p_memsz = (0 - t.ph[3].p_vaddr) + 0x1000;
    expect_fail(&t, ERR_RANGE, "segment 2 wraps past the top of the address space");
    telf_valid(&t);
    t.ph[3].p_memsz = UINT64_MAX;
    expect_fail(&t, ERR_RANGE, "segment 2 wraps past the top of the address space");
    /* The last page is refused so vmax stays representable. */
    telf_valid(&t);
    t.ph[3].p_vaddr = 0xfffffffffffff100ull;
    t.ph[3].p_filesz = t.ph[3].p_memsz = 0x10;
    expect_fail(&t, ERR_RANGE, "segment 2 wraps past the top of the address space");
    telf_valid(&t);
    t.ph[0].p_flags = PF_R | PF_W | PF_X;
    expect_fail(&t, ERR_PERM, "segment 0 is both writable and executable");
    telf_valid(&t);
    t.ph[3].p_flags = PF_W | PF_X;
    expect_fail(&t, ERR_PERM, "segment 2 is both writable and executable");
}

static void test_segment_layout(void **state) {
    (void)state;
    telf_t t;
    telf_valid(&t);
    elf64_phdr_t tmp = t.ph[0];
    t.ph[0] = t.ph[1];
    t.ph[1] = tmp;
    expect_fail(&t, ERR_INVALID, "segments 0 and 1 are not sorted by address");
    telf_valid(&t);
    t.ph[1].p_vaddr = KB + 0x1000;
    expect_fail(&t, ERR_OVERLAP, "segments 0 and 1 overlap");
    telf_valid(&t);
    t.ph[1].p_vaddr = KB; /* same start */
    expect_fail(&t, ERR_OVERLAP, "segments 0 and 1 overlap");
    /* Segment 1 starts right where segment 0 ends, but inside the same page. */
    telf_valid(&t);
    t.ph[1].p_vaddr = KB + 0x1800;
    t.ph[1].p_offset = 0x2800;
    expect_fail(&t, ERR_OVERLAP, "segments 0 and 1 share a page");
    telf_valid(&t);
    t.ph[3].p_vaddr = KB + 0x2f00;
    t.ph[3].p_offset = 0x3f00;
    expect_fail(&t, ERR_OVERLAP, "segments 1 and 2 share a page");
}

static void test_span_limit(void **state) {
    (void)state;
    telf_t t;
    telf_valid(&t);
    /* data+bss ends exactly KELF_MAX_IMAGE above the first page: allowed. */
    t.ph[3].p_vaddr = KB + KELF_MAX_IMAGE - 0x3000 + 0x100;
    t.ph[3].p_memsz = 0x2f00;
    expect_ok(&t);
    t.ph[3].p_memsz++;
    expect_fail(&t, ERR_TOO_BIG, "image spans more than 256 MiB");
    telf_valid(&t);
    t.ph[3].p_vaddr = KB + 0x7ff00100ull;
    expect_fail(&t, ERR_TOO_BIG, "image spans more than 256 MiB");
}

static void test_entry_point(void **state) {
    (void)state;
    telf_t t;
    telf_valid(&t);
    t.eh.e_entry = KB + 0x17ff; /* last byte of the text segment */
    expect_ok(&t);
    t.eh.e_entry = KB + 0x1800; /* page-rounded slack is not executable code */
    expect_fail(&t, ERR_RANGE, "entry point is not in an executable segment");
    t.eh.e_entry = KB + 0x2000; /* rodata */
    expect_fail(&t, ERR_RANGE, "entry point is not in an executable segment");
    t.eh.e_entry = 0;
    expect_fail(&t, ERR_RANGE, "entry point is not in an executable segment");
    t.eh.e_entry = KB - 1;
    expect_fail(&t, ERR_RANGE, "entry point is not in an executable segment");
}

/*
 * Mutates the valid file, mostly in its headers, and requires every outcome to be either
 * a clean failure with a reason or a success whose description is internally consistent.
 */
static void test_mutation_fuzz(void **state) {
    (void)state;
    static const uint64_t interesting[] = {
        0,
        1,
        0x1000,
        0x7fffffffffffffffull,
        0x8000000000000000ull,
        UINT64_MAX,
        UINT64_MAX - 0xfff,
        KB,
        KB - 1,
        KB + 0x1000,
        0xffffffffffffff00ull,
        0x4300,
    };
    telf_t t;
    telf_valid(&t);
    uint8_t *valid = telf_emit(&t);
    uint8_t *buf = malloc(t.size);
    assert_non_null(valid);
    assert_non_null(buf);
    const uint64_t hdr_end = sizeof(elf64_ehdr_t) + 5 * sizeof(elf64_phdr_t);
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    unsigned ok = 0;
    unsigned failed = 0;

    for (int iter = 0; iter < 20000; iter++) {
        memcpy(buf, valid, t.size);
        int nmut = 1 + (int)(xorshift64(&seed) % 4);
        for (int m = 0; m < nmut; m++) {
            uint64_t r = xorshift64(&seed);
            uint64_t pos = (r & 3) != 0 ? (r >> 8) % hdr_end : (r >> 8) % t.size;
            switch ((r >> 2) % 3) {
            case 0:
                buf[pos] ^= (uint8_t)(1u << ((r >> 40) % 8));
                break;
            case 1:
                buf[pos] = (uint8_t)(r >> 48);
                break;
            default:
                pos &= ~7ull;
                uint64_t v = interesting[(r >> 40) % (sizeof(interesting) / sizeof(*interesting))];
                memcpy(buf + pos, &v, sizeof(v));
                break;
            }
        }
        kelf_image_t img;
        const char *why = NULL;
        status_t st = kelf_check(buf, t.size, &img, &why);
        assert_non_null(why);
        if (st == STATUS_OK) {
            ok++;
            if (!telf_image_consistent(&img, t.size)) {
                fail_msg("iteration %d: inconsistent success", iter);
            }
        } else {
            failed++;
            assert_true(st < 0);
        }
    }
    free(buf);
    free(valid);
    /* Both outcomes must occur, or the loop is not exercising the checker. */
    assert_true(ok > 100);
    assert_true(failed > 1000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_image),    cmocka_unit_test(test_unaligned_buffer_and_null_why),
        cmocka_unit_test(test_bad_arguments),  cmocka_unit_test(test_truncated_every_length),
        cmocka_unit_test(test_ident_rules),    cmocka_unit_test(test_program_header_table),
        cmocka_unit_test(test_segment_count),  cmocka_unit_test(test_dynamic_headers),
        cmocka_unit_test(test_segment_sizes),  cmocka_unit_test(test_segment_placement),
        cmocka_unit_test(test_segment_layout), cmocka_unit_test(test_span_limit),
        cmocka_unit_test(test_entry_point),    cmocka_unit_test(test_mutation_fuzz),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
