/* The shell's history (history.h): a ring of fixed-size lines. */
#include "history.h"

#include <kernel/string.h>

void history_init(history_t *h) {
    memset(h, 0, sizeof(*h));
}

void history_add(history_t *h, const char *line) {
    size_t n = strnlen(line, SH_LINE_MAX);
    if (n == 0) {
        return;
    }
    const char *newest = history_get(h, 0);
    if (newest && strlen(newest) == n && memcmp(newest, line, n) == 0) {
        return; /* the same as the newest (as cut) */
    }
    memcpy(h->lines[h->next], line, n);
    h->lines[h->next][n] = '\0';
    h->next = (h->next + 1) % HISTORY_LINES;
    if (h->count < HISTORY_LINES) {
        h->count++;
    }
}

uint32_t history_count(const history_t *h) {
    return h->count;
}

const char *history_get(const history_t *h, uint32_t age) {
    if (age >= h->count) {
        return NULL;
    }
    return h->lines[(h->next + HISTORY_LINES - 1 - age) % HISTORY_LINES];
}
