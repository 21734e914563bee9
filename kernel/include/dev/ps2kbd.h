/*
 * The PS/2 keyboard on the i8042 controller (dev/ps2kbd.c): set up at boot, then its
 * interrupt (ISA IRQ 1) turns scan codes into terminal bytes (dev/ps2map.h) and puts them
 * into the console input buffer (console_input_feed), beside what COM1 receives.
 */
#pragma once

#include <dev/acpi.h>
#include <exo/status.h>
#include <stdbool.h>
#include <stdint.h>

#define PS2KBD_ISA_IRQ 1 /* the first PS/2 port's ISA interrupt line */

/*
 * Boot only, after the IOAPIC and the clock are set up. Skips (one console line, no
 * keyboard) when the command line says `ps2=off`, when the FADT says the machine has no
 * 8042 (unless `ps2=force`), or when the controller does not answer within bounded waits.
 * Otherwise routes IRQ 1 to the core with APIC ID dest and enables the keyboard.
 */
void ps2kbd_init(const acpi_info_t *acpi, const char *cmdline, uint32_t dest);
/* True once ps2kbd_init enabled the keyboard's interrupt. */
bool ps2kbd_present(void);

typedef struct ps2kbd_stats {
    uint64_t irqs;  /* keyboard interrupts handled */
    uint64_t codes; /* scan code bytes read from the first port */
    uint64_t bytes; /* bytes the codes became, put into the console input buffer */
    uint64_t aux;   /* bytes from the second (mouse) port, read and dropped */
} ps2kbd_stats_t;

void ps2kbd_get_stats(ps2kbd_stats_t *out);

/* For the ktests: the controller puts code in its output buffer as if the keyboard had
 * sent it (command 0xd2), which raises IRQ 1 like a key would. ERR_STATE without a
 * keyboard; ERR_TIMEOUT if the controller does not take it. */
status_t ps2kbd_inject(uint8_t code);
