/*
 * The line editor (lineedit.h). Each edit writes the least echo that puts the screen
 * right: the changed tail of the line, blanks over what it no longer covers, and '\b's
 * back to the cursor. Invariant between calls: the screen shows the prompt, then
 * line[0..len), and the terminal's cursor is pos bytes after the prompt.
 */
#include "lineedit.h"

#include <kernel/string.h>

enum { ESC_NONE, ESC_START, ESC_CSI, ESC_SS3 }; /* ESC; ESC [ params; ESC O */

static void out(lineedit_t *le, const char *s, size_t n) {
    if (n) {
        le->sink(le->ctx, s, n);
    }
}

static void out_repeat(lineedit_t *le, char c, size_t n) {
    char buf[32];
    memset(buf, c, sizeof(buf));
    for (size_t k; n > 0; n -= k) {
        k = n < sizeof(buf) ? n : sizeof(buf);
        out(le, buf, k);
    }
}

/* Redraws from the cursor: line[pos..len), blanks over `erase` more columns that the old
 * line covered, then back to pos. */
static void redraw_tail(lineedit_t *le, size_t erase) {
    out(le, le->line + le->pos, le->len - le->pos);
    out_repeat(le, ' ', erase);
    out_repeat(le, '\b', le->len - le->pos + erase);
}

static void cursor_to(lineedit_t *le, size_t pos) {
    if (pos < le->pos) {
        out_repeat(le, '\b', le->pos - pos);
    } else {
        out(le, le->line + le->pos, pos - le->pos);
    }
    le->pos = pos;
}

/* Replaces the whole line with text[0..n) (cut to fit), the cursor at its end. */
static void replace_line(lineedit_t *le, const char *text, size_t n) {
    size_t old = le->len, erase;
    n = n < SH_LINE_MAX ? n : SH_LINE_MAX;
    erase = old > n ? old - n : 0;
    cursor_to(le, 0);
    memmove(le->line, text, n);
    le->len = n;
    le->line[n] = '\0';
    out(le, le->line, n);
    out_repeat(le, ' ', erase);
    out_repeat(le, '\b', erase);
    le->pos = n;
}

static void insert(lineedit_t *le, char c) {
    if (le->len >= SH_LINE_MAX) {
        return; /* full: the byte is dropped (no bell: the framebuffer would draw it) */
    }
    memmove(le->line + le->pos + 1, le->line + le->pos, le->len - le->pos);
    le->line[le->pos] = c;
    le->line[++le->len] = '\0';
    out(le, le->line + le->pos, le->len - le->pos); /* the new byte and the tail it moved */
    out_repeat(le, '\b', le->len - le->pos - 1);
    le->pos++;
}

/* Deletes n bytes at the cursor. */
static void delete_at(lineedit_t *le, size_t n) {
    n = n < le->len - le->pos ? n : le->len - le->pos;
    if (n == 0) {
        return;
    }
    memmove(le->line + le->pos, le->line + le->pos + n, le->len - le->pos - n);
    le->len -= n;
    le->line[le->len] = '\0';
    redraw_tail(le, n);
}

static void backspace(lineedit_t *le) {
    if (le->pos > 0) {
        cursor_to(le, le->pos - 1);
        delete_at(le, 1);
    }
}

static void kill_to_start(lineedit_t *le) {
    size_t n = le->pos;
    cursor_to(le, 0);
    delete_at(le, n);
}

static void history_step(lineedit_t *le, bool older) {
    if (le->hist == NULL) {
        return;
    }
    if (older) {
        if (le->browse >= history_count(le->hist)) {
            return;
        }
        if (le->browse == 0) {
            memcpy(le->draft, le->line, le->len + 1);
            le->draft_len = le->len;
        }
        le->browse++;
    } else {
        if (le->browse == 0) {
            return;
        }
        le->browse--;
    }
    if (le->browse == 0) {
        replace_line(le, le->draft, le->draft_len);
    } else {
        const char *h = history_get(le->hist, le->browse - 1);
        replace_line(le, h, strlen(h));
    }
}

static le_event_t enter(lineedit_t *le) {
    out(le, "\r\n", 2);
    if (le->hist) {
        history_add(le->hist, le->line);
    }
    le->browse = 0;
    return LE_ENTER;
}

/* The final byte of ESC [ params or ESC O. */
static void escape_key(lineedit_t *le, uint8_t final) {
    if (le->esc_nparam > sizeof(le->esc_param)) {
        return; /* too long to be a key we know */
    }
    size_t param = 0;
    for (size_t i = 0; i < le->esc_nparam && le->esc_param[i] >= '0' && le->esc_param[i] <= '9';
         i++) {
        param = param * 10 + (size_t)(le->esc_param[i] - '0');
    }
    switch (final) {
    case 'A':
        history_step(le, true);
        break;
    case 'B':
        history_step(le, false);
        break;
    case 'C':
        cursor_to(le, le->pos < le->len ? le->pos + 1 : le->len);
        break;
    case 'D':
        cursor_to(le, le->pos > 0 ? le->pos - 1 : 0);
        break;
    case 'H':
        cursor_to(le, 0);
        break;
    case 'F':
        cursor_to(le, le->len);
        break;
    case '~':
        if (param == 1 || param == 7) {
            cursor_to(le, 0);
        } else if (param == 4 || param == 8) {
            cursor_to(le, le->len);
        } else if (param == 3) {
            delete_at(le, 1);
        }
        break;
    default:
        break;
    }
}

/* Inside an escape sequence: true if c was taken by it. */
static bool escape_byte(lineedit_t *le, uint8_t c) {
    switch (le->esc) {
    case ESC_START:
        le->esc = c == '[' ? ESC_CSI : c == 'O' ? ESC_SS3 : ESC_NONE;
        le->esc_nparam = 0;
        return true; /* ESC then anything else (Alt+key): both ignored */
    case ESC_SS3:
        le->esc = ESC_NONE;
        escape_key(le, c);
        return true;
    case ESC_CSI:
        if (c >= 0x30 && c <= 0x3f) { /* parameter bytes: digits, ';' */
            if (le->esc_nparam < sizeof(le->esc_param)) {
                le->esc_param[le->esc_nparam] = (char)c;
            }
            le->esc_nparam += le->esc_nparam <= sizeof(le->esc_param);
            return true;
        }
        le->esc = ESC_NONE;
        if (c >= 0x40 && c <= 0x7e) {
            escape_key(le, c);
            return true;
        }
        return false; /* a broken sequence: the byte counts on its own */
    default:
        return false;
    }
}

void le_init(lineedit_t *le, history_t *h, le_sink_t sink, void *ctx) {
    memset(le, 0, sizeof(*le));
    le->hist = h;
    le->sink = sink;
    le->ctx = ctx;
    le_start(le);
}

void le_start(lineedit_t *le) {
    le->len = 0;
    le->pos = 0;
    le->line[0] = '\0';
    le->browse = 0;
    le->esc = ESC_NONE;
}

le_event_t le_feed(lineedit_t *le, uint8_t c) {
    bool after_cr = le->after_cr;
    le->after_cr = false;
    if (escape_byte(le, c)) {
        return LE_NONE;
    }
    switch (c) {
    case '\r':
        le->after_cr = true;
        return enter(le);
    case '\n':
        return after_cr ? LE_NONE : enter(le);
    case 0x1b:
        le->esc = ESC_START;
        break;
    case 0x7f:
    case '\b':
        backspace(le);
        break;
    case 0x01: /* Ctrl-A */
        cursor_to(le, 0);
        break;
    case 0x05: /* Ctrl-E */
        cursor_to(le, le->len);
        break;
    case 0x02: /* Ctrl-B */
        cursor_to(le, le->pos > 0 ? le->pos - 1 : 0);
        break;
    case 0x06: /* Ctrl-F */
        cursor_to(le, le->pos < le->len ? le->pos + 1 : le->len);
        break;
    case 0x04: /* Ctrl-D */
        delete_at(le, 1);
        break;
    case 0x0b: /* Ctrl-K */
        delete_at(le, le->len - le->pos);
        break;
    case 0x15: /* Ctrl-U */
        kill_to_start(le);
        break;
    case 0x10: /* Ctrl-P */
        history_step(le, true);
        break;
    case 0x0e: /* Ctrl-N */
        history_step(le, false);
        break;
    case 0x03: /* Ctrl-C */
        cursor_to(le, le->len);
        out(le, "^C\r\n", 4);
        le_start(le);
        return LE_INTERRUPT;
    default:
        if (c >= 0x20 && c < 0x7f) {
            insert(le, (char)c);
        }
        break;
    }
    return LE_NONE;
}

const char *le_line(const lineedit_t *le) {
    return le->line;
}
