/*
 * Kernel heap: kmalloc/kfree over slabs of size classes 16..2048 bytes, larger requests
 * straight from the buddy allocator. Memory is reached through the physmap. Thread- and
 * interrupt-safe (one lock, interrupts off while held). Returned memory is 16-byte
 * aligned and NOT zeroed (kzalloc zeroes).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

void *kmalloc(size_t size);
void *kzalloc(size_t size);
/* NULL is ignored; anything not from kmalloc panics (detected by the page header). */
void kfree(void *p);

typedef struct heap_stats {
    uint64_t live_objects; /* allocations not yet freed */
    uint64_t live_bytes;   /* bytes requested by them (rounded to the class size) */
    uint64_t pages;        /* frames the heap holds from the pmm */
} heap_stats_t;

void heap_get_stats(heap_stats_t *out);
