/*
 * PS/2 keyboard on the i8042 ("8042") keyboard controller: set up at boot with polled,
 * time-bounded register waits, then driven by its interrupt. The controller's protocol
 * (IBM PS/2 and AT technical references): status at port 0x64 (read), commands to 0x64,
 * data both ways at 0x60; a byte may be written only while the input buffer is empty
 * (status bit 1 clear) and read only while the output buffer is full (bit 0 set).
 *
 * The keyboard stays in its default scan code set 2 and the controller translates to set
 * 1 (configuration byte bit 6), which dev/ps2map.c turns into terminal bytes. The second
 * (mouse) port is left disabled. The controller self-test (command 0xaa) is not run: on
 * some machines it resets the controller's configuration and the keyboard line, and the
 * configuration round-trip and the first port's interface test already show a working
 * controller. Keyboard LEDs are not driven (Caps Lock works, its LED stays as it was).
 *
 * After ps2kbd_init, the data port is read by the interrupt handler alone (one core,
 * interrupts off); ps2kbd_inject (ktests) only reads the status and writes the command
 * and data ports, which the handler never writes. map is the handler's alone; stats_lock
 * guards stats.
 */
#include <arch/cpu.h>
#include <arch/ioapic.h>
#include <arch/irq.h>
#include <dev/clock.h>
#include <dev/console.h>
#include <dev/ps2kbd.h>
#include <dev/ps2map.h>
#include <kernel/cmdline.h>
#include <kernel/kprintf.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>

#define PORT_DATA 0x60
#define PORT_STATUS 0x64 /* read */
#define PORT_CMD 0x64    /* write */

#define ST_OUT_FULL 0x01 /* a byte for the CPU waits at PORT_DATA */
#define ST_IN_FULL 0x02  /* the controller has not taken the last byte written yet */
#define ST_AUX 0x20      /* the waiting byte came from the second (mouse) port */

#define CMD_READ_CONFIG 0x20
#define CMD_WRITE_CONFIG 0x60
#define CMD_DISABLE_PORT2 0xa7
#define CMD_TEST_PORT1 0xab /* answers 0x00 when the clock and data lines test good */
#define CMD_DISABLE_PORT1 0xad
#define CMD_ENABLE_PORT1 0xae
#define CMD_WRITE_PORT1_OUT 0xd2 /* the next data byte comes back as if the keyboard sent it */

#define CFG_IRQ1 0x01      /* interrupt when the first port's byte arrives */
#define CFG_IRQ12 0x02     /* same for the second port */
#define CFG_PORT1_OFF 0x10 /* the first port's clock is held off */
#define CFG_TRANSLATE 0x40 /* set 2 from the keyboard reaches the CPU as set 1 */

#define KBD_SET_SCANCODES 0xf0 /* argument: 2 */
#define KBD_ENABLE_SCANNING 0xf4
#define KBD_ACK 0xfa
#define KBD_RESEND 0xfe

#define MS (1000ull * 1000)
#define CTRL_WAIT_NS (20 * MS) /* the controller itself answers within microseconds */
#define KBD_WAIT_NS (250 * MS) /* a keyboard acknowledges a command within milliseconds */
#define KBD_TRIES 3            /* sends of one command byte the keyboard asks to resend */
#define FLUSH_MAX 64           /* stale bytes drained at set-up, at most */
#define CODES_PER_IRQ 16       /* bytes one interrupt takes at most: bounded handler time */

static bool present;
static ps2map_t map; /* the interrupt handler's */
static spinlock_t stats_lock = SPINLOCK_INIT;
static ps2kbd_stats_t stats; /* stats_lock */

/* Polls the status register until (status & mask) == want, for at most ns. */
static bool wait_status(uint8_t mask, uint8_t want, uint64_t ns) {
    uint64_t deadline = clock_ns() + ns;
    for (;;) {
        if ((inb(PORT_STATUS) & mask) == want) {
            return true;
        }
        if (clock_ns() > deadline) {
            return false;
        }
        cpu_relax();
    }
}

static bool write_port(uint16_t port, uint8_t b) {
    if (!wait_status(ST_IN_FULL, 0, CTRL_WAIT_NS)) {
        return false;
    }
    outb(port, b);
    return true;
}

/* The next byte for the CPU (0..255), or -1 if none arrives within ns. */
static int read_data(uint64_t ns) {
    if (!wait_status(ST_OUT_FULL, ST_OUT_FULL, ns)) {
        return -1;
    }
    return inb(PORT_DATA);
}

/* A controller command that answers one byte; -1 if it does not. */
static int ctrl_query(uint8_t cmd) {
    if (!write_port(PORT_CMD, cmd)) {
        return -1;
    }
    return read_data(CTRL_WAIT_NS);
}

static bool write_config(uint8_t cfg) {
    return write_port(PORT_CMD, CMD_WRITE_CONFIG) && write_port(PORT_DATA, cfg);
}

/* Drains what the firmware or an early key press left; false if it never empties. */
static bool flush_output(void) {
    for (int i = 0; i < FLUSH_MAX; i++) {
        if (!(inb(PORT_STATUS) & ST_OUT_FULL)) {
            return true;
        }
        (void)inb(PORT_DATA);
    }
    return !(inb(PORT_STATUS) & ST_OUT_FULL);
}

/*
 * Brings the controller to: both ports disabled, no interrupts, translation on, output
 * empty, the first port tested. Returns NULL, or why there is no usable controller.
 */
static const char *controller_setup(void) {
    if (inb(PORT_STATUS) == 0xff) {
        return "nothing at port 0x64 (reads all ones)"; /* an empty ISA port floats high */
    }
    if (!write_port(PORT_CMD, CMD_DISABLE_PORT1) || !write_port(PORT_CMD, CMD_DISABLE_PORT2)) {
        return "the controller takes no commands";
    }
    if (!flush_output()) {
        return "the controller's output buffer never empties";
    }
    int cfg = ctrl_query(CMD_READ_CONFIG);
    if (cfg < 0) {
        return "no answer to read-configuration";
    }
    uint8_t want = (uint8_t)((cfg & ~(CFG_IRQ1 | CFG_IRQ12)) | CFG_TRANSLATE);
    if (!write_config(want)) {
        return "the controller does not take a configuration";
    }
    if (ctrl_query(CMD_READ_CONFIG) != want) {
        return "the configuration did not stick (no set 1 translation)";
    }
    int test = ctrl_query(CMD_TEST_PORT1);
    if (test != 0x00) {
        return test < 0 ? "no answer to the keyboard port test" : "the keyboard port test failed";
    }
    if (!write_port(PORT_CMD, CMD_ENABLE_PORT1)) {
        return "the controller does not enable the keyboard port";
    }
    return NULL;
}

/* Sends one byte to the keyboard and waits for its ACK, sending again when it asks (0xfe).
 * Other bytes (keys pressed during set-up) are dropped. ERR_TIMEOUT when nothing answers
 * (no keyboard plugged in), ERR_UNSUPPORTED when it still asks for a resend at the end. */
static status_t kbd_command(uint8_t b) {
    for (int tries = 0; tries < KBD_TRIES; tries++) {
        if (!write_port(PORT_DATA, b)) {
            return ERR_TIMEOUT;
        }
        uint64_t deadline = clock_ns() + KBD_WAIT_NS;
        int r;
        do {
            uint64_t now = clock_ns();
            r = now < deadline ? read_data(deadline - now) : -1;
        } while (r >= 0 && r != KBD_ACK && r != KBD_RESEND);
        if (r == KBD_ACK) {
            return STATUS_OK;
        }
        if (r < 0) {
            return ERR_TIMEOUT;
        }
    }
    return ERR_UNSUPPORTED;
}

/* Asks for scan code set 2 (every keyboard's default, but firmware may have chosen
 * another) and for scanning; reports a keyboard that does not comply. Either way the port
 * stays on: a keyboard plugged in later starts in set 2 with scanning on. */
static void keyboard_setup(void) {
    status_t st = kbd_command(KBD_SET_SCANCODES);
    if (st == STATUS_OK) {
        st = kbd_command(2);
    }
    if (st == ERR_TIMEOUT) {
        kprintf("ps2kbd: no keyboard answers; listening anyway\n");
        return; /* not another wait for the scanning command */
    }
    if (st != STATUS_OK) {
        kprintf("ps2kbd: the keyboard refused scan code set 2 (%s)\n", status_str(st));
    }
    st = kbd_command(KBD_ENABLE_SCANNING);
    if (st != STATUS_OK) {
        kprintf("ps2kbd: the keyboard did not enable scanning (%s)\n", status_str(st));
    }
}

/* Turns the first port's interrupt on. The port is off meanwhile, so a key pressed now
 * cannot be read as the configuration byte; enabling the port clears CFG_PORT1_OFF. */
static bool enable_irq(void) {
    if (!write_port(PORT_CMD, CMD_DISABLE_PORT1) || !flush_output()) {
        return false;
    }
    int cfg = ctrl_query(CMD_READ_CONFIG);
    if (cfg < 0) {
        return false;
    }
    uint8_t want = (uint8_t)((cfg & ~(CFG_IRQ12 | CFG_PORT1_OFF)) | CFG_IRQ1 | CFG_TRANSLATE);
    return write_config(want) && write_port(PORT_CMD, CMD_ENABLE_PORT1);
}

/* Interrupts off, on the core IRQ 1 is routed to. Reads while the output buffer is full:
 * each read lets the controller load its next byte and raise the (edge) line again. */
static void ps2kbd_irq(void) {
    uint8_t out[CODES_PER_IRQ * PS2MAP_MAX_OUT];
    uint64_t n = 0, codes = 0, aux = 0;
    for (int i = 0; i < CODES_PER_IRQ; i++) {
        uint8_t st = inb(PORT_STATUS);
        if (!(st & ST_OUT_FULL)) {
            break;
        }
        uint8_t b = inb(PORT_DATA);
        if (st & ST_AUX) {
            aux++; /* the mouse port is disabled; a stray byte is not a key */
            continue;
        }
        codes++;
        n += ps2map_feed(&map, b, out + n);
    }
    bool irq = spin_lock(&stats_lock);
    stats.irqs++;
    stats.codes += codes;
    stats.bytes += n;
    stats.aux += aux;
    spin_unlock(&stats_lock, irq);
    if (n > 0) {
        console_input_feed(out, n);
    }
}

void ps2kbd_init(const acpi_info_t *acpi, const char *cmdline, uint32_t dest) {
    char mode[16] = "";
    (void)cmdline_get(cmdline, "ps2", mode, sizeof(mode));
    if (strcmp(mode, "off") == 0) {
        kprintf("ps2kbd: off (ps2=off): no keyboard input\n");
        return;
    }
    if (strcmp(mode, "force") != 0 && acpi->has_fadt && acpi->has_boot_arch &&
        !(acpi->boot_arch & ACPI_BOOT_ARCH_8042)) {
        kprintf("ps2kbd: the FADT says there is no 8042 controller: no keyboard input\n");
        return;
    }
    const char *why = controller_setup();
    if (why != NULL) {
        kprintf("ps2kbd: %s: no keyboard input\n", why);
        return;
    }
    keyboard_setup();

    ps2map_init(&map);
    irq_set_handler(VEC_ISA_BASE + PS2KBD_ISA_IRQ, ps2kbd_irq);
    status_t st = ioapic_route_isa(PS2KBD_ISA_IRQ, dest);
    if (st != STATUS_OK) {
        irq_set_handler(VEC_ISA_BASE + PS2KBD_ISA_IRQ, NULL);
        kprintf("ps2kbd: cannot route ISA IRQ %u (%s): no keyboard input\n", PS2KBD_ISA_IRQ,
                status_str(st));
        return;
    }
    if (!enable_irq()) {
        (void)ioapic_mask_isa(PS2KBD_ISA_IRQ);
        irq_set_handler(VEC_ISA_BASE + PS2KBD_ISA_IRQ, NULL);
        kprintf("ps2kbd: the controller stopped answering: no keyboard input\n");
        return;
    }
    present = true;
    kprintf("ps2kbd: keyboard on ISA IRQ %u (i8042, set 2 translated to set 1, US layout)\n",
            PS2KBD_ISA_IRQ);
}

bool ps2kbd_present(void) {
    return present;
}

void ps2kbd_get_stats(ps2kbd_stats_t *out) {
    bool irq = spin_lock(&stats_lock);
    *out = stats;
    spin_unlock(&stats_lock, irq);
}

status_t ps2kbd_inject(uint8_t code) {
    if (!present) {
        return ERR_STATE;
    }
    /* One byte at a time: the previous one must have been taken by the handler. */
    if (!wait_status(ST_OUT_FULL, 0, 1000 * MS)) {
        return ERR_TIMEOUT;
    }
    if (!write_port(PORT_CMD, CMD_WRITE_PORT1_OUT) || !write_port(PORT_DATA, code)) {
        return ERR_TIMEOUT;
    }
    return STATUS_OK;
}
