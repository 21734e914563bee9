/*
 * Capability tables (cspaces) and handles. Pure logic: no locks, no allocation, no arch
 * code, so the same file runs in the kernel and in host tests. A cspace is a fixed array
 * of slots owned by one domain; a handle (exo/caps.h) is a slot index plus the slot's
 * generation. Slot 0 is never used. The caller serialises every call on all cspaces that
 * share a derivation tree (the kernel: caps_lock, caps/cap.c).
 *
 * Slot lifecycle: FREE --cspace_reserve--> RESERVED --cap_install / cap_move_to--> LIVE
 * --cspace_release--> FREE (generation + 1). RESERVED --cspace_unreserve--> FREE (same
 * generation: the reservation was never seen by anyone). A slot whose generation would
 * wrap is retired instead of freed, so no handle ever names two caps.
 */
#pragma once

#include <exo/caps.h>
#include <exo/status.h>
#include <stdbool.h>
#include <stdint.h>

#define CAP_GEN_MAX 0xffffffffu
#define CSPACE_MAX_SLOTS (1u << EXO_HANDLE_INDEX_BITS)

enum cap_slot_state {
    CAP_SLOT_FREE = 0,
    CAP_SLOT_RESERVED,
    CAP_SLOT_LIVE,
    CAP_SLOT_RETIRED, /* its generation is used up: never handed out again */
};

struct cspace;

typedef struct cap_slot {
    uint8_t state;   /* enum cap_slot_state */
    uint8_t mapped;  /* kernel: a region cap that mapped its region in the owner's view */
    uint16_t type;   /* enum exo_cap_type; CAP_NONE unless LIVE */
    uint32_t rights; /* CAP_RIGHT_* */
    uint32_t gen;    /* the generation handles to this slot carry (>= 1) */
    uint32_t map_prot;
    void *obj;      /* the object (kernel: region_t *, domain_t *, ...) */
    uint64_t badge; /* per-type word the holder cannot change (IPC badges) */
    struct cspace *owner;
    /* Derivation tree (caps/cdt.h): every LIVE slot is in exactly one tree. */
    struct cap_slot *parent, *first_child, *next_sibling, *prev_sibling;
    struct cap_slot *next_free; /* FREE slots: the free list */
} cap_slot_t;

typedef struct cspace {
    cap_slot_t *slots;
    uint32_t nslots; /* 2..CSPACE_MAX_SLOTS, slot 0 included */
    uint32_t live;   /* RESERVED + LIVE slots */
    cap_slot_t *free_head;
    void *owner; /* kernel: the domain_t */
} cspace_t;

/* Sets up cs over slots[0..nslots) (2..CSPACE_MAX_SLOTS, else ERR_INVALID), all free with
 * generation 1. owner is stored for the caller. */
status_t cspace_init(cspace_t *cs, cap_slot_t *slots, uint32_t nslots, void *owner);

/* The handle naming slot s (LIVE or RESERVED). */
exo_handle_t cap_handle(const cap_slot_t *s);

/* The LIVE slot h names. ERR_BAD_HANDLE: reserved bits set, index 0 or out of range, or a
 * generation this slot never had (forged); ERR_STALE: the slot's cap named by h was
 * deleted (an older generation). */
status_t cspace_lookup(const cspace_t *cs, exo_handle_t h, cap_slot_t **out);

/* Takes a free slot for a cap about to be installed (decode phase). ERR_TABLE_FULL. */
status_t cspace_reserve(cspace_t *cs, cap_slot_t **out);
/* Gives a reservation back unused. */
void cspace_unreserve(cap_slot_t *s);

/* Fills reserved slot s and links it into the derivation tree as the last child of
 * parent (NULL: a root). parent must be LIVE. */
void cap_install(cap_slot_t *s, uint16_t type, uint32_t rights, void *obj, uint64_t badge,
                 cap_slot_t *parent);

/* Moves LIVE slot src's cap (type, rights, object, badge, mapped state and its place in
 * the derivation tree, children included) into reserved slot dst; src is released. */
void cap_move_to(cap_slot_t *dst, cap_slot_t *src);

/* Deletes LIVE slot s: its children become children of its parent (roots if it had none),
 * then the slot is freed with the next generation (or retired). The caller has taken
 * what it needs (object, mapping) out of s before. */
void cspace_release(cap_slot_t *s);

/* Number of RESERVED + LIVE slots. */
uint32_t cspace_live(const cspace_t *cs);
