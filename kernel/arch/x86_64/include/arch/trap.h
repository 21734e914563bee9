/*
 * The trap frame built by isr.S for every vector, lowest address first:
 *
 *   r15 r14 r13 r12 r11 r10 r9 r8 rbp rdi rsi rdx rcx rbx rax   <- pushed by isr_common
 *   vector error                                               <- pushed by the stub (error
 *                                                                 by the CPU for some vectors)
 *   rip cs rflags rsp ss                                       <- pushed by the CPU
 */
#pragma once

#include <stdint.h>

typedef struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
} trap_frame_t;

_Static_assert(sizeof(trap_frame_t) == 22 * 8, "trap frame layout is fixed by isr.S");

#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_USER_DATA 0x20
#define GDT_USER_CODE 0x28
#define GDT_TSS 0x30

#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3

/* Builds the IDT shared by all cores (once) and loads it (idt_load: every core). */
void idt_init(void);
void idt_load(void);

/* Called by isr.S with interrupts off for every vector. */
void trap_dispatch(trap_frame_t *tf);

/* Prints the frame-pointer backtrace starting at (rip, rbp) with symbol names. */
void backtrace_print(uint64_t rip, uint64_t rbp);
