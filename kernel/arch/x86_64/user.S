/*
 * Ring 3 entry and exit (arch/user.h). Register contracts:
 *
 * uint64_t user_enter(const user_regs_t *regs)              %rdi = regs
 *   Pushes the callee-saved registers, records %rsp as this core's entry stack
 *   (cpu.entry_rsp and TSS.rsp0), loads every register from regs and irets to ring 3 with
 *   the user selectors. Comes back as a normal return with %rax = reason when
 *   user_return(reason) runs. Interrupts off on entry (IRET loads the user's RFLAGS).
 *
 * void user_return(uint64_t reason)                         %rdi = reason, never returns
 *   Reloads %rsp from cpu.entry_rsp, pops what user_enter pushed and returns from it.
 *
 * syscall_entry (MSR_LSTAR): the CPU put the user RIP in %rcx and RFLAGS in %r11, and
 *   FMASK cleared IF, TF, DF and AC. Builds a trap_frame_t (vector TRAP_VECTOR_SYSCALL)
 *   on the entry stack, calls syscall_dispatch(frame) and goes back with SYSRET. SYSRET to
 *   a non-canonical RIP would take its #GP in ring 0 on the user stack, and IRET's would
 *   run with the user's GS, so syscall_dispatch ends any continuation whose return RIP
 *   is not a user address; the check here only turns a kernel bug into a clean #UD.
 */
#include <arch/asm_offsets.h>
#include <arch/frame_macros.inc>

    .section .text, "ax"

    .globl user_enter
    .type user_enter, @function
user_enter:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, %gs:CPU_OFF_ENTRY_RSP
    movq %gs:CPU_OFF_TSS_RSP0, %rax
    movq %rsp, (%rax)
    pushq $SEL_USER_DATA
    pushq TF_OFF_RSP(%rdi)
    pushq TF_OFF_RFLAGS(%rdi)
    pushq $SEL_USER_CODE
    pushq TF_OFF_RIP(%rdi)
    movq TF_OFF_R15(%rdi), %r15
    movq TF_OFF_R14(%rdi), %r14
    movq TF_OFF_R13(%rdi), %r13
    movq TF_OFF_R12(%rdi), %r12
    movq TF_OFF_R11(%rdi), %r11
    movq TF_OFF_R10(%rdi), %r10
    movq TF_OFF_R9(%rdi), %r9
    movq TF_OFF_R8(%rdi), %r8
    movq TF_OFF_RBP(%rdi), %rbp
    movq TF_OFF_RSI(%rdi), %rsi
    movq TF_OFF_RDX(%rdi), %rdx
    movq TF_OFF_RCX(%rdi), %rcx
    movq TF_OFF_RBX(%rdi), %rbx
    movq TF_OFF_RAX(%rdi), %rax
    movq TF_OFF_RDI(%rdi), %rdi
    swapgs
    iretq
    .size user_enter, . - user_enter

    .globl user_return
    .type user_return, @function
user_return:
    movq %rdi, %rax
    movq %gs:CPU_OFF_ENTRY_RSP, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size user_return, . - user_return

    .globl syscall_entry
    .type syscall_entry, @function
    .balign 16
syscall_entry:
    swapgs
    movq %rsp, %gs:CPU_OFF_USER_RSP
    movq %gs:CPU_OFF_ENTRY_RSP, %rsp
    pushq $SEL_USER_DATA
    pushq %gs:CPU_OFF_USER_RSP
    pushq %r11
    pushq $SEL_USER_CODE
    pushq %rcx
    pushq $0
    pushq $TRAP_VECTOR_SYSCALL
    push_regs
    cld
    movq %rsp, %rdi
    movq %rsp, %rbx
    andq $-16, %rsp
    call syscall_dispatch
    movq %rbx, %rsp
    movabsq $USER_ADDR_LIMIT, %rax
    cmpq %rax, TF_OFF_RIP(%rsp)
    jae 1f
    pop_regs
    addq $16, %rsp              /* vector, error: now at the RIP slot */
    movq 0(%rsp), %rcx          /* SYSRET: RIP from %rcx, RFLAGS from %r11 */
    movq 16(%rsp), %r11
    movq 24(%rsp), %rsp         /* the user stack; IF stays off until SYSRET */
    swapgs
    sysretq
1:  ud2                         /* syscall_dispatch never returns to such a RIP: a bug */
    .size syscall_entry, . - syscall_entry
