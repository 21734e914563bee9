/*
 * void gdt_load(const void *gdtr, uint16_t code_sel, uint16_t data_sel);
 * In: %rdi = pointer to the 10-byte GDTR image, %si = code selector, %dx = data selector.
 * Loads the GDT, reloads DS/ES/SS with data_sel, clears FS/GS selectors (their bases are
 * set through MSRs), and reloads CS with a far return.
 */
    .section .text, "ax"
    .globl gdt_load
    .type gdt_load, @function
gdt_load:
    lgdt (%rdi)
    movw %dx, %ds
    movw %dx, %es
    movw %dx, %ss
    xorl %eax, %eax
    movw %ax, %fs
    movw %ax, %gs
    popq %rax                   /* return address */
    movzwq %si, %rsi
    pushq %rsi
    pushq %rax
    lretq
    .size gdt_load, . - gdt_load
