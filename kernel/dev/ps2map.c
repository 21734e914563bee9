/*
 * Scan code set 1 -> terminal bytes (dev/ps2map.h). Set 1 is what an i8042 with translation
 * on delivers whatever the keyboard speaks: a make code per key press (typematic repeats
 * send it again), the same code | 0x80 on release, 0xe0 before the keys the PC/AT added
 * (right Ctrl/Alt, the separate arrow and editing block, keypad Enter and '/'), and 0xe1
 * 0x1d 0x45 0xe1 0x9d 0xc5 for Pause, which has no release. Key numbers: the IBM PC/AT and
 * PS/2 keyboard technical references (set 1 make codes); the output follows xterm's
 * defaults, which serial terminal emulators share.
 */
#include <dev/ps2map.h>

#define ESC 0x1b
#define DEL 0x7f
#define RELEASE 0x80   /* set in a break code */
#define PREFIX_E0 0xe0 /* an extended key follows */
#define PREFIX_E1 0xe1 /* two more bytes follow (Pause) */

/* Set 1 make codes the translation treats specially. */
#define K_ESC 0x01
#define K_BACKSPACE 0x0e
#define K_TAB 0x0f
#define K_ENTER 0x1c /* with 0xe0: keypad Enter */
#define K_CTRL 0x1d  /* left; with 0xe0: right */
#define K_LSHIFT 0x2a
#define K_SLASH 0x35 /* with 0xe0: keypad '/' */
#define K_RSHIFT 0x36
#define K_ALT 0x38 /* left; with 0xe0: right (AltGr, plain Alt on a US layout) */
#define K_CAPS 0x3a
#define K_F1 0x3b /* F1..F10 are 0x3b..0x44 */
#define K_F10 0x44
#define K_NUMLOCK 0x45
#define K_KP_FIRST 0x47 /* keypad 7 .. keypad '.'; with 0xe0 the separate editing keys */
#define K_KP_MINUS 0x4a
#define K_KP_PLUS 0x4e
#define K_KP_LAST 0x53
#define K_F11 0x57
#define K_F12 0x58

typedef struct keychar {
    char plain, shifted; /* 0: not a character key */
} keychar_t;

/* The main block (and keypad '*'): US layout. */
static const keychar_t main_keys[] = {
    [0x02] = {'1', '!'},  [0x03] = {'2', '@'}, [0x04] = {'3', '#'},  [0x05] = {'4', '$'},
    [0x06] = {'5', '%'},  [0x07] = {'6', '^'}, [0x08] = {'7', '&'},  [0x09] = {'8', '*'},
    [0x0a] = {'9', '('},  [0x0b] = {'0', ')'}, [0x0c] = {'-', '_'},  [0x0d] = {'=', '+'},
    [0x10] = {'q', 'Q'},  [0x11] = {'w', 'W'}, [0x12] = {'e', 'E'},  [0x13] = {'r', 'R'},
    [0x14] = {'t', 'T'},  [0x15] = {'y', 'Y'}, [0x16] = {'u', 'U'},  [0x17] = {'i', 'I'},
    [0x18] = {'o', 'O'},  [0x19] = {'p', 'P'}, [0x1a] = {'[', '{'},  [0x1b] = {']', '}'},
    [0x1e] = {'a', 'A'},  [0x1f] = {'s', 'S'}, [0x20] = {'d', 'D'},  [0x21] = {'f', 'F'},
    [0x22] = {'g', 'G'},  [0x23] = {'h', 'H'}, [0x24] = {'j', 'J'},  [0x25] = {'k', 'K'},
    [0x26] = {'l', 'L'},  [0x27] = {';', ':'}, [0x28] = {'\'', '"'}, [0x29] = {'`', '~'},
    [0x2b] = {'\\', '|'}, [0x2c] = {'z', 'Z'}, [0x2d] = {'x', 'X'},  [0x2e] = {'c', 'C'},
    [0x2f] = {'v', 'V'},  [0x30] = {'b', 'B'}, [0x31] = {'n', 'N'},  [0x32] = {'m', 'M'},
    [0x33] = {',', '<'},  [0x34] = {'.', '>'}, [0x35] = {'/', '?'},  [0x37] = {'*', '*'},
    [0x39] = {' ', ' '},
};

#define KP_COUNT (K_KP_LAST - K_KP_FIRST + 1)

/* The keypad with Num Lock on (exclusive-or Shift), and '-' and '+' always. */
static const char keypad_chars[KP_COUNT] = "789-456+1230.";

/* The keypad with Num Lock off, and the editing keys (0xe0 prefix) always. NULL: none
 * (keypad 5 has no navigation meaning; '-' and '+' are always characters). */
static const char *const nav_seqs[KP_COUNT] = {
    "\x1b[H", "\x1b[A", "\x1b[5~", NULL,      "\x1b[D",  NULL,      "\x1b[C",
    NULL,     "\x1b[F", "\x1b[B",  "\x1b[6~", "\x1b[2~", "\x1b[3~",
};

/* F1..F12. */
static const char *const fkey_seqs[12] = {
    "\x1bOP",   "\x1bOQ",   "\x1bOR",   "\x1bOS",   "\x1b[15~", "\x1b[17~",
    "\x1b[18~", "\x1b[19~", "\x1b[20~", "\x1b[21~", "\x1b[23~", "\x1b[24~",
};

void ps2map_init(ps2map_t *m) {
    *m = (ps2map_t){0};
}

static size_t put_seq(uint8_t *out, const char *s) {
    size_t n = 0;
    for (; s[n] != '\0'; n++) {
        out[n] = (uint8_t)s[n];
    }
    return n;
}

/* One byte, after ESC when Alt is held (a terminal's "meta sends escape"). */
static size_t put_byte(const ps2map_t *m, uint8_t b, uint8_t *out) {
    size_t n = 0;
    if (m->lalt || m->ralt) {
        out[n++] = ESC;
    }
    out[n++] = b;
    return n;
}

/* The C0 code for Ctrl with c, or -1 when Ctrl leaves c as it is. */
static int ctrl_code(char c) {
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 1;
    }
    if (c >= '@' && c <= '_') { /* '@', 'A'..'Z', '[', '\\', ']', '^', '_' */
        return c & 0x1f;
    }
    if (c == ' ') {
        return 0x00;
    }
    if (c == '/') {
        return 0x1f;
    }
    return -1;
}

static size_t character(const ps2map_t *m, keychar_t k, uint8_t *out) {
    bool shift = m->lshift || m->rshift;
    bool letter = k.plain >= 'a' && k.plain <= 'z';
    char c = shift != (letter && m->caps) ? k.shifted : k.plain;
    if (m->lctrl || m->rctrl) {
        int code = ctrl_code(c);
        if (code >= 0) {
            c = (char)code;
        }
    }
    return put_byte(m, (uint8_t)c, out);
}

/* Presses and releases of Shift, Ctrl, Alt and the lock keys; true if key was one. */
static bool modifier(ps2map_t *m, bool ext, uint8_t key, bool down) {
    switch (key) {
    case K_LSHIFT:
    case K_RSHIFT:
        /* With 0xe0 these are the "fake shifts" a keyboard wraps around Print Screen and
         * the editing keys: they say nothing about the real Shift keys. */
        if (!ext) {
            *(key == K_LSHIFT ? &m->lshift : &m->rshift) = down;
        }
        return true;
    case K_CTRL:
        *(ext ? &m->rctrl : &m->lctrl) = down;
        return true;
    case K_ALT:
        *(ext ? &m->ralt : &m->lalt) = down;
        return true;
    case K_CAPS:
    case K_NUMLOCK:
        if (ext) {
            return false;
        }
        bool *lock = key == K_CAPS ? &m->caps : &m->num;
        bool *held = key == K_CAPS ? &m->caps_held : &m->num_held;
        if (down && !*held) {
            *lock = !*lock;
        }
        *held = down;
        return true;
    default:
        return false;
    }
}

static size_t keypad(const ps2map_t *m, uint8_t key, uint8_t *out) {
    unsigned i = key - K_KP_FIRST;
    bool digits = m->num != (m->lshift || m->rshift);
    if (digits || key == K_KP_MINUS || key == K_KP_PLUS) {
        return put_byte(m, (uint8_t)keypad_chars[i], out);
    }
    return nav_seqs[i] != NULL ? put_seq(out, nav_seqs[i]) : 0; /* keypad 5: nothing */
}

static size_t plain_key(const ps2map_t *m, uint8_t key, uint8_t *out) {
    switch (key) {
    case K_ESC:
        return put_byte(m, ESC, out);
    case K_BACKSPACE:
        return put_byte(m, DEL, out);
    case K_TAB:
        return m->lshift || m->rshift ? put_seq(out, "\x1b[Z") : put_byte(m, '\t', out);
    case K_ENTER:
        return put_byte(m, '\r', out);
    case K_F11:
        return put_seq(out, fkey_seqs[10]);
    case K_F12:
        return put_seq(out, fkey_seqs[11]);
    default:
        break;
    }
    if (key >= K_F1 && key <= K_F10) {
        return put_seq(out, fkey_seqs[key - K_F1]);
    }
    if (key >= K_KP_FIRST && key <= K_KP_LAST) {
        return keypad(m, key, out);
    }
    if (key < sizeof(main_keys) / sizeof(main_keys[0]) && main_keys[key].plain != 0) {
        return character(m, main_keys[key], out);
    }
    return 0;
}

static size_t extended_key(const ps2map_t *m, uint8_t key, uint8_t *out) {
    if (key == K_ENTER) {
        return put_byte(m, '\r', out);
    }
    if (key == K_SLASH) {
        return put_byte(m, '/', out);
    }
    if (key >= K_KP_FIRST && key <= K_KP_LAST && nav_seqs[key - K_KP_FIRST] != NULL) {
        return put_seq(out, nav_seqs[key - K_KP_FIRST]);
    }
    return 0; /* Print Screen, the Windows and Menu keys, multimedia keys, unknown */
}

size_t ps2map_feed(ps2map_t *m, uint8_t code, uint8_t out[PS2MAP_MAX_OUT]) {
    if (m->skip > 0) {
        m->skip--;
        return 0;
    }
    if (code == PREFIX_E1) {
        m->skip = 2;
        m->e0 = false;
        return 0;
    }
    if (code == PREFIX_E0) {
        m->e0 = true;
        return 0;
    }
    bool ext = m->e0;
    m->e0 = false;
    bool down = (code & RELEASE) == 0;
    uint8_t key = code & (uint8_t)~RELEASE;
    if (modifier(m, ext, key, down) || !down) {
        return 0;
    }
    return ext ? extended_key(m, key, out) : plain_key(m, key, out);
}
