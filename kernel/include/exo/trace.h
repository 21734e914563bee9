/*
 * The tracing ABI (docs/tracing.md): the fixed-size record the kernel writes into per-core
 * buffers, the event numbers, and what SYS_TRACE (exo/syscall.h) takes and returns. Shared
 * by the kernel, userlib and the shell; the same 32 bytes are what the serial drain prints
 * (as hex) and scripts/trace2json decodes. Fixed-width types only; numbers are ABI.
 */
#pragma once

#include <stdint.h>

/* One record: 32 bytes, little-endian. domain/cont name what the core was running (the
 * interrupted continuation, for an interrupt), unless the event says otherwise. */
typedef struct exo_trace_rec {
    uint64_t tsc;    /* the core's TSC when the record was made */
    uint32_t seq;    /* EXO_TRACE_SEQ(record number) once complete; anything else: torn,
                        in progress or overwritten (readers skip it) */
    uint8_t event;   /* EXO_TRACE_* */
    uint8_t cpu;     /* index of the core that wrote it */
    uint16_t cont;   /* continuation id within domain (low 16 bits); 0: none */
    uint32_t domain; /* domain id (low 32 bits); 0: the kernel, no domain */
    uint32_t arg1;   /* the event's small argument */
    uint64_t arg0;   /* the event's wide argument */
} exo_trace_rec_t;

_Static_assert(sizeof(exo_trace_rec_t) == 32, "exo_trace_rec_t is ABI");

/* The seq word of record number n of a core: bit 31 set (0 never names a record), the
 * number's low 31 bits below it. */
#define EXO_TRACE_SEQ(n) (0x80000000u | ((uint32_t)(n)&0x7fffffffu))

/* The events: X(name, number, short name, what arg0 / arg1 carry). Numbers are ABI. */
#define EXO_TRACE_EVENTS(X)                                                                        \
    X(EXO_TRACE_SYSCALL, 1, "syscall", "-", "number")                                              \
    X(EXO_TRACE_SYSRET, 2, "sysret", "result", "number")                                           \
    X(EXO_TRACE_CONT_RUN, 3, "cont_run", "-", "-")                                                 \
    X(EXO_TRACE_CONT_SUSPEND, 4, "cont_suspend", "-", "why (2 yield, 3 migrate, 4 wait)")          \
    X(EXO_TRACE_CONT_END, 5, "cont_end", "-", "-")                                                 \
    X(EXO_TRACE_DOMAIN_START, 6, "domain_start", "parent id", "-")                                 \
    X(EXO_TRACE_DOMAIN_NAME, 7, "domain_name", "name bytes 0..7", "name bytes 8..11")              \
    X(EXO_TRACE_DOMAIN_KILL, 8, "domain_kill", "status", "killed domain id")                       \
    X(EXO_TRACE_DOMAIN_EXIT, 9, "domain_exit", "status", "-")                                      \
    X(EXO_TRACE_IRQ, 10, "irq", "-", "vector")                                                     \
    X(EXO_TRACE_IRQ_DONE, 11, "irq_done", "-", "vector")                                           \
    X(EXO_TRACE_PAGE_FAULT, 12, "page_fault", "address", "error code")                             \
    X(EXO_TRACE_RING_ENTER, 13, "ring_enter", "ring handle", "to_submit")                          \
    X(EXO_TRACE_IPC_SEND, 14, "ipc_send", "endpoint handle", "label (low 32 bits)")                \
    X(EXO_TRACE_IPC_CALL, 15, "ipc_call", "endpoint handle", "label (low 32 bits)")                \
    X(EXO_TRACE_IPC_RECV, 16, "ipc_recv", "endpoint handle", "label (low 32 bits)")                \
    X(EXO_TRACE_IPC_REPLY, 17, "ipc_reply", "reply handle", "label (low 32 bits)")                 \
    X(EXO_TRACE_IPI, 18, "ipi", "vector", "target core")                                           \
    X(EXO_TRACE_TLB_SHOOTDOWN, 19, "tlb_shootdown", "address", "pages")                            \
    X(EXO_TRACE_MARK, 20, "mark", "as given", "as given")

#define EXO_TRACE_ENUM_(name, num, str, a0, a1) name = num,
enum exo_trace_event { EXO_TRACE_EVENTS(EXO_TRACE_ENUM_) EXO_TRACE_EVENT_COUNT };
#undef EXO_TRACE_ENUM_

/* SYS_TRACE operations and the right each needs on the trace cap (exo/caps.h). */
#define EXO_TRACE_OP_ON 1    /* TRACE_CONTROL: start recording (buffers made on first use) */
#define EXO_TRACE_OP_OFF 2   /* TRACE_CONTROL: stop recording (the records stay) */
#define EXO_TRACE_OP_CLEAR 3 /* TRACE_CONTROL: forget every record made so far */
#define EXO_TRACE_OP_INFO 4  /* TRACE_READ: arg = exo_trace_info_t * to fill */
#define EXO_TRACE_OP_READ 5  /* TRACE_READ: arg = exo_trace_read_t * (in and out) */
#define EXO_TRACE_OP_DRAIN                                                                         \
    6 /* TRACE_CONTROL and TRACE_READ: the kernel prints every record                              \
         held on the serial port, in the drain's line format                                       \
         (docs/tracing.md), recording paused meanwhile -> records                                  \
         printed */

/* EXO_TRACE_OP_INFO's answer. */
typedef struct exo_trace_info {
    uint32_t enabled;  /* recording now */
    uint32_t ncpus;    /* buffers: one per core, read by index 0..ncpus-1 */
    uint32_t records;  /* each buffer's size in records (0: none made yet) */
    uint32_t rec_size; /* sizeof(exo_trace_rec_t) */
    uint64_t tsc_hz;   /* the TSC's rate, for turning record times into seconds */
    uint64_t tsc_boot; /* the TSC at SYS_CLOCK's 0 */
} exo_trace_info_t;

_Static_assert(sizeof(exo_trace_info_t) == 32, "exo_trace_info_t is ABI");

/* EXO_TRACE_OP_READ: copies core cpu's records numbered from `from` on, oldest first, at
 * most max of them. Record numbers count every record the core ever started (so they
 * survive a wrap of the buffer); pass the returned `from` back to go on. */
typedef struct exo_trace_read {
    uint64_t recs;     /* in: exo_trace_rec_t[max] (0 if max is 0) */
    uint32_t cpu;      /* in: the core (< exo_trace_info_t.ncpus) */
    uint32_t max;      /* in: at most EXO_TRACE_READ_MAX; 0: only the numbers below */
    uint64_t from;     /* in: first record number wanted; out: the number after the last
                          one looked at */
    uint64_t head;     /* out: the number the core's next record will get */
    uint64_t oldest;   /* out: the oldest number the buffer still holds (later of the
                          wrap and the last clear) */
    uint32_t n;        /* out: records written to recs (also the result) */
    uint32_t lost;     /* out: numbers looked at but not written: overwritten or cleared
                          before the read reached them, torn, or still being written */
    uint64_t reserved; /* must be 0 */
} exo_trace_read_t;

_Static_assert(sizeof(exo_trace_read_t) == 56, "exo_trace_read_t is ABI");

#define EXO_TRACE_READ_MAX 4096u
