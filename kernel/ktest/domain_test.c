/*
 * ktests for protection domains: many domains created and destroyed without a leak, and
 * hostile ELF images (every one a mutation of a real app from the boot modules) refused
 * with a clean error and nothing left behind. The user-mode behaviour itself (faults,
 * isolation, watchdog, FPU state) is tested by init's scenarios (test/qemu).
 */
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <caps/cap.h>
#include <dev/clock.h>
#include <domain/domain.h>
#include <exo/elf64.h>
#include <kernel/kprintf.h>
#include <kernel/string.h>
#include <ktest/ktest.h>
#include <loader/elfapp.h>
#include <mm/budget.h>
#include <mm/heap.h>
#include <mm/pmm.h>
#include <mm/region.h>
#include <stdatomic.h>

#define CHURN_DOMAINS 1000
#define CHURN_BATCH 50

typedef struct figures {
    uint64_t frames; /* free frames plus the heap's own (slab pages stay with the heap) */
    uint64_t heap_objects;
    uint64_t space_free;
    uint64_t regions;
    uint64_t domains;
    uint64_t caps;
    uint64_t budgets;
} figures_t;

static void figures_get(figures_t *f) {
    pmm_stats_t p;
    heap_stats_t h;
    region_stats_t r;
    domain_stats_t d;
    pmm_get_stats(&p);
    heap_get_stats(&h);
    region_get_stats(&r);
    domain_get_stats(&d);
    *f = (figures_t){.frames = p.free_frames + h.pages,
                     .heap_objects = h.live_objects,
                     .space_free = r.space_free,
                     .regions = r.live,
                     .domains = d.live,
                     .caps = caps_live(),
                     .budgets = budget_live()};
}

#define KT_ASSERT_FIGURES(a, b)                                                                    \
    do {                                                                                           \
        KT_ASSERT_EQ((a).frames, (b).frames);                                                      \
        KT_ASSERT_EQ((a).heap_objects, (b).heap_objects);                                          \
        KT_ASSERT_EQ((a).space_free, (b).space_free);                                              \
        KT_ASSERT_EQ((a).regions, (b).regions);                                                    \
        KT_ASSERT_EQ((a).domains, (b).domains);                                                    \
        KT_ASSERT_EQ((a).caps, (b).caps);                                                          \
        KT_ASSERT_EQ((a).budgets, (b).budgets);                                                    \
    } while (0)

typedef struct batch {
    domain_t *d[CHURN_BATCH];
    uint32_t n;
} batch_t;

static bool batch_ended(void *arg) {
    batch_t *b = arg;
    for (uint32_t i = 0; i < b->n; i++) {
        if (!__atomic_load_n(&b->d[i]->ended, __ATOMIC_ACQUIRE)) {
            return false;
        }
    }
    return true;
}

KTEST(domain_churn_no_leak) {
    const void *elf;
    uint64_t size;
    KT_ASSERT_EQ(module_find("true", 4, &elf, &size), STATUS_OK);
    figures_t before, after;
    figures_get(&before);
    uint64_t t0 = clock_ns();
    static batch_t b;
    for (uint32_t done = 0; done < CHURN_DOMAINS; done += CHURN_BATCH) {
        b.n = 0;
        for (uint32_t i = 0; i < CHURN_BATCH; i++) {
            const char *why = "";
            KT_ASSERT_EQ(domain_create("true", elf, size, NULL, 0, &b.d[i], &why), STATUS_OK);
            b.d[i]->quiet = true;
            b.n++;
            KT_ASSERT_EQ(domain_start(b.d[i], "true", 4), STATUS_OK);
        }
        sched_run_until(batch_ended, &b);
        for (uint32_t i = 0; i < b.n; i++) {
            KT_ASSERT_EQ(b.d[i]->status, 0);
            domain_release(b.d[i]);
        }
    }
    uint64_t ms = (clock_ns() - t0) / 1000000;
    figures_get(&after);
    kprintf("domain_churn: %u domains created, run and destroyed in %lu ms; free frames %lu -> "
            "%lu, free address space %lu -> %lu MiB\n",
            CHURN_DOMAINS, ms, before.frames, after.frames, before.space_free >> 20,
            after.space_free >> 20);
    KT_ASSERT_FIGURES(before, after);
}

KTEST(domain_created_not_started_is_freed) {
    const void *elf;
    uint64_t size;
    KT_ASSERT_EQ(module_find("hello", 5, &elf, &size), STATUS_OK);
    figures_t before, after;
    figures_get(&before);
    for (int i = 0; i < 100; i++) {
        domain_t *d;
        KT_ASSERT_EQ(domain_create("hello", elf, size, NULL, 0, &d, NULL), STATUS_OK);
        domain_release(d);
    }
    figures_get(&after);
    KT_ASSERT_FIGURES(before, after);
}

/* A private, writable copy of the hello app to mutate. */
static uint8_t *hello_copy(uint64_t *size) {
    const void *elf;
    if (module_find("hello", 5, &elf, size) != STATUS_OK) {
        return NULL;
    }
    uint8_t *copy = kmalloc(*size);
    if (copy) {
        memcpy(copy, elf, *size);
    }
    return copy;
}

static elf64_phdr_t *phdr(uint8_t *img, int i) {
    const elf64_ehdr_t *eh = (const elf64_ehdr_t *)img;
    return (elf64_phdr_t *)(img + eh->e_phoff + (uint64_t)i * sizeof(elf64_phdr_t));
}

/* Index of the n-th program header of type t, or -1. */
static int find_phdr(uint8_t *img, uint32_t t, int n) {
    const elf64_ehdr_t *eh = (const elf64_ehdr_t *)img;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (phdr(img, i)->p_type == t && n-- == 0) {
            return i;
        }
    }
    return -1;
}

/* The first RELA entry of the image (through PT_DYNAMIC), or NULL. */
static elf64_rela_t *first_rela(uint8_t *img) {
    int dyn = find_phdr(img, PT_DYNAMIC, 0);
    if (dyn < 0) {
        return NULL;
    }
    elf64_dyn_t *d = (elf64_dyn_t *)(img + phdr(img, dyn)->p_offset);
    uint64_t rela = 0;
    for (; d->d_tag != DT_NULL; d++) {
        rela = d->d_tag == DT_RELA ? d->d_val : rela;
    }
    for (int i = 0; rela && i < 16; i++) { /* the PT_LOAD holding it: vaddr -> offset */
        int l = find_phdr(img, PT_LOAD, i);
        if (l < 0) {
            break;
        }
        elf64_phdr_t *p = phdr(img, l);
        if (rela >= p->p_vaddr && rela < p->p_vaddr + p->p_filesz) {
            return (elf64_rela_t *)(img + p->p_offset + (rela - p->p_vaddr));
        }
    }
    return NULL;
}

typedef enum {
    HOSTILE_TRUNCATED_HEADER,
    HOSTILE_TRUNCATED_SEGMENT,
    HOSTILE_CLASS32,
    HOSTILE_MACHINE,
    HOSTILE_EXEC_TYPE,
    HOSTILE_WX,
    HOSTILE_OVERLAP,
    HOSTILE_HUGE,
    HOSTILE_PHDRS_OUTSIDE,
    HOSTILE_ABSOLUTE_RELOC,
    HOSTILE_RELOC_OUTSIDE,
    HOSTILE_COUNT
} hostile_t;

static const char *const hostile_names[HOSTILE_COUNT] = {
    "truncated header", "truncated segment", "32-bit class",         "wrong machine",
    "ET_EXEC",          "W+X segment",       "overlapping segments", "huge segment",
    "phdrs past end",   "absolute reloc",    "reloc outside image",
};

/* Applies mutation h to img (size may shrink); false if the image has nothing to mutate. */
static bool mutate(uint8_t *img, uint64_t *size, hostile_t h) {
    elf64_ehdr_t *eh = (elf64_ehdr_t *)img;
    int l0 = find_phdr(img, PT_LOAD, 0), l1 = find_phdr(img, PT_LOAD, 1);
    elf64_rela_t *r = first_rela(img);
    switch (h) {
    case HOSTILE_TRUNCATED_HEADER:
        *size = 40;
        return true;
    case HOSTILE_TRUNCATED_SEGMENT:
        *size = phdr(img, l1)->p_offset + 1;
        return true;
    case HOSTILE_CLASS32:
        eh->e_ident[EI_CLASS] = 1;
        return true;
    case HOSTILE_MACHINE:
        eh->e_machine = 3; /* EM_386 */
        return true;
    case HOSTILE_EXEC_TYPE:
        eh->e_type = ET_EXEC;
        return true;
    case HOSTILE_WX:
        phdr(img, l1)->p_flags = PF_R | PF_W | PF_X;
        return true;
    case HOSTILE_OVERLAP:
        phdr(img, l1)->p_vaddr = phdr(img, l0)->p_vaddr;
        phdr(img, l1)->p_offset = phdr(img, l0)->p_offset;
        return true;
    case HOSTILE_HUGE:
        phdr(img, l1)->p_memsz = 1ull << 40;
        return true;
    case HOSTILE_PHDRS_OUTSIDE:
        eh->e_phoff = *size - 8;
        return true;
    case HOSTILE_ABSOLUTE_RELOC:
        if (r) {
            r->r_info = ELF64_R_INFO(1, R_X86_64_64);
        }
        return r != NULL;
    case HOSTILE_RELOC_OUTSIDE:
        if (r) {
            r->r_offset = 1ull << 36;
        }
        return r != NULL;
    default:
        return false;
    }
}

KTEST(domain_rejects_hostile_elf) {
    figures_t before, after;
    figures_get(&before);
    for (int h = 0; h < HOSTILE_COUNT; h++) {
        uint64_t size;
        uint8_t *img = hello_copy(&size);
        KT_ASSERT(img != NULL);
        KT_ASSERT(mutate(img, &size, (hostile_t)h)); /* hello has relocations to break */
        domain_t *d = NULL;
        const char *why = "";
        status_t st = domain_create("hostile", img, size, NULL, 0, &d, &why);
        kprintf("hostile elf: %-20s -> %s: %s\n", hostile_names[h], status_str(st), why);
        kfree(img);
        KT_ASSERT(st != STATUS_OK);
        KT_ASSERT(why[0] != '\0');
    }
    figures_get(&after);
    KT_ASSERT_FIGURES(before, after);
}

static uint64_t rng_next(uint64_t *s) {
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

KTEST(domain_random_elf_mutations) {
    figures_t before, after;
    figures_get(&before);
    uint64_t seed = 0x5eed0e1f, accepted = 0;
    for (int round = 0; round < 1000; round++) {
        uint64_t size;
        uint8_t *img = hello_copy(&size);
        KT_ASSERT(img != NULL);
        int flips = 1 + (int)(rng_next(&seed) % 8);
        for (int i = 0; i < flips; i++) { /* mostly in the headers, where it matters */
            uint64_t span = (rng_next(&seed) & 1) ? 512 : size;
            img[rng_next(&seed) % (span < size ? span : size)] ^=
                (uint8_t)(1u << (rng_next(&seed) % 8));
        }
        domain_t *d;
        if (domain_create("mutant", img, size, NULL, 0, &d, NULL) == STATUS_OK) {
            accepted++; /* a harmless flip (padding, code bytes): load it, never run it */
            domain_release(d);
        }
        kfree(img);
    }
    kprintf("domain_random_elf_mutations: 1000 mutants, %lu accepted, the rest refused\n",
            accepted);
    figures_get(&after);
    KT_ASSERT_FIGURES(before, after);
}

/* Cycles of one view switch: two views, alternated (with PCIDs, without a flush). */
KTEST_MANUAL(bench_domain_switch) {
    view_t a, b;
    KT_ASSERT_EQ(view_init(&a), STATUS_OK);
    KT_ASSERT_EQ(view_init(&b), STATUS_OK);
    enum { N = 100000 };
    bool irq = irq_save();
    uint64_t t0 = rdtsc();
    for (int i = 0; i < N; i++) {
        view_activate(&a);
        view_activate(&b);
    }
    uint64_t cycles = (rdtsc() - t0) / (2 * N);
    view_deactivate(&b);
    atomic_store(&a.on_cores, 0); /* switched away from without view_deactivate */
    irq_restore(irq);
    view_destroy(&a);
    view_destroy(&b);
    kprintf("bench_domain_switch: %lu cycles per view switch (CR3 write, PCID %s)\n", cycles,
            cpu_features.pcid ? "on, no flush" : "absent: full flush");
}
