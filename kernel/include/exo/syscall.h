/*
 * The trap ABI between apps and the kernel (docs/abi.md): SYSCALL with the number in %rax,
 * arguments in %rdi, %rsi, %rdx, %r10, %r8, %r9, the result in %rax (negative: an ERR_*
 * status from exo/status.h); %rcx and %r11 are clobbered, every other register kept.
 * Shared by the kernel and userlib; fixed-width types only. The rings issue moves the
 * common path to shared-memory rings; these traps stay as the small synchronous set.
 */
#pragma once

#include <stdint.h>

enum exo_syscall {
    SYS_NULL = 0,         /* () -> 0: the bare trap round trip */
    SYS_EXIT = 1,         /* (int64 status): ends the domain, every continuation in it */
    SYS_CONT_EXIT = 2,    /* (): ends the calling continuation (the domain ends with its last) */
    SYS_YIELD = 3,        /* (flags): suspend, resume later (YIELD_MIGRATE: on another core) */
    SYS_SPAWN = 4,        /* (entry, arg, stack_top) -> continuation id (>0) */
    SYS_DEBUG_WRITE = 5,  /* (ptr, len) -> bytes written to the kernel console */
    SYS_REGION_ALLOC = 6, /* (size, prot) -> address of a new region, mapped on demand */
    SYS_CLOCK = 7,        /* () -> nanoseconds since boot */
    SYS_CPU = 8,          /* () -> index of the core running the caller */
    SYS_DOMAIN_START = 9, /* (name ptr, name len, args ptr, args len, exo_domain_info_t *out)
                             -> id of a new domain running boot module `name` */
    SYS_DOMAIN_WAIT = 10, /* (id) -> that child's exit status, once it has ended */
    SYS_COUNT
};

#define YIELD_MIGRATE 1u /* SYS_YIELD flag: resume on the next core, if there is one */

#define EXO_PROT_READ 1u
#define EXO_PROT_WRITE 2u
#define EXO_PROT_EXEC 4u

/* Exit status of a domain the kernel ended (any other value is the app's own). */
#define EXO_EXIT_FAULT (-1000)    /* a continuation faulted: the whole domain was killed */
#define EXO_EXIT_WATCHDOG (-1001) /* its last continuation exceeded the CPU budget */

#define EXO_ARGS_MAX 256 /* bytes of the argument string a domain starts with */

/* What SYS_DOMAIN_START tells the parent about the child (the caps issue replaces the id
 * with a domain capability). */
typedef struct exo_domain_info {
    uint64_t id;
    uint64_t image_base; /* the child's image: its code and data, at unique addresses */
    uint64_t image_size;
    uint64_t entry;
} exo_domain_info_t;

_Static_assert(sizeof(exo_domain_info_t) == 32, "exo_domain_info_t is ABI");

/* The block a domain's first continuation gets in %rdi (on its stack, read-only by
 * convention); %rsi = its size. */
typedef struct exo_start {
    uint64_t version; /* EXO_START_VERSION */
    uint64_t domain_id;
    uint64_t image_base;
    uint64_t image_size;
    uint64_t args_len;
    char args[EXO_ARGS_MAX]; /* NUL-terminated, words separated by spaces */
} exo_start_t;

#define EXO_START_VERSION 1
_Static_assert(sizeof(exo_start_t) == 40 + EXO_ARGS_MAX, "exo_start_t is ABI");
