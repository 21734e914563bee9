/*
 * Per-core state. One cpu_t per core that came up, allocated at boot and never freed;
 * this_cpu() finds the running core's through GS base. Fields are written only by
 * their own core unless marked "shared" (then atomically).
 */
#pragma once

#include <arch/percpu.h>
#include <sched/deque.h>
#include <sched/timerq.h>
#include <stdbool.h>
#include <stdint.h>

#define MAX_CPUS 64
#define CPU_READY_SLOTS 4096 /* per-core deque capacity (power of two) */
#define CPU_TIMER_SLOTS 1024
#define CPU_STACK_SIZE 32768

typedef struct cpu_stats {
    _Atomic uint64_t ran;    /* continuations run here */
    _Atomic uint64_t stolen; /* of which stolen from another core */
    _Atomic uint64_t ipis;   /* IPIs received */
    _Atomic uint64_t timer_irqs;
    _Atomic uint64_t halts; /* times the core went idle */
} cpu_stats_t;

typedef struct cpu {
    struct cpu *self; /* must stay first: %gs:0 */
    uint32_t index;   /* 0 = boot CPU, then MADT order */
    uint32_t apic_id;
    uint64_t stack_top;  /* the core's kernel stack (scheduler loop, interrupts) */
    _Atomic bool online; /* shared: set by the core itself once initialised */
    _Atomic bool idle;   /* shared: halted waiting for work */
    deque_t ready;       /* shared (steal): runnable continuations */
    void *overflow_head; /* owner, interrupts off: spawned while the deque was full */
    void *overflow_tail;
    timerq_t timers;   /* interrupt-off code of this core only */
    cpu_stats_t stats; /* shared: read by anyone */
    cpu_arch_t arch;
    _Atomic(void *) ready_slots[CPU_READY_SLOTS];
    ktimer_t *timer_slots[CPU_TIMER_SLOTS];
} cpu_t;

extern cpu_t *cpus[MAX_CPUS];      /* indexed by cpu_t.index; NULL past cpu_count */
extern _Atomic uint32_t cpu_count; /* cores online */

static inline cpu_t *this_cpu(void) {
    return (cpu_t *)percpu_self();
}

/* Sets up the boot CPU's cpu_t (static), GDT/TSS and GS base. */
void cpu_boot_init(void);
/* Unmaps the guard pages below the boot core's stacks (after vm_init). */
void cpu_boot_guard(void);
/* Allocates and initialises a cpu_t (stack, IST stacks) for an application processor. */
cpu_t *cpu_alloc(uint32_t index, uint32_t apic_id);
/* Loads c's GDT, TSS and GS base on the running core (the IDT is idt_load's). */
void cpu_install(cpu_t *c);
