/*
 * Deliberate faults, chosen by `crash=pf`, `crash=ud` or `crash=triple` on the command
 * line, so tests can check the exception report end to end (docs/testing.md shows the
 * expected output) and that the test runner catches a triple fault.
 * noinline keeps each in its own frame, so the backtrace must name it.
 */
#include <arch/cpu.h>
#include <kernel/kprintf.h>
#include <kernel/string.h>
#include <ktest/ktest.h>
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

void ktest_crash(const char *what) {
    if (strcmp(what, "pf") == 0) {
        crash_page_fault();
    } else if (strcmp(what, "ud") == 0) {
        crash_invalid_opcode();
    } else if (strcmp(what, "triple") == 0) {
        kprintf("crash: loading an empty IDT and raising #BP\n");
        cpu_triple_fault();
    } else {
        kprintf("crash: unknown crash '%s' (known: pf, ud, triple)\n", what);
    }
}
