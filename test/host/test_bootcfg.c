/*
 * Host tests for efi/bootcfg.c: valid BOOT.CFG texts (LF, CRLF, comments, blanks, ordering)
 * and every rejection with its status, line number and reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bootcfg.h"

static bootcfg_t cfg;

/* Parses a NUL-terminated text; err_line and why are poisoned first so a test sees them set. */
static status_t bootcfg_try(const char *text, uint64_t len, uint32_t *line, const char **why) {
    *line = 0xdeadbeef;
    *why = "poison";
    return bootcfg_parse(text, len, &cfg, line, why);
}

static void bootcfg_expect_ok(const char *text) {
    uint32_t line;
    const char *why;
    assert_int_equal(bootcfg_try(text, strlen(text), &line, &why), STATUS_OK);
    assert_int_equal(line, 0);
    assert_null(why);
}

static void bootcfg_expect_err(const char *text, uint64_t len, status_t st, uint32_t at) {
    uint32_t line;
    const char *why;
    assert_int_equal(bootcfg_try(text, len, &line, &why), st);
    assert_int_equal(line, at);
    assert_non_null(why);
    assert_string_not_equal(why, "poison");
    assert_true(strlen(why) > 0);
}

/* Returns a malloc'ed "<prefix><n x fill><suffix>". */
static char *bootcfg_make(const char *prefix, size_t n, char fill, const char *suffix) {
    size_t a = strlen(prefix), b = strlen(suffix);
    char *s = malloc(a + n + b + 1);
    assert_non_null(s);
    memcpy(s, prefix, a);
    memset(s + a, fill, n);
    memcpy(s + a + n, suffix, b + 1);
    return s;
}

static void test_empty_file(void **state) {
    (void)state;
    memset(&cfg, 0x55, sizeof(cfg));
    bootcfg_expect_ok("");
    assert_string_equal(cfg.cmdline, "");
    assert_int_equal(cfg.nmodules, 0);
    /* NULL text is fine when len is 0. */
    uint32_t line;
    const char *why;
    assert_int_equal(bootcfg_try(NULL, 0, &line, &why), STATUS_OK);
    assert_int_equal(cfg.nmodules, 0);
}

static void test_lf_full(void **state) {
    (void)state;
    bootcfg_expect_ok("# Exospace boot config\n"
                      "\n"
                      "cmdline = ktest ktest_timeout=30 log=serial\n"
                      "   \t\n"
                      "  # indented comment\n"
                      "module = \\EXOSPACE\\HELLO.TXT\n"
                      "module=\\EXOSPACE\\INIT.ELF\n"
                      "\tmodule\t=\t\\EXOSPACE\\THIRD.BIN \t\n");
    assert_string_equal(cfg.cmdline, "ktest ktest_timeout=30 log=serial");
    assert_int_equal(cfg.nmodules, 3);
    assert_string_equal(cfg.modules[0], "\\EXOSPACE\\HELLO.TXT");
    assert_string_equal(cfg.modules[1], "\\EXOSPACE\\INIT.ELF");
    assert_string_equal(cfg.modules[2], "\\EXOSPACE\\THIRD.BIN");
    assert_string_equal(cfg.modules[3], "");
}

static void test_crlf_no_trailing_newline(void **state) {
    (void)state;
    bootcfg_expect_ok("# comment\r\n\r\ncmdline = a=b  c\r\nmodule = \\X\\A.ELF\r\n"
                      "module = \\X\\B.ELF");
    assert_string_equal(cfg.cmdline, "a=b  c");
    assert_int_equal(cfg.nmodules, 2);
    assert_string_equal(cfg.modules[0], "\\X\\A.ELF");
    assert_string_equal(cfg.modules[1], "\\X\\B.ELF");

    bootcfg_expect_ok("cmdline=last\r");
    assert_string_equal(cfg.cmdline, "last");
}

static void test_last_cmdline_wins_and_empty(void **state) {
    (void)state;
    bootcfg_expect_ok("cmdline = first\ncmdline = second one\n");
    assert_string_equal(cfg.cmdline, "second one");

    bootcfg_expect_ok("cmdline = first\ncmdline =   \n");
    assert_string_equal(cfg.cmdline, "");

    bootcfg_expect_ok("cmdline=");
    assert_string_equal(cfg.cmdline, "");

    /* A '#' after the first non-blank character is part of the value. */
    bootcfg_expect_ok("cmdline = a#b\n");
    assert_string_equal(cfg.cmdline, "a#b");
}

static void test_limits_accepted(void **state) {
    (void)state;
    char *s = bootcfg_make("cmdline=", BOOTINFO_CMDLINE_MAX - 1, 'c', "\n");
    bootcfg_expect_ok(s);
    assert_int_equal(strlen(cfg.cmdline), BOOTINFO_CMDLINE_MAX - 1);
    free(s);

    s = bootcfg_make("module=", BOOTINFO_MODULE_NAME_MAX - 1, 'm', "");
    bootcfg_expect_ok(s);
    assert_int_equal(cfg.nmodules, 1);
    assert_int_equal(strlen(cfg.modules[0]), BOOTINFO_MODULE_NAME_MAX - 1);
    free(s);

    /* Exactly BOOTCFG_MAX_LINE bytes (a padded comment), with CRLF on top, is accepted. */
    s = bootcfg_make("#", BOOTCFG_MAX_LINE - 1, ' ', "\r\ncmdline=x");
    bootcfg_expect_ok(s);
    assert_string_equal(cfg.cmdline, "x");
    free(s);

    char buf[BOOTINFO_MAX_MODULES * 16 + 1] = "";
    for (int i = 0; i < BOOTINFO_MAX_MODULES; i++) {
        char one[16];
        snprintf(one, sizeof(one), "module=\\M%02d\n", i);
        strcat(buf, one);
    }
    bootcfg_expect_ok(buf);
    assert_int_equal(cfg.nmodules, BOOTINFO_MAX_MODULES);
    assert_string_equal(cfg.modules[0], "\\M00");
    assert_string_equal(cfg.modules[BOOTINFO_MAX_MODULES - 1], "\\M63");
}

static void test_err_missing_equals(void **state) {
    (void)state;
    const char *t = "# ok\ncmdline = a\nmodule \\X\\A.ELF\n";
    bootcfg_expect_err(t, strlen(t), ERR_INVALID, 3);
    t = "\r\n\r\njunk";
    bootcfg_expect_err(t, strlen(t), ERR_INVALID, 3);
}

static void test_err_unknown_key(void **state) {
    (void)state;
    const char *t = "cmdline = a\nkernel = \\K.ELF\n";
    bootcfg_expect_err(t, strlen(t), ERR_INVALID, 2);
    t = "Cmdline = a\n";
    bootcfg_expect_err(t, strlen(t), ERR_INVALID, 1);
    t = "= value\n";
    bootcfg_expect_err(t, strlen(t), ERR_INVALID, 1);
    t = "cmdline2 = x\n";
    bootcfg_expect_err(t, strlen(t), ERR_INVALID, 1);
}

static void test_loader_test_key(void **state) {
    (void)state;
    memset(&cfg, 0x55, sizeof(cfg));
    bootcfg_expect_ok("cmdline = a\n");
    assert_int_equal(cfg.loader_tests, 0);
    bootcfg_expect_ok("loader_test = stale-map-key\ncmdline = a\n");
    assert_int_equal(cfg.loader_tests, BOOTCFG_TEST_STALE_MAP_KEY);
    assert_string_equal(cfg.cmdline, "a");
    const char *t = "cmdline = a\nloader_test = reboot-loop\n";
    bootcfg_expect_err(t, strlen(t), ERR_INVALID, 2);
    t = "loader_test =\n";
    bootcfg_expect_err(t, strlen(t), ERR_INVALID, 1);
}

static void test_services_key(void **state) {
    (void)state;
    char k[BOOTINFO_CMDLINE_MAX];
    bootcfg_expect_ok("cmdline = a b\nservices =\n");
    assert_string_equal(cfg.services, "");
    assert_int_equal(bootcfg_kernel_cmdline(&cfg, k, sizeof(k)), STATUS_OK);
    assert_string_equal(k, "a b"); /* no services: the cmdline as it is */
    bootcfg_expect_ok("services = objstore  log,\tnet-1 , ,x_y\ncmdline = init=all\n");
    assert_string_equal(cfg.services, "objstore,log,net-1,x_y");
    assert_int_equal(bootcfg_kernel_cmdline(&cfg, k, sizeof(k)), STATUS_OK);
    assert_string_equal(k, "init=all services=objstore,log,net-1,x_y");
    bootcfg_expect_ok("services = a\nservices = b\n"); /* the last one wins */
    assert_string_equal(cfg.services, "b");
    assert_int_equal(bootcfg_kernel_cmdline(&cfg, k, sizeof(k)), STATUS_OK);
    assert_string_equal(k, "services=b"); /* no space before it when the cmdline is empty */
    /* It must fit: "services=b" needs 11 bytes. */
    assert_int_equal(bootcfg_kernel_cmdline(&cfg, k, 11), STATUS_OK);
    assert_int_equal(bootcfg_kernel_cmdline(&cfg, k, 10), ERR_TOO_BIG);
    assert_int_equal(bootcfg_kernel_cmdline(&cfg, k, 0), ERR_TOO_BIG);
    const char *t = "cmdline = a\nservices = ok bad/name\n";
    bootcfg_expect_err(t, strlen(t), ERR_INVALID, 2);
    t = "services = a=b\n";
    bootcfg_expect_err(t, strlen(t), ERR_INVALID, 1);
    char *big = malloc(900);
    assert_non_null(big);
    strcpy(big, "services = ");
    for (int i = 0; i < 200; i++) {
        strcat(big, "abc ");
    }
    strcat(big, "\n");
    bootcfg_expect_err(big, strlen(big), ERR_TOO_BIG, 1);
    free(big);
}

static void test_err_empty_module(void **state) {
    (void)state;
    const char *t = "module = \\A\nmodule =  \t\r\n";
    bootcfg_expect_err(t, strlen(t), ERR_INVALID, 2);
}

static void test_err_nul_byte(void **state) {
    (void)state;
    static const char t[] = "cmdline = a\nmodule = \\A\0B\nmodule = \\C\n";
    bootcfg_expect_err(t, sizeof(t) - 1, ERR_INVALID, 2);
    /* Also inside a comment, and as the very last byte. */
    static const char c[] = "# x\0y\n";
    bootcfg_expect_err(c, sizeof(c) - 1, ERR_INVALID, 1);
    static const char e[] = "cmdline=a\n\0";
    bootcfg_expect_err(e, sizeof(e) - 1, ERR_INVALID, 2);
}

static void test_err_line_too_long(void **state) {
    (void)state;
    char *s = bootcfg_make("cmdline=a\n#", BOOTCFG_MAX_LINE, ' ', "\ncmdline=b\n");
    bootcfg_expect_err(s, strlen(s), ERR_TOO_BIG, 2);
    free(s);
}

static void test_err_cmdline_too_long(void **state) {
    (void)state;
    char *s = bootcfg_make("\ncmdline = ", BOOTINFO_CMDLINE_MAX, 'c', "  \n");
    bootcfg_expect_err(s, strlen(s), ERR_TOO_BIG, 2);
    free(s);
}

static void test_err_module_path_too_long(void **state) {
    (void)state;
    char *s = bootcfg_make("module = ", BOOTINFO_MODULE_NAME_MAX, 'm', "\r\n");
    bootcfg_expect_err(s, strlen(s), ERR_TOO_BIG, 1);
    free(s);
}

static void test_err_too_many_modules(void **state) {
    (void)state;
    char buf[(BOOTINFO_MAX_MODULES + 1) * 16 + 1] = "";
    for (int i = 0; i <= BOOTINFO_MAX_MODULES; i++) {
        char one[16];
        snprintf(one, sizeof(one), "module=\\M%02d\n", i);
        strcat(buf, one);
    }
    bootcfg_expect_err(buf, strlen(buf), ERR_TOO_BIG, BOOTINFO_MAX_MODULES + 1);
}

static void test_err_null_args(void **state) {
    (void)state;
    uint32_t line = 7;
    const char *why = NULL;
    assert_int_equal(bootcfg_parse("x", 1, NULL, &line, &why), ERR_INVALID);
    assert_non_null(why);
    assert_int_equal(bootcfg_parse(NULL, 3, &cfg, &line, &why), ERR_INVALID);
    /* err_line and why are optional. */
    assert_int_equal(bootcfg_parse("bad", 3, &cfg, NULL, NULL), ERR_INVALID);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_lf_full),
        cmocka_unit_test(test_crlf_no_trailing_newline),
        cmocka_unit_test(test_last_cmdline_wins_and_empty),
        cmocka_unit_test(test_limits_accepted),
        cmocka_unit_test(test_err_missing_equals),
        cmocka_unit_test(test_err_unknown_key),
        cmocka_unit_test(test_loader_test_key),
        cmocka_unit_test(test_services_key),
        cmocka_unit_test(test_err_empty_module),
        cmocka_unit_test(test_err_nul_byte),
        cmocka_unit_test(test_err_line_too_long),
        cmocka_unit_test(test_err_cmdline_too_long),
        cmocka_unit_test(test_err_module_path_too_long),
        cmocka_unit_test(test_err_too_many_modules),
        cmocka_unit_test(test_err_null_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
