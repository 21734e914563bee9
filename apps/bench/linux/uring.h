/*
 * A minimal io_uring for the Linux twin (apps/bench/linux/twin.c): the raw io_uring_setup
 * and io_uring_enter system calls and the shared rings, no liburing. The structures are
 * written from the kernel's documentation of its ABI (io_uring_setup(2), io_uring_enter(2),
 * include/uapi/linux/io_uring.h): fixed-width fields, sizes checked below.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* io_uring_setup(2)'s parameter block and the offsets it returns. */
typedef struct uring_sq_offsets {
    uint32_t head, tail, ring_mask, ring_entries, flags, dropped, array, resv1;
    uint64_t resv2;
} uring_sq_offsets_t;

typedef struct uring_cq_offsets {
    uint32_t head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1;
    uint64_t resv2;
} uring_cq_offsets_t;

typedef struct uring_params {
    uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd;
    uint32_t resv[3];
    uring_sq_offsets_t sq_off;
    uring_cq_offsets_t cq_off;
} uring_params_t;

/* A submission entry (64 bytes) and a completion entry (16 bytes). */
typedef struct uring_sqe {
    uint8_t opcode;
    uint8_t flags;
    uint16_t ioprio;
    int32_t fd;
    uint64_t off;
    uint64_t addr;
    uint32_t len;
    uint32_t op_flags;
    uint64_t user_data;
    uint64_t tail[3]; /* buf_index, personality, splice_fd_in, padding */
} uring_sqe_t;

typedef struct uring_cqe {
    uint64_t user_data;
    int32_t res;
    uint32_t flags;
} uring_cqe_t;

_Static_assert(sizeof(uring_sq_offsets_t) == 40, "io_sqring_offsets");
_Static_assert(sizeof(uring_cq_offsets_t) == 40, "io_cqring_offsets");
_Static_assert(sizeof(uring_params_t) == 120, "io_uring_params");
_Static_assert(sizeof(uring_sqe_t) == 64, "io_uring_sqe");
_Static_assert(sizeof(uring_cqe_t) == 16, "io_uring_cqe");

#define URING_OP_NOP 0
#define URING_SETUP_SQPOLL (1u << 1)
#define URING_FEAT_SINGLE_MMAP (1u << 0)
#define URING_ENTER_GETEVENTS (1u << 0)
#define URING_ENTER_SQ_WAKEUP (1u << 1)
#define URING_SQ_NEED_WAKEUP (1u << 0)
#define URING_OFF_SQ_RING 0ull
#define URING_OFF_CQ_RING 0x8000000ull
#define URING_OFF_SQES 0x10000000ull

/* The app's view of one ring. Indices are free-running; the kernel's are read with
 * acquire and ours published with release, as io_uring_setup(2) describes. */
typedef struct uring {
    int fd;
    bool sqpoll;
    uint32_t sq_entries, cq_entries;
    uint32_t *sq_head, *sq_tail, *sq_mask, *sq_flags, *sq_array;
    uint32_t *cq_head, *cq_tail, *cq_mask;
    uring_sqe_t *sqes;
    uring_cqe_t *cqes;
    uint32_t tail; /* SQEs prepared (published by uring_submit_and_wait) */
} uring_t;

/* A ring of entries SQEs (sqpoll: with a kernel polling thread that parks after idle_ms
 * without work). 0 or -errno. */
int uring_init(uring_t *u, uint32_t entries, bool sqpoll, uint32_t idle_ms);
void uring_exit(uring_t *u);
/* The next SQE, zeroed (the caller keeps within sq_entries between submits). */
uring_sqe_t *uring_get_sqe(uring_t *u);
/* Publishes the prepared SQEs and waits for n completions in one io_uring_enter (SQPOLL:
 * the enter only waits, and wakes the thread if it parked): 0 or -errno. */
int uring_submit_and_wait(uring_t *u, uint32_t n);
/* Takes the oldest CQE's result into *res: false if there is none. */
bool uring_reap(uring_t *u, int32_t *res);
