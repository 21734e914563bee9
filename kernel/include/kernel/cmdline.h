/*
 * Kernel command line: space-separated words, each "key" or "key=value".
 * Values cannot contain spaces. Pure; the same file is host-tested.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Copies the value of the LAST "key=value" word into val (NUL-terminated, truncated to
 * size-1). A bare "key" yields "". Returns false if key does not occur. */
bool cmdline_get(const char *cmdline, const char *key, char *val, size_t size);

/* True if key occurs, bare or with a value. */
bool cmdline_has(const char *cmdline, const char *key);

/* True if the comma-separated list (e.g. "a,b,c") contains item exactly. */
bool cmdline_list_contains(const char *list, const char *item);
