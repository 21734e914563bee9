/*
 * Test-and-test-and-set spinlock that disables interrupts while held, so it is safe from
 * interrupt handlers. Hold times must be short and bounded; never sleep holding one.
 */
#pragma once

#include <arch/cpu.h>
#include <stdbool.h>

typedef struct spinlock {
    volatile int locked;
} spinlock_t;

#define SPINLOCK_INIT                                                                              \
    { 0 }

/* Returns the interrupt state to pass to spin_unlock. */
static inline bool spin_lock(spinlock_t *l) {
    bool irq = irq_save();
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED)) {
            cpu_relax();
        }
    }
    return irq;
}

static inline void spin_unlock(spinlock_t *l, bool irq) {
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
    irq_restore(irq);
}
