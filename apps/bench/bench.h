/*
 * What the benchmark apps share: a serialised TSC read and the median of a few rounds
 * (docs/performance.md: each figure is the median of BENCH_ROUNDS).
 */
#pragma once

#include <stdint.h>

#define BENCH_ROUNDS 7

static inline uint64_t rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

/* Sorts v[0..n) (insertion sort: n is tiny) and returns its middle element. */
static inline uint64_t median(uint64_t *v, int n) {
    for (int i = 1; i < n; i++) {
        uint64_t x = v[i];
        int j = i - 1;
        while (j >= 0 && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
    return v[n / 2];
}
