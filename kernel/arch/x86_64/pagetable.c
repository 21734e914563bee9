/*
 * 4-level page-table construction and lookup (Intel SDM vol. 3A, 4.5). Pure: frames come
 * from the caller's pt_ctx_t callbacks, so the loader, the kernel and host tests share it.
 */
#include <arch/mmu.h>
#include <mm/pagetable.h>

#include <stdbool.h>
#include <stddef.h>

static bool va_canonical(uint64_t va) {
    uint64_t top = va >> 47;
    return top == 0 || top == 0x1ffff;
}

static uint64_t *table_at(const pt_ctx_t *pt, uint64_t phys) {
    return (uint64_t *)pt->table_ptr(pt->arg, phys & PTE_ADDR_MASK);
}

/* Level (1 = PT, 2 = PD, 3 = PDPT) whose entries map pages of page_size; 0 if invalid. */
static int leaf_level(uint64_t page_size) {
    switch (page_size) {
    case PAGE_SIZE:
        return 1;
    case LARGE_PAGE_SIZE:
        return 2;
    case HUGE_PAGE_SIZE:
        return 3;
    default:
        return 0;
    }
}

/* Returns the entry for va at `level`, creating missing tables above it. NULL with *err
 * set when a large page sits in the way or a table cannot be allocated. */
static uint64_t *walk_create(const pt_ctx_t *pt, uint64_t va, int level, uint64_t user,
                             status_t *err) {
    uint64_t *table = table_at(pt, pt->root);
    for (int l = 4; l > level; l--) {
        uint64_t *e = &table[PT_INDEX(va, l)];
        if (!(*e & PTE_P)) {
            uint64_t frame = pt->alloc_table(pt->arg);
            if (frame == 0) {
                *err = ERR_NO_MEMORY;
                return NULL;
            }
            *e = frame | PTE_P | PTE_W | user;
        } else if (*e & PTE_PS) {
            *err = ERR_OVERLAP;
            return NULL;
        } else {
            *e |= user;
        }
        table = table_at(pt, *e);
    }
    return &table[PT_INDEX(va, level)];
}

status_t pt_map(const pt_ctx_t *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
                uint64_t page_size) {
    int level = leaf_level(page_size);
    uint64_t last = va + size - 1;
    /* The whole range must sit in one canonical half: no wrap-around, no hole crossing. */
    if (level == 0 || !va_canonical(va) ||
        (size && (last < va || !va_canonical(last) || (last >> 47) != (va >> 47)))) {
        return ERR_INVALID;
    }
    if ((va | pa | size) & (page_size - 1)) {
        return ERR_ALIGN;
    }
    uint64_t user = flags & PTE_U;
    uint64_t leaf = (flags & ~PTE_ADDR_MASK) | PTE_P | (level > 1 ? PTE_PS : 0);
    for (uint64_t off = 0; off < size; off += page_size) {
        status_t err = STATUS_OK;
        uint64_t *e = walk_create(pt, va + off, level, user, &err);
        if (e == NULL) {
            return err;
        }
        if (*e & PTE_P) {
            return ERR_OVERLAP;
        }
        *e = ((pa + off) & PTE_ADDR_MASK) | leaf;
    }
    return STATUS_OK;
}

status_t pt_reserve_top(const pt_ctx_t *pt, uint64_t va) {
    if (!va_canonical(va)) {
        return ERR_INVALID;
    }
    uint64_t *e = &table_at(pt, pt->root)[PT_INDEX(va, 4)];
    if (*e & PTE_P) {
        return STATUS_OK;
    }
    uint64_t frame = pt->alloc_table(pt->arg);
    if (frame == 0) {
        return ERR_NO_MEMORY;
    }
    *e = frame | PTE_P | PTE_W;
    return STATUS_OK;
}

/* Finds the leaf entry mapping va; NULL if none. *level_out gets its level. */
static uint64_t *walk_find(const pt_ctx_t *pt, uint64_t va, int *level_out) {
    if (!va_canonical(va)) {
        return NULL;
    }
    uint64_t *table = table_at(pt, pt->root);
    for (int l = 4; l >= 1; l--) {
        uint64_t *e = &table[PT_INDEX(va, l)];
        if (!(*e & PTE_P)) {
            return NULL;
        }
        if (l == 1 || (l <= 3 && (*e & PTE_PS))) {
            *level_out = l;
            return e;
        }
        table = table_at(pt, *e);
    }
    return NULL;
}

static uint64_t level_page_size(int level) {
    return level == 1 ? PAGE_SIZE : level == 2 ? LARGE_PAGE_SIZE : HUGE_PAGE_SIZE;
}

status_t pt_query(const pt_ctx_t *pt, uint64_t va, uint64_t *pa, uint64_t *flags,
                  uint64_t *page_size) {
    int level = 0;
    uint64_t *e = walk_find(pt, va, &level);
    if (e == NULL) {
        return ERR_NOT_FOUND;
    }
    uint64_t size = level_page_size(level);
    uint64_t base = *e & PTE_ADDR_MASK & ~(size - 1);
    if (pa) {
        *pa = base + (va & (size - 1));
    }
    if (flags) {
        *flags = *e & ~(PTE_ADDR_MASK & ~(size - 1));
    }
    if (page_size) {
        *page_size = size;
    }
    return STATUS_OK;
}

status_t pt_unmap(const pt_ctx_t *pt, uint64_t va, uint64_t *page_size) {
    int level = 0;
    uint64_t *e = walk_find(pt, va, &level);
    if (e == NULL) {
        return ERR_NOT_FOUND;
    }
    *e = 0;
    if (page_size) {
        *page_size = level_page_size(level);
    }
    return STATUS_OK;
}

/* Frees the tables under entry e of a level-`level` table (2 = PD, 3 = PDPT, 4 = PML4
 * entries point to PDs, PDPTs, PTs below them). Large-page and 4 KiB leaves are left to
 * their owners; only table frames go to free_table. */
static uint64_t free_below(const pt_ctx_t *pt, uint64_t e, int level,
                           void (*free_table)(void *arg, uint64_t phys)) {
    uint64_t freed = 0;
    if (level > 2) {
        uint64_t *t = table_at(pt, e);
        for (int i = 0; i < 512; i++) {
            if ((t[i] & PTE_P) && !(t[i] & PTE_PS)) {
                freed += free_below(pt, t[i], level - 1, free_table);
            }
        }
    }
    free_table(pt->arg, e & PTE_ADDR_MASK);
    return freed + 1;
}

uint64_t pt_free_tables(const pt_ctx_t *pt, unsigned first, unsigned last,
                        void (*free_table)(void *arg, uint64_t phys)) {
    uint64_t *pml4 = table_at(pt, pt->root);
    uint64_t freed = 0;
    for (unsigned i = first; i <= last && i < 512; i++) {
        if (pml4[i] & PTE_P) {
            freed += free_below(pt, pml4[i], 4, free_table);
            pml4[i] = 0;
        }
    }
    return freed;
}
