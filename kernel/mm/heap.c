/*
 * Slab kmalloc. Every heap page starts with a slab_page_t header naming its kind: a slab
 * of one size class (objects follow the header, free ones chained through their first
 * word) or a large block of 2^order pages (the object follows the header). kfree finds
 * the header by rounding the pointer down to a page boundary, which works for both.
 * Fully free slabs go back to the pmm at once: the heap never hoards memory.
 * Each slab keeps a bitmap of its live objects, so a double free or a pointer that is
 * not an object's start panics instead of corrupting the free list.
 */
#include <arch/mmu.h>
#include <kernel/panic.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>
#include <mm/heap.h>
#include <mm/physmap.h>
#include <mm/pmm.h>

#define SLAB_MAGIC 0x534c4142u  /* "SLAB" */
#define LARGE_MAGIC 0x4c415247u /* "LARG" */
#define NCLASSES 8              /* 16, 32, ..., 2048 */
#define HEADER_SIZE 128         /* slab header; objects start after it */
#define MAX_OBJECTS ((PAGE_SIZE - HEADER_SIZE) / 16)

typedef struct slab_page {
    uint32_t magic;
    uint16_t cls;   /* size class index (slabs) */
    uint16_t order; /* block order (large) */
    uint32_t used;  /* live objects in this slab */
    uint32_t capacity;
    void *free;                             /* first free object */
    struct slab_page *next, *prev;          /* class list of slabs with free objects */
    uint64_t size;                          /* requested size (large) */
    uint64_t live[(MAX_OBJECTS + 63) / 64]; /* bit i: object i is allocated (slabs) */
} slab_page_t;

_Static_assert(sizeof(slab_page_t) <= HEADER_SIZE, "slab header fits its reserved space");

static spinlock_t heap_lock = SPINLOCK_INIT;
static slab_page_t *partial[NCLASSES]; /* slabs with at least one free object */
static heap_stats_t stats;

static size_t class_size(unsigned cls) {
    return (size_t)16 << cls;
}

static void list_remove(slab_page_t *s) {
    if (s->prev) {
        s->prev->next = s->next;
    } else {
        partial[s->cls] = s->next;
    }
    if (s->next) {
        s->next->prev = s->prev;
    }
    s->next = s->prev = NULL;
}

static void list_push(slab_page_t *s) {
    s->prev = NULL;
    s->next = partial[s->cls];
    if (s->next) {
        s->next->prev = s;
    }
    partial[s->cls] = s;
}

static slab_page_t *slab_new(unsigned cls) {
    uint64_t phys = pmm_alloc(0);
    if (phys == 0) {
        return NULL;
    }
    slab_page_t *s = phys_to_virt(phys);
    size_t sz = class_size(cls);
    *s = (slab_page_t){.magic = SLAB_MAGIC, .cls = (uint16_t)cls};
    s->capacity = (uint32_t)((PAGE_SIZE - HEADER_SIZE) / sz);
    uint8_t *first = (uint8_t *)s + HEADER_SIZE;
    for (uint32_t i = 0; i < s->capacity; i++) {
        void **obj = (void **)(first + i * sz);
        *obj = i + 1 < s->capacity ? first + (i + 1) * sz : NULL;
    }
    s->free = first;
    stats.pages++;
    return s;
}

static void *large_alloc(size_t size) {
    uint64_t pages = (size + HEADER_SIZE + PAGE_SIZE - 1) / PAGE_SIZE;
    unsigned order = 0;
    while ((1ull << order) < pages) {
        order++;
    }
    uint64_t phys = pmm_alloc(order);
    if (phys == 0) {
        return NULL;
    }
    slab_page_t *s = phys_to_virt(phys);
    *s = (slab_page_t){.magic = LARGE_MAGIC, .order = (uint16_t)order, .size = size};
    bool irq = spin_lock(&heap_lock);
    stats.pages += 1ull << order;
    stats.live_objects++;
    stats.live_bytes += size;
    spin_unlock(&heap_lock, irq);
    return (uint8_t *)s + HEADER_SIZE;
}

void *kmalloc(size_t size) {
    if (size == 0) {
        size = 1;
    }
    if (size > class_size(NCLASSES - 1)) {
        return size > (1ull << 30) ? NULL : large_alloc(size);
    }
    unsigned cls = 0;
    while (class_size(cls) < size) {
        cls++;
    }
    bool irq = spin_lock(&heap_lock);
    slab_page_t *s = partial[cls];
    if (s == NULL) {
        s = slab_new(cls);
        if (s == NULL) {
            spin_unlock(&heap_lock, irq);
            return NULL;
        }
        list_push(s);
    }
    void *obj = s->free;
    s->free = *(void **)obj;
    uint32_t idx = (uint32_t)(((uint8_t *)obj - ((uint8_t *)s + HEADER_SIZE)) / class_size(cls));
    s->live[idx / 64] |= 1ull << (idx % 64);
    if (++s->used == s->capacity) {
        list_remove(s);
    }
    stats.live_objects++;
    stats.live_bytes += class_size(cls);
    spin_unlock(&heap_lock, irq);
    return obj;
}

void *kzalloc(size_t size) {
    void *p = kmalloc(size);
    if (p) {
        memset(p, 0, size);
    }
    return p;
}

void kfree(void *p) {
    if (p == NULL) {
        return;
    }
    slab_page_t *s = (slab_page_t *)page_round_down((uint64_t)(uintptr_t)p);
    if (s->magic == LARGE_MAGIC && (uint8_t *)p == (uint8_t *)s + HEADER_SIZE) {
        unsigned order = s->order;
        bool irq = spin_lock(&heap_lock);
        stats.pages -= 1ull << order;
        stats.live_objects--;
        stats.live_bytes -= s->size;
        spin_unlock(&heap_lock, irq);
        s->magic = 0;
        pmm_free(virt_to_phys(s), order);
        return;
    }
    if (s->magic != SLAB_MAGIC || (uint8_t *)p < (uint8_t *)s + HEADER_SIZE) {
        panic("kfree(%p): not a heap pointer", p);
    }
    size_t off = (size_t)((uint8_t *)p - ((uint8_t *)s + HEADER_SIZE));
    size_t idx = off / class_size(s->cls);
    if (off % class_size(s->cls) != 0 || idx >= s->capacity) {
        panic("kfree(%p): not the start of a %zu-byte object", p, class_size(s->cls));
    }
    bool irq = spin_lock(&heap_lock);
    if (!(s->live[idx / 64] & (1ull << (idx % 64)))) {
        spin_unlock(&heap_lock, irq);
        panic("kfree(%p): double free (object is not allocated)", p);
    }
    s->live[idx / 64] &= ~(1ull << (idx % 64));
    if (s->used == s->capacity) {
        list_push(s);
    }
    *(void **)p = s->free;
    s->free = p;
    stats.live_objects--;
    stats.live_bytes -= class_size(s->cls);
    bool release = --s->used == 0;
    if (release) {
        list_remove(s);
        s->magic = 0;
        stats.pages--;
    }
    spin_unlock(&heap_lock, irq);
    if (release) {
        pmm_free(virt_to_phys(s), 0);
    }
}

void heap_get_stats(heap_stats_t *out) {
    bool irq = spin_lock(&heap_lock);
    *out = stats;
    spin_unlock(&heap_lock, irq);
}
