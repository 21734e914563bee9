/*
 * The kernel's half of the shared-memory ring protocol (exo/ring.h): consuming SQEs,
 * publishing CQEs and the poller's need-wakeup handshake. Pure: it sees the ring memory
 * through page pointers (the kernel's physmap view of the ring's frames, or any memory in
 * host tests) and trusts nothing in it. One consumer of the SQ and one producer of the CQ
 * at a time (the caller serialises: the ring's submit token and lock).
 */
#pragma once

#include <exo/ring.h>
#include <exo/status.h>
#include <stdbool.h>
#include <stdint.h>

#define RINGQ_SQES_PER_PAGE (EXO_RING_PAGE / sizeof(exo_sqe_t))
#define RINGQ_CQES_PER_PAGE (EXO_RING_PAGE / sizeof(exo_cqe_t))

typedef struct ringq {
    exo_ring_hdr_t *hdr;
    void *const *sq_pages; /* sq_entries / RINGQ_SQES_PER_PAGE pages (at least one) */
    void *const *cq_pages;
    uint32_t sq_entries; /* the kernel's own copies: never read from shared memory */
    uint32_t cq_entries;
    uint32_t sq_head; /* the kernel's own indices; the shared ones are only published */
    uint32_t cq_tail;
} ringq_t;

/* Geometry of a ring of sq_entries/cq_entries (both powers of two, 1..MAX): bytes of
 * header, SQ and CQ, each starting on a page. ERR_INVALID for a bad size. */
typedef struct ringq_layout {
    uint32_t sq_off, cq_off, size; /* size: total, a page multiple */
} ringq_layout_t;
status_t ringq_layout(uint32_t sq_entries, uint32_t cq_entries, ringq_layout_t *out);

/* Sets q up over memory that is all zero and writes the header's geometry fields. pages:
 * the ring's pages in order (layout.size / EXO_RING_PAGE of them). */
void ringq_init(ringq_t *q, void *const *pages, uint32_t sq_entries, uint32_t cq_entries,
                uint32_t setup_flags);

/* SQEs published and not yet consumed, or ERR_RANGE (as a negative int64) when the app's
 * tail is more than a ring ahead of the kernel's head. */
int64_t ringq_sq_ready(ringq_t *q);
/* Copies the SQE at the kernel's head into *out (the copy is what gets checked) and
 * consumes it: the shared sq_head moves on with a release store. Call only when
 * ringq_sq_ready said one is there. */
void ringq_sq_take(ringq_t *q, exo_sqe_t *out);

/* CQEs published and not yet consumed by the app; cq_entries when the app's head is not
 * within a ring behind the kernel's tail (a lying head counts as a full queue). */
uint32_t ringq_cq_used(const ringq_t *q);
/* Publishes *cqe if the CQ has a free slot (true), else false. */
bool ringq_cq_post(ringq_t *q, const exo_cqe_t *cqe);

/* The poller's side of the need-wakeup handshake: sets EXO_RING_NEED_WAKEUP, then (after
 * a full fence, pairing with the app's fence between publishing sq_tail and reading the
 * flags) looks at the SQ again. True: nothing arrived, the poller may park (the flag stays
 * set, so the app will trap to wake it). False: work arrived; the flag is cleared again. */
bool ringq_poller_park(ringq_t *q);
/* The poller runs again: clears EXO_RING_NEED_WAKEUP. */
void ringq_poller_unpark(ringq_t *q);
/* Sets or clears a kernel-owned flag (EXO_RING_CQ_BACKLOG). */
void ringq_set_flag(ringq_t *q, uint32_t flag, bool on);
