/*
 * Wall-clock time: the firmware's clock as the loader read it (bootinfo time, UEFI
 * GetTime) carried forward by the monotonic clock (dev/clock.h). Its resolution at boot is
 * the RTC's (a second); from then on it moves exactly with clock_ns.
 */
#pragma once

#include <exo/bootinfo.h>
#include <stdint.h>

/* Takes the firmware's time; after clock_init. Logs the date, or why there is none. */
void realtime_init(const bootinfo_time_t *t);
/* Nanoseconds since 1970-01-01 00:00:00 UTC; 0 when there is no wall clock. */
uint64_t realtime_ns(void);
