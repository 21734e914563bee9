/*
 * Host tests for the shell's line editor and history (apps/shell/lineedit.c, history.c).
 * The editor's echo goes into a small model of a terminal (printable bytes, '\b', '\r',
 * '\n'), so every test checks what a person would see, not only the buffer: after each
 * key the screen row must show the line and the cursor must sit at the editor's cursor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "history.h"
#include "lineedit.h"
#include "test_util.h"

#define COLS 1024

/* A terminal without wrapping: the row being written, the cursor, and the echo raw. */
typedef struct term {
    char row[COLS + 1];
    size_t col;
    char raw[65536];
    size_t raw_len;
    int newlines;
} term_t;

static void term_sink(void *ctx, const char *s, size_t n) {
    term_t *t = ctx;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (t->raw_len < sizeof(t->raw) - 1) {
            t->raw[t->raw_len++] = c;
        }
        if (c == '\b') {
            t->col -= t->col > 0;
        } else if (c == '\r') {
            t->col = 0;
        } else if (c == '\n') {
            memset(t->row, ' ', COLS);
            t->newlines++;
        } else {
            assert_true(c >= 0x20 && c < 0x7f); /* nothing a terminal might not show */
            assert_true(t->col < COLS);
            t->row[t->col++] = c;
        }
    }
}

typedef struct fixture {
    term_t term;
    history_t hist;
    lineedit_t le;
} fixture_t;

static fixture_t *fixture_new(void) {
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    memset(f->term.row, ' ', COLS);
    history_init(&f->hist);
    le_init(&f->le, &f->hist, term_sink, &f->term);
    return f;
}

/* The screen shows the line and nothing after it, and the cursor is at pos. */
static void check_screen(const fixture_t *f) {
    const lineedit_t *le = &f->le;
    assert_int_equal(strlen(le->line), le->len);
    assert_true(le->pos <= le->len);
    assert_memory_equal(f->term.row, le->line, le->len);
    for (size_t i = le->len; i < COLS; i++) {
        assert_int_equal(f->term.row[i], ' ');
    }
    assert_int_equal(f->term.col, le->pos);
}

/* Feeds keys (a C string), checking the screen after each byte; returns the last event. */
static le_event_t type(fixture_t *f, const char *keys) {
    le_event_t ev = LE_NONE;
    for (const char *k = keys; *k; k++) {
        ev = le_feed(&f->le, (uint8_t)*k);
        if (ev == LE_NONE) {
            check_screen(f);
        }
    }
    return ev;
}

#define LEFT "\x1b[D"
#define RIGHT "\x1b[C"
#define UP "\x1b[A"
#define DOWN "\x1b[B"
#define HOME "\x1b[H"
#define END "\x1b[F"
#define DEL "\x1b[3~"

static void test_typing_and_enter(void **state) {
    (void)state;
    fixture_t *f = fixture_new();
    assert_int_equal(type(f, "hello"), LE_NONE);
    assert_string_equal(le_line(&f->le), "hello");
    assert_int_equal(f->le.pos, 5);
    assert_string_equal(f->term.raw, "hello"); /* plain typing echoes each byte once */
    assert_int_equal(le_feed(&f->le, '\r'), LE_ENTER);
    assert_string_equal(le_line(&f->le), "hello");
    assert_int_equal(f->term.newlines, 1);
    free(f);
}

static void test_cursor_moves_and_insert(void **state) {
    (void)state;
    fixture_t *f = fixture_new();
    type(f, "helo" LEFT "l");
    assert_string_equal(le_line(&f->le), "hello");
    assert_int_equal(f->le.pos, 4);
    type(f, HOME "[" END "]");
    assert_string_equal(le_line(&f->le), "[hello]");
    type(f, "\x01"
            "a"
            "\x05"
            "z"); /* Ctrl-A, Ctrl-E */
    assert_string_equal(le_line(&f->le), "a[hello]z");
    type(f, "\x1b[1~"
            "1"
            "\x1b[4~"
            "4"
            "\x1bOH"
            "o"
            "\x1bOF"
            "f");
    assert_string_equal(le_line(&f->le), "o1a[hello]z4f");
    type(f, "\x02\x02"
            "B"
            "\x06"
            "F"); /* Ctrl-B, Ctrl-F */
    assert_string_equal(le_line(&f->le), "o1a[hello]zB4Ff");
    /* Left at the start and Right at the end stay put. */
    type(f, HOME LEFT LEFT);
    assert_int_equal(f->le.pos, 0);
    type(f, END RIGHT RIGHT);
    assert_int_equal(f->le.pos, f->le.len);
    free(f);
}

static void test_deleting(void **state) {
    (void)state;
    fixture_t *f = fixture_new();
    type(f, "abcdef"
            "\x7f");
    assert_string_equal(le_line(&f->le), "abcde");
    type(f, LEFT LEFT "\b");
    assert_string_equal(le_line(&f->le), "abde");
    assert_int_equal(f->le.pos, 2);
    type(f, DEL);
    assert_string_equal(le_line(&f->le), "abe");
    type(f, "\x04"); /* Ctrl-D deletes under the cursor */
    assert_string_equal(le_line(&f->le), "ab");
    type(f, DEL "\x04" HOME "\x7f\b"); /* nothing to delete: no change */
    assert_string_equal(le_line(&f->le), "ab");
    type(f, END "cdef" LEFT LEFT "\x0b"); /* Ctrl-K: to the end */
    assert_string_equal(le_line(&f->le), "abcd");
    type(f, LEFT "\x15"); /* Ctrl-U: to the start */
    assert_string_equal(le_line(&f->le), "d");
    assert_int_equal(f->le.pos, 0);
    free(f);
}

static void test_enter_forms(void **state) {
    (void)state;
    fixture_t *f = fixture_new();
    assert_int_equal(type(f, "a\r"), LE_ENTER);
    le_start(&f->le);
    /* The '\n' of a "\r\n" Enter is not a second, empty Enter. */
    assert_int_equal(le_feed(&f->le, '\n'), LE_NONE);
    assert_int_equal(type(f, "b\n"), LE_ENTER);
    assert_string_equal(le_line(&f->le), "b");
    le_start(&f->le);
    assert_int_equal(le_feed(&f->le, '\n'), LE_ENTER); /* a bare '\n' is an Enter */
    assert_string_equal(le_line(&f->le), "");
    free(f);
}

static void test_ctrl_c(void **state) {
    (void)state;
    fixture_t *f = fixture_new();
    type(f, "some" LEFT LEFT);
    assert_int_equal(le_feed(&f->le, 0x03), LE_INTERRUPT);
    assert_string_equal(le_line(&f->le), "");
    assert_int_equal(f->le.pos, 0);
    /* The cursor goes to the end first, so "^C" does not cover the line. */
    assert_string_equal(f->term.raw + f->term.raw_len - 6, "me^C\r\n");
    assert_int_equal(history_count(&f->hist), 0); /* an abandoned line is not kept */
    free(f);
}

static void test_history_walk(void **state) {
    (void)state;
    fixture_t *f = fixture_new();
    const char *lines[] = {"first command", "two", "a third, longer line"};
    for (size_t i = 0; i < 3; i++) {
        type(f, lines[i]);
        assert_int_equal(le_feed(&f->le, '\r'), LE_ENTER);
        le_start(&f->le);
        memset(f->term.row, ' ', COLS);
        f->term.col = 0;
    }
    type(f, "draft");
    type(f, UP);
    assert_string_equal(le_line(&f->le), "a third, longer line");
    type(f, UP); /* shorter than before: the rest of the screen is blanked */
    assert_string_equal(le_line(&f->le), "two");
    type(f, "\x10"); /* Ctrl-P */
    assert_string_equal(le_line(&f->le), "first command");
    type(f, UP); /* past the oldest: stays */
    assert_string_equal(le_line(&f->le), "first command");
    type(f, DOWN "\x0e"); /* Down, Ctrl-N */
    assert_string_equal(le_line(&f->le), "a third, longer line");
    type(f, DOWN);
    assert_string_equal(le_line(&f->le), "draft"); /* the line being typed comes back */
    type(f, DOWN);
    assert_string_equal(le_line(&f->le), "draft");
    /* An edited old line is entered as a new one; the old one stays as it was. */
    type(f, UP UP "!");
    assert_int_equal(le_feed(&f->le, '\r'), LE_ENTER);
    assert_string_equal(history_get(&f->hist, 0), "two!");
    assert_string_equal(history_get(&f->hist, 1), "a third, longer line");
    assert_string_equal(history_get(&f->hist, 2), "two");
    free(f);
}

static void test_full_line_and_junk(void **state) {
    (void)state;
    fixture_t *f = fixture_new();
    for (int i = 0; i < 300; i++) {
        type(f, "x");
    }
    assert_int_equal(f->le.len, SH_LINE_MAX);
    type(f, HOME "y"); /* full: an insert in the middle is dropped too */
    assert_int_equal(f->le.len, SH_LINE_MAX);
    assert_int_equal(f->le.line[0], 'x');
    le_start(&f->le);
    memset(f->term.row, ' ', COLS);
    f->term.col = 0;
    /* Unknown keys, over-long parameters, bytes over 0x7f and stray controls: ignored. */
    type(f, "ab\x1b[Z\x1b[99~\x1b[123456789012345~\x80\xff\t\x07\x1bxc");
    assert_string_equal(le_line(&f->le), "abc");
    type(f, "\x1b[1;5D"
            "-"); /* Ctrl-Left: Left (the modifier is not looked at) */
    assert_string_equal(le_line(&f->le), "ab-c");
    type(f, END "\x7f");
    /* A sequence broken by a control byte: that byte counts on its own (Ctrl-A). */
    type(f, "\x1b[\x01"
            "0");
    assert_string_equal(le_line(&f->le), "0ab-");
    free(f);
}

/* Random bytes: the screen must match the line after every one (ASan watches bounds). */
static void test_random_keys(void **state) {
    (void)state;
    fixture_t *f = fixture_new();
    static const char *const keys[] = {LEFT, RIGHT,  UP,     DOWN,   HOME,   END,     DEL,   "\x7f",
                                       "\b", "\x01", "\x05", "\x0b", "\x15", "\x1b[", "\x1b"};
    uint64_t seed = 0x5eed5eedull;
    for (int i = 0; i < 200000; i++) {
        uint64_t r = xorshift64(&seed);
        le_event_t ev = LE_NONE;
        if (r % 4 == 0) {
            ev = type(f, keys[(r >> 8) % (sizeof(keys) / sizeof(keys[0]))]);
        } else if (r % 97 == 1) {
            ev = le_feed(&f->le, (r >> 8) % 3 == 0 ? 0x03 : '\r');
        } else {
            char k[2] = {(char)(0x20 + (r >> 8) % 95), 0};
            ev = type(f, k);
        }
        if (ev != LE_NONE) {
            le_start(&f->le);
            memset(f->term.row, ' ', COLS);
            f->term.col = 0;
        }
    }
    free(f);
}

static void test_history_ring(void **state) {
    (void)state;
    history_t *h = calloc(1, sizeof(*h));
    assert_non_null(h);
    history_init(h);
    assert_null(history_get(h, 0));
    history_add(h, "");
    assert_int_equal(history_count(h), 0);
    history_add(h, "same");
    history_add(h, "same"); /* the newest again: not added */
    assert_int_equal(history_count(h), 1);
    char line[16];
    for (int i = 0; i < HISTORY_LINES + 5; i++) {
        snprintf(line, sizeof(line), "line %d", i);
        history_add(h, line);
    }
    assert_int_equal(history_count(h), HISTORY_LINES);
    snprintf(line, sizeof(line), "line %d", HISTORY_LINES + 4);
    assert_string_equal(history_get(h, 0), line);
    assert_string_equal(history_get(h, HISTORY_LINES - 1), "line 5"); /* the oldest kept */
    assert_null(history_get(h, HISTORY_LINES));
    char longline[400];
    memset(longline, 'L', sizeof(longline) - 1);
    longline[sizeof(longline) - 1] = '\0';
    history_add(h, longline);
    assert_int_equal(strlen(history_get(h, 0)), SH_LINE_MAX);
    free(h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typing_and_enter),
        cmocka_unit_test(test_cursor_moves_and_insert),
        cmocka_unit_test(test_deleting),
        cmocka_unit_test(test_enter_forms),
        cmocka_unit_test(test_ctrl_c),
        cmocka_unit_test(test_history_walk),
        cmocka_unit_test(test_full_line_and_junk),
        cmocka_unit_test(test_random_keys),
        cmocka_unit_test(test_history_ring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
