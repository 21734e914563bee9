/*
 * The jump from the loader into the kernel: interrupts off, NX and write-protect enabled
 * (our tables use NX bits; W^X must hold in ring 0 too), CR3 switched to the handoff
 * tables, and a jump to the ELF entry with bootinfo's physmap address in %rdi (SysV ABI).
 * The loader's own code keeps running across the CR3 write thanks to the identity map.
 */
#include "loader.h"

#define MSR_EFER 0xc0000080u
#define EFER_NXE (1u << 11)
#define CR0_WP (1ull << 16)

static inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v) {
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t read_cr0(void) {
    uint64_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

static inline void write_cr0(uint64_t v) {
    __asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory");
}

static inline __attribute__((noreturn)) void jump_with_cr3(uint64_t cr3, uint64_t entry,
                                                           uint64_t arg) {
    __asm__ volatile("mov %0, %%cr3\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "jmp *%1"
                     :
                     : "a"(cr3), "c"(entry), "D"(arg)
                     : "memory");
    __builtin_unreachable();
}

void ldr_handoff(uint64_t pml4, uint64_t entry, bootinfo_t *bi_virt) {
    __asm__ volatile("cli");
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
    write_cr0(read_cr0() | CR0_WP);
    jump_with_cr3(pml4, entry, (uint64_t)(uintptr_t)bi_virt);
}
