/*
 * TSC calibration and the kernel's clock. Calibration counts TSC ticks over 20 ms of the
 * HPET (or the 3.579545 MHz ACPI PM timer), three times, and keeps the median.
 */
#include <arch/cpu.h>
#include <dev/clock.h>
#include <kernel/kprintf.h>

#define PM_TIMER_HZ 3579545ull
#define CALIBRATE_NS 20000000ull

static uint64_t tsc_hz;
static uint64_t tsc_boot;
static uint64_t ns_per_tsc_q32; /* nanoseconds per TSC tick, 32.32 fixed point */
static uint64_t tsc_per_ns_q32;
static const acpi_info_t *acpi_ref;

static uint32_t pm_timer_read(void) {
    uint32_t v = inl((uint16_t)acpi_ref->pm_tmr_port);
    return acpi_ref->pm_tmr_32bit ? v : (v & 0xffffff);
}

#define SAMPLE_TRIES 16
#define SAMPLE_TIGHT_TSC 100000ull /* ~40 us at 2.6 GHz: an undisturbed MMIO read is far less */

void hpet_sample(uint64_t *tsc, uint64_t *fs) {
    uint64_t best = ~0ull;
    for (int i = 0; i < SAMPLE_TRIES && best > SAMPLE_TIGHT_TSC; i++) {
        uint64_t t0 = rdtsc();
        uint64_t f = hpet_now_fs();
        uint64_t t1 = rdtsc();
        if (t1 - t0 < best) {
            best = t1 - t0;
            *tsc = t0 + (t1 - t0) / 2;
            *fs = f;
        }
    }
}

/* TSC ticks per second measured against the HPET or the PM timer over one interval. */
static uint64_t measure_once(bool use_hpet) {
    if (use_hpet) {
        uint64_t t0, f0, t1, f1;
        hpet_sample(&t0, &f0);
        while (hpet_now_fs() - f0 < CALIBRATE_NS * 1000000ull) {
            cpu_relax();
        }
        hpet_sample(&t1, &f1);
        uint64_t ns = (f1 - f0) / 1000000; /* 2e7 for 20 ms: (t1 - t0) * 1e9 fits 64 bits */
        return (t1 - t0) * 1000000000ull / ns;
    }
    uint32_t mask = acpi_ref->pm_tmr_32bit ? 0xffffffffu : 0xffffffu;
    uint64_t want = PM_TIMER_HZ * CALIBRATE_NS / 1000000000ull;
    uint32_t p0 = pm_timer_read();
    uint64_t t0 = rdtsc();
    uint64_t elapsed = 0;
    uint32_t prev = p0;
    while (elapsed < want) {
        uint32_t now = pm_timer_read();
        elapsed += (now - prev) & mask;
        prev = now;
    }
    uint64_t t1 = rdtsc();
    return (t1 - t0) * PM_TIMER_HZ / elapsed;
}

status_t clock_init(const acpi_info_t *acpi) {
    acpi_ref = acpi;
    bool use_hpet = acpi->has_hpet && hpet_init(acpi->hpet_base) == STATUS_OK;
    if (!use_hpet && acpi->pm_tmr_port == 0) {
        return ERR_UNSUPPORTED;
    }
    uint64_t m[3];
    for (int i = 0; i < 3; i++) {
        m[i] = measure_once(use_hpet);
    }
    uint64_t lo = m[0] < m[1] ? m[0] : m[1], hi = m[0] < m[1] ? m[1] : m[0];
    tsc_hz = m[2] < lo ? lo : m[2] > hi ? hi : m[2];
    /* 64-bit divisions only (no compiler runtime in the kernel): 1e9 << 32 < 2^64, and
     * tsc_hz / 1000 < 2^32 for any TSC below 4 THz. */
    ns_per_tsc_q32 = (1000000000ull << 32) / tsc_hz;
    tsc_per_ns_q32 = ((tsc_hz / 1000) << 32) / 1000000ull;
    tsc_boot = rdtsc();
    kprintf("clock: TSC %lu.%03lu MHz (against the %s)%s\n", tsc_hz / 1000000,
            (tsc_hz / 1000) % 1000, use_hpet ? "HPET" : "ACPI PM timer",
            cpu_features.invariant_tsc ? ", invariant" : "");
    return STATUS_OK;
}

uint64_t clock_tsc_hz(void) {
    return tsc_hz;
}

uint64_t clock_tsc_to_ns(uint64_t ticks) {
    return (uint64_t)(((__uint128_t)ticks * ns_per_tsc_q32) >> 32);
}

uint64_t clock_ns_to_tsc(uint64_t ns) {
    return (uint64_t)(((__uint128_t)ns * tsc_per_ns_q32) >> 32);
}

uint64_t clock_tsc_boot(void) {
    return tsc_boot;
}

uint64_t clock_ns(void) {
    return clock_tsc_to_ns(rdtsc() - tsc_boot);
}

void clock_delay_ns(uint64_t ns) {
    uint64_t end = rdtsc() + clock_ns_to_tsc(ns);
    while ((int64_t)(rdtsc() - end) < 0) {
        cpu_relax();
    }
}
