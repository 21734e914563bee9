/*
 * App entry points.
 *
 * _start: the kernel enters with %rdi = exo_start_t *, %rsi = its size, %rsp = %rdi
 *   (16-byte aligned, at the top of the stack). Calls exo_start_main(start, size), which
 *   never returns.
 *
 * exo_cont_entry: first instruction of every continuation exo_spawn starts. %rdi = arg,
 *   %rsp points at the continuation's function (exo_spawn put it there, 16-byte
 *   aligned). Calls fn(arg); when fn returns, ends the continuation (SYS_CONT_EXIT).
 */
#define SYS_CONT_EXIT 2 /* exo/syscall.h (C only); userlib/exo.c asserts it */

    .section .text, "ax"
    .globl _start
    .type _start, @function
_start:
    xorl %ebp, %ebp
    andq $-16, %rsp
    call exo_start_main
    ud2
    .size _start, . - _start

    .globl exo_cont_entry
    .hidden exo_cont_entry
    .type exo_cont_entry, @function
exo_cont_entry:
    xorl %ebp, %ebp
    movq (%rsp), %rax
    call *%rax
    movl $SYS_CONT_EXIT, %eax
    syscall
    ud2
    .size exo_cont_entry, . - exo_cont_entry
