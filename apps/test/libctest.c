/*
 * libctest: the C library (newlib) in a domain. Runs the conformance cases of
 * libccases.c, whose lines qemu.libc compares with what the host's C library prints for
 * the same calls, then checks what has no host twin: time moves forward, stdin/stdout
 * are the console, and exit() flushes and ends the domain with its status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "libccases.h"

int main(void) {
    libc_cases();
    time_t t0 = time(NULL);
    clock_t c0 = clock();
    volatile double x = 0;
    for (int i = 0; i < 2000000; i++) {
        x += i * 0.5;
    }
    int forward = time(NULL) >= t0 && clock() >= c0 && x > 0;
    printf("libctest: time and clock do not go back: %s\n", forward ? "PASS" : "FAIL");
    int tty = isatty(0) && isatty(1) && !isatty(5);
    printf("libctest: stdin and stdout are the console: %s\n", tty ? "PASS" : "FAIL");
    printf("libctest: exiting with 7 through exit()");
    exit(forward && tty ? 7 : 1); /* the line above has no newline: exit must flush it */
}
