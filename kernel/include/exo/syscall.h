/*
 * The trap ABI between apps and the kernel (docs/abi.md): SYSCALL with the number in %rax,
 * arguments in %rdi, %rsi, %rdx, %r10, %r8, %r9, the result in %rax (negative: an ERR_*
 * status from exo/status.h); %rcx and %r11 are clobbered, every other register kept.
 * Shared by the kernel and userlib; fixed-width types only. The rings issue moves the
 * common path to shared-memory rings; these traps stay as the small synchronous set.
 */
#pragma once

#include <exo/caps.h>
#include <stdint.h>

/* Calls marked [cap] reach an object only through a handle of the caller's capability
 * table (exo/caps.h) with the rights named; the rest act on the caller itself. */
enum exo_syscall {
    SYS_NULL = 0,            /* () -> 0: the bare trap round trip */
    SYS_EXIT = 1,            /* (int64 status): ends the domain, every continuation in it */
    SYS_CONT_EXIT = 2,       /* (): ends the calling continuation (the domain ends with its last) */
    SYS_YIELD = 3,           /* (flags): suspend, resume later (YIELD_MIGRATE: on another core) */
    SYS_SPAWN = 4,           /* (entry, arg, stack_top) -> continuation id (>0) */
    SYS_CONSOLE_WRITE = 5,   /* [cap] (console WRITE, ptr, len) -> bytes written */
    SYS_REGION_ALLOC = 6,    /* [cap] (memory MEM_ALLOC, size, prot, uint64 *base or 0) -> handle
                                of a new region cap (prot + GRANT + DERIVE), mapped with prot */
    SYS_CLOCK = 7,           /* (EXO_CLOCK_*) -> nanoseconds: since boot (MONOTONIC), since
                                1970-01-01 UTC (REALTIME; 0 without a wall clock) */
    SYS_CPU = 8,             /* () -> index of the core running the caller */
    SYS_DOMAIN_START = 9,    /* [cap] (const exo_domain_spawn_t *) -> handle of the new domain */
    SYS_DOMAIN_WAIT = 10,    /* [cap] (domain DOMAIN_WAIT) -> its exit status, once ended */
    SYS_DOMAIN_KILL = 11,    /* [cap] (domain DOMAIN_KILL): ends it with EXO_EXIT_KILLED */
    SYS_CAP_DERIVE = 12,     /* [cap] (h DERIVE, rights) -> handle of a child cap, rights <= h's */
    SYS_CAP_TRANSFER = 13,   /* [cap] (domain DOMAIN_INSERT, h GRANT, rights, flags) -> handle in
                                that domain's table; a copy is h's child (h needs DERIVE too),
                                CAP_TRANSFER_MOVE moves */
    SYS_CAP_DELETE = 14,     /* [cap] (h): deletes it; its children move up to its parent */
    SYS_CAP_REVOKE = 15,     /* [cap] (h) -> number of descendants deleted, in every domain */
    SYS_CAP_INFO = 16,       /* [cap] (h, exo_cap_info_t *) -> 0 */
    SYS_REGION_MAP = 17,     /* [cap] (region, prot <= its rights): maps it in the caller's view */
    SYS_REGION_UNMAP = 18,   /* [cap] (region): takes it out of the caller's view */
    SYS_MEMORY_SPLIT = 19,   /* [cap] (memory MEM_ALLOC, bytes) -> handle of a child budget */
    SYS_RING_CREATE = 20,    /* [cap] (memory MEM_ALLOC, exo_ring_params_t *) -> ring handle
                                (exo/ring.h); the params get the ring memory's address and cap */
    SYS_RING_ENTER = 21,     /* [cap] (ring, to_submit, min_complete, flags) -> SQEs taken */
    SYS_CONSOLE_READ = 22,   /* [cap] (console READ, ptr, len) -> bytes read now (0: none);
                                never waits */
    SYS_REGION_PROTECT = 23, /* [cap] (region, prot <= its rights): a mapped region's rights */
    SYS_SYSINFO = 24,        /* (exo_sysinfo_t *) -> 0: kernel-wide counts (leak tests) */
    SYS_CONT_SPAWN = 25,     /* (entry, arg, stack_top) -> handle of a continuation cap
                                (JOIN, CANCEL, GRANT, DERIVE) to a new continuation */
    SYS_CONT_CANCEL = 26,    /* [cap] (continuation CANCEL) -> 0: it ends at its next
                                kernel entry (joiners then complete) */
    SYS_ENDPOINT_CREATE = 27, /* [cap] (memory MEM_ALLOC, depth 1..EXO_ENDPOINT_MAX_DEPTH) ->
                                 handle of an endpoint cap (SEND, RECV, GRANT, DERIVE) */
    SYS_IPC_SEND = 28,        /* [cap] (endpoint SEND, const exo_msg_t *, flags) -> 0 */
    SYS_IPC_RECV = 29,        /* [cap] (endpoint RECV, exo_msg_t *, flags) -> 0, the message
                                 written to the exo_msg_t */
    SYS_IPC_CALL = 30,        /* [cap] (endpoint SEND, exo_msg_t *, flags) -> 0 once answered,
                                 the reply written over the request */
    SYS_IPC_REPLY = 31,       /* [cap] (reply, const exo_msg_t *) -> 0; the reply cap is gone */
    SYS_IPC_REPLY_RECV = 32,  /* [cap] (reply or 0, exo_msg_t *, endpoint RECV, flags): reply
                                 (if a reply cap is given), then receive into the same
                                 exo_msg_t -> as SYS_IPC_RECV */
    SYS_CAP_MINT = 33,        /* [cap] (unbadged endpoint RECV DERIVE, rights, badge != 0) -> handle
                                 of a child cap carrying badge (its copies keep it) */
    SYS_DOMAIN_LIST = 34,     /* (exo_domain_list_t *) -> 0: every domain, and what each core
                                 runs now; ERR_TOO_BIG if an array was short (what fit is
                                 written, the counts say how many there are) */
    SYS_MODULE_LIST = 35,     /* (exo_module_entry_t *, max) -> boot modules written; max 0:
                                 only their number; ERR_TOO_BIG if max is short */
    SYS_CAP_LIST = 36,        /* (exo_cap_entry_t *, max) -> the caller's own caps written;
                                 max 0: only their number; ERR_TOO_BIG if max is short */
    SYS_POWER = 37,           /* [cap] (power POWER_OFF or POWER_REBOOT, EXO_POWER_*): powers
                                 the machine off or resets it; returns only an error */
    SYS_CONT_JOIN = 38,       /* [cap] (continuation CONT_JOIN) -> 0 once it has ended (a
                                 blocking join; EXO_OP_CONT_JOIN is the ring's) */
    SYS_TRACE = 39,           /* [cap] (trace, EXO_TRACE_OP_*, arg): kernel tracing on, off,
                                 clear (TRACE_CONTROL), info, read records (TRACE_READ);
                                 exo/trace.h */
    SYS_COUNT = 40
};

#define EXO_CLOCK_MONOTONIC 0u /* SYS_CLOCK: since the kernel's clock started; never back */
#define EXO_CLOCK_REALTIME 1u  /* SYS_CLOCK: the firmware's wall clock at boot, carried on */

#define YIELD_MIGRATE 1u /* SYS_YIELD flag: resume on the next core, if there is one */

#define EXO_PROT_READ 1u
#define EXO_PROT_WRITE 2u
#define EXO_PROT_EXEC 4u

/* Exit status of a domain the kernel ended (any other value is the app's own). */
#define EXO_EXIT_FAULT (-1000)    /* a continuation faulted: the whole domain was killed */
#define EXO_EXIT_WATCHDOG (-1001) /* its last continuation exceeded the CPU budget */
#define EXO_EXIT_KILLED (-1002)   /* ended through SYS_DOMAIN_KILL */

#define EXO_ARGS_MAX 256 /* bytes of the argument string a domain starts with */
#define EXO_SPAWN_CAPS 8 /* caps a parent may pass to a new domain */
#define EXO_START_CAPS 16

/* A cap a parent passes to a new domain: copied into the child's table as a child of
 * handle, with rights (<= handle's; handle needs GRANT and DERIVE). */
typedef struct exo_spawn_cap {
    exo_handle_t handle;
    uint64_t rights;
} exo_spawn_cap_t;

/* SYS_DOMAIN_START's request. The child's image and stack are charged to memory (which
 * needs MEM_ALLOC); with budget > 0 the child also gets a memory cap of its own with that
 * many bytes split off memory. */
typedef struct exo_domain_spawn {
    uint64_t name; /* pointer to the boot module's name (not terminated) */
    uint64_t name_len;
    uint64_t args; /* pointer to the argument string (not terminated) */
    uint64_t args_len;
    exo_handle_t memory;
    uint64_t budget;
    uint64_t info; /* exo_domain_info_t * to fill, or 0 */
    uint64_t ncaps;
    exo_spawn_cap_t caps[EXO_SPAWN_CAPS];
} exo_domain_spawn_t;

_Static_assert(sizeof(exo_domain_spawn_t) == 64 + 16 * EXO_SPAWN_CAPS, "exo_domain_spawn_t is ABI");

/* What SYS_DOMAIN_START tells the parent about the child. */
typedef struct exo_domain_info {
    uint64_t id;         /* for logs and reports; the handle is what names it */
    uint64_t image_base; /* the child's image: its code and data, at unique addresses */
    uint64_t image_size;
    uint64_t entry;
} exo_domain_info_t;

_Static_assert(sizeof(exo_domain_info_t) == 32, "exo_domain_info_t is ABI");

/* SYS_SYSINFO: what the kernel holds, for leak checks (a fuzzer's before and after). */
typedef struct exo_sysinfo {
    uint64_t free_frames;  /* in the frame allocator */
    uint64_t heap_objects; /* kernel heap allocations not freed */
    uint64_t heap_bytes;
    uint64_t heap_pages; /* frames the kernel heap holds */
    uint64_t regions;    /* live regions */
    uint64_t caps;       /* live caps in all tables */
    uint64_t rings;      /* rings not yet freed */
    uint64_t domains;    /* domains not yet released */
} exo_sysinfo_t;

_Static_assert(sizeof(exo_sysinfo_t) == 64, "exo_sysinfo_t is ABI");

/* SYS_DOMAIN_LIST: one domain. Domains stay listed until their last domain cap is gone
 * (an ended one shows its exit status until then). */
typedef struct exo_domain_entry {
    uint64_t id;
    uint64_t parent_id; /* the domain that started it; 0: the kernel (init) */
    char name[32];      /* its boot module's name, NUL-terminated */
    uint32_t conts;     /* live continuations: the nodes of its DAG not yet ended */
    uint32_t state;     /* EXO_DOMAIN_* */
    int64_t status;     /* exit status once ENDED (DYING: the kill's status), else 0 */
} exo_domain_entry_t;

_Static_assert(sizeof(exo_domain_entry_t) == 64, "exo_domain_entry_t is ABI");

#define EXO_DOMAIN_NEW 0     /* made, its first continuation not started yet */
#define EXO_DOMAIN_RUNNING 1 /* continuations live (running, ready or waiting) */
#define EXO_DOMAIN_DYING 2   /* killed: its continuations end at their next kernel entry */
#define EXO_DOMAIN_ENDED 3   /* every continuation ended; status is final */

/* SYS_DOMAIN_LIST: one core, as seen at one moment (it may have moved on since). */
typedef struct exo_cpu_entry {
    uint32_t cpu;       /* the core's index (SYS_CPU) */
    uint32_t state;     /* EXO_CPU_* */
    uint64_t domain_id; /* EXO_CPU_USER: the domain running there */
    uint64_t cont_id;   /* EXO_CPU_USER: its continuation (ids are per domain) */
    uint64_t ran;       /* continuations (user and kernel) run on the core since boot */
} exo_cpu_entry_t;

_Static_assert(sizeof(exo_cpu_entry_t) == 32, "exo_cpu_entry_t is ABI");

#define EXO_CPU_IDLE 0   /* halted, waiting for work */
#define EXO_CPU_USER 1   /* running a user continuation */
#define EXO_CPU_KERNEL 2 /* running kernel work (scheduling, a ring poller, an interrupt) */

/* SYS_DOMAIN_LIST's request: arrays in, counts out. Domains come in id order (oldest
 * first). The reserved words must be zero. */
typedef struct exo_domain_list {
    uint64_t domains;       /* in: exo_domain_entry_t[max_domains] (0 if max_domains is 0) */
    uint64_t cpus;          /* in: exo_cpu_entry_t[max_cpus] (0 if max_cpus is 0) */
    uint32_t max_domains;   /* in */
    uint32_t max_cpus;      /* in */
    uint32_t ndomains;      /* out: domain entries written */
    uint32_t ncpus;         /* out: core entries written */
    uint64_t total_domains; /* out: domains listed at the time (> ndomains: ERR_TOO_BIG) */
    uint64_t total_cpus;    /* out: cores online (> ncpus: ERR_TOO_BIG) */
    uint64_t reserved[2];
} exo_domain_list_t;

_Static_assert(sizeof(exo_domain_list_t) == 64, "exo_domain_list_t is ABI");

/* SYS_MODULE_LIST: one boot module (a `module =` file of BOOT.CFG, docs/boot.md). */
typedef struct exo_module_entry {
    char name[48];  /* what SYS_DOMAIN_START takes: the file name without directory and
                       extension, in lower case, NUL-terminated */
    char path[64];  /* its ESP path (\EXOSPACE\APPS\HELLO.ELF), NUL-terminated */
    uint64_t size;  /* bytes */
    uint32_t flags; /* EXO_MODULE_* */
    uint32_t reserved;
} exo_module_entry_t;

_Static_assert(sizeof(exo_module_entry_t) == 128, "exo_module_entry_t is ABI");

#define EXO_MODULE_ELF 1u /* starts with the ELF magic: an app (the kernel checks the rest) */

/* SYS_CAP_LIST: one cap of the caller's table, in slot order. */
typedef struct exo_cap_entry {
    exo_handle_t handle;
    uint64_t badge;      /* an endpoint cap's badge, else 0 */
    exo_cap_info_t info; /* what SYS_CAP_INFO says of it */
} exo_cap_entry_t;

_Static_assert(sizeof(exo_cap_entry_t) == 48, "exo_cap_entry_t is ABI");

/* SYS_POWER operations (each needs its right on the power cap, exo/caps.h). */
#define EXO_POWER_OFF 1    /* ACPI S5 soft-off */
#define EXO_POWER_REBOOT 2 /* reset (FADT reset register, then the fallbacks) */

/* The block a domain's first continuation gets in %rdi (on its stack, read-only by
 * convention); %rsi = its size. caps[] lists every cap in its table at the start, in slot
 * order: its image, its stack, then (from SYS_DOMAIN_START) its own memory cap if it got a
 * budget, then the passed caps in the order given. init gets the root memory and console
 * caps instead (docs/security-model.md). */
typedef struct exo_start {
    uint64_t version; /* EXO_START_VERSION */
    uint64_t domain_id;
    uint64_t image_base;
    uint64_t image_size;
    uint64_t args_len;
    char args[EXO_ARGS_MAX]; /* NUL-terminated, words separated by spaces */
    uint64_t ncaps;
    exo_start_cap_t caps[EXO_START_CAPS];
} exo_start_t;

#define EXO_START_VERSION 2
_Static_assert(sizeof(exo_start_t) == 48 + EXO_ARGS_MAX + 16 * EXO_START_CAPS,
               "exo_start_t is ABI");
