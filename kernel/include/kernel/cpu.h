/*
 * Per-core state. One cpu_t per core that came up, allocated at boot and never freed;
 * this_cpu() finds the running core's through GS base. Fields are written only by
 * their own core unless marked "shared" (then atomically).
 */
#pragma once

#include <arch/asm_offsets.h>
#include <arch/mmu.h>
#include <arch/percpu.h>
#include <kernel/spinlock.h>
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
    struct cpu *self;   /* must stay first: %gs:0 */
    uint64_t entry_rsp; /* own core: kernel stack for entries from user mode (user.S) */
    uint64_t user_rsp;  /* own core: scratch for the user's %rsp during syscall entry */
    uint64_t *tss_rsp0; /* &arch.tss.rsp[0], for user.S */
    uint32_t index;     /* 0 = boot CPU, then MADT order */
    uint32_t apic_id;
    uint64_t stack_top;  /* the core's kernel stack (scheduler loop, interrupts) */
    _Atomic bool online; /* shared: set by the core itself once initialised */
    _Atomic bool idle;   /* shared: halted waiting for work */
    deque_t ready;       /* shared (steal): runnable continuations */
    void *overflow_head; /* owner, interrupts off: spawned while the deque was full */
    void *overflow_tail;
    timerq_t timers;              /* timer_lock */
    spinlock_t timer_lock;        /* timers; taken by any core that cancels one */
    cpu_stats_t stats;            /* shared: read by anyone */
    void *running;                /* own core: the cont_t in run(), or NULL */
    bool running_rearmed;         /* own core: it re-armed itself (sched.c) */
    struct ucont *current_user;   /* own core: the user continuation running here, or NULL */
    _Atomic uint64_t user_domain; /* shared: id of current_user's domain, 0 if none */
    _Atomic uint64_t user_cont;   /* shared: current_user's id (SYS_DOMAIN_LIST), 0 if none */
    struct domain *acting;        /* own core: the domain whose view kernel code activated
                                     to act for it (ring ops off a trap), or NULL */
    ktimer_t watchdog;            /* own core: the running user continuation's CPU budget */
    bool watchdog_fired;          /* own core, interrupts off: the budget ran out */
    cpu_arch_t arch;
    uint64_t pcid_gen[PCID_COUNT]; /* own core: generation of each PCID's TLB entries here */
    _Atomic(void *) ready_slots[CPU_READY_SLOTS];
    ktimer_t *timer_slots[CPU_TIMER_SLOTS];
} cpu_t;

_Static_assert(__builtin_offsetof(cpu_t, entry_rsp) == CPU_OFF_ENTRY_RSP, "user.S offsets");
_Static_assert(__builtin_offsetof(cpu_t, user_rsp) == CPU_OFF_USER_RSP, "user.S offsets");
_Static_assert(__builtin_offsetof(cpu_t, tss_rsp0) == CPU_OFF_TSS_RSP0, "user.S offsets");

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
