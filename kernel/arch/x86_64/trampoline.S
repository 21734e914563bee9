/*
 * Application-processor start-up code, copied by smp.c to a page below 1 MiB whose
 * number is the SIPI vector. The AP starts here in real mode with CS = page << 8, IP = 0.
 * It walks 16-bit -> 32-bit protected mode -> 64-bit long mode on the temporary tables
 * smp.c built (identity map of this page + the kernel half), then jumps to
 *     void ap_entry(cpu_t *cpu)        (kernel/sched/smp.c, on the AP's own stack)
 * The parameter block at the end (TRAMP_* offsets, shared with smp.c) is filled in by
 * the boot CPU before each SIPI. Intel SDM vol. 3A, 9.4 and 9.8.
 */
    .section .rodata.trampoline, "a"
    .globl trampoline_start, trampoline_end, tramp_gdt, tramp_pm32, tramp_lm64
    .code16
trampoline_start:
    cli
    cld
    movw %cs, %ax
    movw %ax, %ds
    movzwl %ax, %ebx
    shll $4, %ebx                       /* %ebx = linear address of trampoline_start */
    lgdtl (tramp_gdtr - trampoline_start)
    movl %cr0, %eax
    orl $1, %eax                        /* PE */
    movl %eax, %cr0
    ljmpl *(tramp_pm32_ptr - trampoline_start)

    .code32
tramp_pm32:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss                       /* no stack is used until long mode */
    movl %cr4, %eax
    orl $(1 << 5), %eax                 /* PAE */
    movl %eax, %cr4
    movl (tramp_cr3 - trampoline_start)(%ebx), %eax
    movl %eax, %cr3
    movl $0xc0000080, %ecx              /* EFER: LME | NXE */
    rdmsr
    orl $((1 << 8) | (1 << 11)), %eax
    wrmsr
    movl %cr0, %eax
    orl $0x80010001, %eax               /* PG | WP | PE */
    movl %eax, %cr0
    ljmpl *(tramp_lm64_ptr - trampoline_start)(%ebx)

    .code64
tramp_lm64:
    movl %ebx, %ebx                     /* upper halves are undefined after the switch */
    movq (tramp_stack - trampoline_start)(%rbx), %rsp
    movq (tramp_arg - trampoline_start)(%rbx), %rdi
    movq (tramp_entry - trampoline_start)(%rbx), %rax
    xorl %ebp, %ebp
    pushq $0                            /* fake return address: backtraces end here */
    jmpq *%rax

    .balign 8
tramp_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff            /* 0x08: 32-bit code, flat */
    .quad 0x00cf92000000ffff            /* 0x10: 32-bit data, flat */
    .quad 0x00209a0000000000            /* 0x18: 64-bit code */
tramp_gdt_end:

    /* Parameter block, filled in by smp.c (offsets: TRAMP_* in smp.c). */
    .balign 8
    .globl tramp_params
tramp_params:
tramp_gdtr:                             /* +0: limit, linear base (patched) */
    .word tramp_gdt_end - tramp_gdt - 1
    .long 0
    .word 0
tramp_pm32_ptr:                         /* +8: far pointer to tramp_pm32 (patched) */
    .long 0
    .word 0x08
    .word 0
tramp_cr3:                              /* +16: temporary PML4, below 4 GiB */
    .quad 0
tramp_stack:                            /* +24: the AP's stack top */
    .quad 0
tramp_entry:                            /* +32: ap_entry */
    .quad 0
tramp_arg:                              /* +40: its cpu_t */
    .quad 0
tramp_lm64_ptr:                         /* +48: far pointer to tramp_lm64 (patched) */
    .long 0
    .word 0x18
    .word 0
trampoline_end:

