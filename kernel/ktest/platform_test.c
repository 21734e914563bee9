/*
 * ktests for the platform layer: ACPI tables as QEMU's q35 + OVMF provide them, the
 * interrupt controllers and the calibrated clock.
 */
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <dev/clock.h>
#include <dev/platform.h>
#include <kernel/cpu.h>
#include <ktest/ktest.h>

KTEST(acpi_tables_found) {
    const acpi_info_t *a = &platform_acpi;
    KT_ASSERT(a->has_madt);
    KT_ASSERT(a->ncpus >= 1);
    KT_ASSERT(a->nioapics >= 1);
    KT_ASSERT_EQ(a->ioapics[0].gsi_base, 0);
    KT_ASSERT(a->lapic_base == 0xfee00000ull);
    KT_ASSERT(a->has_fadt && a->pm1a_cnt != 0);
    KT_ASSERT(a->has_s5);
    KT_ASSERT(a->has_hpet && a->hpet_base != 0);
    KT_ASSERT(a->pm_tmr_port != 0);
    bool timer_override = false; /* QEMU routes ISA IRQ 0 to GSI 2 */
    for (uint32_t i = 0; i < a->noverrides; i++) {
        timer_override |= a->overrides[i].source == 0 && a->overrides[i].gsi == 2;
    }
    KT_ASSERT(timer_override);
}

KTEST(smp_every_madt_cpu_online) {
    uint32_t enabled = 0;
    for (uint32_t i = 0; i < platform_acpi.ncpus; i++) {
        enabled += platform_acpi.cpus[i].enabled;
    }
    KT_ASSERT_EQ(cpu_count, enabled);
    for (uint32_t i = 0; i < cpu_count; i++) {
        KT_ASSERT(cpus[i] != NULL && atomic_load(&cpus[i]->online));
        KT_ASSERT_EQ(cpus[i]->index, i);
        for (uint32_t j = 0; j < i; j++) {
            KT_ASSERT(cpus[i]->apic_id != cpus[j]->apic_id);
        }
    }
    KT_ASSERT_EQ(this_cpu()->index, 0);
    KT_ASSERT_EQ(this_cpu()->apic_id, lapic_id());
}

KTEST(clock_matches_hpet) {
    /* 50 ms by the TSC clock must be 50 ms by the HPET, within 2 %. */
    uint64_t f0 = hpet_now_fs();
    clock_delay_ns(50 * 1000 * 1000);
    uint64_t us = (hpet_now_fs() - f0) / 1000000000ull;
    KT_ASSERT(clock_tsc_hz() > 100 * 1000 * 1000ull);
    KT_ASSERT(us >= 49000 && us <= 51000);
}
