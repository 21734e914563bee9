/*
 * AP start-up (Intel SDM vol. 3A, 9.4.4: INIT, 10 ms, SIPI, 200 us, SIPI) and IPIs.
 * The trampoline (trampoline.S) runs from low_page; the three pages after it hold a
 * temporary PML4 (below 4 GiB, as 32-bit code loads CR3): the kernel half of the real
 * tables plus a 2 MiB identity map of low memory so the trampoline survives enabling
 * paging. APs start one at a time; each gets its own cpu_t, stack and IST stacks.
 */
#include <arch/cpu.h>
#include <arch/irq.h>
#include <arch/lapic.h>
#include <arch/mmu.h>
#include <arch/smp.h>
#include <arch/trap.h>
#include <dev/clock.h>
#include <kernel/cpu.h>
#include <kernel/kprintf.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>
#include <mm/physmap.h>
#include <mm/vm.h>
#include <trace/trace.h>

extern char trampoline_start[], trampoline_end[], tramp_gdt[], tramp_pm32[], tramp_lm64[],
    tramp_params[];

typedef struct __attribute__((packed)) tramp_params {
    uint16_t gdt_limit;
    uint32_t gdt_base;
    uint16_t pad0;
    uint32_t pm32_offset;
    uint16_t pm32_sel, pad1;
    uint64_t cr3, stack, entry, arg;
    uint32_t lm64_offset;
    uint16_t lm64_sel, pad2;
} tramp_params_t;

_Static_assert(sizeof(tramp_params_t) == 56, "matches the block at the end of trampoline.S");

#define AP_START_TIMEOUT_NS 2000000000ull /* TCG is slow to start a vCPU */

/* Per-core mailbox for smp_call: one call in flight per target (its lock is held by the
 * caller meanwhile). Anyone spinning here with interrupts off also serves its own
 * mailbox, so two cores calling each other cannot deadlock. */
typedef struct call_box {
    spinlock_t lock;
    void (*volatile fn)(void *arg);
    void *volatile arg;
    uint64_t posted; /* calls posted (under lock) */
    uint64_t done;   /* number of the last call finished; __atomic builtins only */
} call_box_t;

static call_box_t boxes[MAX_CPUS];

static void build_low_tables(uint64_t low_page) {
    uint64_t *pml4 = phys_to_virt(low_page + PAGE_SIZE);
    uint64_t *pdpt = phys_to_virt(low_page + 2 * PAGE_SIZE);
    uint64_t *pd = phys_to_virt(low_page + 3 * PAGE_SIZE);
    const uint64_t *kpml4 = phys_to_virt(vm_kernel()->root);
    memset(pml4, 0, 3 * PAGE_SIZE);
    for (int i = 256; i < 512; i++) {
        pml4[i] = kpml4[i];
    }
    pml4[0] = (low_page + 2 * PAGE_SIZE) | PTE_P | PTE_W;
    pdpt[0] = (low_page + 3 * PAGE_SIZE) | PTE_P | PTE_W;
    pd[0] = 0 | PTE_P | PTE_W | PTE_PS; /* identity 0..2 MiB, executable */
}

static bool start_one(uint64_t low_page, cpu_t *c, void (*ap_main)(void *cpu)) {
    tramp_params_t *p = phys_to_virt(low_page + (uint64_t)(tramp_params - trampoline_start));
    p->stack = c->stack_top;
    p->entry = (uint64_t)(uintptr_t)ap_main;
    p->arg = (uint64_t)(uintptr_t)c;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    lapic_send_init(c->apic_id);
    lapic_ipi_wait();
    clock_delay_ns(10 * 1000 * 1000);
    for (int sipi = 0; sipi < 2 && !c->online; sipi++) {
        lapic_send_sipi(c->apic_id, (uint8_t)(low_page >> 12));
        lapic_ipi_wait();
        clock_delay_ns(200 * 1000);
    }
    uint64_t deadline = clock_ns() + AP_START_TIMEOUT_NS;
    while (!c->online && clock_ns() < deadline) {
        cpu_relax();
    }
    return c->online;
}

uint32_t smp_boot_aps(const acpi_info_t *acpi, uint64_t low_page, void (*ap_main)(void *cpu)) {
    uint64_t size = (uint64_t)(trampoline_end - trampoline_start);
    memcpy(phys_to_virt(low_page), trampoline_start, size);
    build_low_tables(low_page);
    tramp_params_t *p = phys_to_virt(low_page + (uint64_t)(tramp_params - trampoline_start));
    p->gdt_base = (uint32_t)(low_page + (uint64_t)(tramp_gdt - trampoline_start));
    p->pm32_offset = (uint32_t)(low_page + (uint64_t)(tramp_pm32 - trampoline_start));
    p->lm64_offset = (uint32_t)(low_page + (uint64_t)(tramp_lm64 - trampoline_start));
    p->cr3 = low_page + PAGE_SIZE;

    uint32_t self = lapic_id();
    uint32_t next = 1, failed = 0;
    for (uint32_t i = 0; i < acpi->ncpus && next < MAX_CPUS; i++) {
        const acpi_cpu_t *ac = &acpi->cpus[i];
        if (!ac->enabled || ac->apic_id == self) {
            continue;
        }
        cpu_t *c = cpu_alloc(next, ac->apic_id);
        if (c == NULL) {
            kprintf("smp: no memory for CPU %u (APIC %u)\n", next, ac->apic_id);
            break;
        }
        cpus[next] = c;
        if (start_one(low_page, c, ap_main)) {
            next++;
        } else {
            kprintf("smp: CPU with APIC ID %u did not start\n", ac->apic_id);
            cpus[next] = NULL;
            failed++;
        }
    }
    kprintf("smp: %u of %u cores online%s\n", cpu_count, acpi->ncpus,
            failed ? " (some failed)" : "");
    return cpu_count;
}

static void ipi_wake(void) {}

/* Runs a call posted to this core's mailbox, if any (IPI handler, and waiting loops). */
static void ipi_call(void) {
    call_box_t *b = &boxes[this_cpu()->index];
    void (*fn)(void *) = __atomic_load_n(&b->fn, __ATOMIC_ACQUIRE);
    if (fn) {
        void *arg = b->arg; /* before the box is marked empty and a new call overwrites it */
        uint64_t seq = b->posted;
        __atomic_store_n(&b->fn, NULL, __ATOMIC_RELEASE);
        fn(arg);
        uint64_t done = __atomic_load_n(&b->done, __ATOMIC_RELAXED);
        while (done < seq && !__atomic_compare_exchange_n(&b->done, &done, seq, true,
                                                          __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
        } /* never backwards, even if fn itself served a newer call */
    }
}

void smp_init_ipis(void) {
    irq_set_handler(VEC_IPI_WAKE, ipi_wake);
    irq_set_handler(VEC_IPI_CALL, ipi_call);
}

void smp_call(uint32_t index, void (*fn)(void *arg), void *arg, bool wait) {
    if (index == this_cpu()->index) {
        fn(arg);
        return;
    }
    call_box_t *b = &boxes[index];
    bool irq = irq_save();
    while (__atomic_exchange_n(&b->lock.locked, 1, __ATOMIC_ACQUIRE)) {
        ipi_call();
        cpu_relax();
    }
    while (__atomic_load_n(&b->fn, __ATOMIC_ACQUIRE) != NULL) {
        ipi_call(); /* a call posted without waiting has not been taken yet */
        cpu_relax();
    }
    uint64_t seq = ++b->posted;
    b->arg = arg;
    __atomic_store_n(&b->fn, fn, __ATOMIC_RELEASE);
    trace_event(EXO_TRACE_IPI, VEC_IPI_CALL, index);
    lapic_send_ipi(cpus[index]->apic_id, VEC_IPI_CALL);
    while (wait && __atomic_load_n(&b->done, __ATOMIC_ACQUIRE) < seq) {
        ipi_call();
        cpu_relax();
    }
    spin_unlock(&b->lock, irq);
}

void smp_wake(uint32_t index) {
    if (index != this_cpu()->index) {
        trace_event(EXO_TRACE_IPI, VEC_IPI_WAKE, index);
        lapic_send_ipi(cpus[index]->apic_id, VEC_IPI_WAKE);
    }
}

typedef struct shootdown {
    uint64_t va, pages;
} shootdown_t;

static void shootdown_local(void *arg) {
    const shootdown_t *s = arg;
    if (s->pages > 64) {
        write_cr3(read_cr3()); /* cheaper than many invlpg; global pages are kernel-only */
        return;
    }
    for (uint64_t i = 0; i < s->pages; i++) {
        invlpg(s->va + i * PAGE_SIZE);
    }
}

void tlb_shootdown(uint64_t mask, uint64_t va, uint64_t pages) {
    shootdown_t s = {va, pages};
    trace_event(EXO_TRACE_TLB_SHOOTDOWN, va, (uint32_t)pages);
    for (uint32_t i = 0; i < cpu_count; i++) {
        if (mask & (1ull << i)) {
            smp_call(i, shootdown_local, &s, true);
        }
    }
}
