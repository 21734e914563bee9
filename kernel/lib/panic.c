/* panic(): the one way the kernel gives up (see kernel/panic.h). */
#include <arch/cpu.h>
#include <arch/trap.h>
#include <dev/console.h>
#include <dev/qemu_exit.h>
#include <kernel/kprintf.h>
#include <kernel/panic.h>
#include <trace/trace.h>

int panic_exits_qemu;
int panic_backtrace_done;
static int panicking;

void panic(const char *fmt, ...) {
    irq_disable();
    if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST)) {
        cpu_halt_forever(); /* a panic while panicking: stay quiet */
    }
    console_panic_mode();
    kprintf("\nPANIC: ");
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    if (!panic_backtrace_done) {
        const uint64_t *frame = (const uint64_t *)(uintptr_t)read_rbp();
        backtrace_print(frame[1], frame[0]);
    }
    if (panic_exits_qemu) {
        kprintf("panic: exiting QEMU (panic=exit)\n");
        qemu_exit(QEMU_EXIT_PANIC);
    }
    trace_drain_at_exit("panic"); /* trace=serial */
    kprintf("panic: system halted\n");
    cpu_halt_forever();
}
