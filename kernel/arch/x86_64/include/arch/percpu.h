/*
 * The x86 part of a core's state: its own GDT and TSS (a TSS cannot be shared: its busy
 * bit and IST pointers are per core) and the IST stacks for #DF, NMI and #MC.
 * Embedded in cpu_t (kernel/cpu.h); touched only by its own core after gdt_init.
 */
#pragma once

#include <arch/cpu.h>
#include <stdint.h>

#define IST_STACK_SIZE 16384
#define IST_COUNT 3

typedef struct __attribute__((packed)) tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} tss_t;

_Static_assert(sizeof(tss_t) == 104, "TSS layout (Intel SDM vol. 3A, 8.7)");

typedef struct cpu_arch {
    uint64_t gdt[8] __attribute__((aligned(16)));
    tss_t tss __attribute__((aligned(16)));
    uint64_t ist_top[IST_COUNT]; /* top of each IST stack (#DF, NMI, #MC) */
} cpu_arch_t;

/* Installs the core's GDT and TSS (IST stacks from a->ist_top) and reloads the segments. */
void gdt_init(cpu_arch_t *a);

/* Sets GS base so that %gs:0 reads `self` (the cpu_t's first field). */
static inline void percpu_set_base(void *self) {
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)self);
}

/* The cpu_t of the running core (first field of cpu_t points to itself). */
static inline void *percpu_self(void) {
    void *p;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(p));
    return p;
}
