/*
 * PS/2 keyboard translation (dev/ps2map.c): scan code set 1 bytes, as an i8042 with
 * translation on delivers them, in; the bytes a serial terminal would send for the same
 * keys out (US layout). Pure: no hardware, no locks; the caller owns the state (the
 * keyboard's interrupt handler, or a host test).
 *
 * Output: printable ASCII (Shift, Caps Lock on letters only, Num Lock on the keypad),
 * Enter '\r', Backspace 0x7f, Tab '\t' (Shift+Tab ESC [ Z), Escape 0x1b, Ctrl+letter and
 * Ctrl+@ [ \ ] ^ _ as C0 codes (Ctrl+Space 0x00, Ctrl+/ 0x1f), Alt as an ESC prefix on a
 * one-byte result; arrows ESC [ A/B/C/D, Home ESC [ H, End ESC [ F, Insert/Delete/PgUp/PgDn
 * ESC [ 2/3/5/6 ~, F1-F4 ESC O P..S, F5-F12 ESC [ 15..24 ~ (xterm's numbers). Releases,
 * modifiers alone, keyboard replies (ACK 0xfa, ...) and unknown codes give nothing.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PS2MAP_MAX_OUT 8 /* bytes one scan code byte can produce, at most */

typedef struct ps2map {
    bool e0;      /* the last byte was the 0xe0 prefix */
    uint8_t skip; /* bytes of a 0xe1 (Pause) sequence still to swallow */
    bool lshift, rshift, lctrl, rctrl, lalt, ralt; /* held now */
    bool caps, num;                                /* lock states */
    bool caps_held, num_held; /* a lock key is down: its typematic repeats do not toggle */
} ps2map_t;

/* Nothing held, Caps Lock and Num Lock off (a keyboard's state after its reset). */
void ps2map_init(ps2map_t *m);
/* Takes one scan code byte; writes what it produces to out and returns the count
 * (0..PS2MAP_MAX_OUT). */
size_t ps2map_feed(ps2map_t *m, uint8_t code, uint8_t out[PS2MAP_MAX_OUT]);
