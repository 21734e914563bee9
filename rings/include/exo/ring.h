/*
 * The ring ABI (docs/rings.md), shared by the kernel and userlib: the layout of a ring's
 * shared memory, submission and completion entries, opcodes and flags. A ring is a pair of
 * queues in one region mapped into its domain: the app produces submission entries (SQEs)
 * and the kernel consumes them; the kernel produces completion entries (CQEs) and the app
 * consumes them. Fixed-width types only; indices are free-running uint32 counters (the
 * slot is index & (entries - 1)).
 */
#pragma once

#include <exo/caps.h>
#include <stdint.h>

#define EXO_RING_MAX_ENTRIES 4096u /* per queue; sizes are powers of two */
#define EXO_RING_PAGE 4096u

/* Page 0 of the ring memory. Each index sits alone in its cache line, written by one side
 * only: the other side reads it with acquire and never trusts it (the kernel checks every
 * index it reads against its own copy of the geometry). */
typedef struct exo_ring_hdr {
    uint32_t sq_head; /* kernel: SQEs consumed (store-release after copying them) */
    uint8_t _pad0[60];
    uint32_t sq_tail; /* app: SQEs published (store-release after writing them) */
    uint8_t _pad1[60];
    uint32_t cq_head; /* app: CQEs consumed (store-release after reading them) */
    uint8_t _pad2[60];
    uint32_t cq_tail; /* kernel: CQEs published (store-release after writing them) */
    uint8_t _pad3[60];
    uint32_t flags; /* kernel: EXO_RING_NEED_WAKEUP, EXO_RING_CQ_BACKLOG */
    uint8_t _pad4[60];
    /* Written once by the kernel at creation; the kernel never reads them back. */
    uint32_t sq_entries;
    uint32_t cq_entries;
    uint32_t sq_off;      /* byte offset of SQE 0 from the start of the ring memory */
    uint32_t cq_off;      /* byte offset of CQE 0 */
    uint32_t setup_flags; /* EXO_RING_SQPOLL, as created */
    uint32_t _pad5[11];
} exo_ring_hdr_t;

_Static_assert(sizeof(exo_ring_hdr_t) == 384, "exo_ring_hdr_t is ABI");
_Static_assert(__builtin_offsetof(exo_ring_hdr_t, sq_tail) == 64, "exo_ring_hdr_t is ABI");
_Static_assert(__builtin_offsetof(exo_ring_hdr_t, flags) == 256, "exo_ring_hdr_t is ABI");

/* exo_ring_hdr_t.flags */
#define EXO_RING_NEED_WAKEUP 1u /* SQPOLL: the poller parked; ring_enter(EXO_ENTER_SQ_WAKEUP) */
#define EXO_RING_CQ_BACKLOG 2u  /* completions wait in the kernel: cq_head was moved back */

/* A submission entry. Every field an opcode does not use must be zero. */
typedef struct exo_sqe {
    uint8_t opcode; /* enum exo_ring_op */
    uint8_t flags;  /* EXO_SQE_* */
    uint16_t reserved0;
    uint32_t op_flags;  /* the opcode's own flags (none defined yet: must be zero) */
    uint64_t user_data; /* copied to the CQE untouched */
    uint64_t arg[6];
} exo_sqe_t;

_Static_assert(sizeof(exo_sqe_t) == 64, "exo_sqe_t is ABI");

/* A completion entry. */
typedef struct exo_cqe {
    uint64_t user_data;
    int64_t res;    /* >= 0: the op's result; < 0: an ERR_* status (exo/status.h) */
    uint64_t aux;   /* a second result (region alloc: the base address), else 0 */
    uint32_t flags; /* none defined yet */
    uint32_t reserved;
} exo_cqe_t;

_Static_assert(sizeof(exo_cqe_t) == 32, "exo_cqe_t is ABI");

/* exo_sqe_t.flags */
#define EXO_SQE_LINK                                                                               \
    1u /* the next SQE runs after this one succeeds; if this one                                   \
          fails, the rest of the chain completes ERR_CANCELED */
#define EXO_SQE_DRAIN                                                                              \
    2u                          /* starts only once every earlier SQE has completed, and           \
                                   every later SQE waits for it */
#define EXO_SQE_SKIP_SUCCESS 4u /* no CQE when it succeeds (a failure still gets one) */
#define EXO_SQE_FLAGS_ALL 7u

/* Opcodes and their arguments (arg[i] not listed must be zero). Results as in the
 * synchronous trap of the same name (exo/syscall.h), with its checks, unless noted. */
enum exo_ring_op {
    EXO_OP_NOP = 0,             /* () -> 0 */
    EXO_OP_TIMEOUT = 1,         /* (ns) -> 0 once ns nanoseconds have passed */
    EXO_OP_LINK_TIMEOUT = 2,    /* (ns): bounds the SQE before it (which has EXO_SQE_LINK):
                                   -> ERR_TIMEOUT if it fired (that SQE -> ERR_CANCELED),
                                   ERR_CANCELED if that SQE completed first */
    EXO_OP_CAP_DERIVE = 3,      /* (h, rights) -> handle */
    EXO_OP_CAP_TRANSFER = 4,    /* (domain, h, rights, flags) -> handle in that domain */
    EXO_OP_CAP_DELETE = 5,      /* (h) -> 0 */
    EXO_OP_CAP_REVOKE = 6,      /* (h) -> descendants deleted */
    EXO_OP_CAP_INFO = 7,        /* (h, exo_cap_info_t *) -> 0 */
    EXO_OP_REGION_ALLOC = 8,    /* (memory, size, prot) -> region handle, aux = base */
    EXO_OP_REGION_MAP = 9,      /* (region, prot) -> 0 */
    EXO_OP_REGION_PROTECT = 10, /* (region, prot) -> 0: a mapped region's new rights */
    EXO_OP_REGION_UNMAP = 11,   /* (region) -> 0 */
    EXO_OP_REGION_FREE = 12,    /* (region) -> 0: deletes the region cap */
    EXO_OP_MEMORY_SPLIT = 13,   /* (memory, bytes) -> handle */
    EXO_OP_CONT_SPAWN = 14,     /* (entry, arg, stack_top) -> continuation handle */
    EXO_OP_CONT_JOIN = 15,      /* (continuation) -> 0 once it has ended */
    EXO_OP_CONT_CANCEL = 16,    /* (continuation) -> 0: it ends at its next kernel entry
                                   (at once if it has not started) */
    EXO_OP_CONSOLE_WRITE = 17,  /* (console, ptr, len) -> bytes written */
    EXO_OP_CONSOLE_READ = 18,   /* (console, ptr, len) -> bytes read, once any arrived */
    EXO_OP_WAIT = 19,           /* (domain or continuation) -> its exit status once it ended */
    EXO_OP_IPC_SEND = 20,       /* (endpoint, const exo_msg_t *, flags) -> 0 (exo/ipc.h) */
    EXO_OP_IPC_RECV = 21,       /* (endpoint, exo_msg_t *, flags) -> 0, the message written */
    EXO_OP_IPC_CALL = 22,       /* (endpoint, exo_msg_t *, flags) -> 0 once answered, the
                                   answer written over the request */
    EXO_OP_IPC_REPLY = 23,      /* (reply, const exo_msg_t *) -> 0 */
    EXO_OP_COUNT
};

/* How many of arg[] an opcode reads (the rest must be zero); 0 for an unknown opcode. */
static inline unsigned exo_op_nargs(unsigned op) {
    static const uint8_t nargs[EXO_OP_COUNT] = {
        [EXO_OP_NOP] = 0,          [EXO_OP_TIMEOUT] = 1,        [EXO_OP_LINK_TIMEOUT] = 1,
        [EXO_OP_CAP_DERIVE] = 2,   [EXO_OP_CAP_TRANSFER] = 4,   [EXO_OP_CAP_DELETE] = 1,
        [EXO_OP_CAP_REVOKE] = 1,   [EXO_OP_CAP_INFO] = 2,       [EXO_OP_REGION_ALLOC] = 3,
        [EXO_OP_REGION_MAP] = 2,   [EXO_OP_REGION_PROTECT] = 2, [EXO_OP_REGION_UNMAP] = 1,
        [EXO_OP_REGION_FREE] = 1,  [EXO_OP_MEMORY_SPLIT] = 2,   [EXO_OP_CONT_SPAWN] = 3,
        [EXO_OP_CONT_JOIN] = 1,    [EXO_OP_CONT_CANCEL] = 1,    [EXO_OP_CONSOLE_WRITE] = 3,
        [EXO_OP_CONSOLE_READ] = 3, [EXO_OP_WAIT] = 1,           [EXO_OP_IPC_SEND] = 3,
        [EXO_OP_IPC_RECV] = 3,     [EXO_OP_IPC_CALL] = 3,       [EXO_OP_IPC_REPLY] = 2,
    };
    return op < EXO_OP_COUNT ? nargs[op] : 0;
}

/* SYS_RING_CREATE's parameters: in, then out. */
typedef struct exo_ring_params {
    uint32_t sq_entries; /* in: power of two, 1..EXO_RING_MAX_ENTRIES */
    uint32_t cq_entries; /* in: power of two >= sq_entries, or 0 for 2 * sq_entries */
    uint32_t flags;      /* in: EXO_RING_SQPOLL */
    uint32_t sq_idle_us; /* in: SQPOLL: idle time before the poller parks (0: 1000) */
    uint64_t base;       /* out: address of the ring memory (exo_ring_hdr_t first) */
    uint64_t size;       /* out: its size in bytes */
    exo_handle_t region; /* out: a cap to the ring memory (READ|WRITE), mapped */
    uint64_t reserved[3];
} exo_ring_params_t;

_Static_assert(sizeof(exo_ring_params_t) == 64, "exo_ring_params_t is ABI");

#define EXO_RING_SQPOLL 1u /* a kernel core polls the SQ: submitting needs no trap */

/* SYS_RING_ENTER flags */
#define EXO_ENTER_GETEVENTS 1u /* wait until min_complete CQEs are ready */
#define EXO_ENTER_SQ_WAKEUP 2u /* SQPOLL: wake the parked poller */
#define EXO_ENTER_FLAGS_ALL 3u
