/*
 * Command lines: words separated by blanks, and a trailing '&' (a word of its own or
 * glued to the last word) to run the command in the background. No quoting: an app gets
 * its arguments as one string the start code splits at spaces anyway. Pure code, host
 * tested (test/host/test_shell_parse.c).
 */
#pragma once

#include "history.h"

#include <stdbool.h>
#include <stddef.h>

#define SH_MAX_WORDS 16 /* as many as an app's start code splits its arguments into */

typedef enum parse_status {
    PARSE_OK = 0,
    PARSE_EMPTY,          /* only blanks: nothing to do */
    PARSE_TOO_MANY_WORDS, /* more than SH_MAX_WORDS */
    PARSE_TOO_LONG,       /* more than SH_LINE_MAX bytes */
    PARSE_BAD_AMPERSAND,  /* '&' somewhere but at the end */
    PARSE_ONLY_AMPERSAND, /* '&' with no command before it */
} parse_status_t;

typedef struct command {
    char buf[SH_LINE_MAX + 1]; /* the words, each NUL-terminated */
    char *argv[SH_MAX_WORDS + 1];
    int argc;
    bool background; /* ended with '&' */
} command_t;

parse_status_t parse_command(const char *line, command_t *out);
/* A one-line reason for a status other than PARSE_OK and PARSE_EMPTY. */
const char *parse_error(parse_status_t st);
/* The words joined by single spaces into out[n] (an app's argument string, argv[0]
 * first): the length it needs; it fits if that is < n. */
size_t command_join(const command_t *c, char *out, size_t n);
