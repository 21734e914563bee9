/*
 * Assembler macros that build and unbuild the general-register part of a trap_frame_t
 * (arch/trap.h), shared by isr.S and user.S so the layout is written once. For .S files
 * only.
 */
#pragma once

#ifndef __ASSEMBLER__
#error "arch/frame_macros.h is for assembly files"
#endif

/* Pushes rax..r15: r15 ends up at the lowest address (trap_frame_t.r15). */
.macro push_regs
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
.endm

.macro pop_regs
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
.endm
