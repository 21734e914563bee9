/* Command-line parsing for the shell (parse.h). */
#include "parse.h"

#include <kernel/string.h>

static bool blank(char c) {
    return c == ' ' || c == '\t';
}

parse_status_t parse_command(const char *line, command_t *out) {
    memset(out, 0, sizeof(*out));
    size_t n = strnlen(line, SH_LINE_MAX + 1);
    if (n > SH_LINE_MAX) {
        return PARSE_TOO_LONG;
    }
    memcpy(out->buf, line, n);
    char *p = out->buf;
    while (*p) {
        while (blank(*p)) {
            *p++ = '\0';
        }
        if (*p == '\0') {
            break;
        }
        if (out->argc == SH_MAX_WORDS) {
            return PARSE_TOO_MANY_WORDS;
        }
        out->argv[out->argc++] = p;
        while (*p && !blank(*p)) {
            p++;
        }
    }
    if (out->argc == 0) {
        return PARSE_EMPTY;
    }
    /* '&' may only end the line: "cmd &" or "cmd&" */
    char *last = out->argv[out->argc - 1];
    size_t last_len = strlen(last);
    if (last[last_len - 1] == '&') {
        out->background = true;
        last[last_len - 1] = '\0';
        if (last_len == 1) {
            out->argv[--out->argc] = NULL;
        }
    }
    for (int i = 0; i < out->argc; i++) {
        for (const char *c = out->argv[i]; *c; c++) {
            if (*c == '&') {
                return PARSE_BAD_AMPERSAND;
            }
        }
    }
    if (out->argc == 0) {
        return PARSE_ONLY_AMPERSAND;
    }
    return PARSE_OK;
}

const char *parse_error(parse_status_t st) {
    switch (st) {
    case PARSE_TOO_MANY_WORDS:
        return "too many words (at most 16)";
    case PARSE_TOO_LONG:
        return "line too long (at most 255 bytes)";
    case PARSE_BAD_AMPERSAND:
        return "'&' may only end a line (it runs the command in the background)";
    case PARSE_ONLY_AMPERSAND:
        return "nothing to run in the background before '&'";
    default:
        return "cannot parse the line";
    }
}

size_t command_join(const command_t *c, char *out, size_t n) {
    size_t need = 0;
    for (int i = 0; i < c->argc; i++) {
        size_t w = strlen(c->argv[i]);
        if (i > 0) {
            if (need + 1 < n) {
                out[need] = ' ';
            }
            need++;
        }
        for (size_t k = 0; k < w; k++, need++) {
            if (need + 1 < n) {
                out[need] = c->argv[i][k];
            }
        }
    }
    if (n > 0) {
        out[need < n ? need : n - 1] = '\0';
    }
    return need;
}
