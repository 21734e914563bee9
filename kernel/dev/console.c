/* Console multiplexer: serial always, framebuffer once it is up (see dev/console.h). */
#include <dev/console.h>
#include <dev/serial.h>
#include <kernel/spinlock.h>

static spinlock_t console_lock = SPINLOCK_INIT;

void console_init(void) {
    serial_init();
}

void console_write(const char *s, size_t n) {
    bool irq = spin_lock(&console_lock);
    serial_write(s, n);
    fbcon_write(s, n);
    spin_unlock(&console_lock, irq);
}
