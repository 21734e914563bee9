/*
 * ktests for the PS/2 keyboard (dev/ps2kbd.c): scan codes the controller hands back as if
 * the keyboard sent them (command 0xd2) must come in through IRQ 1, be translated, and
 * reach console_read as a terminal would send them. QEMU's controller returns such bytes
 * untranslated, so the test writes set 1 codes.
 */
#include <dev/clock.h>
#include <dev/console.h>
#include <dev/ps2kbd.h>
#include <kernel/string.h>
#include <ktest/ktest.h>
#include <sched/sched.h>

#define MS (1000ull * 1000)

typedef struct until {
    uint64_t received; /* console bytes to reach */
    uint64_t codes;    /* scan codes the handler read, to reach */
    uint64_t deadline_ns;
} until_t;

static bool until_done(void *arg) {
    const until_t *u = arg;
    console_input_stats_t s;
    ps2kbd_stats_t k;
    console_input_get_stats(&s);
    ps2kbd_get_stats(&k);
    return (s.received >= u->received && k.codes >= u->codes) || clock_ns() > u->deadline_ns;
}

KTEST(ps2kbd_inject_irq) {
    /* Shift+a, b, Ctrl+c, Up (0xe0 0x48), Enter; each key pressed and released. */
    static const uint8_t codes[] = {0x2a, 0x1e, 0x9e, 0xaa, 0x30, 0xb0, 0x1d, 0x2e,
                                    0xae, 0x9d, 0xe0, 0x48, 0xe0, 0xc8, 0x1c, 0x9c};
    static const uint8_t want[] = {'A', 'b', 0x03, 0x1b, '[', 'A', '\r'};
    KT_ASSERT(ps2kbd_present());

    uint8_t got[64];
    while (console_read(got, sizeof(got)) > 0) {
    }
    console_input_stats_t c0, c1;
    ps2kbd_stats_t k0, k1;
    console_input_get_stats(&c0);
    ps2kbd_get_stats(&k0);
    for (size_t i = 0; i < sizeof(codes); i++) {
        KT_ASSERT_EQ(ps2kbd_inject(codes[i]), STATUS_OK);
    }
    until_t u = {c0.received + sizeof(want), k0.codes + sizeof(codes), clock_ns() + 5000 * MS};
    sched_run_until(until_done, &u);
    console_input_get_stats(&c1);
    ps2kbd_get_stats(&k1);
    uint64_t n = console_read(got, sizeof(got));

    KT_ASSERT_EQ(k1.codes - k0.codes, sizeof(codes)); /* the handler read every one */
    KT_ASSERT(k1.irqs > k0.irqs);
    KT_ASSERT_EQ(k1.bytes - k0.bytes, sizeof(want));
    KT_ASSERT_EQ(k1.aux, k0.aux);
    KT_ASSERT_EQ(c1.received - c0.received, sizeof(want));
    KT_ASSERT_EQ(n, sizeof(want));
    KT_ASSERT(memcmp(got, want, sizeof(want)) == 0);
}
