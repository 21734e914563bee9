/*
 * What the arch trap code calls when ring 3 enters the kernel other than by SYSCALL
 * (that is arch/user.h's syscall_dispatch): exceptions, and the end of an interrupt that
 * arrived in user mode. Generic; the arch code translates its trap frame.
 */
#pragma once

#include <arch/user.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct ufault {
    uint64_t vector;  /* CPU exception vector */
    const char *name; /* "#PF page fault" */
    uint64_t error;   /* CPU error code */
    uint64_t rip;
    uint64_t addr;   /* faulting address (#PF), else 0 */
    uint32_t access; /* EXO_PROT_READ / WRITE / EXEC for #PF, else 0 */
    bool present;    /* #PF on a present page (a protection violation) */
} ufault_t;

/* An exception in user mode: resolves a demand fault and returns, or reports the fault,
 * kills the domain and never returns. tf: the user's registers. */
void ufault_handle(const ufault_t *f, const user_regs_t *tf);
/* A #PF in ring 0 on a user address inside the user-copy routine: true if the running
 * domain may touch it and it is now mapped (retry), false to fail the copy. */
bool ufault_kernel_access(uint64_t addr, uint32_t access);
/* After an interrupt that arrived in user mode, before returning there: the watchdog's
 * verdict and kills from other cores take effect here. */
void uentry_irq_exit(const user_regs_t *tf);
