/*
 * kmain: the boot story, one init call per line. Entered from _start (entry.S) on the
 * loader's page tables with bootinfo in the physmap; everything after vm_init runs on
 * the kernel's own tables.
 */
#include <arch/cpu.h>
#include <arch/ioapic.h>
#include <arch/lapic.h>
#include <arch/smp.h>
#include <arch/trap.h>
#include <dev/clock.h>
#include <dev/console.h>
#include <dev/platform.h>
#include <dev/power.h>
#include <dev/ps2kbd.h>
#include <dev/qemu_exit.h>
#include <dev/realtime.h>
#include <domain/domain.h>
#include <domain/watchdog.h>
#include <kernel/boot.h>
#include <kernel/bootphase.h>
#include <kernel/cmdline.h>
#include <kernel/cpu.h>
#include <kernel/kprintf.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <kernel/symbols.h>
#include <ktest/ktest.h>
#include <mm/heap.h>
#include <mm/physmap.h>
#include <mm/pmm.h>
#include <mm/region.h>
#include <mm/vm.h>
#include <sched/sched.h>
#include <trace/trace.h>

bootinfo_t boot_info; /* the kernel's copy: the loader's page goes back to the pmm */
ksym_table_t kernel_symbols;

/* Checks the handoff and copies bootinfo into the kernel image. Before any console
 * exists, a bad handoff can only halt. */
static void boot_copy(const bootinfo_t *bi) {
    if (bi->magic != BOOTINFO_MAGIC || bi->version != BOOTINFO_VERSION ||
        bi->size != sizeof(bootinfo_t)) {
        cpu_halt_forever();
    }
    memcpy(&boot_info, bi, sizeof(boot_info));
    boot_info.cmdline[BOOTINFO_CMDLINE_MAX - 1] = '\0';
}

static void print_banner(void) {
    unsigned cols = 0, rows = 0;
    fbcon_size(&cols, &rows);
    kprintf("Exospace %s (x86-64, UEFI, single address space)\n", EXO_VERSION);
    kprintf("boot: cmdline \"%s\"\n", boot_info.cmdline);
    if (boot_info.mmap_count == BOOTINFO_MAX_MMAP) {
        kprintf("boot: warning: the memory map was cut at %u entries; some RAM is unused\n",
                BOOTINFO_MAX_MMAP);
    }
    kprintf("boot: loader took %lu cycles, %u ExitBootServices attempt(s), %u module(s)\n",
            boot_info.tsc_handoff - boot_info.tsc_loader_entry, boot_info.exit_bs_tries,
            boot_info.module_count);
    /* One line, not one per module: with every app a module, the list would scroll the
     * banner off a framebuffer's first screen. */
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < boot_info.module_count; i++) {
        bytes += boot_info.modules[i].size;
    }
    kprintf("boot: modules: %lu KiB in all\n", (bytes + 1023) / 1024);
    if (cols) {
        kprintf("fbcon: %ux%u framebuffer, %ux%u text\n", boot_info.fb.width, boot_info.fb.height,
                cols, rows);
    } else {
        kprintf("fbcon: no linear framebuffer, serial only\n");
    }
}

static void symbols_init(void) {
    status_t st =
        ksym_init(&kernel_symbols, phys_to_virt(boot_info.kernel_file), boot_info.kernel_file_size);
    if (st != STATUS_OK) {
        kprintf("ksym: no kernel symbols (%s): backtraces show addresses only\n", status_str(st));
    }
}

/* Interrupt controllers and time: legacy PIC off, LAPIC on, IOAPIC lines masked, the
 * TSC calibrated, the LAPIC timer and IPIs ready. */
static void interrupts_init(void) {
    pic_disable();
    lapic_init(platform_acpi.lapic_base);
    ioapic_init(&platform_acpi);
    if (clock_init(&platform_acpi) != STATUS_OK) {
        panic("clock: no HPET and no ACPI PM timer: cannot calibrate the TSC");
    }
    realtime_init(&boot_info.time);
    lapic_timer_calibrate();
    timer_init_cpu();
    smp_init_ipis();
    kprintf("lapic: %s, timer in %s mode\n", lapic_x2apic() ? "x2APIC" : "xAPIC",
            lapic_tsc_deadline() ? "TSC-deadline" : "one-shot");
}

/* An application processor's boot story, on its own stack (entered from trampoline.S). */
static void ap_main(void *arg) {
    cpu_t *c = arg;
    write_cr3(vm_kernel()->root);
    cpu_install(c);
    idt_load();
    cpu_enable_features();
    lapic_init(0);
    lapic_timer_arm(0);
    atomic_store(&c->online, true);
    atomic_fetch_add(&cpu_count, 1);
    sched_start();
}

static void smp_init(void) {
    if (!platform_acpi.has_madt) {
        kprintf("smp: no MADT, running on the boot CPU only\n");
        return;
    }
    uint64_t low = pmm_low_pages(&boot_info, 4);
    if (low == 0) {
        kprintf("smp: no free page below 1 MiB for the trampoline, boot CPU only\n");
        return;
    }
    cpus[0]->apic_id = lapic_id();
    smp_boot_aps(&platform_acpi, low, ap_main);
}

/* Console input: COM1's receive interrupt and the PS/2 keyboard's, both on this core,
 * into the one buffer readers take from. */
static void input_init(void) {
    console_input_init(lapic_id());
    ps2kbd_init(&platform_acpi, boot_info.cmdline, lapic_id());
}

static void boot_finish(void) {
    pmm_stats_t ps;
    heap_stats_t hs;
    pmm_get_stats(&ps);
    heap_get_stats(&hs);
    kprintf("mem: %lu KiB free of %lu KiB, heap %lu pages\n", ps.free_frames * 4,
            ps.total_frames * 4, hs.pages);
    kprintf("exospace: boot complete\n");
}

/* True if the command line has key=value exactly. */
static bool cmdline_is(const char *cmdline, const char *key, const char *value) {
    char v[32];
    return cmdline_get(cmdline, key, v, sizeof(v)) && strcmp(v, value) == 0;
}

void kmain(const bootinfo_t *bi);

void kmain(const bootinfo_t *bi) {
    bootphase_mark(BOOTPHASE_KERNEL_ENTRY); /* boot times, for scripts/bench (boottimes) */
    boot_copy(bi);                          /* bootinfo into the kernel image */
    console_init();                         /* serial: kprintf works from here */
    panic_exits_qemu =
        cmdline_is(boot_info.cmdline, "panic", "exit") || cmdline_has(boot_info.cmdline, "ktest");
    cpu_boot_init();           /* boot core: GDT, TSS, IST stacks, GS base */
    idt_init();                /* exceptions report and panic */
    symbols_init();            /* backtraces with names */
    fbcon_init(&boot_info.fb); /* framebuffer text console */
    print_banner();
    cpu_init();                   /* NX, WP, SMEP, SMAP, UMIP */
    pmm_init(&boot_info);         /* buddy allocator over usable RAM */
    vm_init(&boot_info);          /* kernel-owned page tables, W^X image */
    cpu_boot_guard();             /* guard pages under the boot core's stacks */
    pmm_reclaim_boot(&boot_info); /* loader + boot-services memory freed */
    bootphase_mark(BOOTPHASE_MM_READY);
    platform_init(&boot_info);  /* ACPI: CPUs, IOAPICs, HPET, FADT */
    power_init(&platform_acpi); /* S5 and the reset register */
    interrupts_init();          /* PIC off, LAPIC, IOAPIC, TSC, timers, IPIs */
    bootphase_mark(BOOTPHASE_TIMERS_READY);
    smp_init(); /* every other core into its scheduler loop */
    bootphase_mark(BOOTPHASE_SMP_UP);
    irq_enable();
    trace_init(boot_info.cmdline);    /* trace=on|serial: recording from here, every core */
    input_init();                     /* COM1 and the PS/2 keyboard into the input buffer */
    region_init();                    /* the user window's address-space allocator */
    watchdog_init(boot_info.cmdline); /* CPU budget of user continuations */
    boot_finish();
    bootphase_mark(BOOTPHASE_KERNEL_READY);

    char arg[BOOTINFO_CMDLINE_MAX];
    if (cmdline_get(boot_info.cmdline, "crash", arg, sizeof(arg))) {
        ktest_crash(arg);
    }
    if (cmdline_get(boot_info.cmdline, "ktest", arg, sizeof(arg))) {
        ktest_run(arg[0] ? arg : "all");
    }
    if (cmdline_is(boot_info.cmdline, "power", "off")) {
        power_off();
    }
    if (cmdline_is(boot_info.cmdline, "power", "reboot")) {
        power_reboot();
    }
    if (cmdline_is(boot_info.cmdline, "idle", "exit")) {
        kprintf("exospace: nothing to run, exiting QEMU (idle=exit)\n");
        qemu_exit(QEMU_EXIT_PASS);
    }
    bootphase_mark(BOOTPHASE_INIT_START);
    bootphase_report(boot_info.cmdline);  /* boottimes: the marks so far, for scripts/bench */
    domain_start_init(boot_info.cmdline); /* the first domain; it starts the rest */
    sched_start();
}
