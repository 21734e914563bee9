/*
 * void arch_call_on_stack(uint64_t stack_top, void (*fn)(void))   -- never returns
 * In: %rdi = 16-byte aligned stack top, %rsi = fn. Abandons the current stack: %rsp is
 * reset to stack_top, a zero return address is pushed (backtraces end there, and fn sees
 * the ABI's entry alignment), and fn is entered with %rbp = 0.
 */
    .section .text, "ax"
    .globl arch_call_on_stack
    .type arch_call_on_stack, @function
arch_call_on_stack:
    movq %rdi, %rsp
    xorl %ebp, %ebp
    pushq $0
    jmpq *%rsi
    .size arch_call_on_stack, . - arch_call_on_stack
