/*
 * conecho: console input from user space, for init's "console" scenario. Started with a
 * console cap that has READ, it checks the trap's refusals, prints a prompt, then polls
 * exo_console_read (yielding in between, for at most 30 s) until a line ends ('\r' or
 * '\n'), and echoes it:
 *   conecho: ready for a line
 *   conecho: echo 'LINE' (N bytes)
 * The test runner types the line when it sees the prompt, into the serial port
 * (scripts/exoqemu.py --send-after) or on the PS/2 keyboard (--keys-after); the line is
 * kept byte for byte (control codes too), so the echo shows what the kernel delivered.
 *   conecho noread   started with exo_domain_start (a write-only console copy): reading
 *                    must fail with ERR_RIGHTS
 */
#include <user/exo.h>
#include <user/trap.h>

#define LINE_MAX 128
#define WAIT_NS (30ull * 1000 * 1000 * 1000)

static int failures;

static void expect_err(const char *what, int64_t got, status_t want) {
    bool ok = got == want;
    exo_printf("conecho: %s: %s (expected %s): %s\n", what,
               got <= 0 ? status_str((status_t)got) : "bytes", status_str(want),
               ok ? "PASS" : "FAIL");
    failures += !ok;
}

static int64_t read_through(exo_handle_t h, uint64_t ptr, uint64_t len) {
    return exo_trap(SYS_CONSOLE_READ, h, ptr, len, 0, 0);
}

/* The trap's decode: rights, the length bound, the pointer range. None may take a byte. */
static void check_refusals(void) {
    char buf[16];
    int64_t wo = exo_cap_derive(exo_console_cap(), CAP_RIGHT_WRITE);
    if (wo <= 0) {
        exo_printf("conecho: cannot derive a write-only console cap: %s: FAIL\n",
                   status_str((status_t)wo));
        failures++;
        return;
    }
    expect_err("read through a write-only cap", read_through((uint64_t)wo, (uintptr_t)buf, 16),
               ERR_RIGHTS);
    exo_cap_delete((uint64_t)wo);
    expect_err("read of 4097 bytes", exo_console_read(buf, 4097), ERR_TOO_BIG);
    expect_err("read into the kernel half",
               read_through(exo_console_cap(), 0xffff800000000000ull, 16), ERR_FAULT);
    expect_err("read across the user limit",
               read_through(exo_console_cap(), 0x00007ffffffffff8ull, 16), ERR_FAULT);
}

static int read_line(void) {
    char line[LINE_MAX];
    size_t n = 0;
    uint64_t t0 = exo_clock_ns();
    exo_printf("conecho: ready for a line\n");
    while (exo_clock_ns() - t0 < WAIT_NS) {
        char c;
        int64_t got = exo_console_read(&c, 1);
        if (got < 0) {
            exo_printf("conecho: read failed: %s\n", status_str((status_t)got));
            return 1;
        }
        if (got == 0) {
            exo_yield(0);
            continue;
        }
        if (c == '\r' || c == '\n') {
            if (n == 0) {
                continue; /* the '\n' of a "\r\n", or an empty line */
            }
            line[n] = '\0';
            exo_printf("conecho: echo '%s' (%lu bytes)\n", line, n);
            return 0;
        }
        if (n < LINE_MAX - 1) {
            line[n++] = c;
        }
    }
    exo_printf("conecho: no line within %lu s\n", (uint64_t)(WAIT_NS / 1000000000ull));
    return 1;
}

int main(int argc, char **argv) {
    char c;
    if (argc > 1 && strcmp(argv[1], "noread") == 0) {
        int64_t got = exo_console_read(&c, 1);
        bool ok = got == ERR_RIGHTS;
        exo_printf("conecho noread: read through exo_domain_start's console copy: %s "
                   "(expected ERR_RIGHTS): %s\n",
                   got <= 0 ? status_str((status_t)got) : "bytes", ok ? "PASS" : "FAIL");
        return ok ? 0 : 1;
    }
    check_refusals();
    return read_line() + failures;
}
