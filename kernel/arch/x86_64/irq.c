/* Vector -> handler table for external interrupts and IPIs (arch/irq.h). */
#include <arch/irq.h>
#include <arch/lapic.h>
#include <kernel/cpu.h>
#include <kernel/kprintf.h>
#include <trace/trace.h>

static irq_handler_t handlers[256];
static _Atomic uint64_t unexpected;

void irq_set_handler(uint8_t vec, irq_handler_t h) {
    handlers[vec] = h;
}

void irq_dispatch(uint8_t vec) {
    trace_event(EXO_TRACE_IRQ, 0, vec);
    if (vec == VEC_SPURIOUS) {
        return; /* spurious interrupts take no EOI (SDM 11.9) */
    }
    if (handlers[vec]) {
        handlers[vec]();
    } else if (atomic_fetch_add(&unexpected, 1) < 8) {
        kprintf("irq: unexpected vector %u on CPU %u\n", vec, this_cpu()->index);
    }
    lapic_eoi();
    trace_event(EXO_TRACE_IRQ_DONE, 0, vec);
}
