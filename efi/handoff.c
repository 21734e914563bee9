/*
 * The jump from the loader into the kernel: interrupts off, NX and write-protect enabled
 * (our tables use NX bits; W^X must hold in ring 0 too), CR3 switched to the handoff
 * tables, and a jump to the ELF entry with bootinfo's physmap address in %rdi (SysV ABI).
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

void ldr_handoff(uint64_t pml4, uint64_t entry, bootinfo_t *bi_virt) {
    irq_disable();
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
    write_cr0(read_cr0() | CR0_WP);
    jump_with_cr3(pml4, entry, (uint64_t)(uintptr_t)bi_virt);
}
