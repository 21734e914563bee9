/*
 * Frame-pointer backtraces (the kernel builds with -fno-omit-frame-pointer): each frame is
 * [rbp] = caller's rbp, [rbp + 8] = return address. A frame is followed only while it
 * lies inside the kernel image (where every stack lives for now), is aligned and moves
 * up the stack, so a corrupt chain ends the walk instead of faulting again.
 */
#include <arch/trap.h>
#include <kernel/kprintf.h>
#include <kernel/ksym.h>
#include <kernel/symbols.h>

#define BACKTRACE_MAX_DEPTH 32

static void print_frame(int depth, uint64_t rip) {
    uint64_t off = 0;
    const char *name = ksym_lookup(&kernel_symbols, rip, &off);
    if (name) {
        kprintf("  #%d 0x%016lx %s+0x%lx\n", depth, rip, name, off);
    } else {
        kprintf("  #%d 0x%016lx ?\n", depth, rip);
    }
}

static int frame_ok(uint64_t rbp, uint64_t prev) {
    uint64_t lo = (uint64_t)(uintptr_t)__kernel_start;
    uint64_t hi = (uint64_t)(uintptr_t)__kernel_end;
    return rbp > prev && (rbp & 7) == 0 && rbp >= lo && rbp + 16 <= hi;
}

void backtrace_print(uint64_t rip, uint64_t rbp) {
    kprintf("backtrace:\n");
    print_frame(0, rip);
    uint64_t prev = 0;
    for (int depth = 1; depth < BACKTRACE_MAX_DEPTH && frame_ok(rbp, prev); depth++) {
        const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
        uint64_t ret = frame[1];
        if (ret == 0) {
            break;
        }
        print_frame(depth, ret);
        prev = rbp;
        rbp = frame[0];
    }
}
