/*
 * Host tests for kernel/lib/cmdline.c: key lookup (bare, valued, last wins, prefixes,
 * truncation) and exact-item matching in comma-separated lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <kernel/cmdline.h>

static void test_bare_and_valued(void **state) {
    (void)state;
    const char *c = "ktest log=serial quiet mem=512M";
    char v[32];

    memset(v, 'x', sizeof(v));
    assert_true(cmdline_get(c, "ktest", v, sizeof(v)));
    assert_string_equal(v, "");
    assert_true(cmdline_get(c, "log", v, sizeof(v)));
    assert_string_equal(v, "serial");
    assert_true(cmdline_get(c, "mem", v, sizeof(v)));
    assert_string_equal(v, "512M");
    assert_true(cmdline_has(c, "quiet"));
    assert_true(cmdline_has(c, "log"));

    strcpy(v, "untouched");
    assert_false(cmdline_get(c, "serial", v, sizeof(v)));
    assert_string_equal(v, "untouched");
    assert_false(cmdline_has(c, "loglevel"));
    assert_false(cmdline_has(c, "lo"));
    assert_false(cmdline_has(c, "512M"));
    assert_false(cmdline_has(c, ""));

    /* "key=" has an empty value. */
    assert_true(cmdline_get("a= b", "a", v, sizeof(v)));
    assert_string_equal(v, "");
}

static void test_last_wins(void **state) {
    (void)state;
    char v[16];
    assert_true(cmdline_get("log=vga x log=serial y", "log", v, sizeof(v)));
    assert_string_equal(v, "serial");
    /* A later bare occurrence wins too. */
    assert_true(cmdline_get("log=serial log", "log", v, sizeof(v)));
    assert_string_equal(v, "");
    assert_true(cmdline_get("log log=fb", "log", v, sizeof(v)));
    assert_string_equal(v, "fb");
}

static void test_prefix_keys(void **state) {
    (void)state;
    char v[16];
    const char *c = "ktest_timeout=30";
    assert_false(cmdline_has(c, "ktest"));
    assert_false(cmdline_get(c, "ktest", v, sizeof(v)));
    assert_true(cmdline_get(c, "ktest_timeout", v, sizeof(v)));
    assert_string_equal(v, "30");

    c = "ktest=pf ktest_timeout=30";
    assert_true(cmdline_get(c, "ktest", v, sizeof(v)));
    assert_string_equal(v, "pf");
    assert_true(cmdline_get(c, "ktest_timeout", v, sizeof(v)));
    assert_string_equal(v, "30");

    c = "ktest_timeout=30 ktest";
    assert_true(cmdline_get(c, "ktest", v, sizeof(v)));
    assert_string_equal(v, "");
    assert_false(cmdline_has(c, "ktest_time"));
    assert_false(cmdline_has(c, "ktest_timeout_x"));
}

static void test_empty_and_null(void **state) {
    (void)state;
    char v[8] = "keep";
    assert_false(cmdline_has("", "a"));
    assert_false(cmdline_get("", "a", v, sizeof(v)));
    assert_false(cmdline_has("   \t ", "a"));
    assert_false(cmdline_has(NULL, "a"));
    assert_false(cmdline_has("a", NULL));
    assert_string_equal(v, "keep");
    /* NULL or zero-size output still reports presence. */
    assert_true(cmdline_get("a=1", "a", NULL, 0));
    assert_true(cmdline_get("a=1", "a", v, 0));
    assert_string_equal(v, "keep");
}

static void test_whitespace(void **state) {
    (void)state;
    char v[16];
    const char *c = "  \t a=1 \t\t  b   c=3\t";
    assert_true(cmdline_get(c, "a", v, sizeof(v)));
    assert_string_equal(v, "1");
    assert_true(cmdline_has(c, "b"));
    assert_true(cmdline_get(c, "c", v, sizeof(v)));
    assert_string_equal(v, "3");
    assert_false(cmdline_has(c, " b"));
    assert_true(cmdline_get("x=1\ty=2\r\n", "y", v, sizeof(v)));
    assert_string_equal(v, "2");
}

static void test_truncation(void **state) {
    (void)state;
    char v[8];
    memset(v, 'x', sizeof(v));
    assert_true(cmdline_get("path=abcdefghijkl next", "path", v, sizeof(v)));
    assert_string_equal(v, "abcdefg");
    assert_int_equal(strlen(v), sizeof(v) - 1);

    char one[1] = {'x'};
    assert_true(cmdline_get("k=abc", "k", one, sizeof(one)));
    assert_int_equal(one[0], '\0');

    /* Exactly fitting value is not truncated. */
    assert_true(cmdline_get("k=1234567", "k", v, sizeof(v)));
    assert_string_equal(v, "1234567");
}

static void test_value_with_equals(void **state) {
    (void)state;
    char v[32];
    assert_true(cmdline_get("opt=a=b=c z", "opt", v, sizeof(v)));
    assert_string_equal(v, "a=b=c");
    assert_true(cmdline_get("opt==", "opt", v, sizeof(v)));
    assert_string_equal(v, "=");
    assert_false(cmdline_has("opt=a=b", "a"));
    assert_false(cmdline_has("opt=a=b", "opt=a"));
}

static void test_list_contains(void **state) {
    (void)state;
    assert_true(cmdline_list_contains("pf,ud,gp", "pf"));
    assert_true(cmdline_list_contains("pf,ud,gp", "ud"));
    assert_true(cmdline_list_contains("pf,ud,gp", "gp"));
    assert_true(cmdline_list_contains("solo", "solo"));
    assert_false(cmdline_list_contains("pfx,ud", "pf"));
    assert_false(cmdline_list_contains("xpf,ud", "pf"));
    assert_false(cmdline_list_contains("ud,pfx", "pf"));
    assert_false(cmdline_list_contains("p,ud", "pf"));
    assert_false(cmdline_list_contains("pf,ud", "pf,ud"));
    assert_false(cmdline_list_contains("", "pf"));
    assert_false(cmdline_list_contains("a,,b", ""));
    assert_false(cmdline_list_contains(NULL, "pf"));
    assert_false(cmdline_list_contains("pf", NULL));
    assert_true(cmdline_list_contains(",pf,", "pf"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bare_and_valued),   cmocka_unit_test(test_last_wins),
        cmocka_unit_test(test_prefix_keys),       cmocka_unit_test(test_empty_and_null),
        cmocka_unit_test(test_whitespace),        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_value_with_equals), cmocka_unit_test(test_list_contains),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
