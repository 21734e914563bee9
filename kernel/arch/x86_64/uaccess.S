/*
 * status_t uaccess_copy(void *dst, const void *src, uint64_t n)   %rdi, %rsi, %rdx
 * A plain `rep movsb`. If it faults on a user page the domain may not touch, the #PF
 * handler (uaccess_fixup) resumes at uaccess_copy_fault, which returns ERR_FAULT. A fault
 * the handler resolves (demand mapping) just restarts the instruction, which continues
 * from the updated %rsi, %rdi and %rcx. The caller opens SMAP (stac/clac).
 */
    .section .text, "ax"
    .globl uaccess_copy, uaccess_copy_insn, uaccess_copy_fault
    .type uaccess_copy, @function
uaccess_copy:
    movq %rdx, %rcx
uaccess_copy_insn:
    rep movsb
    xorl %eax, %eax
    ret
uaccess_copy_fault:
    movl $-16, %eax             /* ERR_FAULT */
    ret
    .size uaccess_copy, . - uaccess_copy
