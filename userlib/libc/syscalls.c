/*
 * The system interface newlib is built to call (cmake/newlib.cmake: no system calls of
 * its own), over the traps, rings and caps: the console as file descriptors 0..2, the
 * heap as regions, the domain's end as _exit. What has no meaning here fails with the
 * errno POSIX gives for it (EBADF, ESPIPE). Only apps linked with newlib get this file.
 */
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <user/exo.h>
#include <user/ring.h>

/* newlib calls these through its reentrant wrappers (_write_r, ...), which clear the
 * system layer's own errno before the call and copy it into the caller's after. */
#undef errno
extern int errno;

#define CONSOLE_CHUNK 4096             /* SYS_CONSOLE_WRITE / READ take at most this */
#define HEAP_REGION_MAX (16ull << 20)  /* the first heap region asked for */
#define HEAP_REGION_MIN (256ull << 10) /* the smallest before sbrk gives up */

static bool is_console(int fd) {
    return fd >= 0 && fd <= 2;
}

_READ_WRITE_RETURN_TYPE write(int fd, const void *buf, size_t n) {
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    size_t done = 0;
    while (done < n) {
        size_t chunk = n - done < CONSOLE_CHUNK ? n - done : CONSOLE_CHUNK;
        int64_t w = exo_write((const char *)buf + done, chunk);
        if (w <= 0) {
            if (done) {
                break;
            }
            errno = EIO;
            return -1;
        }
        done += (size_t)w;
    }
    return (_READ_WRITE_RETURN_TYPE)done;
}

/* Console input: what is buffered now, or else the first bytes to come (a ring's
 * console read waits for them; the continuation sleeps meanwhile). */
_READ_WRITE_RETURN_TYPE read(int fd, void *buf, size_t n) {
    static exo_ring_t ring;
    static bool have_ring;
    if (fd != 0) {
        errno = EBADF;
        return -1;
    }
    n = n < CONSOLE_CHUNK ? n : CONSOLE_CHUNK;
    if (n == 0) {
        return 0;
    }
    int64_t got = exo_console_read(buf, n);
    if (got != 0) {
        errno = got < 0 ? EIO : errno;
        return got < 0 ? -1 : (_READ_WRITE_RETURN_TYPE)got;
    }
    if (!have_ring && exo_ring_init(&ring, 2, 0) < 0) {
        errno = ENOMEM;
        return -1;
    }
    have_ring = true;
    exo_prep_console_read(exo_ring_get_sqe(&ring), exo_console_cap(), buf, n);
    exo_cqe_t *c;
    int64_t st = exo_ring_submit_and_wait(&ring, 1);
    if (st >= 0) {
        st = exo_ring_peek_cqe(&ring, &c) == STATUS_OK ? c->res : ERR_STATE;
        exo_ring_cqe_seen(&ring, c);
    }
    if (st < 0) {
        errno = EIO;
        return -1;
    }
    return (_READ_WRITE_RETURN_TYPE)st;
}

/* The heap: a region reserved at the first call (as large as the budget allows, up to
 * HEAP_REGION_MAX; pages appear on first touch) and handed out from its start. When it
 * is used up another region is taken: newlib's malloc copes with a break that jumps. */
void *sbrk(ptrdiff_t incr) {
    static uint8_t *base, *brk, *end;
    if (incr < 0 || (uint64_t)incr > HEAP_REGION_MAX) {
        errno = ENOMEM;
        return (void *)-1;
    }
    if (brk == NULL || (uint64_t)(end - brk) < (uint64_t)incr) {
        uint64_t size = HEAP_REGION_MAX;
        void *p = NULL;
        while (size >= HEAP_REGION_MIN && size >= (uint64_t)incr) {
            p = exo_region_alloc(size, EXO_PROT_READ | EXO_PROT_WRITE);
            if (p) {
                break;
            }
            size /= 2;
        }
        if (p == NULL) {
            errno = ENOMEM;
            return (void *)-1;
        }
        base = brk = p;
        end = base + size;
    }
    void *old = brk;
    brk += incr;
    return old;
}

void _exit(int status) {
    exo_exit(status);
}

int close(int fd) {
    if (!is_console(fd)) {
        errno = EBADF;
        return -1;
    }
    return 0;
}

int fstat(int fd, struct stat *st) {
    if (!is_console(fd)) {
        errno = EBADF;
        return -1;
    }
    memset(st, 0, sizeof(*st));
    st->st_mode = S_IFCHR | 0600;
    return 0;
}

int isatty(int fd) {
    if (!is_console(fd)) {
        errno = EBADF;
        return 0;
    }
    return 1;
}

off_t lseek(int fd, off_t off, int whence) {
    (void)off;
    (void)whence;
    errno = is_console(fd) ? ESPIPE : EBADF;
    return -1;
}

pid_t getpid(void) {
    return (pid_t)exo_start_info()->domain_id;
}

/* Only a signal to oneself means anything (abort, raise): the domain ends with 128 +
 * the signal number, as a shell reports it. */
int kill(pid_t pid, int sig) {
    if (pid != getpid()) {
        errno = EPERM;
        return -1;
    }
    exo_exit(128 + sig);
}

/* The wall clock (time() and gettimeofday), or the time since boot when the firmware gave
 * none (as clock_gettime's CLOCK_REALTIME). */
int gettimeofday(struct timeval *tv, void *tz) {
    (void)tz;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = (suseconds_t)(ts.tv_nsec / 1000);
    return 0;
}

/* clock(): CPU time is not counted per domain yet, so the time since boot stands in for
 * it, in CLOCKS_PER_SEC ticks. */
clock_t times(struct tms *t) {
    clock_t ticks = (clock_t)(exo_clock_ns() / (1000000000ull / CLOCKS_PER_SEC));
    t->tms_utime = ticks;
    t->tms_stime = t->tms_cutime = t->tms_cstime = 0;
    return ticks;
}
