/*
 * Capability tables: slot lifecycle (free list, reservations, generations, retirement) and
 * handle decoding. Pure logic shared by the kernel and the host tests (test/host/test_caps.c);
 * the caller serialises every call (caps_lock).
 */
#include <caps/cdt.h>
#include <caps/cspace.h>
#include <stddef.h>

#define HANDLE_INDEX_MASK ((1ull << EXO_HANDLE_INDEX_BITS) - 1)
#define HANDLE_GEN_MASK ((1ull << EXO_HANDLE_GEN_BITS) - 1)
#define HANDLE_RESERVED_SHIFT (EXO_HANDLE_INDEX_BITS + EXO_HANDLE_GEN_BITS)

_Static_assert(CSPACE_MAX_SLOTS - 1 <= HANDLE_INDEX_MASK, "slot index fits a handle");
_Static_assert(CAP_GEN_MAX == HANDLE_GEN_MASK, "generation fits a handle");
_Static_assert(HANDLE_RESERVED_SHIFT == 48, "handle bits 48..63 are reserved (exo/caps.h)");

/* Invariants of a cspace cs, between calls:
 *  - every slot s of cs has s->owner == cs, for its whole life;
 *  - slot 0 is RETIRED and never handed out;
 *  - the free list holds exactly the FREE slots, each once; FREE, RESERVED and RETIRED slots
 *    hold CAP_NONE, no object, no rights, badge 0 and no tree links;
 *  - cs->live is the number of RESERVED + LIVE slots;
 *  - a slot's generation never decreases; a LIVE slot's generation was never carried by an
 *    earlier cap of that slot. */

static void slot_clear(cap_slot_t *s) {
    s->mapped = 0;
    s->type = CAP_NONE;
    s->rights = 0;
    s->map_prot = 0;
    s->obj = NULL;
    s->badge = 0;
    s->parent = NULL;
    s->first_child = NULL;
    s->next_sibling = NULL;
    s->prev_sibling = NULL;
    s->next_free = NULL;
}

static void free_push(cap_slot_t *s) {
    cspace_t *cs = s->owner;
    s->state = CAP_SLOT_FREE;
    s->next_free = cs->free_head;
    cs->free_head = s;
}

/* Ends the cap in s (LIVE, already out of the tree): the slot goes back to the free list with
 * the next generation, or is retired when its generation is used up. */
static void slot_end(cap_slot_t *s) {
    cspace_t *cs = s->owner;
    slot_clear(s);
    cs->live--;
    if (s->gen == CAP_GEN_MAX) {
        s->state = CAP_SLOT_RETIRED;
        return;
    }
    s->gen++;
    free_push(s);
}

status_t cspace_init(cspace_t *cs, cap_slot_t *slots, uint32_t nslots, void *owner) {
    if (cs == NULL || slots == NULL || nslots < 2 || nslots > CSPACE_MAX_SLOTS) {
        return ERR_INVALID;
    }
    cs->slots = slots;
    cs->nslots = nslots;
    cs->live = 0;
    cs->free_head = NULL;
    cs->owner = owner;
    for (uint32_t i = 0; i < nslots; i++) {
        cap_slot_t *s = &slots[i];
        slot_clear(s);
        s->gen = 1;
        s->owner = cs;
        s->state = CAP_SLOT_RETIRED;
    }
    /* Pushed from the top, so reservations start at slot 1 and go up. */
    for (uint32_t i = nslots - 1; i >= 1; i--) {
        free_push(&slots[i]);
    }
    return STATUS_OK;
}

exo_handle_t cap_handle(const cap_slot_t *s) {
    uint64_t index = (uint64_t)(s - s->owner->slots);
    return index | (uint64_t)s->gen << EXO_HANDLE_INDEX_BITS;
}

status_t cspace_lookup(const cspace_t *cs, exo_handle_t h, cap_slot_t **out) {
    uint64_t index = h & HANDLE_INDEX_MASK;
    uint64_t gen = (h >> EXO_HANDLE_INDEX_BITS) & HANDLE_GEN_MASK;
    if ((h >> HANDLE_RESERVED_SHIFT) != 0 || index == 0 || index >= cs->nslots || gen == 0) {
        return ERR_BAD_HANDLE;
    }
    cap_slot_t *s = &cs->slots[index];
    if (gen < s->gen) {
        return ERR_STALE;
    }
    if (gen > s->gen) {
        return ERR_BAD_HANDLE;
    }
    if (s->state == CAP_SLOT_LIVE) {
        *out = s;
        return STATUS_OK;
    }
    /* A retired slot keeps the generation of its last cap, which was LIVE and deleted; a
     * FREE or RESERVED slot's current generation has not been installed yet. */
    return s->state == CAP_SLOT_RETIRED ? ERR_STALE : ERR_BAD_HANDLE;
}

status_t cspace_reserve(cspace_t *cs, cap_slot_t **out) {
    cap_slot_t *s = cs->free_head;
    if (s == NULL) {
        return ERR_TABLE_FULL;
    }
    cs->free_head = s->next_free;
    s->next_free = NULL;
    s->state = CAP_SLOT_RESERVED;
    cs->live++;
    *out = s;
    return STATUS_OK;
}

/* Precondition: s is RESERVED. The generation stays: no handle to it was ever valid. */
void cspace_unreserve(cap_slot_t *s) {
    s->owner->live--;
    free_push(s);
}

/* Preconditions: s is RESERVED; parent is NULL or LIVE (in any cspace sharing the tree). */
void cap_install(cap_slot_t *s, uint16_t type, uint32_t rights, void *obj, uint64_t badge,
                 cap_slot_t *parent) {
    slot_clear(s);
    s->type = type;
    s->rights = rights;
    s->obj = obj;
    s->badge = badge;
    s->state = CAP_SLOT_LIVE;
    if (parent != NULL) {
        cdt_attach(parent, s);
    }
}

/* Preconditions: dst is RESERVED, src is LIVE (dst != src; they may share a cspace). */
void cap_move_to(cap_slot_t *dst, cap_slot_t *src) {
    slot_clear(dst);
    dst->type = src->type;
    dst->rights = src->rights;
    dst->obj = src->obj;
    dst->badge = src->badge;
    dst->mapped = src->mapped;
    dst->map_prot = src->map_prot;
    dst->state = CAP_SLOT_LIVE;
    cdt_replace(src, dst);
    slot_end(src);
}

/* Precondition: s is LIVE. */
void cspace_release(cap_slot_t *s) {
    cdt_detach(s);
    slot_end(s);
}

uint32_t cspace_live(const cspace_t *cs) {
    return cs->live;
}
