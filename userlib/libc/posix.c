/*
 * The POSIX layer as far as the system reaches now (docs/writing-apps.md): clocks and
 * sleep, posix_spawn of an app by name with argv and an environment, waitpid and wait for
 * children, environ, and exit() at the end of main. Built only into apps linked with the
 * C library.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <user/exo.h>
#include <user/ring.h>

/* These are called by apps, not through newlib's reentrant wrappers: errno is the app's
 * (the <errno.h> macro), unlike in syscalls.c. */
extern char **environ;

#define NS 1000000000ull
#define MAX_CHILDREN 16 /* children spawned and not yet waited for */

void exo_libc_start(char **envp);
void exo_libc_exit(int status);

void exo_libc_start(char **envp) {
    environ = envp;
}

void exo_libc_exit(int status) {
    exit(status);
}

/* CLOCK_REALTIME is the firmware's wall clock carried on by the monotonic clock; on a
 * machine whose firmware gave no time it counts from boot, as CLOCK_MONOTONIC does. */
int clock_gettime(clockid_t clock, struct timespec *ts) {
    if (clock != CLOCK_MONOTONIC && clock != CLOCK_REALTIME) {
        errno = EINVAL;
        return -1;
    }
    uint64_t ns = clock == CLOCK_REALTIME ? exo_clock_realtime_ns() : 0;
    ns = ns ? ns : exo_clock_ns();
    ts->tv_sec = (time_t)(ns / NS);
    ts->tv_nsec = (long)(ns % NS);
    return 0;
}

/* Sleeps through a ring timeout (exo_sleep_ns): the continuation is suspended meanwhile. */
int nanosleep(const struct timespec *req, struct timespec *rem) {
    if (req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= (long)NS) {
        errno = EINVAL;
        return -1;
    }
    if (exo_sleep_ns((uint64_t)req->tv_sec * NS + (uint64_t)req->tv_nsec) < 0) {
        errno = ENOMEM; /* no ring could be had */
        return -1;
    }
    if (rem) {
        rem->tv_sec = 0;
        rem->tv_nsec = 0;
    }
    return 0;
}

static struct {
    pid_t pid;
    exo_handle_t domain;
} children[MAX_CHILDREN];

/* The argument block: argv joined by spaces, a NUL, then each of envp and a NUL. */
static int build_args(char *out, char *const argv[], char *const envp[], uint64_t *len) {
    uint64_t n = 0;
    for (int i = 0; argv && argv[i]; i++) {
        uint64_t l = strlen(argv[i]);
        if (l == 0 || strchr(argv[i], ' ') || n + l + 1 >= EXO_ARGS_MAX) {
            return l == 0 || strchr(argv[i], ' ') ? EINVAL : E2BIG; /* words, no spaces */
        }
        if (n) {
            out[n++] = ' ';
        }
        memcpy(out + n, argv[i], l);
        n += l;
    }
    out[n++] = '\0';
    for (int i = 0; envp && envp[i]; i++) {
        uint64_t l = strlen(envp[i]);
        if (n + l + 1 >= EXO_ARGS_MAX) {
            return E2BIG;
        }
        memcpy(out + n, envp[i], l + 1);
        n += l + 1;
    }
    *len = n;
    return 0;
}

/* path names a boot module (an app: "hello", "/apps/hello.elf" and "HELLO" all work); the
 * child gets a share of this domain's memory and a write-only console, as with
 * exo_domain_start. File actions and attributes are not supported (ENOSYS). */
int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
                const posix_spawnattr_t *attr, char *const argv[], char *const envp[]) {
    if (actions || attr) {
        return ENOSYS;
    }
    int slot = -1;
    for (int i = 0; i < MAX_CHILDREN && slot < 0; i++) {
        slot = children[i].pid == 0 ? i : -1;
    }
    if (slot < 0) {
        return EAGAIN;
    }
    static char args[EXO_ARGS_MAX];
    uint64_t len;
    int err = build_args(args, argv, envp, &len);
    if (err) {
        return err;
    }
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t name_len = strcspn(name, ".");
    exo_domain_info_t info;
    exo_domain_spawn_t req = {.name = (uint64_t)(uintptr_t)name,
                              .name_len = name_len,
                              .args = (uint64_t)(uintptr_t)args,
                              .args_len = len,
                              .memory = exo_memory_cap(),
                              .budget = exo_child_budget(),
                              .info = (uint64_t)(uintptr_t)&info};
    exo_spawn_add_console(&req, CAP_RIGHT_WRITE | CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE);
    int64_t h = exo_domain_spawn(&req);
    if (h < 0) {
        return h == ERR_NOT_FOUND ? ENOENT : h == ERR_BAD_FORMAT ? ENOEXEC : ENOMEM;
    }
    children[slot].pid = (pid_t)info.id;
    children[slot].domain = (exo_handle_t)h;
    if (pid) {
        *pid = (pid_t)info.id;
    }
    return 0;
}

int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
                 const posix_spawnattr_t *attr, char *const argv[], char *const envp[]) {
    return posix_spawn(pid, file, actions, attr, argv, envp);
}

/* A domain's exit status as a wait status: its own status as an exit code; the kernel's
 * endings as signals (a fault SIGSEGV, a kill SIGKILL, the watchdog SIGXCPU). */
static int wait_status(int64_t s) {
    switch (s) {
    case EXO_EXIT_FAULT:
        return SIGSEGV;
    case EXO_EXIT_KILLED:
        return SIGKILL;
    case EXO_EXIT_WATCHDOG:
        return SIGXCPU;
    default:
        return (int)((s & 0xff) << 8);
    }
}

static pid_t reap(int slot, int64_t s, int *status) {
    pid_t pid = children[slot].pid;
    exo_cap_delete(children[slot].domain);
    children[slot].pid = 0;
    if (status) {
        *status = wait_status(s);
    }
    return pid;
}

/* Whether domain id has ended (SYS_DOMAIN_LIST says EXO_DOMAIN_ENDED): a wait for it
 * then returns at once. -1 when the list cannot be had. */
static int child_ended(pid_t id) {
    exo_domain_list_t req = {0};
    exo_domain_entry_t *list = NULL;
    exo_domain_list(&req); /* no arrays: only the counts */
    for (int tries = 0; tries < 4; tries++) {
        free(list);
        uint32_t max = (uint32_t)req.total_domains + 8; /* room for a few more meanwhile */
        list = malloc(max * sizeof(*list));
        if (list == NULL) {
            return -1;
        }
        req = (exo_domain_list_t){.domains = (uint64_t)(uintptr_t)list, .max_domains = max};
        int64_t st = exo_domain_list(&req); /* ERR_TOO_BIG also for the cores not asked for */
        if ((st == 0 || st == ERR_TOO_BIG) && req.ndomains >= req.total_domains) {
            int ended = 0;
            for (uint32_t i = 0; i < req.ndomains; i++) {
                ended |= list[i].id == (uint64_t)id && list[i].state == EXO_DOMAIN_ENDED;
            }
            free(list);
            return ended;
        }
    }
    free(list);
    return -1;
}

/* Waits for child pid, or (pid -1) for whichever of them ends first: one ring with a WAIT
 * op per child. options: 0 or WNOHANG (0 at once when none of them has ended). ECHILD
 * when there is no such child. */
pid_t waitpid(pid_t pid, int *status, int options) {
    if ((options & ~WNOHANG) != 0 || pid == 0 || pid < -1) {
        errno = EINVAL;
        return -1;
    }
    exo_ring_t ring;
    int n = 0, ended = 0;
    for (int i = 0; i < MAX_CHILDREN && (options & WNOHANG); i++) {
        if (children[i].pid && (pid == -1 || children[i].pid == pid)) {
            int e = child_ended(children[i].pid);
            if (e < 0) {
                errno = ENOMEM;
                return -1;
            }
            n++;
            if (e && !ended) {
                ended = 1;
                pid = children[i].pid; /* wait for this one: it returns at once */
            }
        }
    }
    if ((options & WNOHANG) && n > 0 && !ended) {
        return 0;
    }
    n = 0;
    for (int i = 0; i < MAX_CHILDREN; i++) {
        if (children[i].pid && (pid == -1 || children[i].pid == pid)) {
            if (n == 0 && exo_ring_init(&ring, MAX_CHILDREN, 0) < 0) {
                errno = ENOMEM;
                return -1;
            }
            exo_sqe_t *e = exo_ring_get_sqe(&ring);
            exo_prep_wait(e, children[i].domain);
            e->user_data = (uint64_t)i;
            n++;
        }
    }
    if (n == 0) {
        errno = ECHILD;
        return -1;
    }
    exo_cqe_t *c;
    int64_t st = exo_ring_submit_and_wait(&ring, 1);
    if (st < 0 || exo_ring_peek_cqe(&ring, &c) != STATUS_OK) {
        exo_ring_exit(&ring);
        errno = EINTR;
        return -1;
    }
    int slot = (int)c->user_data;
    int64_t res = c->res;
    exo_ring_exit(&ring); /* the other waits are cancelled with it */
    return reap(slot, res, status);
}

pid_t wait(int *status) {
    return waitpid(-1, status, 0);
}
