/*
 * A trace buffer: a ring of fixed-size records (exo/trace.h) that one core writes without
 * locks, safe against its own interrupt handlers writing in the middle of a record, and
 * that any core may read at any time, skipping what is torn, unfinished or overwritten.
 * Pure; the same file is host-tested (test/host/test_tbuf.c) under ASan, UBSan and TSan.
 */
#pragma once

#include <exo/status.h>
#include <exo/trace.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Record numbers, not slots, are the state: record n lives in slot n & mask until record
 * n + capacity takes the slot. Writing a record is three steps so that an interrupt on
 * the same core may write whole records between any two of them (or inside one):
 *   tbuf_reserve  takes the next number (one atomic add: the interrupt gets the next one)
 *                 and marks the slot unfinished (seq 0);
 *   tbuf_fill     stores the record's fields;
 *   tbuf_commit   publishes it (seq = EXO_TRACE_SEQ(n)), or, if records nested inside
 *                 the three steps wrapped the whole ring onto the slot, marks it unfinished
 *                 for good: that record and the one it collided with are lost, never torn.
 * A reader copies the fields between two loads of seq and keeps the copy only if both
 * are EXO_TRACE_SEQ(n) (a seqlock). The one case a reader can be fooled in is nested
 * writes of more than capacity records inside one tbuf_fill, racing that reader.
 */
typedef struct tbuf {
    _Atomic uint64_t head; /* the next record number; advanced only by the owning core */
    _Atomic uint64_t base; /* numbers below it were cleared (any core, tbuf_clear) */
    uint64_t mask;         /* capacity - 1 */
    exo_trace_rec_t *slots;
} tbuf_t;

/* slots: capacity records owned by the caller, capacity a power of two in 2..2^30.
 * ERR_INVALID otherwise. The buffer starts empty. */
status_t tbuf_init(tbuf_t *b, exo_trace_rec_t *slots, uint64_t capacity);

/* Owning core (and its interrupt handlers) only. */
uint64_t tbuf_reserve(tbuf_t *b);
void tbuf_fill(tbuf_t *b, uint64_t n, const exo_trace_rec_t *r); /* r->seq is ignored */
void tbuf_commit(tbuf_t *b, uint64_t n);
/* All three: returns the record's number. */
uint64_t tbuf_write(tbuf_t *b, const exo_trace_rec_t *r);

/* Any core, any time. */
uint64_t tbuf_head(const tbuf_t *b);
/* The oldest number the buffer may still hold: the later of head - capacity and the
 * last clear. */
uint64_t tbuf_oldest(const tbuf_t *b);
/* Copies record n into *out if it is complete and intact (true); false if n is outside
 * [tbuf_oldest, tbuf_head), overwritten, unfinished or changed during the copy. */
bool tbuf_read(const tbuf_t *b, uint64_t n, exo_trace_rec_t *out);
/* Forgets every record numbered below the head now (the slots are left as they are). */
void tbuf_clear(tbuf_t *b);
