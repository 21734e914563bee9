/*
 * Calendar time to Unix time (pure; host-tested by test_civil). The proleptic Gregorian
 * calendar, UTC, no leap seconds (as POSIX time counts).
 */
#pragma once

#include <exo/status.h>
#include <stdint.h>

typedef struct civil_time {
    int32_t year;                  /* 1900..9999 */
    uint32_t month;                /* 1..12 */
    uint32_t day;                  /* 1..days in that month */
    uint32_t hour, minute, second; /* 0..23, 0..59, 0..59 */
} civil_time_t;

/* Seconds since 1970-01-01 00:00:00 (negative before it). ERR_RANGE for a field out of
 * its range (a 30 February, hour 24, a year outside 1900..9999). */
status_t civil_to_unix(const civil_time_t *t, int64_t *seconds);
/* Whether year is a leap year; days in month (1..12) of year. */
int civil_is_leap(int32_t year);
uint32_t civil_days_in_month(int32_t year, uint32_t month);
