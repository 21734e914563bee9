/*
 * The shell's history: the last HISTORY_LINES lines entered, newest first. Pure code (no
 * traps, no allocation): the same file builds into the shell and into a host test.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SH_LINE_MAX 255 /* bytes of a command line: an app's argument string must fit */
#define HISTORY_LINES 32

typedef struct history {
    char lines[HISTORY_LINES][SH_LINE_MAX + 1]; /* a ring: the newest at next - 1 */
    uint32_t count;                             /* lines held, <= HISTORY_LINES */
    uint32_t next;                              /* the slot the next line goes to */
} history_t;

void history_init(history_t *h);
/* Adds line (cut to SH_LINE_MAX bytes) as the newest, dropping the oldest when full;
 * an empty line, or one equal to the newest, is not added. */
void history_add(history_t *h, const char *line);
uint32_t history_count(const history_t *h);
/* The line entered age lines ago (0: the newest), or NULL past the oldest. */
const char *history_get(const history_t *h, uint32_t age);
