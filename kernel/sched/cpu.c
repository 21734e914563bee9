/*
 * Per-core state (kernel/cpu.h): the boot core's lives in .bss and runs on the boot stack;
 * each AP's cpu_t comes from the frame allocator and its kernel and IST stacks from the
 * guarded stack area (mm/vm.h).
 */
#include <arch/mmu.h>
#include <arch/trap.h>
#include <kernel/cpu.h>
#include <kernel/string.h>
#include <mm/physmap.h>
#include <mm/pmm.h>
#include <mm/vm.h>

extern char boot_stack_top[];

cpu_t *cpus[MAX_CPUS];
_Atomic uint32_t cpu_count;

static cpu_t boot_cpu;
extern char boot_stack_guard[];
/* The boot core's IST stacks, each above a guard page that vm_init's caller unmaps
 * (cpu_boot_guard): they exist before the frame allocator does. */
static uint8_t boot_ist[IST_COUNT][PAGE_SIZE + IST_STACK_SIZE] __attribute__((aligned(4096)));

static void cpu_setup(cpu_t *c, uint32_t index, uint32_t apic_id, uint64_t stack_top) {
    c->self = c;
    c->index = index;
    c->apic_id = apic_id;
    c->stack_top = stack_top;
    c->tss_rsp0 = (uint64_t *)((uint8_t *)&c->arch.tss + __builtin_offsetof(tss_t, rsp));
    deque_init(&c->ready, c->ready_slots, CPU_READY_SLOTS);
    timerq_init(&c->timers, c->timer_slots, CPU_TIMER_SLOTS);
    c->timer_lock = (spinlock_t)SPINLOCK_INIT;
}

void cpu_install(cpu_t *c) {
    gdt_init(&c->arch);
    percpu_set_base(c);
}

void cpu_boot_init(void) {
    cpu_setup(&boot_cpu, 0, 0, (uint64_t)(uintptr_t)boot_stack_top);
    for (int i = 0; i < IST_COUNT; i++) {
        boot_cpu.arch.ist_top[i] = (uint64_t)(uintptr_t)&boot_ist[i][PAGE_SIZE + IST_STACK_SIZE];
    }
    cpus[0] = &boot_cpu;
    cpu_install(&boot_cpu);
    boot_cpu.online = true;
    cpu_count = 1;
}

void cpu_boot_guard(void) {
    vm_guard((uint64_t)(uintptr_t)boot_stack_guard);
    for (int i = 0; i < IST_COUNT; i++) {
        vm_guard((uint64_t)(uintptr_t)&boot_ist[i][0]);
    }
}

/* Smallest order whose block holds bytes. */
static unsigned order_for(uint64_t bytes) {
    unsigned order = 0;
    while ((PAGE_SIZE << order) < bytes) {
        order++;
    }
    return order;
}

cpu_t *cpu_alloc(uint32_t index, uint32_t apic_id) {
    uint64_t c_phys = pmm_alloc_zeroed(order_for(sizeof(cpu_t)));
    uint64_t stack = vm_stack_alloc(CPU_STACK_SIZE);
    if (c_phys == 0 || stack == 0) {
        return NULL; /* boot-time only: the leak of a partial allocation is moot */
    }
    cpu_t *c = phys_to_virt(c_phys);
    cpu_setup(c, index, apic_id, stack);
    for (int i = 0; i < IST_COUNT; i++) {
        c->arch.ist_top[i] = vm_stack_alloc(IST_STACK_SIZE);
        if (c->arch.ist_top[i] == 0) {
            return NULL;
        }
    }
    return c;
}
