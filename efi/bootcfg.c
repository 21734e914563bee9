/*
 * Parser for the boot config file \EXOSPACE\BOOT.CFG (contract in bootcfg.h). Pure code that
 * builds for the UEFI loader (LLP64), the kernel and host tests, so it uses only fixed-width
 * integer types and treats both len and the text as untrusted.
 */
#include "bootcfg.h"

#include <kernel/string.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Line rules: a line is its bytes up to (not including) LF; one CR right before the LF (or
 * before the end of the text) is dropped too, so CRLF and LF files parse alike. A line longer
 * than BOOTCFG_MAX_LINE bytes after that is rejected. '#' starts a comment only as the first
 * non-blank character, so values may contain '#'. Keys are case-sensitive.
 */

typedef struct bootcfg_span {
    const char *p;
    uint64_t n;
} bootcfg_span_t;

static bool bootcfg_is_blank(char c) {
    return c == ' ' || c == '\t';
}

static bootcfg_span_t bootcfg_trim(bootcfg_span_t s) {
    while (s.n > 0 && bootcfg_is_blank(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && bootcfg_is_blank(s.p[s.n - 1])) {
        s.n--;
    }
    return s;
}

static bool bootcfg_span_eq(bootcfg_span_t s, const char *lit) {
    uint64_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, (size_t)n) == 0;
}

/* Copies s into dst with a terminating NUL; the caller has checked that s.n < capacity. */
static void bootcfg_copy(char *dst, bootcfg_span_t s) {
    memcpy(dst, s.p, (size_t)s.n);
    dst[s.n] = '\0';
}

static bool bootcfg_is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* "services = a b, c": the names, checked, into out->services as "a,b,c". */
static status_t bootcfg_services(bootcfg_span_t val, bootcfg_t *out, const char **reason) {
    char list[BOOTINFO_CMDLINE_MAX];
    uint64_t n = 0;
    for (uint64_t i = 0; i < val.n;) {
        if (bootcfg_is_blank(val.p[i]) || val.p[i] == ',') {
            i++;
            continue;
        }
        uint64_t start = i;
        while (i < val.n && !bootcfg_is_blank(val.p[i]) && val.p[i] != ',') {
            if (!bootcfg_is_name_char(val.p[i])) {
                *reason = "service names are letters, digits, '_' and '-'";
                return ERR_INVALID;
            }
            i++;
        }
        uint64_t len = i - start;
        if (n + (n > 0) + len >= sizeof(list)) {
            *reason = "services list longer than BOOTINFO_CMDLINE_MAX - 1";
            return ERR_TOO_BIG;
        }
        if (n > 0) {
            list[n++] = ',';
        }
        memcpy(list + n, val.p + start, (size_t)len);
        n += len;
    }
    list[n] = '\0';
    memcpy(out->services, list, (size_t)n + 1);
    return STATUS_OK;
}

/* Parses one line whose terminator is already removed and which holds no NUL byte. On failure
 * returns the status and points *reason at a static string. */
static status_t bootcfg_parse_line(bootcfg_span_t line, bootcfg_t *out, const char **reason) {
    bootcfg_span_t t = bootcfg_trim(line);
    if (t.n == 0 || t.p[0] == '#') {
        return STATUS_OK;
    }

    uint64_t eq = 0;
    while (eq < t.n && t.p[eq] != '=') {
        eq++;
    }
    if (eq == t.n) {
        *reason = "missing '=' (expected key = value)";
        return ERR_INVALID;
    }
    bootcfg_span_t key = bootcfg_trim((bootcfg_span_t){t.p, eq});
    bootcfg_span_t val = bootcfg_trim((bootcfg_span_t){t.p + eq + 1, t.n - eq - 1});

    if (bootcfg_span_eq(key, "cmdline")) {
        if (val.n >= BOOTINFO_CMDLINE_MAX) {
            *reason = "cmdline longer than BOOTINFO_CMDLINE_MAX - 1";
            return ERR_TOO_BIG;
        }
        bootcfg_copy(out->cmdline, val);
        return STATUS_OK;
    }
    if (bootcfg_span_eq(key, "module")) {
        if (val.n == 0) {
            *reason = "empty module path";
            return ERR_INVALID;
        }
        if (val.n >= BOOTINFO_MODULE_NAME_MAX) {
            *reason = "module path longer than BOOTINFO_MODULE_NAME_MAX - 1";
            return ERR_TOO_BIG;
        }
        if (out->nmodules >= BOOTINFO_MAX_MODULES) {
            *reason = "more than BOOTINFO_MAX_MODULES modules";
            return ERR_TOO_BIG;
        }
        bootcfg_copy(out->modules[out->nmodules], val);
        out->nmodules++;
        return STATUS_OK;
    }
    if (bootcfg_span_eq(key, "services")) {
        return bootcfg_services(val, out, reason);
    }
    if (bootcfg_span_eq(key, "loader_test")) {
        if (!bootcfg_span_eq(val, "stale-map-key")) {
            *reason = "unknown loader_test (expected stale-map-key)";
            return ERR_INVALID;
        }
        out->loader_tests |= BOOTCFG_TEST_STALE_MAP_KEY;
        return STATUS_OK;
    }
    *reason = "unknown key (expected cmdline, module, services or loader_test)";
    return ERR_INVALID;
}

/* Walks the lines; on failure *lineno is the failing line and *reason is set. */
static status_t bootcfg_parse_text(const char *text, uint64_t len, bootcfg_t *out, uint32_t *lineno,
                                   const char **reason) {
    uint64_t pos = 0;
    while (pos < len) {
        if (*lineno < UINT32_MAX) {
            (*lineno)++;
        }
        uint64_t start = pos;
        bool has_nul = false;
        while (pos < len && text[pos] != '\n') {
            has_nul |= text[pos] == '\0';
            pos++;
        }
        bootcfg_span_t line = {text + start, pos - start};
        if (pos < len) {
            pos++; /* past the LF */
        }
        if (line.n > 0 && line.p[line.n - 1] == '\r') {
            line.n--;
        }
        if (has_nul) {
            *reason = "NUL byte in line";
            return ERR_INVALID;
        }
        if (line.n > BOOTCFG_MAX_LINE) {
            *reason = "line longer than BOOTCFG_MAX_LINE";
            return ERR_TOO_BIG;
        }
        status_t st = bootcfg_parse_line(line, out, reason);
        if (st != STATUS_OK) {
            return st;
        }
    }
    return STATUS_OK;
}

/* On success *err_line is 0 and *why NULL; either pointer may be NULL. A NULL out (or NULL
 * text with len != 0) is ERR_INVALID at line 0. *out is zeroed first, so on failure it holds
 * whatever the lines before the failing one produced. */
status_t bootcfg_parse(const char *text, uint64_t len, bootcfg_t *out, uint32_t *err_line,
                       const char **why) {
    uint32_t lineno = 0;
    const char *reason = NULL;
    status_t st;

    if (out == NULL || (text == NULL && len != 0)) {
        st = ERR_INVALID;
        reason = "NULL argument";
    } else {
        memset(out, 0, sizeof(*out));
        st = bootcfg_parse_text(text, len, out, &lineno, &reason);
    }
    if (err_line != NULL) {
        *err_line = st == STATUS_OK ? 0 : lineno;
    }
    if (why != NULL) {
        *why = st == STATUS_OK ? NULL : reason;
    }
    return st;
}

status_t bootcfg_kernel_cmdline(const bootcfg_t *cfg, char *out, uint64_t size) {
    static const char key[] = "services=";
    uint64_t c = strlen(cfg->cmdline), sv = strlen(cfg->services);
    uint64_t need = c + (sv ? (c > 0) + sizeof(key) - 1 + sv : 0);
    if (size == 0 || need >= size) {
        return ERR_TOO_BIG;
    }
    memcpy(out, cfg->cmdline, (size_t)c);
    if (sv) {
        if (c > 0) {
            out[c++] = ' ';
        }
        memcpy(out + c, key, sizeof(key) - 1);
        memcpy(out + c + sizeof(key) - 1, cfg->services, (size_t)sv);
    }
    out[need] = '\0';
    return STATUS_OK;
}
