/*
 * x86-64 instruction wrappers for generic kernel code. Every inline asm statement in the
 * kernel lives in a static inline function here or in a sibling arch header.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define MSR_EFER 0xc0000080u
#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_FMASK 0xc0000084u
#define EFER_SCE (1ull << 0)
#define EFER_NXE (1ull << 11)
#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)

#define CR0_WP (1ull << 16)
#define CR4_PGE (1ull << 7)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_UMIP (1ull << 11)
#define CR4_PCIDE (1ull << 17)
#define CR4_OSXSAVE (1ull << 18)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)

static inline void outb(uint16_t port, uint8_t v) {
    __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port) {
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outw(uint16_t port, uint16_t v) {
    __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint16_t inw(uint16_t port) {
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t inl(uint16_t port) {
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outl(uint16_t port, uint32_t v) {
    __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v) {
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

#define DEFINE_CR_ACCESSORS(n)                                                                     \
    static inline uint64_t read_cr##n(void) {                                                      \
        uint64_t v;                                                                                \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                          \
        return v;                                                                                  \
    }                                                                                              \
    static inline void write_cr##n(uint64_t v) {                                                   \
        __asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory");                                   \
    }
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

typedef struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
} cpuid_regs_t;

static inline cpuid_regs_t cpuid(uint32_t leaf, uint32_t subleaf) {
    cpuid_regs_t r;
    __asm__ volatile("cpuid"
                     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}

static inline uint64_t rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_halt(void) {
    __asm__ volatile("hlt");
}

static inline void irq_disable(void) {
    __asm__ volatile("cli" ::: "memory");
}

static inline void irq_enable(void) {
    __asm__ volatile("sti" ::: "memory");
}

/* Disables interrupts and returns whether they were enabled. */
static inline bool irq_save(void) {
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags)::"memory");
    return (flags & (1u << 9)) != 0;
}

static inline void irq_restore(bool enabled) {
    if (enabled) {
        irq_enable();
    }
}

static inline uint64_t read_rflags(void) {
    uint64_t f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    return f;
}
#define RFLAGS_AC_BIT (1ull << 18)

/* SMAP: let (stac) or stop (clac) supervisor access to user pages. Only where SMAP is on. */
static inline void stac(void) {
    __asm__ volatile("stac" ::: "memory", "cc");
}
static inline void clac(void) {
    __asm__ volatile("clac" ::: "memory", "cc");
}

static inline void cpu_relax(void) {
    __asm__ volatile("pause");
}

static inline void invlpg(uint64_t va) {
    __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

static inline uint64_t read_rbp(void) {
    uint64_t v;
    __asm__ volatile("mov %%rbp, %0" : "=r"(v));
    return v;
}

/* Never returns: interrupts off, halt forever (NMIs wake us; we halt again). */
static inline __attribute__((noreturn)) void cpu_halt_forever(void) {
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}

/* Resets the machine the hard way: with an empty IDT, #BP cannot be delivered, nor the
 * #GP and #DF that follow, so the CPU shuts down (QEMU -no-reboot exits). For tests. */
static inline __attribute__((noreturn)) void cpu_triple_fault(void) {
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } empty = {0, 0};
    __asm__ volatile("lidt %0; int3" ::"m"(empty));
    __builtin_unreachable();
}

/* Resets the stack to stack_top and calls fn there (stack.S). Never returns. */
__attribute__((noreturn)) void arch_call_on_stack(uint64_t stack_top, void (*fn)(void));

/* CPU features the kernel uses, probed once by cpu_init(). */
typedef struct cpu_features {
    bool nx, smep, smap, umip, pdpe1gb, pge, x2apic, invariant_tsc;
    bool pcid, xsave, avx;
} cpu_features_t;

extern cpu_features_t cpu_features;

/* Probes CPUID (boot core) and turns on NX, WP, SMEP, SMAP, UMIP and PGE where present. */
void cpu_init(void);
/* Turns the probed features on for the running core (every AP calls it). */
void cpu_enable_features(void);
