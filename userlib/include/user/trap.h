/*
 * The raw SYSCALL trap (exo/syscall.h has the numbers and the register convention).
 * Apps normally use user/exo.h.
 */
#pragma once

#include <exo/syscall.h>
#include <stdint.h>

static inline int64_t exo_trap(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                               uint64_t a4) {
    int64_t ret;
    register uint64_t r10 __asm__("r10") = a3;
    register uint64_t r8 __asm__("r8") = a4;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    return ret;
}

static inline int64_t exo_trap0(uint64_t nr) {
    return exo_trap(nr, 0, 0, 0, 0, 0);
}
