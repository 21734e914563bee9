/*
 * Interrupt and exception entry stubs for all 256 vectors, and isr_common.
 * Each stub: push a zero error code (unless the CPU pushed one), push the vector, jump to
 * isr_common, which saves the general registers to form a trap_frame_t (arch/trap.h),
 * calls trap_dispatch(frame) on a 16-byte aligned stack, restores and irets.
 * Vectors with a CPU error code: 8, 10-14, 17, 21, 29, 30 (Intel SDM vol. 3A, 6.3).
 */
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
    jmp isr_common
.endm

.set vec, 0
.rept 256
    isr_stub %vec
    .set vec, vec + 1
.endr

    .type isr_common, @function
isr_common:
    cld
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, %rdi
    movq %rsp, %rbx             /* rbx is callee-saved: survives the call */
    andq $-16, %rsp
    call trap_dispatch
    movq %rbx, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp              /* vector and error code */
    iretq
    .size isr_common, . - isr_common

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
