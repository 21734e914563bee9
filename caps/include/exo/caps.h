/*
 * The capability ABI (docs/abi.md, docs/security-model.md), shared by the kernel and
 * userlib: handle encoding, object types, rights, and the structures the cap traps fill.
 * A handle names one slot of the calling domain's capability table; it means nothing in
 * another domain. Fixed-width types only.
 */
#pragma once

#include <stdint.h>

/* A handle: bits 0..15 slot index, bits 16..47 the slot's generation, 48..63 zero. Slot 0
 * is never used, so 0 is "no handle". A slot's generation moves on every time its cap is
 * deleted, so an old handle fails (ERR_STALE) instead of naming the slot's next cap. */
typedef uint64_t exo_handle_t;

#define EXO_HANDLE_NONE 0ull
#define EXO_HANDLE_INDEX_BITS 16
#define EXO_HANDLE_GEN_BITS 32

/* Object types. Numbers are ABI; timer, interrupt, I/O port and MMIO are declared for the
 * issues that add their objects (timers, user drivers). */
enum exo_cap_type {
    CAP_NONE = 0,
    CAP_MEMORY = 1,       /* a budget of bytes regions may be allocated from */
    CAP_REGION = 2,       /* a range of the shared space and its frames */
    CAP_DOMAIN = 3,       /* a protection domain: wait for it, kill it, give it caps */
    CAP_CONTINUATION = 4, /* a user continuation: join it, cancel it */
    CAP_ENDPOINT = 5,     /* an IPC endpoint: send messages to it, receive from it */
    CAP_REPLY = 6,        /* a one-shot answer to one received call (exo/ipc.h) */
    CAP_RING = 7,         /* a submission/completion ring (exo/ring.h) */
    CAP_TIMER = 8,        /* (rings issue) */
    CAP_INTERRUPT = 9,    /* (user drivers) */
    CAP_IOPORT = 10,      /* (user drivers) */
    CAP_MMIO = 11,        /* (user drivers) */
    CAP_CONSOLE = 12,     /* the kernel console: write, read its input */
    CAP_POWER = 13,       /* the machine's power: switch it off, reset it (init gets it) */
    CAP_TRACE = 14,       /* kernel tracing: start, stop, clear, read it (init gets it) */
    CAP_TYPE_COUNT
};

/* Rights. The first five mean the same for every type; bits 8..15 are the type's own. */
#define CAP_RIGHT_READ (1u << 0)   /* region: map readable; console: read */
#define CAP_RIGHT_WRITE (1u << 1)  /* region: map writable; console: write */
#define CAP_RIGHT_EXEC (1u << 2)   /* region: map executable */
#define CAP_RIGHT_GRANT (1u << 3)  /* may leave the domain (a copy also needs DERIVE) */
#define CAP_RIGHT_DERIVE (1u << 4) /* may have children: derived here, or copies elsewhere */
#define CAP_RIGHTS_GENERIC 0x1fu

#define CAP_RIGHT_MEM_ALLOC (1u << 8)      /* memory: allocate regions, split budgets */
#define CAP_RIGHT_DOMAIN_WAIT (1u << 8)    /* domain: wait for its end, read its status */
#define CAP_RIGHT_DOMAIN_KILL (1u << 9)    /* domain: end it */
#define CAP_RIGHT_DOMAIN_INSERT (1u << 10) /* domain: put caps into its table */
#define CAP_RIGHT_CONT_JOIN (1u << 8)      /* continuation: wait for its end */
#define CAP_RIGHT_CONT_CANCEL (1u << 9)    /* continuation: end it */
#define CAP_RIGHT_EP_SEND (1u << 8)        /* endpoint: send and call */
#define CAP_RIGHT_EP_RECV (1u << 9)        /* endpoint: receive (never inside a message) */
#define CAP_RIGHT_POWER_OFF (1u << 8)      /* power: switch the machine off (SYS_POWER) */
#define CAP_RIGHT_POWER_REBOOT (1u << 9)   /* power: reset the machine (SYS_POWER) */
#define CAP_RIGHT_TRACE_CONTROL (1u << 8)  /* trace: on, off, clear (SYS_TRACE) */
#define CAP_RIGHT_TRACE_READ (1u << 9)     /* trace: read the records (SYS_TRACE) */

#define CAP_RIGHTS_ALL 0xffffu /* every right any type has (a request may name more) */

/* The rights that mean something for each type; others are never set on a cap. */
#define CAP_RIGHTS_MEMORY (CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE | CAP_RIGHT_MEM_ALLOC)
#define CAP_RIGHTS_REGION                                                                          \
    (CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_EXEC | CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE)
#define CAP_RIGHTS_DOMAIN                                                                          \
    (CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE | CAP_RIGHT_DOMAIN_WAIT | CAP_RIGHT_DOMAIN_KILL |          \
     CAP_RIGHT_DOMAIN_INSERT)
#define CAP_RIGHTS_CONTINUATION                                                                    \
    (CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE | CAP_RIGHT_CONT_JOIN | CAP_RIGHT_CONT_CANCEL)
/* An endpoint closes when its last cap with RECV is deleted (docs/ipc.md). */
#define CAP_RIGHTS_ENDPOINT                                                                        \
    (CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE | CAP_RIGHT_EP_SEND | CAP_RIGHT_EP_RECV)
#define CAP_RIGHTS_REPLY CAP_RIGHT_GRANT /* may be moved on, never copied: one answer */
#define CAP_RIGHTS_RING (CAP_RIGHT_READ | CAP_RIGHT_WRITE) /* never leaves its domain */
#define CAP_RIGHTS_CONSOLE (CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE)
#define CAP_RIGHTS_POWER                                                                           \
    (CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE | CAP_RIGHT_POWER_OFF | CAP_RIGHT_POWER_REBOOT)
#define CAP_RIGHTS_TRACE                                                                           \
    (CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE | CAP_RIGHT_TRACE_CONTROL | CAP_RIGHT_TRACE_READ)

/* SYS_CAP_TRANSFER flags. */
#define CAP_TRANSFER_MOVE 1u /* the cap leaves the caller's table (else: a copy, a child) */

/* What SYS_CAP_INFO reports about a cap. */
typedef struct exo_cap_info {
    uint32_t type;   /* enum exo_cap_type */
    uint32_t rights; /* CAP_RIGHT_* */
    uint32_t mapped; /* region: mapped in the caller's view, with map_prot */
    uint32_t map_prot;
    uint64_t a; /* region: base; memory: budget (bytes); domain: id; endpoint: badge */
    uint64_t b; /* region: size; memory: bytes in use (regions, split budgets);
                   endpoint: queue depth */
} exo_cap_info_t;

_Static_assert(sizeof(exo_cap_info_t) == 32, "exo_cap_info_t is ABI");

/* A cap a domain starts with (exo_start_t.caps). */
typedef struct exo_start_cap {
    exo_handle_t handle;
    uint32_t type;
    uint32_t rights;
} exo_start_cap_t;

_Static_assert(sizeof(exo_start_cap_t) == 16, "exo_start_cap_t is ABI");
