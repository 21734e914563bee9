/*
 * Ring 3 for generic code: the saved user register set (a trap frame), entering user
 * mode and coming back, and the SYSCALL entry. The contract, in short:
 *
 *   reason = user_enter(&regs);   runs the user until kernel code reached from one of its
 *                                 traps calls user_return(reason); interrupts off around it.
 *
 * Entries from user mode (SYSCALL, interrupts, exceptions) land on this core's stack just
 * below user_enter's frame, so user_return simply unwinds to it. There is one kernel stack
 * per core and no kernel thread behind a user continuation.
 */
#pragma once

#include <arch/asm_offsets.h>
#include <arch/trap.h>
#include <stdbool.h>
#include <stdint.h>

typedef trap_frame_t user_regs_t;

/* Sets up SYSCALL/SYSRET (EFER.SCE, STAR, LSTAR, FMASK) on this core. */
void user_init_cpu(void);

/* Runs regs in ring 3 until user_return; returns its reason. Interrupts must be off; the
 * user's RFLAGS come from regs (user_regs_sanitize first). */
uint64_t user_enter(const user_regs_t *regs);
/* Unwinds to the running user_enter, which returns reason. Interrupts off; only from code
 * reached from a user-mode entry on this core. */
__attribute__((noreturn)) void user_return(uint64_t reason);

/* Called by the SYSCALL entry with the saved user registers; returning resumes the user
 * with tf (rax = result). Generic code defines it (domain/syscall.c). */
void syscall_dispatch(user_regs_t *tf);

/* Initial registers: rip = entry, rsp = stack_top, rdi = arg0, rsi = arg1, IF on. */
void user_regs_init(user_regs_t *r, uint64_t entry, uint64_t stack_top, uint64_t arg0,
                    uint64_t arg1);
/* Forces the user segment selectors and safe RFLAGS (IF on; IOPL 0; no NT, VM, AC). */
void user_regs_sanitize(user_regs_t *r);

static inline bool trap_from_user(const trap_frame_t *tf) {
    return (tf->cs & 3) != 0;
}

/* System call argument i (0..5: rdi, rsi, rdx, r10, r8, r9), number, and result. */
static inline uint64_t user_regs_arg(const user_regs_t *r, int i) {
    switch (i) {
    case 0:
        return r->rdi;
    case 1:
        return r->rsi;
    case 2:
        return r->rdx;
    case 3:
        return r->r10;
    case 4:
        return r->r8;
    default:
        return r->r9;
    }
}
static inline uint64_t user_regs_number(const user_regs_t *r) {
    return r->rax;
}
static inline void user_regs_set_result(user_regs_t *r, uint64_t v) {
    r->rax = v;
}
