/*
 * The benchmark suite's Linux twin (docs/performance.md): the workloads of apps/bench/bench.c
 * with Linux's own means, on the same schedule (suite.h) and with the same report lines.
 * scripts/bench builds it static with musl-gcc and boots it as /init of a small initramfs
 * under Debian's kernel, in the same QEMU with the same -icount flags; it takes the suite's
 * arguments from the kernel command line (after "--") and powers the machine off.
 *
 *   null_entry          getppid()
 *   ring_nop.bB         io_uring IORING_OP_NOP in batches of B (1, 8, 64), one
 *                       io_uring_enter per batch
 *   ring_nop.poll.bB    the same with IORING_SETUP_SQPOLL (the enter only waits)
 *   ipc_rtt.1B, .128B   a pipe ping-pong with a child process: per round trip
 *   move.4KiB, .2MiB    the bytes written into a pipe, read by the child, written back
 *                       through another pipe and read: per round trip
 *   cont_spawn_join     pthread_create + pthread_join
 *   app_spawn_wait      posix_spawn of /true (a static binary that exits 0) + waitpid
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uring.h"

#define SUITE_PRINTF printf
#define SUITE_BETWEEN_ROUNDS() ((void)0)
#include "suite.h"

extern char **environ;

static int failures;

static const char *why(int64_t err) {
    return strerror((int)-err);
}

static void run(const suite_opts_t *o, const char *name, uint32_t count, uint32_t align,
                suite_round_fn *fn, void *state) {
    failures += !suite_run(o, name, count, align, fn, state, why);
}

static void setup_failed(const char *what, int err) {
    printf("bench: %s failed: %s\n", what, strerror(err));
    failures++;
}

/* ---- kernel entries and io_uring ---- */

static int64_t round_null_entry(void *unused, uint32_t n) {
    (void)unused;
    uint64_t t0 = rdtsc();
    for (uint32_t i = 0; i < n; i++) {
        syscall(SYS_getppid);
    }
    return (int64_t)(rdtsc() - t0);
}

typedef struct ring_state {
    uring_t ring;
    uint32_t batch;
} ring_state_t;

static int64_t round_nops(void *state, uint32_t n) {
    ring_state_t *rs = state;
    uint32_t b = rs->batch;
    uint64_t t0 = rdtsc();
    for (uint32_t done = 0; done < n; done += b) {
        for (uint32_t i = 0; i < b; i++) {
            uring_get_sqe(&rs->ring)->opcode = URING_OP_NOP;
        }
        int st = uring_submit_and_wait(&rs->ring, b);
        if (st < 0) {
            return st;
        }
        for (uint32_t got = 0; got < b; got++) {
            int32_t res;
            if (!uring_reap(&rs->ring, &res) || res != 0) {
                return -EPROTO;
            }
        }
    }
    return (int64_t)(rdtsc() - t0);
}

static void run_rings(const suite_opts_t *o) {
    static const uint32_t batches[] = {1, 8, 64};
    char name[32];
    for (int polled = 0; polled < 2; polled++) {
        ring_state_t rs;
        int st = uring_init(&rs.ring, SUITE_SQ_ENTRIES, polled, SUITE_SQ_IDLE_MS);
        if (st < 0) {
            setup_failed(polled ? "ring_nop.poll" : "ring_nop", -st);
            continue;
        }
        if (!polled) {
            run(o, "null_entry", SUITE_N_NULL, 1, round_null_entry, NULL);
        }
        for (uint32_t i = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
            rs.batch = batches[i];
            snprintf(name, sizeof(name), "ring_nop.%sb%u", polled ? "poll." : "", batches[i]);
            run(o, name, SUITE_N_NOP, SUITE_SQ_ENTRIES, round_nops, &rs);
        }
        uring_exit(&rs.ring);
        if (polled) {
            /* The polling thread outlives the ring's fd and spins until it has been idle
             * for SUITE_SQ_IDLE_MS: it would share the CPU with the next workloads (a
             * pthread_create + join cost 20 times as much). Sleep until it is gone. */
            usleep(2 * SUITE_SQ_IDLE_MS * 1000);
        }
    }
}

/* ---- pipes between two processes ---- */

typedef struct pipe_state {
    int to_child, from_child; /* our ends */
    pid_t child;
    uint32_t len;
    uint8_t *buf; /* len bytes */
} pipe_state_t;

static int read_all(int fd, uint8_t *p, size_t n) {
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r <= 0) {
            return r == 0 ? -EPIPE : -errno;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n) {
    while (n > 0) {
        ssize_t r = write(fd, p, n);
        if (r < 0) {
            return -errno;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* The child: reads len bytes, sends them back with byte 0 + 1, until the pipe closes. */
static void pipe_child(int in, int out, uint8_t *buf, uint32_t len) {
    while (read_all(in, buf, len) == 0) {
        buf[0]++;
        if (write_all(out, buf, len) != 0) {
            break;
        }
    }
    _exit(0);
}

static int pipe_start(pipe_state_t *s, uint32_t len) {
    int a[2], b[2];
    s->len = len;
    s->buf = malloc(len);
    if (s->buf == NULL || pipe(a) != 0 || pipe(b) != 0) {
        return ENOMEM;
    }
    memset(s->buf, 0x5a, len);
    s->child = fork();
    if (s->child < 0) {
        return errno;
    }
    if (s->child == 0) {
        close(a[1]);
        close(b[0]);
        pipe_child(a[0], b[1], s->buf, len);
    }
    close(a[0]);
    close(b[1]);
    s->to_child = a[1];
    s->from_child = b[0];
    return 0;
}

static int pipe_stop(pipe_state_t *s) {
    close(s->to_child);
    close(s->from_child);
    int status;
    free(s->buf);
    if (waitpid(s->child, &status, 0) != s->child) {
        return errno;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : ECHILD;
}

/* Round trips of s->len bytes; byte 0 must come back + 1 and the last byte unchanged. */
static int64_t round_pipe(void *state, uint32_t n) {
    pipe_state_t *s = state;
    uint8_t last = s->buf[s->len - 1];
    uint64_t t0 = rdtsc();
    for (uint32_t i = 0; i < n; i++) {
        uint8_t want = (uint8_t)(s->buf[0] + 1);
        int st = write_all(s->to_child, s->buf, s->len);
        st = st ? st : read_all(s->from_child, s->buf, s->len);
        if (st != 0) {
            return st;
        }
        if (s->buf[0] != want || (s->len > 1 && s->buf[s->len - 1] != last)) {
            return -EPROTO;
        }
    }
    return (int64_t)(rdtsc() - t0);
}

static void run_pipes(const suite_opts_t *o) {
    static const struct {
        const char *name;
        uint32_t len, count;
    } pipes[] = {{"ipc_rtt.1B", 1, SUITE_N_RTT},
                 {"ipc_rtt.128B", 128, SUITE_N_RTT},
                 {"move.4KiB", 4096, SUITE_N_MOVE_4K},
                 {"move.2MiB", SUITE_MOVE_MAX, SUITE_N_MOVE_2M}};
    for (uint32_t i = 0; i < sizeof(pipes) / sizeof(pipes[0]); i++) {
        if (!suite_selected(o, pipes[i].name)) {
            continue;
        }
        pipe_state_t s;
        int err = pipe_start(&s, pipes[i].len);
        if (err != 0) {
            setup_failed(pipes[i].name, err);
            continue;
        }
        run(o, pipes[i].name, pipes[i].count, 1, round_pipe, &s);
        err = pipe_stop(&s);
        if (err != 0) {
            setup_failed("pipe child", err);
        }
    }
}

/* ---- threads and processes ---- */

static volatile uint64_t thread_runs;

static void *thread_body(void *arg) {
    thread_runs++;
    return arg;
}

static int64_t round_thread(void *unused, uint32_t n) {
    (void)unused;
    uint64_t before = thread_runs;
    uint64_t t0 = rdtsc();
    for (uint32_t i = 0; i < n; i++) {
        pthread_t t;
        int err = pthread_create(&t, NULL, thread_body, NULL);
        err = err ? err : pthread_join(t, NULL);
        if (err != 0) {
            return -err;
        }
    }
    uint64_t t1 = rdtsc();
    return thread_runs - before == n ? (int64_t)(t1 - t0) : -EPROTO;
}

static int64_t round_spawn(void *unused, uint32_t n) {
    (void)unused;
    char *argv[] = {"/true", NULL};
    uint64_t t0 = rdtsc();
    for (uint32_t i = 0; i < n; i++) {
        pid_t pid;
        int err = posix_spawn(&pid, "/true", NULL, NULL, argv, environ);
        if (err != 0) {
            return -err;
        }
        int status;
        if (waitpid(pid, &status, 0) != pid) {
            return -errno;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            return -ECHILD;
        }
    }
    return (int64_t)(rdtsc() - t0);
}

/* ---- /init ---- */

/* The kernel starts /init with no open files when the initramfs has no /dev/console:
 * devtmpfs provides it. */
static void console_open(void) {
    mkdir("/dev", 0755);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    int fd = open("/dev/console", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2) {
            close(fd);
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
}

int main(int argc, char **argv) {
    if (getpid() == 1) {
        console_open();
    }
    suite_opts_t o;
    if (suite_parse(&o, argc, argv, 1)) {
        struct utsname u;
        uname(&u);
        printf("bench: suite linux rounds=%u div=%u kernel=%s\n", o.rounds, o.div, u.release);
        run_rings(&o);
        run_pipes(&o);
        run(&o, "cont_spawn_join", SUITE_N_CONT, 1, round_thread, NULL);
        run(&o, "app_spawn_wait", SUITE_N_APP, 1, round_spawn, NULL);
        printf("bench: done, %d failure(s)\n", failures);
    }
    fflush(stdout);
    if (getpid() == 1) {
        sync();
        reboot(RB_POWER_OFF);
    }
    return failures ? 1 : 0;
}
