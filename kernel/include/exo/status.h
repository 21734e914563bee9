/*
 * One status type for the whole system: 0 is success, every failure is a distinct
 * negative code. Shared by the loader, the kernel, host tests and (later) userlib, so it
 * uses only fixed-width types and no includes beyond <stdint.h>.
 */
#pragma once

#include <stdint.h>

typedef int32_t status_t;

#define STATUS_OK 0
#define ERR_INVALID -1     /* an argument or field has a value the callee rejects */
#define ERR_NO_MEMORY -2   /* an allocator or fixed-size table is exhausted */
#define ERR_NOT_FOUND -3   /* a name, file, key or symbol does not exist */
#define ERR_RANGE -4       /* an address, offset or size lies outside what is allowed */
#define ERR_TRUNCATED -5   /* input ends before a structure it announces */
#define ERR_BAD_FORMAT -6  /* input is not of the expected format (magic, class, ...) */
#define ERR_UNSUPPORTED -7 /* valid input asking for something not implemented */
#define ERR_OVERLAP -8     /* two ranges that must be disjoint intersect */
#define ERR_PERM -9        /* a permission rule forbids it (e.g. W+X segment) */
#define ERR_TOO_BIG -10    /* a count or size exceeds a fixed limit */
#define ERR_ALIGN -11      /* an address or size is not aligned as required */
#define ERR_STATE -12      /* the object is not in a state that allows it (double free) */
#define ERR_AGAIN -13      /* lost a race or momentarily unavailable: retrying may succeed */
#define ERR_CHECKSUM -14   /* a checksum over the input does not match */
#define ERR_TIMEOUT -15    /* a bounded wait ran out */
#define ERR_FAULT -16      /* a user address the caller may not access (unmapped, no rights) */
#define ERR_BAD_HANDLE -17 /* a handle that never named a cap in this table (forged, garbage) */
#define ERR_STALE -18      /* a handle whose cap was deleted or revoked */
#define ERR_WRONG_TYPE -19 /* the cap is of another object type than the call needs */
#define ERR_RIGHTS -20     /* the cap lacks a right the call needs, or a derive asks for more */
#define ERR_TABLE_FULL -21 /* the capability table has no free slot */
#define ERR_QUOTA -22      /* a memory cap's budget cannot cover the request */
#define ERR_BUSY -23       /* a bounded queue is full (a ring's CQ): consume, then retry */
#define ERR_CANCELED -24   /* cancelled: a failed link before it, a link timeout, a close */
#define ERR_CLOSED                                                                                 \
    -25 /* the other side is gone: an endpoint with no receiver left, a                            \
           call whose reply cap was deleted unanswered, a caller gone */

/* Short constant name of a status code ("ERR_RANGE"); never NULL. */
const char *status_str(status_t s);
