/*
 * Host tests for kernel/dev/ps2map.c (PS/2 scan code set 1 -> terminal bytes): the US
 * layout against the keyboard's rows, Shift/Ctrl/Alt/Caps Lock/Num Lock state, 0xe0 keys
 * and the fake shifts around them, the 0xe1 Pause sequence, releases, keyboard replies and
 * unknown codes, and random byte streams against the output bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dev/ps2map.h>

#define BREAK(c) ((uint8_t)((c) | 0x80))
#define E0 0xe0
#define LSHIFT 0x2a
#define RSHIFT 0x36
#define CTRL 0x1d
#define ALT 0x38
#define CAPS 0x3a
#define NUMLOCK 0x45

typedef struct typed {
    uint8_t bytes[512];
    size_t n;
} typed_t;

/* Feeds codes[0..n) and collects every byte produced. The out buffer handed to
 * ps2map_feed is a heap block of exactly PS2MAP_MAX_OUT bytes: ASan sees any overrun. */
static void feed_all(ps2map_t *m, const uint8_t *codes, size_t n, typed_t *t) {
    uint8_t *out = malloc(PS2MAP_MAX_OUT);
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        size_t k = ps2map_feed(m, codes[i], out);
        assert_true(k <= PS2MAP_MAX_OUT);
        assert_true(t->n + k <= sizeof(t->bytes));
        memcpy(t->bytes + t->n, out, k);
        t->n += k;
    }
    free(out);
}

#define FEED(m, t, ...)                                                                            \
    do {                                                                                           \
        static const uint8_t codes_[] = {__VA_ARGS__};                                             \
        feed_all((m), codes_, sizeof(codes_), (t));                                                \
    } while (0)

static void assert_typed(const typed_t *t, const char *want, size_t want_n) {
    if (t->n != want_n || memcmp(t->bytes, want, want_n) != 0) {
        print_message("got %zu bytes:", t->n);
        for (size_t i = 0; i < t->n; i++) {
            print_message(" %02x", t->bytes[i]);
        }
        print_message("\nwant %zu bytes:", want_n);
        for (size_t i = 0; i < want_n; i++) {
            print_message(" %02x", (uint8_t)want[i]);
        }
        print_message("\n");
        fail();
    }
}

/* Expects the string literal want (its sizeof, so embedded NULs count). */
#define EXPECT(t, want) assert_typed((t), (want), sizeof(want) - 1)

/* Feeds the codes into a fresh typed_t and checks the result. */
#define CHECK(m, want, ...)                                                                        \
    do {                                                                                           \
        typed_t t_ = {0};                                                                          \
        FEED((m), &t_, __VA_ARGS__);                                                               \
        EXPECT(&t_, want);                                                                         \
    } while (0)

static bool no_modifiers(const ps2map_t *m) {
    return !m->lshift && !m->rshift && !m->lctrl && !m->rctrl && !m->lalt && !m->ralt && !m->e0 &&
           m->skip == 0;
}

/* The keyboard's rows, as printed on a US keycap set: set 1 numbers the keys of each row
 * consecutively from its first code. */
static const struct row {
    uint8_t first;
    const char *plain, *shifted;
} rows[] = {
    {0x02, "1234567890-=", "!@#$%^&*()_+"},
    {0x10, "qwertyuiop[]", "QWERTYUIOP{}"},
    {0x1e, "asdfghjkl;'`", "ASDFGHJKL:\"~"},
    {0x2b, "\\zxcvbnm,./", "|ZXCVBNM<>?"},
};

static void test_layout(void **state) {
    ps2map_t m;
    ps2map_init(&m);
    for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
        size_t len = strlen(rows[r].plain);
        for (size_t i = 0; i < len; i++) {
            uint8_t code = (uint8_t)(rows[r].first + i);
            uint8_t seq[] = {code,          BREAK(code), LSHIFT, code,        BREAK(code),
                             BREAK(LSHIFT), RSHIFT,      code,   BREAK(code), BREAK(RSHIFT)};
            typed_t t = {0};
            feed_all(&m, seq, sizeof(seq), &t);
            char want[3] = {rows[r].plain[i], rows[r].shifted[i], rows[r].shifted[i]};
            assert_typed(&t, want, 3);
            assert_true(no_modifiers(&m));
        }
    }
    CHECK(&m, " ", 0x39, BREAK(0x39));
    CHECK(&m, " ", LSHIFT, 0x39, BREAK(LSHIFT));
    CHECK(&m, "*", 0x37);               /* keypad '*' */
    CHECK(&m, "aaa", 0x1e, 0x1e, 0x1e); /* typematic repeats: a byte each */
}

static void test_special_keys(void **state) {
    ps2map_t m;
    ps2map_init(&m);
    CHECK(&m, "\r", 0x1c, BREAK(0x1c));
    CHECK(&m, "\r", E0, 0x1c, E0, BREAK(0x1c)); /* keypad Enter */
    CHECK(&m, "\x7f", 0x0e);                    /* Backspace */
    CHECK(&m, "\t", 0x0f);
    CHECK(&m, "\x1b[Z", LSHIFT, 0x0f, BREAK(LSHIFT)); /* Shift+Tab */
    CHECK(&m, "\x1b", 0x01);
    CHECK(&m, "/", E0, 0x35);                        /* keypad '/' */
    CHECK(&m, "/", LSHIFT, E0, 0x35, BREAK(LSHIFT)); /* not '?' */
    CHECK(&m, "\x1bOP\x1bOQ\x1bOR\x1bOS", 0x3b, 0x3c, 0x3d, 0x3e);
    CHECK(&m, "\x1b[15~\x1b[17~\x1b[18~\x1b[19~\x1b[20~\x1b[21~", 0x3f, 0x40, 0x41, 0x42, 0x43,
          0x44);
    CHECK(&m, "\x1b[23~\x1b[24~", 0x57, 0x58);
    assert_true(no_modifiers(&m));
}

static void test_caps_lock(void **state) {
    ps2map_t m;
    ps2map_init(&m);
    CHECK(&m, "", CAPS, BREAK(CAPS));
    assert_true(m.caps);
    CHECK(&m, "A1[", 0x1e, 0x02, 0x1a); /* letters only */
    CHECK(&m, "a!{", LSHIFT, 0x1e, 0x02, 0x1a, BREAK(LSHIFT));
    /* Held down, the key repeats its make code: one toggle per press. */
    CHECK(&m, "", CAPS, CAPS, BREAK(CAPS));
    assert_false(m.caps);
    CHECK(&m, "q", 0x10);
    CHECK(&m, "", CAPS, BREAK(CAPS), CAPS, BREAK(CAPS));
    assert_false(m.caps);
    /* Ctrl wins over Caps Lock for letters. */
    CHECK(&m, "\x01", CAPS, BREAK(CAPS), CTRL, 0x1e, BREAK(CTRL), CAPS, BREAK(CAPS));
}

static void test_ctrl(void **state) {
    ps2map_t m;
    ps2map_init(&m);
    CHECK(&m, "\x03\x01\x05\x1a", CTRL, 0x2e, 0x1e, 0x12, 0x2c, BREAK(CTRL)); /* C A E Z */
    CHECK(&m, "c", 0x2e);                                                     /* released */
    CHECK(&m, "\x03", E0, CTRL, 0x2e, E0, BREAK(CTRL));                       /* right Ctrl */
    CHECK(&m, "c", 0x2e);
    CHECK(&m, "\x01", LSHIFT, CTRL, 0x1e, BREAK(CTRL), BREAK(LSHIFT));
    CHECK(&m, "\x1b\x1c\x1d", CTRL, 0x1a, 0x2b, 0x1b, BREAK(CTRL)); /* [ \ ] */
    static const char nul_etc[] = {0x00, 0x00, 0x1e, 0x1f, 0x1f};
    typed_t t = {0};
    /* Space, Shift+2 '@', Shift+6 '^', Shift+- '_', '/' */
    FEED(&m, &t, CTRL, 0x39, LSHIFT, 0x03, 0x07, 0x0c, BREAK(LSHIFT), 0x35, BREAK(CTRL));
    assert_typed(&t, nul_etc, sizeof(nul_etc));
    /* No control code for these: the character itself. */
    CHECK(&m, "1=;\r\x7f", CTRL, 0x02, 0x0d, 0x27, 0x1c, 0x0e, BREAK(CTRL));
    /* Both Ctrl keys down, one released: still held. */
    CHECK(&m, "\x01", CTRL, E0, CTRL, BREAK(CTRL), 0x1e, E0, BREAK(CTRL));
    assert_true(no_modifiers(&m));
}

static void test_alt(void **state) {
    ps2map_t m;
    ps2map_init(&m);
    CHECK(&m, "\x1bx", ALT, 0x2d, BREAK(ALT));
    CHECK(&m, "\x1bX", E0, ALT, LSHIFT, 0x2d, BREAK(LSHIFT), E0, BREAK(ALT));
    CHECK(&m, "\x1b\x01", ALT, CTRL, 0x1e, BREAK(CTRL), BREAK(ALT));
    CHECK(&m, "\x1b[A", ALT, E0, 0x48, BREAK(ALT)); /* sequences get no prefix */
    CHECK(&m, "x", 0x2d);
}

static void test_e0_keys(void **state) {
    ps2map_t m;
    ps2map_init(&m);
    CHECK(&m, "\x1b[A\x1b[B\x1b[C\x1b[D", E0, 0x48, E0, BREAK(0x48), E0, 0x50, E0, 0x4d, E0, 0x4b);
    CHECK(&m, "\x1b[H\x1b[F\x1b[3~\x1b[2~\x1b[5~\x1b[6~", E0, 0x47, E0, 0x4f, E0, 0x53, E0, 0x52,
          E0, 0x49, E0, 0x51);
    /* Num Lock changes the keypad, never the separate block. */
    CHECK(&m, "", NUMLOCK, BREAK(NUMLOCK));
    CHECK(&m, "\x1b[A\x1b[3~", E0, 0x48, E0, 0x53);
    CHECK(&m, "", NUMLOCK, BREAK(NUMLOCK));
    /* With Num Lock on, a keyboard wraps Up in a fake Left Shift release and press
     * (E0 AA ... E0 2A); with Shift held, in a fake release of it. Neither touches the
     * real Shift state. */
    CHECK(&m, "\x1b[Aa", E0, BREAK(LSHIFT), E0, 0x48, E0, BREAK(0x48), E0, LSHIFT, 0x1e);
    CHECK(&m, "\x1b[AA", LSHIFT, E0, BREAK(LSHIFT), E0, 0x48, E0, BREAK(0x48), E0, LSHIFT, 0x1e,
          BREAK(LSHIFT));
    assert_true(no_modifiers(&m));
    /* Print Screen: E0 2A E0 37, released E0 B7 E0 AA. Nothing, and no Shift after. */
    CHECK(&m, "a", E0, LSHIFT, E0, 0x37, E0, BREAK(0x37), E0, BREAK(LSHIFT), 0x1e);
    /* Unknown extended keys (Windows, Menu, multimedia): nothing, and the prefix is gone. */
    CHECK(&m, "8", E0, 0x5b, E0, BREAK(0x5b), E0, 0x5d, E0, 0x20, E0, 0x10, 0x09);
    CHECK(&m, "", E0, 0x2e); /* E0 + a letter's code: not the letter */
    assert_true(no_modifiers(&m));
}

static void test_keypad(void **state) {
    ps2map_t m;
    ps2map_init(&m);
    /* Num Lock off (the initial state): navigation; '-', '+' and '*' are characters. */
    CHECK(&m, "\x1b[H\x1b[A\x1b[5~-\x1b[D\x1b[C+\x1b[F\x1b[B\x1b[6~\x1b[2~\x1b[3~", 0x47, 0x48,
          0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0x51, 0x52, 0x53);
    CHECK(&m, "", NUMLOCK, BREAK(NUMLOCK));
    assert_true(m.num);
    CHECK(&m, "789-456+1230.", 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0x51,
          0x52, 0x53);
    /* Shift inverts Num Lock. */
    CHECK(&m, "\x1b[A-", LSHIFT, 0x48, 0x4a, BREAK(LSHIFT));
    CHECK(&m, "", NUMLOCK, NUMLOCK, BREAK(NUMLOCK));
    assert_false(m.num);
    CHECK(&m, "8", RSHIFT, 0x48, BREAK(RSHIFT));
}

static void test_pause(void **state) {
    ps2map_t m;
    ps2map_init(&m);
    /* Pause: E1 1D 45 E1 9D C5, no release. Its 1D and 45 are not Ctrl and Num Lock. */
    CHECK(&m, "", 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5);
    assert_true(no_modifiers(&m));
    assert_false(m.num);
    CHECK(&m, "\x1b[A", 0x48);
    /* An E0 pending before E1 is dropped; the E1's two bytes are swallowed whatever they are. */
    CHECK(&m, "c", E0, 0xe1, 0xe0, 0xe0, 0x2e);
}

static void test_releases_and_unknown(void **state) {
    ps2map_t m;
    ps2map_init(&m);
    /* Every break code alone, on a fresh state, produces nothing and leaves it alone. */
    for (unsigned c = 0x80; c <= 0xff; c++) {
        if (c == 0xe0 || c == 0xe1) {
            continue;
        }
        uint8_t code = (uint8_t)c;
        typed_t t = {0};
        feed_all(&m, &code, 1, &t);
        assert_int_equal(t.n, 0);
        assert_true(no_modifiers(&m));
        assert_false(m.caps);
        assert_false(m.num);
    }
    /* Codes no key has (0x00 is also the keyboard's "error/overrun"), 0x54-0x56 (SysRq,
     * the 102nd key), 0x59-0x7f; keyboard replies: ACK 0xfa, resend 0xfe, echo 0xee,
     * self-test passed 0xaa (also Left Shift's release), failed 0xfc/0xfd, overrun 0xff. */
    CHECK(&m, "", 0x00, 0x54, 0x55, 0x56, 0x59, 0x5a, 0x5b, 0x64, 0x70, 0x7e, 0x7f);
    CHECK(&m, "", 0xfa, 0xfe, 0xee, 0xaa, 0xfc, 0xfd, 0xff);
    CHECK(&m, "", 0x46, BREAK(0x46)); /* Scroll Lock */
    assert_true(no_modifiers(&m));
    CHECK(&m, "k", 0x25);
}

/* Every pair of a prefix (none, E0) and a code, pressed and released under every
 * combination of held modifiers: never more than PS2MAP_MAX_OUT bytes, and releasing the
 * modifiers afterwards leaves none held. */
static void test_every_key_every_modifier(void **state) {
    static const uint8_t mods[][2] = {{0, LSHIFT}, {0, RSHIFT}, {0, CTRL},
                                      {E0, CTRL},  {0, ALT},    {E0, ALT}};
    enum { NMODS = sizeof(mods) / sizeof(mods[0]) };
    ps2map_t m;
    for (unsigned set = 0; set < (1u << NMODS); set++) {
        for (unsigned locks = 0; locks < 4; locks++) {
            for (unsigned prefix = 0; prefix < 2; prefix++) {
                for (unsigned code = 0; code < 0x80; code++) {
                    if (code == 0x60 || code == 0x61) {
                        continue; /* no key: their "breaks" would be the prefixes */
                    }
                    ps2map_init(&m);
                    m.caps = locks & 1;
                    m.num = (locks >> 1) & 1;
                    uint8_t seq[64];
                    size_t n = 0;
                    for (unsigned i = 0; i < NMODS; i++) {
                        if (set & (1u << i)) {
                            if (mods[i][0]) {
                                seq[n++] = E0;
                            }
                            seq[n++] = mods[i][1];
                        }
                    }
                    if (prefix) {
                        seq[n++] = E0;
                    }
                    seq[n++] = (uint8_t)code;
                    if (prefix) {
                        seq[n++] = E0;
                    }
                    seq[n++] = BREAK(code);
                    for (unsigned i = 0; i < NMODS; i++) {
                        if (set & (1u << i)) {
                            if (mods[i][0]) {
                                seq[n++] = E0;
                            }
                            seq[n++] = BREAK(mods[i][1]);
                        }
                    }
                    typed_t t = {0};
                    feed_all(&m, seq, n, &t); /* checks the bound on each call */
                    assert_true(no_modifiers(&m));
                }
            }
        }
    }
}

/* Random byte streams: the bound holds, and the state never leaves its ranges. */
static void test_random_streams(void **state) {
    srand(12345);
    ps2map_t m;
    ps2map_init(&m);
    uint8_t *out = malloc(PS2MAP_MAX_OUT);
    assert_non_null(out);
    for (int i = 0; i < 2000000; i++) {
        uint8_t code = (uint8_t)(rand() & 0xff);
        size_t k = ps2map_feed(&m, code, out);
        assert_true(k <= PS2MAP_MAX_OUT);
        assert_true(m.skip <= 2);
    }
    free(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_special_keys),
        cmocka_unit_test(test_caps_lock),
        cmocka_unit_test(test_ctrl),
        cmocka_unit_test(test_alt),
        cmocka_unit_test(test_e0_keys),
        cmocka_unit_test(test_keypad),
        cmocka_unit_test(test_pause),
        cmocka_unit_test(test_releases_and_unknown),
        cmocka_unit_test(test_every_key_every_modifier),
        cmocka_unit_test(test_random_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
