/* Calendar time to Unix time (kernel/civil.h). */
#include <kernel/civil.h>

int civil_is_leap(int32_t year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

uint32_t civil_days_in_month(int32_t year, uint32_t month) {
    static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) {
        return 0;
    }
    return days[month - 1] + (month == 2 && civil_is_leap(year));
}

/* Leap years in 1..y (y >= 0). */
static int64_t leaps_through(int64_t y) {
    return y / 4 - y / 100 + y / 400;
}

status_t civil_to_unix(const civil_time_t *t, int64_t *seconds) {
    if (t->year < 1900 || t->year > 9999 || t->day < 1 ||
        t->day > civil_days_in_month(t->year, t->month) || t->hour > 23 || t->minute > 59 ||
        t->second > 59) {
        return ERR_RANGE;
    }
    int64_t days =
        365 * ((int64_t)t->year - 1970) + leaps_through(t->year - 1) - leaps_through(1969);
    for (uint32_t m = 1; m < t->month; m++) {
        days += civil_days_in_month(t->year, m);
    }
    days += t->day - 1;
    *seconds = ((days * 24 + t->hour) * 60 + t->minute) * 60 + t->second;
    return STATUS_OK;
}
