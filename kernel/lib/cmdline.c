/*
 * Kernel command line lookups (contract in <kernel/cmdline.h>): words split on spaces and
 * tabs, each "key" or "key=value". Pure and allocation-free; the same file is host-tested.
 */
#include <kernel/cmdline.h>
#include <kernel/string.h>

/* Separators are space and tab (and CR/LF, in case a config line ending slipped through). A
 * word's key ends at its first '='; the value is everything after it, '=' included. A NULL
 * cmdline, list, key or item, an empty key or item, and a key holding '=' or a separator
 * never match. */

static bool cmdline_is_sep(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* If the word [w, w+n) has key "key", returns true and sets *val and *vlen to its value
 * (vlen 0 and val at the word's end for a bare key). */
static bool cmdline_word_match(const char *w, size_t n, const char *key, size_t klen,
                               const char **val, size_t *vlen) {
    if (n < klen || memcmp(w, key, klen) != 0) {
        return false;
    }
    if (n == klen) {
        *val = w + n;
        *vlen = 0;
        return true;
    }
    if (w[klen] != '=') {
        return false;
    }
    *val = w + klen + 1;
    *vlen = n - klen - 1;
    return true;
}

static bool cmdline_key_valid(const char *key) {
    if (key == NULL || key[0] == '\0') {
        return false;
    }
    for (const char *p = key; *p != '\0'; p++) {
        if (*p == '=' || cmdline_is_sep(*p)) {
            return false;
        }
    }
    return true;
}

/* Finds the LAST word whose key is key; returns false if there is none. */
static bool cmdline_find_last(const char *cmdline, const char *key, const char **val,
                              size_t *vlen) {
    if (cmdline == NULL || !cmdline_key_valid(key)) {
        return false;
    }
    size_t klen = strlen(key);
    bool found = false;
    const char *p = cmdline;
    while (*p != '\0') {
        while (cmdline_is_sep(*p)) {
            p++;
        }
        const char *w = p;
        while (*p != '\0' && !cmdline_is_sep(*p)) {
            p++;
        }
        if (p > w && cmdline_word_match(w, (size_t)(p - w), key, klen, val, vlen)) {
            found = true;
        }
    }
    return found;
}

bool cmdline_get(const char *cmdline, const char *key, char *val, size_t size) {
    const char *v = NULL;
    size_t vlen = 0;
    if (!cmdline_find_last(cmdline, key, &v, &vlen)) {
        return false;
    }
    if (val != NULL && size > 0) {
        size_t n = vlen < size - 1 ? vlen : size - 1;
        memcpy(val, v, n);
        val[n] = '\0';
    }
    return true;
}

bool cmdline_has(const char *cmdline, const char *key) {
    const char *v;
    size_t vlen;
    return cmdline_find_last(cmdline, key, &v, &vlen);
}

bool cmdline_list_contains(const char *list, const char *item) {
    if (list == NULL || item == NULL || item[0] == '\0') {
        return false;
    }
    size_t ilen = strlen(item);
    const char *p = list;
    for (;;) {
        const char *start = p;
        while (*p != '\0' && *p != ',') {
            p++;
        }
        if ((size_t)(p - start) == ilen && memcmp(start, item, ilen) == 0) {
            return true;
        }
        if (*p == '\0') {
            return false;
        }
        p++;
    }
}
