/*
 * Console input: COM1's receive interrupt drains the UART into a bounded ring buffer;
 * readers take bytes out without waiting (console_read) and continuations wait for the
 * first byte on an event (console_read_wait). When the buffer is full the newest bytes
 * are dropped and counted (stats.dropped): input is never lost silently.
 *
 * The in_lock (taken with interrupts off: the handler takes it too) guards the ring, the
 * counters and every change of the event's signalled state. Lock order: in_lock, then
 * the event's lock (event_signal and event_reset take it under in_lock).
 *
 * No lost wakeup: under in_lock the event is signalled exactly when the buffer holds a
 * byte. feed() signals before it drops in_lock when it stored into an empty buffer, and
 * console_read() resets before it drops in_lock when it took the last byte; nothing else
 * changes either. So a waiter that registers (event_wait, under the event's lock) finds
 * the event signalled, and is spawned at once, whenever a byte is buffered; and if the
 * buffer is empty at that moment, its registration precedes, in the event lock's order,
 * the signal the next stored byte makes, which spawns it. A byte that arrives between a
 * reader's "0 bytes" and its console_read_wait is therefore not missed: either it was
 * stored before the wait registered (signalled: spawned at once) or after (spawned by
 * that byte's signal). Spawned waiters may find the buffer empty again (another reader
 * won): they read 0 and wait again.
 */
#include <arch/ioapic.h>
#include <arch/irq.h>
#include <dev/console.h>
#include <dev/serial.h>
#include <kernel/kprintf.h>
#include <kernel/spinlock.h>

_Static_assert((CONSOLE_INPUT_BUF & (CONSOLE_INPUT_BUF - 1)) == 0, "a power of two");

#define RX_MAX_PER_IRQ 256 /* bytes one interrupt takes at most: bounded time in the handler */

static spinlock_t in_lock = SPINLOCK_INIT;
static uint8_t ring[CONSOLE_INPUT_BUF]; /* in_lock; bytes [head, head + count) mod size */
static uint32_t head, count;            /* in_lock */
static console_input_stats_t stats;     /* in_lock (buffered is count, filled in on read) */
static event_t readable = {.lock = SPINLOCK_INIT}; /* signalled iff count > 0 (above) */

void console_input_feed(const uint8_t *b, uint64_t n) {
    bool irq = spin_lock(&in_lock);
    bool was_empty = count == 0;
    for (uint64_t i = 0; i < n; i++) {
        if (count == CONSOLE_INPUT_BUF) {
            stats.dropped += n - i; /* full: the rest of this batch is the newest */
            break;
        }
        ring[(head + count) & (CONSOLE_INPUT_BUF - 1)] = b[i];
        count++;
    }
    stats.received += n;
    if (was_empty && count > 0) {
        event_signal(&readable); /* spawns every waiter; under in_lock (see above) */
    }
    spin_unlock(&in_lock, irq);
}

uint64_t console_read(void *buf, uint64_t n) {
    uint8_t *out = buf;
    bool irq = spin_lock(&in_lock);
    uint64_t got = n < count ? n : count;
    for (uint64_t i = 0; i < got; i++) {
        out[i] = ring[(head + i) & (CONSOLE_INPUT_BUF - 1)];
    }
    head = (uint32_t)((head + got) & (CONSOLE_INPUT_BUF - 1));
    count -= (uint32_t)got;
    if (got > 0 && count == 0) {
        event_reset(&readable); /* empty again: waiters from now on wait for the next byte */
    }
    spin_unlock(&in_lock, irq);
    return got;
}

void console_read_wait(cont_t *c) {
    event_wait(&readable, c);
}

bool console_read_cancel(cont_t *c) {
    return event_cancel(&readable, c);
}

void console_input_get_stats(console_input_stats_t *out) {
    bool irq = spin_lock(&in_lock);
    *out = stats;
    out->buffered = count;
    spin_unlock(&in_lock, irq);
}

/* Interrupts off, on the core the IOAPIC routes IRQ 4 to. Drains the receiver while
 * LSR.DR is set, so the UART's interrupt condition is gone when it returns (the line is
 * edge-triggered: a byte arriving after the last read raises a new edge). */
static void serial_rx_irq(void) {
    uint8_t bytes[RX_MAX_PER_IRQ];
    uint64_t n = 0, overruns = 0;
    while (n < RX_MAX_PER_IRQ) {
        bool overrun;
        int b = serial_rx_byte(&overrun);
        overruns += overrun;
        if (b < 0) {
            break;
        }
        bytes[n++] = (uint8_t)b;
    }
    if (n == RX_MAX_PER_IRQ) {
        /* Bytes may be left with the line still high: no new edge would come. Turning the
         * interrupt off and on again makes the UART raise it afresh. */
        serial_rx_enable(false);
        serial_rx_enable(true);
    }
    bool irq = spin_lock(&in_lock);
    stats.irqs++;
    stats.overruns += overruns;
    spin_unlock(&in_lock, irq);
    console_input_feed(bytes, n);
}

void console_input_init(uint32_t dest) {
    if (!serial_present()) {
        kprintf("console: no UART at COM1: no console input\n");
        return;
    }
    irq_set_handler(VEC_ISA_BASE + SERIAL_ISA_IRQ, serial_rx_irq);
    status_t st = ioapic_route_isa(SERIAL_ISA_IRQ, dest);
    if (st != STATUS_OK) {
        irq_set_handler(VEC_ISA_BASE + SERIAL_ISA_IRQ, NULL);
        kprintf("console: cannot route ISA IRQ %u (%s): no console input\n", SERIAL_ISA_IRQ,
                status_str(st));
        return;
    }
    serial_rx_enable(true);
    kprintf("console: serial input on ISA IRQ %u, %u-byte buffer\n", SERIAL_ISA_IRQ,
            CONSOLE_INPUT_BUF);
}
