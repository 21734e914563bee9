/*
 * Trap dispatch. An exception in user mode goes to the domain layer (domain/uentry.h:
 * demand mapping, or the domain is killed); a page fault inside the user-copy routine is
 * resolved or makes the copy fail; any other exception in ring 0 is fatal: it prints the
 * report documented in docs/testing.md (vector, name, error code, RIP and symbol, CR2,
 * registers, backtrace) and panics. Vectors 32..255 go to their handlers (arch/irq.h).
 */
#include <arch/cpu.h>
#include <arch/irq.h>
#include <arch/trap.h>
#include <arch/uaccess.h>
#include <arch/user.h>
#include <dev/console.h>
#include <dev/qemu_exit.h>
#include <dev/serial.h>
#include <domain/uentry.h>
#include <exo/syscall.h>
#include <kernel/kprintf.h>
#include <kernel/ksym.h>
#include <kernel/panic.h>
#include <kernel/symbols.h>
#include <trace/trace.h>

static const char *const exception_names[32] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved 15",
    "#MF x87 error",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD exception",
    "#VE virtualization",
    "#CP control protection",
    "reserved 22",
    "reserved 23",
    "reserved 24",
    "reserved 25",
    "reserved 26",
    "reserved 27",
    "#HV hypervisor injection",
    "#VC VMM communication",
    "#SX security",
    "reserved 31",
};

static void print_pf_error(uint64_t err) {
    kprintf(" [%s, %s, %s%s%s]", (err & 1) ? "protection" : "not-present",
            (err & 2) ? "write" : "read", (err & 4) ? "user" : "kernel",
            (err & 16) ? ", instruction fetch" : "", (err & 8) ? ", reserved bit" : "");
}

static void print_registers(const trap_frame_t *tf) {
    kprintf("  RAX %016lx RBX %016lx RCX %016lx RDX %016lx\n", tf->rax, tf->rbx, tf->rcx, tf->rdx);
    kprintf("  RSI %016lx RDI %016lx RBP %016lx RSP %016lx\n", tf->rsi, tf->rdi, tf->rbp, tf->rsp);
    kprintf("  R8  %016lx R9  %016lx R10 %016lx R11 %016lx\n", tf->r8, tf->r9, tf->r10, tf->r11);
    kprintf("  R12 %016lx R13 %016lx R14 %016lx R15 %016lx\n", tf->r12, tf->r13, tf->r14, tf->r15);
    kprintf("  CS %04lx SS %04lx RFLAGS %016lx CR3 %016lx CR4 %016lx\n", tf->cs, tf->ss, tf->rflags,
            read_cr3(), read_cr4());
}

/* A fault while a report is being printed: say so in one line, straight to the serial
 * port, and stop (the first report may be what faults). */
static __attribute__((noreturn)) void nested_exception(const trap_frame_t *tf) {
    char line[96];
    int n = fmt_snprintf(line, sizeof(line), "\nEXCEPTION %lu at %016lx while reporting one\n",
                         tf->vector, tf->rip);
    serial_write(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
    if (panic_exits_qemu) {
        qemu_exit(QEMU_EXIT_PANIC);
    }
    cpu_halt_forever();
}

static __attribute__((noreturn)) void report_exception(trap_frame_t *tf) {
    static bool reporting; /* __atomic builtins only */
    if (__atomic_exchange_n(&reporting, true, __ATOMIC_SEQ_CST)) {
        console_fault_in_write();
        nested_exception(tf);
    }
    console_panic_mode();
    uint64_t cr2 = read_cr2();
    const char *name = tf->vector < 32 ? exception_names[tf->vector] : "interrupt";
    uint64_t off = 0;
    const char *sym = ksym_lookup(&kernel_symbols, tf->rip, &off);

    kprintf("\nEXCEPTION %s (vector %lu) error 0x%lx", name, tf->vector, tf->error);
    if (tf->vector == 14) {
        print_pf_error(tf->error);
    }
    kprintf("\n  RIP %016lx <%s+0x%lx>\n  CR2 %016lx\n", tf->rip, sym ? sym : "?", off, cr2);
    print_registers(tf);
    backtrace_print(tf->rip, tf->rbp);
    panic_backtrace_done = 1;
    panic("unhandled exception %lu at %s+0x%lx", tf->vector, sym ? sym : "?", off);
}

#define PF_PRESENT (1u << 0)
#define PF_WRITE (1u << 1)
#define PF_FETCH (1u << 4)

static uint32_t pf_access(uint64_t err) {
    return (err & PF_FETCH) ? EXO_PROT_EXEC : (err & PF_WRITE) ? EXO_PROT_WRITE : EXO_PROT_READ;
}

extern char uaccess_copy_insn[], uaccess_copy_fault[];

bool uaccess_fixup(trap_frame_t *tf) {
    if (tf->rip != (uint64_t)(uintptr_t)uaccess_copy_insn) {
        return false;
    }
    uint64_t addr = read_cr2();
    trace_event(EXO_TRACE_PAGE_FAULT, addr, (uint32_t)tf->error);
    if (!(tf->error & PF_PRESENT) && ufault_kernel_access(addr, pf_access(tf->error))) {
        return true; /* mapped now: rep movsb goes on where it stopped */
    }
    tf->rip = (uint64_t)(uintptr_t)uaccess_copy_fault;
    return true;
}

void trap_dispatch(trap_frame_t *tf) {
    ASSERT(!(read_rflags() & RFLAGS_AC_BIT)); /* isr.S cleared it: SMAP holds in handlers */
    if (tf->vector < 32) {
        bool machine = tf->vector == 2 || tf->vector == 8 || tf->vector == 18;
        if (trap_from_user(tf) && !machine) {
            ufault_t f = {.vector = tf->vector,
                          .name = exception_names[tf->vector],
                          .error = tf->error,
                          .rip = tf->rip};
            if (tf->vector == 14) {
                f.addr = read_cr2();
                trace_event(EXO_TRACE_PAGE_FAULT, f.addr, (uint32_t)tf->error);
                f.access = pf_access(tf->error);
                f.present = tf->error & PF_PRESENT;
            }
            ufault_handle(&f, tf);
            return;
        }
        if (tf->vector == 14 && uaccess_fixup(tf)) {
            return;
        }
        report_exception(tf);
    }
    irq_dispatch((uint8_t)tf->vector);
    if (trap_from_user(tf)) {
        uentry_irq_exit(tf);
    }
}
