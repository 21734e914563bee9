/*
 * The shell's line editor: turns the bytes a terminal sends (serial, or the keyboard
 * driver's translation of keys into the same sequences) into an edited line, and writes
 * the echo that keeps the screen in step. Pure code (no traps): the same file builds into
 * the shell and into a host test (test/host/test_lineedit.c).
 *
 * Keys: printable ASCII inserts at the cursor; Left/Right (ESC [ D / ESC [ C, Ctrl-B /
 * Ctrl-F), Home/End (ESC [ H / ESC [ F, ESC [ 1~ / ESC [ 4~, ESC O H / ESC O F, Ctrl-A /
 * Ctrl-E); Backspace (0x7f or 0x08) deletes before the cursor, Delete (ESC [ 3~) and
 * Ctrl-D under it; Ctrl-K deletes to the end, Ctrl-U to the start; Up/Down (ESC [ A /
 * ESC [ B, Ctrl-P / Ctrl-N) walk the history; Enter is '\r' or '\n' ("\r\n" counts once);
 * Ctrl-C abandons the line. Other bytes are ignored.
 *
 * The echo uses only printable bytes, '\b' (cursor left) and "\r\n", which every serial
 * terminal and the framebuffer console understand; lines longer than the screen is wide
 * cannot be edited across the wrap.
 */
#pragma once

#include "history.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the echo goes (n may be 0). */
typedef void (*le_sink_t)(void *ctx, const char *s, size_t n);

typedef enum le_event {
    LE_NONE = 0,  /* keep feeding */
    LE_ENTER,     /* a line is complete: le_line() until the next le_start */
    LE_INTERRUPT, /* Ctrl-C: the line was abandoned ("^C" echoed) */
} le_event_t;

typedef struct lineedit {
    char line[SH_LINE_MAX + 1]; /* NUL-terminated */
    size_t len, pos;            /* bytes in the line; the cursor, 0..len */
    history_t *hist;            /* may be NULL: no history */
    uint32_t browse;            /* history lines walked back; 0: the new line */
    char draft[SH_LINE_MAX + 1];
    size_t draft_len;  /* the new line, kept while walking the history */
    uint8_t esc;       /* escape sequence state (lineedit.c) */
    char esc_param[8]; /* its parameter bytes */
    size_t esc_nparam; /* how many (more than fit: the sequence is ignored) */
    bool after_cr;     /* the last byte was an Enter '\r': a '\n' now is the same Enter */
    le_sink_t sink;
    void *ctx;
} lineedit_t;

/* Sets le up with history h (may be NULL) and an echo sink, then le_start. */
void le_init(lineedit_t *le, history_t *h, le_sink_t sink, void *ctx);
/* An empty line, the cursor at its start (the caller has just written the prompt). */
void le_start(lineedit_t *le);
/* One byte from the terminal; writes the echo to the sink. */
le_event_t le_feed(lineedit_t *le, uint8_t c);
/* The line (NUL-terminated): complete after LE_ENTER, partial otherwise. */
const char *le_line(const lineedit_t *le);
