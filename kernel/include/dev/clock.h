/*
 * Time. The TSC is the kernel's clock: calibrated once at boot against the HPET (or the
 * ACPI PM timer when there is no HPET), then read with rdtsc on every core. The HPET
 * stays available as the reference the timer tests compare against.
 */
#pragma once

#include <dev/acpi.h>
#include <exo/status.h>
#include <stdint.h>

/* Calibrates the TSC. ERR_UNSUPPORTED when neither HPET nor PM timer exists. */
status_t clock_init(const acpi_info_t *acpi);

uint64_t clock_tsc_hz(void);
/* Nanoseconds since clock_init (monotonic, all cores). */
uint64_t clock_ns(void);
/* The TSC value clock_ns counts from. */
uint64_t clock_tsc_boot(void);
/* TSC ticks for a duration, and back. */
uint64_t clock_ns_to_tsc(uint64_t ns);
uint64_t clock_tsc_to_ns(uint64_t ticks);
/* Busy-waits at least ns nanoseconds (boot-time delays: AP start-up, calibration). */
void clock_delay_ns(uint64_t ns);

/* The HPET main counter in femtoseconds since it was enabled; 0 without an HPET. */
uint64_t hpet_now_fs(void);
/* The HPET time and a TSC reading taken at (nearly) the same instant: retried until the
 * two TSC reads around the HPET read are close, so a vCPU preempted in between (TCG)
 * cannot skew the pair. For calibration and for tests that compare the two clocks. */
void hpet_sample(uint64_t *tsc, uint64_t *fs);
/* Enables the HPET at base (physical). ERR_BAD_FORMAT if the registers look wrong. */
status_t hpet_init(uint64_t base);
