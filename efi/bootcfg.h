/*
 * The boot config file \EXOSPACE\BOOT.CFG: one "key = value" per line, '#' comments,
 * blank lines ignored, CRLF or LF. Keys: "cmdline" (kernel command line, last one wins),
 * "module" (an ESP path of a boot module, in order, repeatable), "services" (apps init
 * starts before the shell: names separated by blanks or commas, last one wins; the kernel
 * gets them as services=a,b on its command line), "loader_test" (exercise a loader path
 * that firmware rarely takes; only "stale-map-key"). Pure, host-tested.
 */
#pragma once

#include <exo/bootinfo.h>
#include <exo/status.h>
#include <stdint.h>

#define BOOTCFG_MAX_LINE 1024

/* loader_tests bits. STALE_MAP_KEY: allocate a page between GetMemoryMap and the first
 * ExitBootServices, so the map key goes stale and the retry path runs. */
#define BOOTCFG_TEST_STALE_MAP_KEY 1u

typedef struct bootcfg {
    char cmdline[BOOTINFO_CMDLINE_MAX];
    char services[BOOTINFO_CMDLINE_MAX]; /* names joined by commas; "" for none */
    uint32_t nmodules;
    uint32_t loader_tests; /* BOOTCFG_TEST_* bits */
    char modules[BOOTINFO_MAX_MODULES][BOOTINFO_MODULE_NAME_MAX];
} bootcfg_t;

/*
 * Parses len bytes of text (need not be NUL-terminated). Leading/trailing spaces and tabs
 * around keys and values are trimmed. On failure *err_line is the 1-based line and *why a
 * static reason: ERR_INVALID (no '=', unknown key, empty module path, NUL byte),
 * ERR_TOO_BIG (line over BOOTCFG_MAX_LINE, cmdline or path too long, too many modules).
 * Service names are letters, digits, '_' and '-' (ERR_INVALID otherwise).
 */
status_t bootcfg_parse(const char *text, uint64_t len, bootcfg_t *out, uint32_t *err_line,
                       const char **why);

/* The command line the kernel gets: cfg's cmdline, then " services=a,b" if there are
 * services. ERR_TOO_BIG if it does not fit out[size] (size <= BOOTINFO_CMDLINE_MAX). */
status_t bootcfg_kernel_cmdline(const bootcfg_t *cfg, char *out, uint64_t size);
