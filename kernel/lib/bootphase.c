/*
 * Boot phases (kernel/bootphase.h): TSC readings at the points of kmain's boot story and
 * the loader's two from bootinfo, printed for scripts/bench on request (boottimes).
 */
#include <arch/cpu.h>
#include <kernel/boot.h>
#include <kernel/bootphase.h>
#include <kernel/cmdline.h>
#include <kernel/kprintf.h>

static uint64_t marks[BOOTPHASE_COUNT]; /* boot core only, before init starts */

static const char *const names[BOOTPHASE_COUNT] = {
    [BOOTPHASE_KERNEL_ENTRY] = "kernel_entry", [BOOTPHASE_MM_READY] = "mm_ready",
    [BOOTPHASE_TIMERS_READY] = "timers_ready", [BOOTPHASE_SMP_UP] = "smp_up",
    [BOOTPHASE_KERNEL_READY] = "kernel_ready", [BOOTPHASE_INIT_START] = "init_start",
};

void bootphase_mark(bootphase_t p) {
    if (p < BOOTPHASE_COUNT) {
        marks[p] = rdtsc();
    }
}

void bootphase_report(const char *cmdline) {
    if (!cmdline_has(cmdline, "boottimes")) {
        return;
    }
    /* The loader's: efi_main's first line, and ExitBootServices done (the jump next). */
    kprintf("bench: boot.loader_entry %lu\n", boot_info.tsc_loader_entry);
    kprintf("bench: boot.exit_boot_services %lu\n", boot_info.tsc_handoff);
    for (int p = 0; p < BOOTPHASE_COUNT; p++) {
        if (marks[p]) {
            kprintf("bench: boot.%s %lu\n", names[p], marks[p]);
        }
    }
}
