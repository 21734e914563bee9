/*
 * Polled 16550 UART output on COM1. Turns '\n' into "\r\n". Interrupt-driven input comes
 * with the keyboard/console issue; until then the line is output-only.
 */
#include <arch/cpu.h>
#include <dev/serial.h>

#define COM1 0x3f8
#define REG_DATA 0
#define REG_IER 1
#define REG_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define LSR_THRE 0x20

void serial_init(void) {
    outb(COM1 + REG_IER, 0x00);  /* no interrupts */
    outb(COM1 + REG_LCR, 0x80);  /* DLAB on */
    outb(COM1 + REG_DATA, 0x01); /* divisor 1: 115200 baud */
    outb(COM1 + REG_IER, 0x00);
    outb(COM1 + REG_LCR, 0x03); /* 8N1, DLAB off */
    outb(COM1 + REG_FCR, 0xc7); /* FIFO on, cleared, 14-byte threshold */
    outb(COM1 + REG_MCR, 0x03); /* DTR, RTS */
}

static void serial_putc(char c) {
    for (int spins = 0; spins < 100000 && !(inb(COM1 + REG_LSR) & LSR_THRE); spins++) {
        cpu_relax();
    }
    outb(COM1 + REG_DATA, (uint8_t)c);
}

void serial_write(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') {
            serial_putc('\r');
        }
        serial_putc(s[i]);
    }
}
