/*
 * Interrupt and exception entry stubs for all 256 vectors, and isr_common.
 * Each stub: push a zero error code (unless the CPU pushed one), push the vector, jump to
 * isr_common, which saves the general registers to form a trap_frame_t (arch/trap.h),
 * calls trap_dispatch(frame) on a 16-byte aligned stack, restores and irets.
 * Vectors with a CPU error code: 8, 10-14, 17, 21, 29, 30 (Intel SDM vol. 3A, 6.3).
 *
 * GS: an entry from ring 3 (CS.RPL = 3) swaps in the kernel's GS base and swaps back on
 * the way out. NMI, #DF and #MC (isr_paranoid) can also arrive in ring 0 in the few
 * instructions of user.S where GS is still the user's, so they read MSR_GS_BASE instead:
 * the kernel's is a higher-half address.
 *
 * RFLAGS: interrupt gates clear IF and TF but not AC, so both common paths clear every
 * flag (pushq $2; popfq) before any C runs: a user's AC must never open SMAP in ring 0.
 * IRET restores the interrupted RFLAGS, AC included (the user-copy routine's stac).
 */
#include <arch/asm_offsets.h>
#include <arch/frame_macros.inc>

    .altmacro
    .section .text, "ax"

.macro isr_stub n
    .balign 16
    .type isr_stub_\n, @function
isr_stub_\n:
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
    .else
    pushq $0
    .endif
    pushq $\n
    .if (\n == 2) || (\n == 8) || (\n == 18)
    jmp isr_paranoid
    .else
    jmp isr_common
    .endif
.endm

.set vec, 0
.rept 256
    isr_stub %vec
    .set vec, vec + 1
.endr

.macro call_dispatch
    movq %rsp, %rdi
    movq %rsp, %rbx             /* rbx is callee-saved: survives the call */
    andq $-16, %rsp
    call trap_dispatch
    movq %rbx, %rsp
.endm

    .type isr_common, @function
isr_common:
    testb $3, 24(%rsp)          /* CS of the interrupted code (above vector and error) */
    jz 1f
    swapgs
1:  pushq $2
    popfq
    push_regs
    call_dispatch
    pop_regs
    addq $16, %rsp              /* vector and error code */
    testb $3, 8(%rsp)
    jz 2f
    swapgs
2:  iretq
    .size isr_common, . - isr_common

    .type isr_paranoid, @function
isr_paranoid:
    pushq $2
    popfq
    push_regs
    xorl %r12d, %r12d           /* r12 (callee-saved): 1 if we swapped GS */
    movl $0xc0000101, %ecx      /* MSR_GS_BASE */
    rdmsr
    testl %edx, %edx
    js 1f                       /* negative: the kernel's cpu_t already */
    swapgs
    movl $1, %r12d
1:  call_dispatch
    testl %r12d, %r12d
    jz 2f
    swapgs
2:  pop_regs
    addq $16, %rsp
    iretq
    .size isr_paranoid, . - isr_paranoid

.macro stub_addr n
    .quad isr_stub_\n
.endm

    .section .rodata, "a"
    .balign 8
    .globl isr_stub_table
isr_stub_table:                 /* const uint64_t isr_stub_table[256] */
.set vec, 0
.rept 256
    stub_addr %vec
    .set vec, vec + 1
.endr
