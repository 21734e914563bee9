/* Ending a QEMU run with a status the test runner reads (see dev/qemu_exit.h). */
#include <arch/cpu.h>
#include <dev/qemu_exit.h>
#include <trace/trace.h>

void qemu_exit(uint32_t code) {
    trace_drain_at_exit("qemu-exit"); /* trace=serial */
    outl(QEMU_EXIT_PORT, code);
    cpu_halt_forever(); /* not under QEMU, or the device is absent */
}
