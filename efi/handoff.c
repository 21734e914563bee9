/*
 * The jump from the loader into the kernel: interrupts off, NX (where the CPU has it) and
 * write-protect enabled (our tables use NX bits; W^X must hold in ring 0 too), CR3 switched to the
 * handoff tables, and a jump to the ELF entry with bootinfo's physmap address in %rdi (SysV ABI).
 * The loader's own code keeps running across the CR3 write thanks to the identity map.
 */
#include "loader.h"

#include <arch/cpu.h>

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

bool ldr_cpu_has_nx(void) {
    return cpuid(0x80000000u, 0).eax >= 0x80000001u && (cpuid(0x80000001u, 0).edx & (1u << 20));
}

void ldr_serial_puts(const char *s) {
    for (; *s; s++) {
        for (int spins = 0; spins < 100000 && !(inb(0x3f8 + 5) & 0x20); spins++) {
            cpu_relax();
        }
        outb(0x3f8, (uint8_t)*s);
    }
}

void ldr_handoff(uint64_t pml4, uint64_t entry, bootinfo_t *bi_virt, bool nx) {
    irq_disable();
    if (nx) {
        wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
    }
    write_cr0(read_cr0() | CR0_WP);
    jump_with_cr3(pml4, entry, (uint64_t)(uintptr_t)bi_virt);
}
