/*
 * Frame-pointer backtraces (the kernel builds with -fno-omit-frame-pointer): each frame is
 * [rbp] = caller's rbp, [rbp + 8] = return address. A frame is followed only while it is
 * aligned, moves up the stack and is mapped in the kernel's page tables (a page-table
 * walk, not a load), so a corrupt chain ends the walk instead of faulting again.
 */
#include <arch/trap.h>
#include <kernel/kprintf.h>
#include <kernel/ksym.h>
#include <kernel/symbols.h>
#include <mm/vm.h>

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
    if (rbp <= prev || (rbp & 7) != 0 || rbp < BOOT_PHYSMAP_BASE) {
        return 0;
    }
    if (vm_kernel()->root == 0) { /* before vm_init: only the image is known to be mapped */
        return rbp >= (uint64_t)(uintptr_t)__kernel_start &&
               rbp + 16 <= (uint64_t)(uintptr_t)__kernel_end;
    }
    /* 16 bytes at an 8-aligned address may straddle two pages: check both. */
    return pt_query(vm_kernel(), rbp, NULL, NULL, NULL) == STATUS_OK &&
           pt_query(vm_kernel(), rbp + 15, NULL, NULL, NULL) == STATUS_OK;
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
