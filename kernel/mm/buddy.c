/*
 * Binary buddy allocator over absolute PFNs with caller-provided per-frame metadata; free
 * lists are doubly linked through frame indices. Everything but add_range/check is O(orders).
 */
#include <exo/status.h>
#include <kernel/string.h>
#include <mm/buddy.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Frame states (see buddy.h): every frame is RESERVED, or heads a FREE or ALLOCATED block, or
 * is a TAIL frame inside one. Tails stay TAIL across split, merge, alloc and free; only a
 * block's head changes, so those operations touch O(1) frames per order.
 * Invariant kept by every call: no two FREE blocks of the same order are buddies.
 */

/* Frame indices must fit below BUDDY_NIL, so a span holds at most 2^32 - 1 frames. */
#define BUDDY_MAX_FRAMES 0xffffffffull

static uint64_t buddy_end(const buddy_t *b) {
    return b->base_pfn + b->nframes;
}

static buddy_frame_t *buddy_at(const buddy_t *b, uint64_t pfn) {
    return &b->frames[pfn - b->base_pfn];
}

/* True if the whole block [pfn, pfn + 2^order) lies inside the covered span. */
static bool buddy_block_inside(const buddy_t *b, uint64_t pfn, unsigned order) {
    uint64_t size = 1ull << order;
    return pfn >= b->base_pfn && pfn < buddy_end(b) && size <= buddy_end(b) - pfn;
}

static void buddy_list_push(buddy_t *b, uint64_t pfn, unsigned order) {
    uint32_t idx = (uint32_t)(pfn - b->base_pfn);
    buddy_frame_t *f = &b->frames[idx];
    f->state = BUDDY_FREE;
    f->order = (uint8_t)order;
    f->prev = BUDDY_NIL;
    f->next = b->free_head[order];
    if (f->next != BUDDY_NIL) {
        b->frames[f->next].prev = idx;
    }
    b->free_head[order] = idx;
    b->free_blocks[order]++;
    b->free_frames += 1ull << order;
}

/* Unlinks a FREE head from its list; the caller sets its new state. */
static void buddy_list_remove(buddy_t *b, uint64_t pfn) {
    buddy_frame_t *f = buddy_at(b, pfn);
    unsigned order = f->order;
    if (f->prev != BUDDY_NIL) {
        b->frames[f->prev].next = f->next;
    } else {
        b->free_head[order] = f->next;
    }
    if (f->next != BUDDY_NIL) {
        b->frames[f->next].prev = f->prev;
    }
    f->next = BUDDY_NIL;
    f->prev = BUDDY_NIL;
    b->free_blocks[order]--;
    b->free_frames -= 1ull << order;
}

/* Puts the block [pfn, pfn + 2^order), whose tails are already TAIL, on the free lists,
 * merging with its buddy for as long as the buddy is a free block of the same order. A
 * buddy partly or wholly outside the span is never merged. */
static void buddy_release(buddy_t *b, uint64_t pfn, unsigned order) {
    while (order < BUDDY_MAX_ORDER) {
        uint64_t buddy = pfn ^ (1ull << order);
        if (!buddy_block_inside(b, buddy, order)) {
            break;
        }
        buddy_frame_t *bf = buddy_at(b, buddy);
        if (bf->state != BUDDY_FREE || bf->order != order) {
            break;
        }
        buddy_list_remove(b, buddy);
        uint64_t upper = pfn > buddy ? pfn : buddy;
        buddy_at(b, upper)->state = BUDDY_TAIL;
        buddy_at(b, upper)->order = 0;
        pfn = pfn < buddy ? pfn : buddy;
        order++;
    }
    buddy_list_push(b, pfn, order);
}

void buddy_init(buddy_t *b, uint64_t base_pfn, uint64_t nframes, buddy_frame_t *storage) {
    /* nframes >= 2^32 violates the contract; clamp rather than corrupt the index space. */
    if (nframes > BUDDY_MAX_FRAMES) {
        nframes = BUDDY_MAX_FRAMES;
    }
    b->base_pfn = base_pfn;
    b->nframes = nframes;
    b->frames = storage;
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        b->free_head[k] = BUDDY_NIL;
        b->free_blocks[k] = 0;
    }
    b->free_frames = 0;
    for (uint64_t i = 0; i < nframes; i++) {
        storage[i] = (buddy_frame_t){
            .next = BUDDY_NIL, .prev = BUDDY_NIL, .order = 0, .state = BUDDY_RESERVED};
    }
}

/* Every frame of the range must be RESERVED: a frame that is free, or part of an allocated
 * block, is reported as ERR_STATE (adding it would alias memory someone owns). */
status_t buddy_add_range(buddy_t *b, uint64_t pfn, uint64_t count) {
    if (pfn < b->base_pfn || pfn > buddy_end(b) || count > buddy_end(b) - pfn) {
        return ERR_RANGE;
    }
    for (uint64_t i = 0; i < count; i++) {
        if (buddy_at(b, pfn + i)->state != BUDDY_RESERVED) {
            return ERR_STATE;
        }
    }
    uint64_t end = pfn + count;
    while (pfn < end) {
        /* Largest block that starts aligned at pfn and does not run past end. */
        unsigned order = 0;
        while (order < BUDDY_MAX_ORDER && (pfn & (1ull << order)) == 0 &&
               (2ull << order) <= end - pfn) {
            order++;
        }
        for (uint64_t i = 1; i < (1ull << order); i++) {
            buddy_at(b, pfn + i)->state = BUDDY_TAIL;
        }
        buddy_release(b, pfn, order);
        pfn += 1ull << order;
    }
    return STATUS_OK;
}

status_t buddy_alloc(buddy_t *b, unsigned order, uint64_t *pfn_out) {
    if (order > BUDDY_MAX_ORDER) {
        return ERR_INVALID;
    }
    unsigned k = order;
    while (k <= BUDDY_MAX_ORDER && b->free_head[k] == BUDDY_NIL) {
        k++;
    }
    if (k > BUDDY_MAX_ORDER) {
        return ERR_NO_MEMORY;
    }
    uint64_t pfn = b->base_pfn + b->free_head[k];
    buddy_list_remove(b, pfn);
    /* Split down, keeping the lower half; each upper half has no free buddy (its buddy is
     * the half being split further), so it goes on its list unmerged. */
    while (k > order) {
        k--;
        buddy_list_push(b, pfn + (1ull << k), k);
    }
    buddy_frame_t *f = buddy_at(b, pfn);
    f->state = BUDDY_ALLOCATED;
    f->order = (uint8_t)order;
    *pfn_out = pfn;
    return STATUS_OK;
}

/* An order above BUDDY_MAX_ORDER is ERR_INVALID, as for buddy_alloc. */
status_t buddy_free(buddy_t *b, uint64_t pfn, unsigned order) {
    if (order > BUDDY_MAX_ORDER) {
        return ERR_INVALID;
    }
    if (!buddy_block_inside(b, pfn, order)) {
        return ERR_RANGE;
    }
    if ((pfn & ((1ull << order) - 1)) != 0) {
        return ERR_ALIGN;
    }
    buddy_frame_t *f = buddy_at(b, pfn);
    if (f->state != BUDDY_ALLOCATED || f->order != order) {
        return ERR_STATE;
    }
    buddy_release(b, pfn, order);
    return STATUS_OK;
}

uint64_t buddy_free_frames(const buddy_t *b) {
    return b->free_frames;
}

unsigned buddy_order_for(uint64_t nframes) {
    unsigned order = 0;
    while (order <= BUDDY_MAX_ORDER && (1ull << order) < nframes) {
        order++;
    }
    return order;
}

/* Walks list `order`: well linked, bounded by nframes (so no cycle), every entry a FREE
 * head of that order, aligned and inside the span; the count must match free_blocks. */
static bool buddy_check_list(const buddy_t *b, unsigned order) {
    uint64_t seen = 0;
    uint32_t prev = BUDDY_NIL;
    for (uint32_t i = b->free_head[order]; i != BUDDY_NIL; i = b->frames[i].next) {
        if (i >= b->nframes || ++seen > b->nframes) {
            return false;
        }
        const buddy_frame_t *f = &b->frames[i];
        uint64_t pfn = b->base_pfn + i;
        if (f->prev != prev || f->state != BUDDY_FREE || f->order != order ||
            (pfn & ((1ull << order) - 1)) != 0 || !buddy_block_inside(b, pfn, order)) {
            return false;
        }
        prev = i;
    }
    return seen == b->free_blocks[order];
}

bool buddy_check(const buddy_t *b) {
    uint64_t listed_frames = 0;
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        if (!buddy_check_list(b, k)) {
            return false;
        }
        listed_frames += b->free_blocks[k] << k;
    }
    if (listed_frames != b->free_frames) {
        return false;
    }
    /* Scan the span as a sequence of reserved frames and blocks: each block head is
     * aligned, inside, followed by exactly 2^order - 1 TAIL frames, and a FREE one has no
     * FREE buddy of its order. Free heads found here must equal the listed ones. */
    uint64_t heads[BUDDY_MAX_ORDER + 1] = {0};
    uint64_t i = 0;
    while (i < b->nframes) {
        const buddy_frame_t *f = &b->frames[i];
        uint64_t pfn = b->base_pfn + i;
        if (f->state == BUDDY_RESERVED) {
            i++;
            continue;
        }
        if ((f->state != BUDDY_FREE && f->state != BUDDY_ALLOCATED) || f->order > BUDDY_MAX_ORDER) {
            return false;
        }
        unsigned order = f->order;
        uint64_t size = 1ull << order;
        if ((pfn & (size - 1)) != 0 || !buddy_block_inside(b, pfn, order)) {
            return false;
        }
        for (uint64_t t = 1; t < size; t++) {
            if (b->frames[i + t].state != BUDDY_TAIL) {
                return false;
            }
        }
        if (f->state == BUDDY_FREE) {
            heads[order]++;
            uint64_t buddy = pfn ^ size;
            if (order < BUDDY_MAX_ORDER && buddy_block_inside(b, buddy, order) &&
                buddy_at(b, buddy)->state == BUDDY_FREE && buddy_at(b, buddy)->order == order) {
                return false;
            }
        }
        i += size;
    }
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        if (heads[k] != b->free_blocks[k]) {
            return false;
        }
    }
    return true;
}
