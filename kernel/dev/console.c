/*
 * Console multiplexer: serial always, framebuffer once it is up (see dev/console.h).
 * In panic mode the lock is only tried for a bounded time: the holder may be the very
 * code that faulted (or an NMI may have interrupted it), and a report must still get out.
 */
#include <arch/cpu.h>
#include <dev/console.h>
#include <dev/serial.h>
#include <kernel/spinlock.h>

#define PANIC_LOCK_SPINS 10000000

static spinlock_t console_lock = SPINLOCK_INIT;
static bool panic_mode;     /* __atomic builtins only */
static bool fb_broken;      /* a fault while drawing: stop using the framebuffer */
static bool lock_abandoned; /* panic mode found the lock stuck once: never wait again */

void console_init(void) {
    serial_init();
}

void console_panic_mode(void) {
    __atomic_store_n(&panic_mode, true, __ATOMIC_SEQ_CST);
}

void console_fault_in_write(void) {
    __atomic_store_n(&fb_broken, true, __ATOMIC_SEQ_CST);
}

static void write_devices(const char *s, size_t n, bool fb) {
    bool irq = irq_save();
    bool locked = true;
    if (__atomic_load_n(&lock_abandoned, __ATOMIC_RELAXED)) {
        locked = false;
    } else if (__atomic_load_n(&panic_mode, __ATOMIC_RELAXED)) {
        int spins = 0;
        while (__atomic_exchange_n(&console_lock.locked, 1, __ATOMIC_ACQUIRE)) {
            if (++spins == PANIC_LOCK_SPINS) {
                locked = false; /* the holder is stuck: write anyway, from now on */
                __atomic_store_n(&lock_abandoned, true, __ATOMIC_RELAXED);
                break;
            }
            cpu_relax();
        }
    } else {
        while (__atomic_exchange_n(&console_lock.locked, 1, __ATOMIC_ACQUIRE)) {
            cpu_relax();
        }
    }
    serial_write(s, n);
    if (fb && !__atomic_load_n(&fb_broken, __ATOMIC_RELAXED)) {
        fbcon_write(s, n);
    }
    if (locked) {
        __atomic_store_n(&console_lock.locked, 0, __ATOMIC_RELEASE);
    }
    irq_restore(irq);
}

void console_write(const char *s, size_t n) {
    write_devices(s, n, true);
}

void console_write_serial(const char *s, size_t n) {
    write_devices(s, n, false);
}

void console_wedge(void) {
    while (__atomic_exchange_n(&console_lock.locked, 1, __ATOMIC_ACQUIRE)) {
        cpu_relax();
    }
}
