/*
 * Deliberate faults, chosen by `crash=pf`, `crash=ud` or `crash=triple` on the command
 * line, so tests can check the exception report end to end (docs/testing.md shows the
 * expected output) and that the test runner catches a triple fault.
 * noinline keeps each in its own frame, so the backtrace must name it.
 */
#include <arch/cpu.h>
#include <dev/console.h>
#include <kernel/kprintf.h>
#include <kernel/string.h>
#include <ktest/ktest.h>
#include <mm/heap.h>
#include <stdint.h>

#define CRASH_PF_ADDRESS 0xdead0000ull /* lower half: unmapped in the kernel's tables */

static __attribute__((noinline)) void crash_page_fault(void) {
    volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)CRASH_PF_ADDRESS;
    kprintf("crash: writing to %p\n", (void *)p);
    *p = 0x1234;
}

static __attribute__((noinline)) void crash_invalid_opcode(void) {
    kprintf("crash: executing ud2\n");
    __builtin_trap(); /* ud2 */
}

static __attribute__((noinline)) void crash_double_free(void) {
    void *a = kmalloc(16), *b = kmalloc(16);
    kprintf("crash: freeing %p twice (%p stays live)\n", a, b);
    kfree(a);
    kfree(a);
}

static __attribute__((noinline)) void crash_bad_free(void) {
    uint8_t *a = kmalloc(2048);
    kprintf("crash: freeing %p, past the only 2048-byte object of its slab\n", a + 2048);
    kfree(a + 2048);
}

/* An "NMI" (vector 2 through int $2: the same gate) while the console lock is held: the
 * report must still come out. */
static __attribute__((noinline)) void crash_wedged_console(void) {
    kprintf("crash: holding the console lock and raising vector 2\n");
    console_wedge();
    __asm__ volatile("int $2");
}

/* Unbounded recursion: the boot stack's guard page faults, the #PF cannot be delivered on
 * the overflowed stack, and the CPU raises #DF on its own IST stack. */
static __attribute__((noinline)) uint64_t crash_stack_overflow(uint64_t depth) {
    volatile uint8_t frame[512];
    frame[0] = (uint8_t)depth;
    if (depth == UINT64_MAX) { /* never: keeps the compiler from calling this infinite */
        return 0;
    }
    return crash_stack_overflow(depth + 1) + frame[0];
}

void ktest_crash(const char *what) {
    if (strcmp(what, "pf") == 0) {
        crash_page_fault();
    } else if (strcmp(what, "ud") == 0) {
        crash_invalid_opcode();
    } else if (strcmp(what, "double-free") == 0) {
        crash_double_free();
    } else if (strcmp(what, "bad-free") == 0) {
        crash_bad_free();
    } else if (strcmp(what, "wedged") == 0) {
        crash_wedged_console();
    } else if (strcmp(what, "stack") == 0) {
        kprintf("crash: recursing until the boot stack overflows\n");
        crash_stack_overflow(0);
    } else if (strcmp(what, "triple") == 0) {
        kprintf("crash: loading an empty IDT and raising #BP\n");
        cpu_triple_fault();
    } else {
        kprintf("crash: unknown crash '%s' (known: pf, ud, double-free, bad-free, wedged, stack, "
                "triple)\n",
                what);
    }
}
