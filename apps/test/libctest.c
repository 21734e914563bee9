/*
 * libctest: the C library (newlib) in a domain (init's "libc" scenario).
 *   libctest          the conformance cases of libccases.c, whose lines qemu.libc compares
 *                     with what the host's C library prints for the same calls; then what
 *                     has no host twin: clocks and sleep, posix_spawn with argv and an
 *                     environment, waitpid and wait with exit codes and a fault as
 *                     SIGSEGV, stdio on the console, and exit() flushing; ends with 7
 *   libctest child A...  prints its argv and two variables of its environment, exits
 *                     with 40 + argc
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libccases.h"

static int failures;

static void check(const char *what, int ok) {
    printf("libctest: %s: %s\n", what, ok ? "PASS" : "FAIL");
    failures += !ok;
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void clocks(void) {
    time_t t0 = time(NULL);
    clock_t c0 = clock();
    uint64_t n0 = now_ns();
    struct timespec req = {.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000};
    int slept = nanosleep(&req, NULL);
    uint64_t n1 = now_ns();
    check("time, clock and CLOCK_MONOTONIC do not go back",
          time(NULL) >= t0 && clock() >= c0 && n1 >= n0);
    check("nanosleep(20 ms) returns 0 after at least 20 ms", slept == 0 && n1 - n0 >= 20000000);
    struct timespec bad = {.tv_sec = 0, .tv_nsec = 1000000000};
    errno = 0;
    check("nanosleep with tv_nsec = 1e9: EINVAL", nanosleep(&bad, NULL) == -1 && errno == EINVAL);
    /* The wall clock: qemu.libc starts the machine's clock at a known date. */
    time_t now = time(NULL);
    char date[64];
    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", gmtime(&now));
    printf("libctest: wall clock %s UTC\n", date);
    struct timeval tv;
    struct timespec rt;
    gettimeofday(&tv, NULL);
    clock_gettime(CLOCK_REALTIME, &rt);
    check("time, gettimeofday and CLOCK_REALTIME agree",
          tv.tv_sec - now <= 1 && rt.tv_sec - now <= 1 && tv.tv_sec >= now && rt.tv_sec >= now);
}

static void spawning(void) {
    char *child_argv[] = {"libctest", "child", "x", "y", NULL};
    char *child_env[] = {"GREETING=hi", "COUNT=3", NULL};
    pid_t pid = 0;
    int st = -1;
    int err = posix_spawn(&pid, "libctest", NULL, NULL, child_argv, child_env);
    check("posix_spawn of an app with argv and environment", err == 0 && pid > 0);
    check("waitpid: it exited with 44",
          waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 44);
    char *probe_argv[] = {"probe", "null", NULL};
    err = posix_spawn(&pid, "/apps/probe.elf", NULL, NULL, probe_argv, NULL);
    check("waitpid: a child killed by a fault is WIFSIGNALED with SIGSEGV",
          err == 0 && waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
    char *true_argv[] = {"true", NULL};
    check("posix_spawn of an app that does not exist: ENOENT",
          posix_spawn(&pid, "nosuchapp", NULL, NULL, true_argv, NULL) == ENOENT);
    pid_t a = 0, b = 0;
    posix_spawn(&a, "true", NULL, NULL, true_argv, NULL);
    posix_spawn(&b, "libctest", NULL, NULL, child_argv, NULL);
    pid_t w1 = wait(&st);
    int s1 = st;
    pid_t w2 = wait(&st);
    int both = ((w1 == a && w2 == b) || (w1 == b && w2 == a)) && WIFEXITED(s1) && WIFEXITED(st);
    check("wait() reaps two children, whichever ends first", both);
    errno = 0;
    check("wait() with no child left: ECHILD", wait(&st) == -1 && errno == ECHILD);
    /* WNOHANG: 0 while the child (sleeping 100 ms) runs, its pid once it has ended. */
    char *nap_argv[] = {"libctest", "nap", NULL};
    err = posix_spawn(&pid, "libctest", NULL, NULL, nap_argv, NULL);
    pid_t early = waitpid(pid, &st, WNOHANG);
    pid_t got = 0;
    int polls = 0;
    struct timespec tick = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};
    for (; err == 0 && got == 0 && polls < 500; polls++) {
        nanosleep(&tick, NULL);
        got = waitpid(-1, &st, WNOHANG);
    }
    printf("libctest: WNOHANG polls until the child ended: %d\n", polls);
    check("waitpid WNOHANG: 0 while the child runs, then its pid and status",
          err == 0 && early == 0 && got == pid && WIFEXITED(st) && WEXITSTATUS(st) == 5);
    errno = 0;
    check("waitpid WNOHANG with no child left: ECHILD",
          waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "nap") == 0) {
        struct timespec nap = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
        nanosleep(&nap, NULL);
        return 5;
    }
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        printf("libctest child: argv");
        for (int i = 0; i < argc; i++) {
            printf(" %s", argv[i]);
        }
        const char *g = getenv("GREETING"), *c = getenv("COUNT");
        printf("; GREETING=%s COUNT=%s\n", g ? g : "(none)", c ? c : "(none)");
        return 40 + argc;
    }
    libc_cases();
    clocks();
    spawning();
    check("stdin and stdout are the console", isatty(0) && isatty(1) && !isatty(5));
    printf("libctest: %d failed; exiting through exit()", failures); /* no newline: */
    exit(failures ? 1 : 7);                                          /* exit must flush the line */
}
