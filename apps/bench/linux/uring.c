/*
 * The Linux twin's io_uring (uring.h): setup, mapping the rings, submitting and reaping,
 * over the raw system calls.
 */
#include "uring.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#define SYS_io_uring_enter 426
#endif

static void *at(void *base, uint32_t off) {
    return (uint8_t *)base + off;
}

int uring_init(uring_t *u, uint32_t entries, bool sqpoll, uint32_t idle_ms) {
    uring_params_t p;
    memset(&p, 0, sizeof(p));
    if (sqpoll) {
        p.flags = URING_SETUP_SQPOLL;
        p.sq_thread_idle = idle_ms;
    }
    long fd = syscall(SYS_io_uring_setup, entries, &p);
    if (fd < 0) {
        return -errno;
    }
    memset(u, 0, sizeof(*u));
    u->fd = (int)fd;
    u->sqpoll = sqpoll;
    u->sq_entries = p.sq_entries;
    u->cq_entries = p.cq_entries;
    size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(uint32_t);
    size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(uring_cqe_t);
    if (p.features & URING_FEAT_SINGLE_MMAP) {
        sq_size = cq_size = sq_size > cq_size ? sq_size : cq_size;
    }
    void *sq = mmap(NULL, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd,
                    URING_OFF_SQ_RING);
    void *cq = sq;
    if (sq != MAP_FAILED && !(p.features & URING_FEAT_SINGLE_MMAP)) {
        cq = mmap(NULL, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd,
                  URING_OFF_CQ_RING);
    }
    void *sqes = mmap(NULL, p.sq_entries * sizeof(uring_sqe_t), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_POPULATE, u->fd, URING_OFF_SQES);
    if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED) {
        close(u->fd);
        return -ENOMEM;
    }
    u->sq_head = at(sq, p.sq_off.head);
    u->sq_tail = at(sq, p.sq_off.tail);
    u->sq_mask = at(sq, p.sq_off.ring_mask);
    u->sq_flags = at(sq, p.sq_off.flags);
    u->sq_array = at(sq, p.sq_off.array);
    u->cq_head = at(cq, p.cq_off.head);
    u->cq_tail = at(cq, p.cq_off.tail);
    u->cq_mask = at(cq, p.cq_off.ring_mask);
    u->cqes = at(cq, p.cq_off.cqes);
    u->sqes = sqes;
    for (uint32_t i = 0; i < p.sq_entries; i++) {
        u->sq_array[i] = i; /* slot i always names SQE i */
    }
    u->tail = *u->sq_tail;
    return 0;
}

void uring_exit(uring_t *u) {
    close(u->fd); /* the mappings go with the process */
}

uring_sqe_t *uring_get_sqe(uring_t *u) {
    uring_sqe_t *s = &u->sqes[u->tail++ & *u->sq_mask];
    memset(s, 0, sizeof(*s));
    return s;
}

int uring_submit_and_wait(uring_t *u, uint32_t n) {
    uint32_t published = __atomic_load_n(u->sq_tail, __ATOMIC_RELAXED);
    uint32_t to_submit = u->tail - published;
    __atomic_store_n(u->sq_tail, u->tail, __ATOMIC_RELEASE);
    unsigned flags = URING_ENTER_GETEVENTS;
    if (u->sqpoll) {
        /* The tail store before the flag load (a full fence), or a parked thread is
         * missed. */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (__atomic_load_n(u->sq_flags, __ATOMIC_RELAXED) & URING_SQ_NEED_WAKEUP) {
            flags |= URING_ENTER_SQ_WAKEUP;
        }
        to_submit = 0;
    }
    long r = syscall(SYS_io_uring_enter, u->fd, to_submit, n, flags, NULL, 0);
    return r < 0 ? -errno : 0;
}

bool uring_reap(uring_t *u, int32_t *res) {
    uint32_t head = *u->cq_head;
    if (head == __atomic_load_n(u->cq_tail, __ATOMIC_ACQUIRE)) {
        return false;
    }
    *res = u->cqes[head & *u->cq_mask].res;
    __atomic_store_n(u->cq_head, head + 1, __ATOMIC_RELEASE);
    return true;
}
