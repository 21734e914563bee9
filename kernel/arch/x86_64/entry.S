/*
 * _start: the kernel's ELF entry, jumped to by the loader (efi/handoff.c).
 * In:  %rdi = bootinfo_t * (physmap address); interrupts off; loader page tables.
 * Out: never returns; switches to the boot stack in .bss and calls kmain(bootinfo).
 */
    .section .text.entry, "ax"
    .globl _start
    .type _start, @function
_start:
    cli
    leaq boot_stack_top(%rip), %rsp
    xorl %ebp, %ebp
    pushq $0                    /* fake return address: backtraces stop here */
    pushq $0                    /* and a zero saved rbp */
    movq %rsp, %rbp
    call kmain
1:  cli
    hlt
    jmp 1b
    .size _start, . - _start

    .section .bss.stack, "aw", @nobits
    .balign 4096
    .globl boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:               /* unmapped by vm_init: an overflow faults, then #DF */
    .space 4096
boot_stack_bottom:
    .space 65536
boot_stack_top:
