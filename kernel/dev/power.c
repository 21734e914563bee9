/* ACPI soft-off and the reboot ladder (dev/power.h). ACPI 6.5, 4.8.3.2 and 7.4.2. */
#include <arch/cpu.h>
#include <dev/clock.h>
#include <dev/power.h>
#include <kernel/kprintf.h>
#include <mm/physmap.h>
#include <trace/trace.h>

#define SLP_EN (1u << 13)

static const acpi_info_t *acpi_ref;

void power_init(const acpi_info_t *acpi) {
    acpi_ref = acpi;
}

void power_off(void) {
    trace_drain_at_exit("power-off"); /* trace=serial */
    irq_disable();
    if (acpi_ref && acpi_ref->has_fadt && acpi_ref->has_s5 && acpi_ref->pm1a_cnt) {
        kprintf("power: entering ACPI S5 (soft-off)\n");
        uint16_t a = inw((uint16_t)acpi_ref->pm1a_cnt) & ~(7u << 10);
        outw((uint16_t)acpi_ref->pm1a_cnt, a | (uint16_t)(acpi_ref->s5_typa << 10) | SLP_EN);
        if (acpi_ref->pm1b_cnt) {
            uint16_t b = inw((uint16_t)acpi_ref->pm1b_cnt) & ~(7u << 10);
            outw((uint16_t)acpi_ref->pm1b_cnt, b | (uint16_t)(acpi_ref->s5_typb << 10) | SLP_EN);
        }
        clock_delay_ns(1000000000ull);
        kprintf("power: still running 1 s after S5\n");
    } else {
        kprintf("power: no ACPI S5 information; cannot power off\n");
    }
    kprintf("power: halting instead\n");
    cpu_halt_forever();
}

void power_reboot(void) {
    trace_drain_at_exit("reset"); /* trace=serial */
    irq_disable();
    if (acpi_ref && acpi_ref->has_reset) {
        const acpi_gas_t *r = &acpi_ref->reset_reg;
        kprintf("power: reset through the FADT reset register\n");
        if (r->space == 1) {
            outb((uint16_t)r->address, acpi_ref->reset_value);
        } else if (r->space == 0) {
            *(volatile uint8_t *)phys_to_virt(r->address) = acpi_ref->reset_value;
        }
        clock_delay_ns(500000000ull);
    }
    kprintf("power: reset through port 0xcf9\n");
    outb(0xcf9, 0x02);
    outb(0xcf9, 0x06); /* full reset */
    clock_delay_ns(500000000ull);
    kprintf("power: reset through the keyboard controller\n");
    outb(0x64, 0xfe);
    clock_delay_ns(500000000ull);
    kprintf("power: reset through a triple fault\n");
    cpu_triple_fault();
}
