/*
 * x86-64 4-level paging: entry bits and address-split helpers (Intel SDM vol. 3A, 4.5).
 * Header-only constants; shared by the loader, the kernel and host tests.
 */
#pragma once

#include <stdint.h>

#define PAGE_SIZE 4096ull
#define PAGE_SHIFT 12
#define LARGE_PAGE_SIZE (2ull << 20) /* 2 MiB, a PD entry with PS */
#define HUGE_PAGE_SIZE (1ull << 30)  /* 1 GiB, a PDPT entry with PS */

#define PTE_P (1ull << 0)   /* present */
#define PTE_W (1ull << 1)   /* writable */
#define PTE_U (1ull << 2)   /* user accessible */
#define PTE_PWT (1ull << 3) /* write-through */
#define PTE_PCD (1ull << 4) /* cache disable */
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7) /* large page (PD/PDPT level) */
#define PTE_G (1ull << 8)  /* global */
#define PTE_NX (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

#define PCID_COUNT 4096          /* CR3[11:0] with CR4.PCIDE; PCID 0 is the kernel's */
#define CR3_NOFLUSH (1ull << 63) /* MOV to CR3 keeps the new PCID's TLB entries */

#define PT_INDEX(va, level) (((va) >> (12 + 9 * ((level)-1))) & 511) /* level 1..4 */

static inline uint64_t page_round_up(uint64_t x) {
    return (x + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

static inline uint64_t page_round_down(uint64_t x) {
    return x & ~(PAGE_SIZE - 1);
}
