/*
 * Boot phases for the benchmark suite (docs/performance.md, "Boot"): the TSC at each
 * point of the boot story. Under QEMU's -icount mode the TSC counts retired guest
 * instructions from QEMU's start, so the loader's first reading is the firmware's count.
 * Only the boot core marks, before init starts: no lock.
 */
#pragma once

#include <stdint.h>

typedef enum bootphase {
    BOOTPHASE_KERNEL_ENTRY, /* the first line of kmain */
    BOOTPHASE_MM_READY,     /* frames, the kernel's page tables and its heap */
    BOOTPHASE_TIMERS_READY, /* ACPI parsed, TSC calibrated, LAPIC timer and IPIs */
    BOOTPHASE_SMP_UP,       /* every other core in its scheduler loop */
    BOOTPHASE_KERNEL_READY, /* "exospace: boot complete" */
    BOOTPHASE_INIT_START,   /* the first domain is about to be made */
    BOOTPHASE_COUNT
} bootphase_t;

/* Records the TSC for phase p (the last mark of a phase wins). */
void bootphase_mark(bootphase_t p);

/* With "boottimes" on the command line, prints one line per phase, in boot order:
 * `bench: boot.<phase> <tsc>`, the loader's two readings (bootinfo) first. Phases not
 * marked yet are left out. */
void bootphase_report(const char *cmdline);
