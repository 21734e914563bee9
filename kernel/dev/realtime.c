/* Wall-clock time (dev/realtime.h). */
#include <arch/cpu.h>
#include <dev/clock.h>
#include <dev/realtime.h>
#include <kernel/civil.h>
#include <kernel/kprintf.h>

#define NS_PER_SEC 1000000000ull
#define EFI_UNSPECIFIED_TIMEZONE 0x07ff

static uint64_t boot_unix_ns; /* the wall time when clock_ns() was 0; 0: none */

void realtime_init(const bootinfo_time_t *t) {
    if (!t->valid) {
        kprintf("clock: the firmware gave no time (GetTime failed): no wall clock\n");
        return;
    }
    civil_time_t c = {t->year, t->month, t->day, t->hour, t->minute, t->second};
    int64_t s;
    if (civil_to_unix(&c, &s) != STATUS_OK) {
        kprintf("clock: the firmware's time %u-%u-%u %u:%u:%u is not a date: no wall clock\n",
                t->year, t->month, t->day, t->hour, t->minute, t->second);
        return;
    }
    bool zoned =
        t->timezone != EFI_UNSPECIFIED_TIMEZONE && t->timezone >= -1440 && t->timezone <= 1440;
    if (zoned) {
        s -= (int64_t)t->timezone * 60; /* local = UTC + timezone (UEFI 2.10, 8.3) */
    }
    if (s <= 0) {
        kprintf("clock: the firmware's time is before 1970: no wall clock\n");
        return;
    }
    uint64_t ns = (uint64_t)s * NS_PER_SEC + (t->nanosecond < NS_PER_SEC ? t->nanosecond : 0);
    ns += clock_tsc_to_ns(rdtsc() - t->tsc); /* since GetTime, on the same TSC */
    boot_unix_ns = ns - clock_ns();
    kprintf("clock: wall time %04u-%02u-%02u %02u:%02u:%02u %s (the firmware's clock)\n", t->year,
            t->month, t->day, t->hour, t->minute, t->second, zoned ? "local" : "UTC");
}

uint64_t realtime_ns(void) {
    return boot_unix_ns ? boot_unix_ns + clock_ns() : 0;
}
