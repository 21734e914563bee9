/*
 * Domain views of the shared space (mm/view.h). Lock order: view lock, then a region's
 * lock, then the pmm's. PCIDs: 1..4095 from a bitmap; each allocation gets a fresh
 * generation, and a core flushes a PCID the first time it loads it for a new generation,
 * so entries a dead view left in some core's TLB are never used by its successor.
 */
#include <arch/asm_offsets.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/smp.h>
#include <exo/syscall.h>
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <mm/heap.h>
#include <mm/physmap.h>
#include <mm/pmm.h>
#include <mm/view.h>
#include <mm/vm.h>
#include <stdatomic.h>

#define KERNEL_HALF_FIRST 256 /* PML4 entries 256..511 are the kernel's, shared */

static spinlock_t pcid_lock = SPINLOCK_INIT;
static uint64_t pcid_used[PCID_COUNT / 64] = {1}; /* PCID 0: the kernel's */
static uint64_t pcid_generation; /* 64 bits: never wraps, so generations never repeat */

static uint64_t pcid_next_generation(void) {
    bool irq = spin_lock(&pcid_lock);
    uint64_t g = ++pcid_generation;
    spin_unlock(&pcid_lock, irq);
    return g;
}

static status_t pcid_alloc(view_t *v) {
    if (!cpu_features.pcid) {
        return STATUS_OK;
    }
    bool irq = spin_lock(&pcid_lock);
    for (uint32_t w = 0; w < PCID_COUNT / 64; w++) {
        if (pcid_used[w] != ~0ull) {
            uint32_t bit = (uint32_t)__builtin_ctzll(~pcid_used[w]);
            pcid_used[w] |= 1ull << bit;
            v->pcid = (uint16_t)(w * 64 + bit);
            atomic_store(&v->pcid_gen, ++pcid_generation);
            spin_unlock(&pcid_lock, irq);
            return STATUS_OK;
        }
    }
    spin_unlock(&pcid_lock, irq);
    return ERR_NO_MEMORY;
}

static void pcid_free(view_t *v) {
    if (v->pcid == 0) {
        return;
    }
    bool irq = spin_lock(&pcid_lock);
    pcid_used[v->pcid / 64] &= ~(1ull << (v->pcid % 64));
    spin_unlock(&pcid_lock, irq);
}

status_t view_init(view_t *v) {
    memset(v, 0, sizeof(*v));
    v->lock = (spinlock_t)SPINLOCK_INIT;
    v->pt = vm_pt_ctx(pmm_alloc_zeroed(0));
    if (v->pt.root == 0) {
        return ERR_NO_MEMORY;
    }
    if (pcid_alloc(v) != STATUS_OK) {
        pmm_free(v->pt.root, 0);
        return ERR_NO_MEMORY;
    }
    uint64_t *mine = phys_to_virt(v->pt.root);
    const uint64_t *kernel = phys_to_virt(vm_kernel()->root);
    memcpy(&mine[KERNEL_HALF_FIRST], &kernel[KERNEL_HALF_FIRST],
           (512 - KERNEL_HALF_FIRST) * sizeof(uint64_t));
    return STATUS_OK;
}

void view_destroy(view_t *v) {
    pt_free_tables(&v->pt, 0, KERNEL_HALF_FIRST - 1, vm_table_free);
    pmm_free(v->pt.root, 0);
    for (uint32_t i = 0; i < v->nmaps; i++) {
        region_unref(v->maps[i].region);
    }
    kfree(v->maps);
    pcid_free(v);
    v->maps = NULL;
    v->nmaps = v->cap = 0;
    v->pt.root = 0;
}

/* Index of the first map whose end is above addr (maps are sorted and disjoint). */
static uint32_t map_search(const view_t *v, uint64_t addr) {
    uint32_t lo = 0, hi = v->nmaps;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v->maps[mid].end <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

status_t view_attach(view_t *v, region_t *r, uint64_t start, uint64_t end, uint32_t prot,
                     bool populate) {
    if ((start | end) & (PAGE_SIZE - 1)) {
        return ERR_ALIGN;
    }
    if (start >= end || start < r->base || end > r->base + r->size) {
        return ERR_RANGE;
    }
    if (prot == 0 || (prot & ~(EXO_PROT_READ | EXO_PROT_WRITE | EXO_PROT_EXEC))) {
        return ERR_INVALID;
    }
    bool irq = spin_lock(&v->lock);
    uint32_t at = map_search(v, start);
    if (at < v->nmaps && v->maps[at].start < end) {
        spin_unlock(&v->lock, irq);
        return ERR_OVERLAP;
    }
    if (v->nmaps == v->cap) {
        uint32_t cap = v->cap ? v->cap * 2 : 8;
        view_map_t *maps = kmalloc(cap * sizeof(*maps));
        if (maps == NULL) {
            spin_unlock(&v->lock, irq);
            return ERR_NO_MEMORY;
        }
        if (v->nmaps) {
            memcpy(maps, v->maps, v->nmaps * sizeof(*maps));
        }
        kfree(v->maps);
        v->maps = maps;
        v->cap = cap;
    }
    memmove(&v->maps[at + 1], &v->maps[at], (v->nmaps - at) * sizeof(*v->maps));
    v->maps[at] = (view_map_t){.start = start, .end = end, .region = r, .prot = prot};
    v->nmaps++;
    region_ref(r);
    spin_unlock(&v->lock, irq);
    if (populate) {
        uint32_t access = prot & EXO_PROT_WRITE ? EXO_PROT_WRITE : EXO_PROT_READ;
        for (uint64_t va = start; va < end; va += PAGE_SIZE) {
            status_t st = view_fault(v, va, access);
            if (st != STATUS_OK) {
                return st; /* the map stays; view_destroy cleans up */
            }
        }
    }
    return STATUS_OK;
}

static uint64_t leaf_flags(uint32_t prot) {
    uint64_t f = PTE_U;
    f |= (prot & EXO_PROT_WRITE) ? PTE_W : 0;
    f |= (!(prot & EXO_PROT_EXEC) && cpu_features.nx) ? PTE_NX : 0;
    return f;
}

status_t view_fault(view_t *v, uint64_t addr, uint32_t access) {
    uint64_t va = page_round_down(addr);
    bool irq = spin_lock(&v->lock);
    uint32_t at = map_search(v, addr);
    if (at == v->nmaps || v->maps[at].start > addr) {
        spin_unlock(&v->lock, irq);
        return ERR_NOT_FOUND;
    }
    const view_map_t *m = &v->maps[at];
    if (access & ~m->prot) {
        spin_unlock(&v->lock, irq);
        return ERR_PERM;
    }
    status_t st = STATUS_OK;
    if (pt_query(&v->pt, va, NULL, NULL, NULL) != STATUS_OK) {
        uint64_t pa;
        st = region_frame(m->region, va, &pa);
        if (st == STATUS_OK) {
            st = pt_map(&v->pt, va, pa, PAGE_SIZE, leaf_flags(m->prot), PAGE_SIZE);
        }
        if (st == STATUS_OK) {
            v->mapped++;
        }
    }
    spin_unlock(&v->lock, irq);
    return st;
}

/* Under v->lock: the map covering addr, if it allows access. */
static const view_map_t *map_allowing(const view_t *v, uint64_t addr, uint32_t access) {
    uint32_t at = map_search(v, addr);
    if (at == v->nmaps || v->maps[at].start > addr || (access & ~v->maps[at].prot)) {
        return NULL;
    }
    return &v->maps[at];
}

/* Under v->lock: whether every byte of [va, va + len) is under a map with WRITE. */
static bool range_writable(const view_t *v, uint64_t va, uint64_t len) {
    if (va >= USER_ADDR_LIMIT || len > USER_ADDR_LIMIT - va) {
        return false;
    }
    for (uint64_t p = page_round_down(va); p < va + len; p += PAGE_SIZE) {
        if (map_allowing(v, p, EXO_PROT_WRITE) == NULL) {
            return false;
        }
    }
    return true;
}

status_t view_prepare_write(view_t *v, uint64_t va, uint64_t len) {
    bool irq = spin_lock(&v->lock);
    status_t st = range_writable(v, va, len) ? STATUS_OK : ERR_FAULT;
    for (uint64_t p = page_round_down(va); st == STATUS_OK && p < va + len; p += PAGE_SIZE) {
        uint64_t pa;
        st = region_frame(map_allowing(v, p, EXO_PROT_WRITE)->region, p, &pa);
    }
    spin_unlock(&v->lock, irq);
    return st;
}

#define VIEW_WRITE_PAGES 2 /* view_write's limit: an exo_msg_t across a page boundary */

status_t view_write(view_t *v, uint64_t va, const void *src, uint64_t len) {
    if (len == 0) {
        return STATUS_OK;
    }
    if (len > PAGE_SIZE) {
        return ERR_TOO_BIG;
    }
    bool irq = spin_lock(&v->lock);
    if (!range_writable(v, va, len)) {
        spin_unlock(&v->lock, irq);
        return ERR_FAULT;
    }
    /* Every frame first, so a failure writes nothing. */
    uint64_t pa[VIEW_WRITE_PAGES] = {0}, first = page_round_down(va);
    status_t st = STATUS_OK;
    for (uint64_t p = first, i = 0; p < va + len && st == STATUS_OK; p += PAGE_SIZE, i++) {
        st = region_frame(map_allowing(v, p, EXO_PROT_WRITE)->region, p, &pa[i]);
    }
    const uint8_t *s = src;
    for (uint64_t i = 0; st == STATUS_OK && len > 0; i++) {
        uint64_t in_page = va & (PAGE_SIZE - 1);
        uint64_t n = PAGE_SIZE - in_page < len ? PAGE_SIZE - in_page : len;
        memcpy((uint8_t *)phys_to_virt(pa[i]) + in_page, s, n);
        s += n;
        va += n;
        len -= n;
    }
    spin_unlock(&v->lock, irq);
    return st;
}

void view_detach(view_t *v, region_t *r, view_unmapped_t *out) {
    *out = (view_unmapped_t){.region = r};
    bool irq = spin_lock(&v->lock);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < v->nmaps; i++) {
        view_map_t *m = &v->maps[i];
        if (m->region != r) {
            v->maps[kept++] = *m;
            continue;
        }
        for (uint64_t va = m->start; va < m->end; va += PAGE_SIZE) {
            uint64_t size;
            if (pt_unmap(&v->pt, va, &size) == STATUS_OK) {
                v->mapped--;
            }
        }
        out->start = out->refs ? out->start : m->start;
        out->end = m->end; /* maps are sorted: the last one ends highest */
        out->refs++;
    }
    v->nmaps = kept;
    spin_unlock(&v->lock, irq);
}

void view_protect(view_t *v, region_t *r, uint32_t prot, view_unmapped_t *out) {
    *out = (view_unmapped_t){.region = r};
    bool irq = spin_lock(&v->lock);
    for (uint32_t i = 0; i < v->nmaps; i++) {
        view_map_t *m = &v->maps[i];
        if (m->region != r) {
            continue;
        }
        m->prot = prot;
        for (uint64_t va = m->start; va < m->end; va += PAGE_SIZE) {
            uint64_t size;
            if (pt_unmap(&v->pt, va, &size) == STATUS_OK) {
                v->mapped--;
            }
        }
        out->start = out->end > out->start ? out->start : m->start;
        out->end = m->end;
    }
    spin_unlock(&v->lock, irq);
}

void view_unmap_finish(view_t *v, view_unmapped_t *u) {
    if (u->end <= u->start) {
        return; /* nothing was mapped */
    }
    /* A core that activates v from now on flushes v's PCID (it sees the new generation),
     * or else it set its on_cores bit before we read the mask below: seq_cst on both
     * sides, so one of the two always happens. */
    if (cpu_features.pcid) {
        atomic_store(&v->pcid_gen, pcid_next_generation());
    }
    uint64_t mask = atomic_load(&v->on_cores);
    tlb_shootdown(mask, u->start, (u->end - u->start) / PAGE_SIZE);
    for (uint32_t i = 0; i < u->refs; i++) {
        region_unref(u->region);
    }
    u->refs = 0;
    u->start = u->end = 0;
}

void view_activate(view_t *v) {
    cpu_t *c = this_cpu();
    atomic_fetch_or(&v->on_cores, 1ull << c->index); /* before reading the generation */
    if (!cpu_features.pcid) {
        write_cr3(v->pt.root);
        return;
    }
    uint64_t cr3 = v->pt.root | v->pcid;
    uint64_t gen = atomic_load(&v->pcid_gen);
    if (c->pcid_gen[v->pcid] == gen) {
        cr3 |= CR3_NOFLUSH;
    } else {
        c->pcid_gen[v->pcid] = gen;
    }
    write_cr3(cr3);
}

void view_deactivate(view_t *v) {
    write_cr3(vm_kernel()->root | (cpu_features.pcid ? CR3_NOFLUSH : 0));
    atomic_fetch_and(&v->on_cores, ~(1ull << this_cpu()->index));
}
