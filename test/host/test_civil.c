/* kernel/lib/civil.c: calendar time to Unix time, against values the host's timegm gives
 * and against hand-checked dates. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include <kernel/civil.h>

static int64_t to_unix(int32_t y, uint32_t mo, uint32_t d, uint32_t h, uint32_t mi, uint32_t s) {
    civil_time_t t = {y, mo, d, h, mi, s};
    int64_t out = 0x5a5a5a5a;
    assert_int_equal(civil_to_unix(&t, &out), STATUS_OK);
    return out;
}

static void test_civil_known_dates(void **state) {
    (void)state;
    assert_int_equal(to_unix(1970, 1, 1, 0, 0, 0), 0);
    assert_int_equal(to_unix(1970, 1, 2, 0, 0, 1), 86401);
    assert_int_equal(to_unix(1969, 12, 31, 23, 59, 59), -1);
    assert_int_equal(to_unix(2000, 3, 1, 0, 0, 0), 951868800);  /* after 29 Feb 2000 */
    assert_int_equal(to_unix(2024, 1, 1, 0, 0, 0), 1704067200); /* the bench's -rtc base */
    assert_int_equal(to_unix(2038, 1, 19, 3, 14, 8), 2147483648ll);
    assert_int_equal(to_unix(1900, 1, 1, 0, 0, 0), -2208988800ll);
}

static void test_civil_leap_rules(void **state) {
    (void)state;
    assert_true(civil_is_leap(2000));
    assert_true(civil_is_leap(2024));
    assert_false(civil_is_leap(1900));
    assert_false(civil_is_leap(2100));
    assert_false(civil_is_leap(2023));
    assert_int_equal(civil_days_in_month(2024, 2), 29);
    assert_int_equal(civil_days_in_month(2100, 2), 28);
    assert_int_equal(civil_days_in_month(2023, 4), 30);
    assert_int_equal(civil_days_in_month(2023, 0), 0);
    assert_int_equal(civil_days_in_month(2023, 13), 0);
}

static void test_civil_rejects_bad_fields(void **state) {
    (void)state;
    const civil_time_t bad[] = {
        {2023, 2, 29, 0, 0, 0},  {2100, 2, 29, 0, 0, 0}, {2024, 4, 31, 0, 0, 0},
        {2024, 0, 1, 0, 0, 0},   {2024, 13, 1, 0, 0, 0}, {2024, 1, 0, 0, 0, 0},
        {2024, 1, 1, 24, 0, 0},  {2024, 1, 1, 0, 60, 0}, {2024, 1, 1, 0, 0, 60},
        {1899, 12, 31, 0, 0, 0}, {10000, 1, 1, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t out = 77;
        assert_int_equal(civil_to_unix(&bad[i], &out), ERR_RANGE);
        assert_int_equal(out, 77); /* untouched */
    }
}

/* Every day from 1900 to 2200, at a time of day that varies, against the host's timegm. */
static void test_civil_matches_timegm(void **state) {
    (void)state;
    uint32_t n = 0;
    for (int32_t y = 1900; y <= 2200; y++) {
        for (uint32_t m = 1; m <= 12; m++) {
            for (uint32_t d = 1; d <= civil_days_in_month(y, m); d++, n++) {
                struct tm tm = {.tm_year = y - 1900,
                                .tm_mon = (int)m - 1,
                                .tm_mday = (int)d,
                                .tm_hour = (int)(n % 24),
                                .tm_min = (int)(n % 60),
                                .tm_sec = (int)(n * 7 % 60)};
                int64_t want = (int64_t)timegm(&tm);
                assert_int_equal(to_unix(y, m, d, n % 24, n % 60, n * 7 % 60), want);
            }
        }
    }
    assert_int_equal(n, 109938); /* days in 1900..2200 */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_civil_known_dates),
        cmocka_unit_test(test_civil_leap_rules),
        cmocka_unit_test(test_civil_rejects_bad_fields),
        cmocka_unit_test(test_civil_matches_timegm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
