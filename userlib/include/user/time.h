/*
 * userlib: time (docs/userlib.md#time). Two clocks, in nanoseconds: monotonic (since the
 * kernel started its clock; HPET- or TSC-based) and real time (the UEFI clock the loader
 * read at boot, in seconds since 1970-01-01 UTC, plus the monotonic time since: it moves
 * with the monotonic clock and has the RTC's one-second resolution at its start). Apps on
 * the C library use clock_gettime, time, gettimeofday and nanosleep instead.
 */
#pragma once

#include <stdint.h>

#define EXO_NS_PER_SEC 1000000000ull

/* Nanoseconds since boot; never goes back. */
uint64_t exo_clock_ns(void);
/* Nanoseconds since 1970-01-01 00:00:00 UTC; 0 if the firmware gave no time. */
uint64_t exo_clock_realtime_ns(void);
/* Suspends the calling continuation for at least ns (a ring timeout: other continuations
 * of the domain run meanwhile). Returns 0, or an error (no ring could be had: ERR_QUOTA,
 * ERR_NO_MEMORY, ERR_TABLE_FULL). */
int64_t exo_sleep_ns(uint64_t ns);
