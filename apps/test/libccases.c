/*
 * C library conformance cases (apps/test/libctest.c): each prints "libc: ..." lines with
 * printf. The same file is built for the host against its own C library, and the lines
 * it prints there are what the in-OS run must print (test/host/CMakeLists.txt makes the
 * expected file; qemu.libc compares). Deterministic: no addresses, no time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libccases.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void integers(void) {
    printf("libc: ints [%d] [%5d] [%-5d] [%05d] [%+d] [% d]\n", 42, 42, 42, 42, 42, 42);
    printf("libc: ints [%ld] [%lu] [%lld] [%llu]\n", -9223372036854775807L - 1,
           18446744073709551615UL, -1234567890123LL, 1234567890123ULL);
    printf("libc: hex [%x] [%X] [%#x] [%08x] [%#o] [%o]\n", 48879u, 48879u, 48879u, 48879u, 8u,
           511u);
    printf("libc: misc [%c] [%s] [%.3s] [%10s] [%-10s] [%%]\n", 'x', "str", "abcdef", "right",
           "left");
    printf("libc: widths [%*d] [%-*d] [%.*d]\n", 6, 7, 6, 7, 4, 7);
}

static void floats(void) {
    printf("libc: f [%f] [%.2f] [%10.4f] [%-10.1f] [%+.3f]\n", 3.14159265358979, 2.71828, 1.5,
           -0.25, 1e-3);
    printf("libc: e [%e] [%.3e] [%E] [%12.4e]\n", 123456.789, 0.000123456, 1e100, -6.02e23);
    printf("libc: g [%g] [%g] [%g] [%g] [%.10g] [%G]\n", 100000.0, 1000000.0, 1e-5, 0.0001,
           1.0 / 3.0, 1e-10);
    printf("libc: special [%f] [%f] [%.1f] [%e]\n", 1.0 / 0.0, -1.0 / 0.0, -0.0, 0.0);
    printf("libc: rounding [%.0f] [%.0f] [%.0f] [%.2f] [%.1f]\n", 0.5, 1.5, 2.5, 1.005, 0.05);
    printf("libc: big [%.0f] [%g] [%.17g]\n", 1e22, 1.7976931348623157e308, 0.1);
}

static void conversions(void) {
    static const char *const inputs[] = {
        "0",     "-0",     "1.5e3",   "  42.125xyz",
        "0x1p4", "1e-310", "1e400",   "-1e-400",
        "inf",   "nan",    "3.14159", ".5",
        "5.",    "1e",     "+.e5",    "123456789012345678901234567890",
    };
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        char *end;
        double d = strtod(inputs[i], &end);
        printf("libc: strtod(\"%s\") = %.17g, %d chars\n", inputs[i], d, (int)(end - inputs[i]));
    }
    char *end;
    long l = strtol("  -0x7fffFFFF rest", &end, 16);
    printf("libc: strtol = %ld, rest \"%s\"\n", l, end);
    printf("libc: strtoul = %lu\n", strtoul("777", NULL, 8));
    printf("libc: atoi = %d %d\n", atoi("  123abc"), atoi("-45"));
}

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sorting(void) {
    enum { N = 1000 };
    static int v[N];
    for (int i = 0; i < N; i++) {
        v[i] = (int)(next() % 100000) - 50000;
    }
    qsort(v, N, sizeof(v[0]), cmp_int);
    uint64_t sum = 0;
    int sorted = 1;
    for (int i = 0; i < N; i++) {
        sum += (uint64_t)(i + 1) * (uint64_t)(int64_t)v[i];
        sorted &= i == 0 || v[i - 1] <= v[i];
    }
    printf("libc: qsort %d ints: sorted %d, first %d, last %d, weighted sum %llu\n", N, sorted,
           v[0], v[N - 1], (unsigned long long)sum);
    const char *words[] = {"pear", "apple", "fig", "banana", "cherry", "date", "apple"};
    qsort(words, 7, sizeof(words[0]), cmp_str);
    printf("libc: qsort words: %s %s %s %s %s %s %s\n", words[0], words[1], words[2], words[3],
           words[4], words[5], words[6]);
}

static void truncation(void) {
    char buf[8];
    int n = snprintf(buf, sizeof(buf), "%s", "hello, world");
    printf("libc: snprintf 12 chars into 8: returns %d, buffer \"%s\"\n", n, buf);
    n = snprintf(buf, sizeof(buf), "%d", 1234567);
    printf("libc: snprintf 7 digits into 8: returns %d, buffer \"%s\"\n", n, buf);
    n = snprintf(buf, sizeof(buf), "%d", 12345678);
    printf("libc: snprintf 8 digits into 8: returns %d, buffer \"%s\"\n", n, buf);
    n = snprintf(NULL, 0, "%f", 3.5);
    printf("libc: snprintf into nothing: returns %d\n", n);
    n = snprintf(buf, 1, "abc");
    printf("libc: snprintf into 1: returns %d, buffer \"%s\"\n", n, buf);
}

/* Allocations of random sizes, each filled with a pattern of its own, freed in random
 * order, with reallocs: every block is checked before it goes. */
static void allocation(void) {
    enum { SLOTS = 256, ROUNDS = 20000 };
    static unsigned char *blk[SLOTS];
    static size_t len[SLOTS];
    static unsigned char tag[SLOTS];
    uint64_t bytes = 0, bad = 0, count = 0, sum = 0;
    for (int r = 0; r < ROUNDS; r++) {
        int i = (int)(next() % SLOTS);
        if (blk[i]) {
            for (size_t k = 0; k < len[i]; k++) {
                bad += blk[i][k] != (unsigned char)(tag[i] + k);
                sum += blk[i][k];
            }
            if (next() % 4 == 0) {
                size_t nl = 1 + next() % 5000;
                unsigned char *p = realloc(blk[i], nl);
                if (p == NULL) {
                    bad++;
                    continue;
                }
                for (size_t k = 0; k < (nl < len[i] ? nl : len[i]); k++) {
                    bad += p[k] != (unsigned char)(tag[i] + k);
                }
                for (size_t k = 0; k < nl; k++) {
                    p[k] = (unsigned char)(tag[i] + k);
                }
                blk[i] = p;
                len[i] = nl;
                continue;
            }
            free(blk[i]);
            blk[i] = NULL;
            continue;
        }
        size_t n = next() % 8 == 0 ? 1 + next() % 65536 : 1 + next() % 512;
        blk[i] = malloc(n);
        if (blk[i] == NULL) {
            bad++;
            continue;
        }
        len[i] = n;
        tag[i] = (unsigned char)next();
        for (size_t k = 0; k < n; k++) {
            blk[i][k] = (unsigned char)(tag[i] + k);
        }
        bytes += n;
        count++;
    }
    for (int i = 0; i < SLOTS; i++) {
        free(blk[i]);
        blk[i] = NULL;
    }
    void *z = calloc(1000, 8);
    int zero = 1;
    for (int k = 0; z && k < 8000; k++) {
        zero &= ((unsigned char *)z)[k] == 0;
    }
    free(z);
    printf("libc: malloc stress: %llu allocations, %llu bytes, %llu bad, content sum %llu, "
           "calloc zeroed %d\n",
           (unsigned long long)count, (unsigned long long)bytes, (unsigned long long)bad,
           (unsigned long long)sum, zero);
}

void libc_cases(void) {
    integers();
    floats();
    conversions();
    sorting();
    truncation();
    allocation();
    printf("libc: done\n");
}
