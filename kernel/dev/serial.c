/*
 * The 16550 UART on COM1: polled output (turning '\n' into "\r\n") and the receive side's
 * registers for the console input path (dev/console_in.c), which owns IER and drains RBR
 * from its interrupt handler. Register semantics: the PC16550D datasheet.
 */
#include <arch/cpu.h>
#include <dev/serial.h>

#define COM1 0x3f8
#define REG_DATA 0 /* RBR on read, THR on write (DLAB off) */
#define REG_IER 1
#define REG_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define LSR_DR 0x01 /* a received byte waits in RBR (or the FIFO) */
#define LSR_OE 0x02 /* overrun: a byte arrived with the receiver full and was lost */
#define LSR_THRE 0x20
#define IER_RDA 0x01 /* interrupt on received data available (or the FIFO timeout) */
#define MCR_DTR_RTS 0x03
#define MCR_OUT2 0x08 /* on PCs, gates the UART's interrupt onto the ISA IRQ line */

void serial_init(void) {
    outb(COM1 + REG_IER, 0x00);  /* no interrupts until serial_rx_enable */
    outb(COM1 + REG_LCR, 0x80);  /* DLAB on */
    outb(COM1 + REG_DATA, 0x01); /* divisor 1: 115200 baud */
    outb(COM1 + REG_IER, 0x00);
    outb(COM1 + REG_LCR, 0x03); /* 8N1, DLAB off */
    /* FIFOs on and cleared, receive trigger level 1 byte: input is typed, not bulk, so
     * every byte raises the interrupt at once instead of after the FIFO timeout. */
    outb(COM1 + REG_FCR, 0x07);
    outb(COM1 + REG_MCR, MCR_DTR_RTS | MCR_OUT2);
}

bool serial_present(void) {
    return inb(COM1 + REG_LSR) != 0xff; /* an absent port floats: every bit reads 1 */
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

void serial_put_raw(uint8_t b) {
    serial_putc((char)b);
}

void serial_rx_enable(bool on) {
    outb(COM1 + REG_IER, on ? IER_RDA : 0x00);
}

int serial_rx_byte(bool *overrun) {
    uint8_t lsr = inb(COM1 + REG_LSR); /* reading LSR clears OE */
    *overrun = (lsr & LSR_OE) != 0;
    if (!(lsr & LSR_DR)) {
        return -1;
    }
    return inb(COM1 + REG_DATA);
}

uint8_t serial_mcr(void) {
    return inb(COM1 + REG_MCR);
}

void serial_set_mcr(uint8_t mcr) {
    outb(COM1 + REG_MCR, mcr);
}
