/*
 * The ktest runner: walks the "ktests" section, runs the selected tests in link order,
 * prints one line per test and a verdict, and ends QEMU with QEMU_EXIT_PASS or _FAIL.
 */
#include <dev/qemu_exit.h>
#include <kernel/cmdline.h>
#include <kernel/kprintf.h>
#include <kernel/string.h>
#include <ktest/ktest.h>

extern const ktest_t __ktests_start[], __ktests_end[];

void ktest_fail(ktest_ctx_t *kt, const char *file, int line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(kt->msg, sizeof(kt->msg), fmt, ap);
    va_end(ap);
    kt->failed = true;
    kt->file = file;
    kt->line = line;
}

/* True if every comma-separated name in selection exists; prints the unknown ones. */
uint64_t ktest_median5(uint64_t (*fn)(void)) {
    uint64_t v[5];
    for (int i = 0; i < 5; i++) {
        v[i] = fn();
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) { /* insertion sort */
            uint64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    }
    return v[2];
}

static bool selection_valid(const char *selection) {
    bool ok = true;
    const char *p = selection;
    while (*p) {
        const char *end = p;
        while (*end && *end != ',') {
            end++;
        }
        bool found = false;
        for (const ktest_t *t = __ktests_start; t < __ktests_end; t++) {
            if (strlen(t->name) == (size_t)(end - p) && strncmp(t->name, p, end - p) == 0) {
                found = true;
            }
        }
        if (!found) {
            kprintf("ktest: unknown test '%.*s'\n", (int)(end - p), p);
            ok = false;
        }
        p = *end ? end + 1 : end;
    }
    return ok;
}

void ktest_run(const char *selection) {
    bool all = strcmp(selection, "all") == 0;
    unsigned passed = 0, failed = 0;
    kprintf("ktest: %lu tests linked, running '%s'\n",
            (unsigned long)(__ktests_end - __ktests_start), selection);
    if (!all && !selection_valid(selection)) {
        failed++;
    }
    for (const ktest_t *t = __ktests_start; t < __ktests_end; t++) {
        if (all ? t->manual : !cmdline_list_contains(selection, t->name)) {
            continue;
        }
        ktest_ctx_t kt = {.name = t->name};
        t->fn(&kt);
        if (kt.failed) {
            kprintf("ktest: FAIL %s: %s:%d: %s\n", t->name, kt.file, kt.line, kt.msg);
            failed++;
        } else {
            kprintf("ktest: PASS %s\n", t->name);
            passed++;
        }
    }
    bool ok = failed == 0 && passed > 0;
    kprintf("ktest: verdict %s: %u passed, %u failed\n", ok ? "PASS" : "FAIL", passed, failed);
    qemu_exit(ok ? QEMU_EXIT_PASS : QEMU_EXIT_FAIL);
}
