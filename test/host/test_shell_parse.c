/*
 * Host tests for the shell's command parsing (apps/shell/parse.c): words, the trailing
 * '&' in both spellings, every error, and joining the words back into an app's argument
 * string.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parse.h"

static void test_words(void **state) {
    (void)state;
    command_t c;
    assert_int_equal(parse_command("  ringtest\tnops   1000 ", &c), PARSE_OK);
    assert_int_equal(c.argc, 3);
    assert_string_equal(c.argv[0], "ringtest");
    assert_string_equal(c.argv[1], "nops");
    assert_string_equal(c.argv[2], "1000");
    assert_null(c.argv[3]);
    assert_false(c.background);
    assert_int_equal(parse_command("", &c), PARSE_EMPTY);
    assert_int_equal(parse_command(" \t ", &c), PARSE_EMPTY);
}

static void test_background(void **state) {
    (void)state;
    command_t c;
    assert_int_equal(parse_command("loop &", &c), PARSE_OK);
    assert_true(c.background);
    assert_int_equal(c.argc, 1);
    assert_string_equal(c.argv[0], "loop");
    assert_null(c.argv[1]);
    assert_int_equal(parse_command("loop 5&", &c), PARSE_OK);
    assert_true(c.background);
    assert_int_equal(c.argc, 2);
    assert_string_equal(c.argv[1], "5");
    assert_int_equal(parse_command("&", &c), PARSE_ONLY_AMPERSAND);
    assert_int_equal(parse_command("  & ", &c), PARSE_ONLY_AMPERSAND);
    assert_int_equal(parse_command("a & b", &c), PARSE_BAD_AMPERSAND);
    assert_int_equal(parse_command("a&b", &c), PARSE_BAD_AMPERSAND);
    assert_int_equal(parse_command("a &&", &c), PARSE_BAD_AMPERSAND);
    assert_int_equal(parse_command("a & &", &c), PARSE_BAD_AMPERSAND);
    assert_non_null(parse_error(PARSE_BAD_AMPERSAND));
}

static void test_limits(void **state) {
    (void)state;
    command_t c;
    char line[SH_LINE_MAX + 2];
    memset(line, 'a', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    assert_int_equal(parse_command(line, &c), PARSE_TOO_LONG);
    line[SH_LINE_MAX] = '\0';
    assert_int_equal(parse_command(line, &c), PARSE_OK);
    assert_int_equal(c.argc, 1);
    assert_int_equal(strlen(c.argv[0]), SH_LINE_MAX);
    assert_int_equal(parse_command("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", &c), PARSE_OK);
    assert_int_equal(c.argc, SH_MAX_WORDS);
    assert_int_equal(parse_command("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", &c),
                     PARSE_TOO_MANY_WORDS);
    assert_non_null(parse_error(PARSE_TOO_MANY_WORDS));
    assert_non_null(parse_error(PARSE_TOO_LONG));
}

static void test_join(void **state) {
    (void)state;
    command_t c;
    char out[16];
    assert_int_equal(parse_command("  ringtest   nops\t1000 &", &c), PARSE_OK);
    assert_int_equal(command_join(&c, out, sizeof(out)), strlen("ringtest nops 1000"));
    assert_string_equal(out, "ringtest nops 1"); /* cut to fit, terminated */
    char big[64];
    assert_int_equal(command_join(&c, big, sizeof(big)), 18);
    assert_string_equal(big, "ringtest nops 1000");
    assert_int_equal(command_join(&c, big, 0), 18); /* n 0: only the length */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_background),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_join),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
