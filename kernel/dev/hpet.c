/*
 * HPET (IA-PC HPET specification 1.0a, 2.3): only the main counter, as a reference
 * clock. Capabilities at 0x000 (bits 63:32: period in femtoseconds), configuration at
 * 0x010 (bit 0: enable), main counter at 0x0f0.
 */
#include <dev/clock.h>
#include <kernel/kprintf.h>
#include <mm/physmap.h>

#define HPET_CAP 0x000
#define HPET_CONFIG 0x010
#define HPET_COUNTER 0x0f0
#define HPET_MAX_PERIOD_FS 100000000u /* the spec's upper bound: 100 ns */

static volatile uint64_t *hpet;
static uint64_t period_fs;
static bool counter_64bit;

status_t hpet_init(uint64_t base) {
    volatile uint64_t *regs = phys_to_virt(base);
    uint64_t cap = regs[HPET_CAP / 8];
    uint64_t period = cap >> 32;
    if (period == 0 || period > HPET_MAX_PERIOD_FS) {
        kprintf("hpet: bad period %lu fs at %lx, ignoring the HPET\n", period, base);
        return ERR_BAD_FORMAT;
    }
    counter_64bit = cap & (1u << 13);
    period_fs = period;
    regs[HPET_CONFIG / 8] |= 1; /* enable the main counter; legacy routing stays off */
    hpet = regs;
    kprintf("hpet: %lu.%03lu MHz, %s counter\n", 1000000000u / period,
            (uint64_t)((1000000000000ull / period) % 1000), counter_64bit ? "64-bit" : "32-bit");
    return STATUS_OK;
}

uint64_t hpet_now_fs(void) {
    if (hpet == NULL) {
        return 0;
    }
    /* A 32-bit counter wraps every ~5 minutes at 14.3 MHz: fine for calibration and
     * for the short intervals the tests measure. */
    uint64_t ticks = counter_64bit ? hpet[HPET_COUNTER / 8] : (uint32_t)hpet[HPET_COUNTER / 8];
    return ticks * period_fs;
}
