/*
 * Local APIC driver. Registers are named by their xAPIC MMIO offset; in x2APIC mode the
 * MSR is 0x800 + offset / 16 (SDM 11.12.1.2), and the ICR is one 64-bit MSR write.
 */
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <dev/clock.h>
#include <kernel/kprintf.h>
#include <mm/physmap.h>

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_ENABLE (1u << 11)
#define APIC_BASE_X2APIC (1u << 10)
#define MSR_TSC_DEADLINE 0x6e0

#define REG_ID 0x020
#define REG_TPR 0x080
#define REG_EOI 0x0b0
#define REG_SVR 0x0f0
#define REG_ICR_LO 0x300
#define REG_ICR_HI 0x310
#define REG_LVT_TIMER 0x320
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR 0x390
#define REG_TIMER_DIV 0x3e0

#define SVR_ENABLE (1u << 8)
#define ICR_PENDING (1u << 12)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define LVT_MASKED (1u << 16)
#define LVT_TSC_DEADLINE (2u << 17)
#define TIMER_DIV_16 0x3

static bool x2apic;
static bool tsc_deadline;
static volatile uint32_t *mmio;
static uint64_t timer_ticks_per_tsc_q32; /* LAPIC timer ticks per TSC tick, 32.32 fixed */

static uint32_t reg_read(uint32_t off) {
    return x2apic ? (uint32_t)rdmsr(0x800 + off / 16) : mmio[off / 4];
}

static void reg_write(uint32_t off, uint32_t v) {
    if (x2apic) {
        wrmsr(0x800 + off / 16, v);
    } else {
        mmio[off / 4] = v;
    }
}

void lapic_init(uint64_t mmio_phys) {
    uint64_t base = rdmsr(MSR_APIC_BASE);
    if (mmio == NULL) { /* first core decides for all: they are the same model */
        x2apic = cpu_features.x2apic;
        tsc_deadline = cpuid(1, 0).ecx & (1u << 24);
        mmio = phys_to_virt(mmio_phys ? mmio_phys : (base & ~0xfffull));
    }
    base |= APIC_BASE_ENABLE | (x2apic ? APIC_BASE_X2APIC : 0);
    wrmsr(MSR_APIC_BASE, base);
    reg_write(REG_TPR, 0);
    reg_write(REG_SVR, SVR_ENABLE | VEC_SPURIOUS);
    reg_write(REG_LVT_TIMER, LVT_MASKED | VEC_TIMER);
}

uint32_t lapic_id(void) {
    uint32_t id = reg_read(REG_ID);
    return x2apic ? id : id >> 24;
}

bool lapic_x2apic(void) {
    return x2apic;
}

bool lapic_tsc_deadline(void) {
    return tsc_deadline;
}

void lapic_eoi(void) {
    reg_write(REG_EOI, 0);
}

bool lapic_ipi_wait(void) {
    if (x2apic) {
        return true; /* x2APIC has no delivery-status bit: writes are accepted at once */
    }
    for (uint64_t spins = 0; spins < 100000000; spins++) {
        if (!(mmio[REG_ICR_LO / 4] & ICR_PENDING)) {
            return true;
        }
        cpu_relax();
    }
    return false;
}

static void icr_write(uint32_t dest, uint32_t lo) {
    if (x2apic) {
        wrmsr(0x800 + REG_ICR_LO / 16, ((uint64_t)dest << 32) | lo);
    } else {
        lapic_ipi_wait();
        mmio[REG_ICR_HI / 4] = dest << 24;
        mmio[REG_ICR_LO / 4] = lo;
    }
}

void lapic_send_ipi(uint32_t dest, uint8_t vector) {
    icr_write(dest, vector | ICR_LEVEL_ASSERT);
}

void lapic_send_init(uint32_t dest) {
    icr_write(dest, ICR_INIT | ICR_LEVEL_ASSERT);
}

void lapic_send_sipi(uint32_t dest, uint8_t page) {
    icr_write(dest, ICR_STARTUP | page);
}

void lapic_timer_calibrate(void) {
    if (tsc_deadline) {
        return;
    }
    reg_write(REG_TIMER_DIV, TIMER_DIV_16);
    reg_write(REG_LVT_TIMER, LVT_MASKED | VEC_TIMER);
    uint64_t tsc0 = rdtsc();
    reg_write(REG_TIMER_INIT, 0xffffffffu);
    clock_delay_ns(10 * 1000 * 1000);
    uint32_t elapsed = 0xffffffffu - reg_read(REG_TIMER_CUR);
    uint64_t dtsc = rdtsc() - tsc0;
    reg_write(REG_TIMER_INIT, 0);
    timer_ticks_per_tsc_q32 = dtsc ? ((uint64_t)elapsed << 32) / dtsc : 0;
    kprintf("lapic: timer %lu kHz (count-down mode, divide 16)\n", (uint64_t)elapsed * 100 / 1000);
}

void lapic_timer_arm(uint64_t deadline) {
    if (tsc_deadline) {
        reg_write(REG_LVT_TIMER, LVT_TSC_DEADLINE | VEC_TIMER);
        wrmsr(MSR_TSC_DEADLINE, deadline);
        return;
    }
    if (deadline == 0) {
        reg_write(REG_TIMER_INIT, 0);
        return;
    }
    uint64_t now = rdtsc();
    uint64_t delta = deadline > now ? deadline - now : 1;
    uint64_t count = (uint64_t)(((__uint128_t)delta * timer_ticks_per_tsc_q32) >> 32);
    count = count == 0 ? 1 : count > 0xffffffffu ? 0xffffffffu : count;
    reg_write(REG_LVT_TIMER, VEC_TIMER); /* one-shot */
    reg_write(REG_TIMER_DIV, TIMER_DIV_16);
    reg_write(REG_TIMER_INIT, (uint32_t)count);
}
