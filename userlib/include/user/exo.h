/*
 * userlib: what an Exospace app links against (docs/abi.md, docs/writing-apps.md). An app
 * defines main(argc, argv); returning from it exits the domain with that status. Errors
 * are negative ERR_* codes (exo/status.h), printable with status_str().
 */
#pragma once

#include <exo/status.h>
#include <exo/syscall.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <user/caps.h>
#include <user/ipc.h>

int main(int argc, char **argv);

/* The block the kernel started this domain with (id, image, argument string). */
const exo_start_t *exo_start_info(void);

/* Console output through the default console cap (user/caps.h). */
int64_t exo_write(const char *s, size_t n);
int exo_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int exo_vprintf(const char *fmt, va_list ap);
/* Console input through the default console cap (it needs READ, which init's has and
 * exo_domain_start's copies do not): up to n (<= 4096) bytes typed so far, taken out of
 * the kernel's buffer; 0 when there are none. Never waits (poll, yielding in between). */
int64_t exo_console_read(void *buf, size_t n);

/* Ends the domain (every continuation) with status. */
__attribute__((noreturn)) void exo_exit(int64_t status);
/* Ends the calling continuation only. */
__attribute__((noreturn)) void exo_cont_exit(void);
/* Suspends the calling continuation; it resumes later (flags: YIELD_MIGRATE). */
void exo_yield(uint32_t flags);

/* Starts fn(arg) as a new continuation of this domain on the stack [stack, stack + size)
 * (16-byte aligned, owned by the caller until fn returns); returning from fn ends it.
 * Returns the continuation id or an error. */
int64_t exo_spawn(void (*fn)(void *arg), void *arg, void *stack, size_t size);
/* The same, returning a continuation cap (join it through a ring: EXO_OP_CONT_JOIN or
 * EXO_OP_WAIT; cancel it with exo_cont_cancel or EXO_OP_CONT_CANCEL). */
int64_t exo_cont_spawn(void (*fn)(void *arg), void *arg, void *stack, size_t size);
int64_t exo_cont_cancel(exo_handle_t cont);
/* For EXO_OP_CONT_SPAWN: the entry (arg[0]) and the stack top (arg[2], 0 for a bad stack)
 * that make the new continuation run fn(arg) on [stack, stack + size). */
uint64_t exo_cont_entry_point(void);
uint64_t exo_cont_stack_top(void (*fn)(void *arg), void *stack, size_t size);

/* A new region of size bytes with rights EXO_PROT_*, charged to the default memory cap;
 * pages appear on first touch. (user/caps.h has the call that returns the region's cap.) */
void *exo_region_alloc(size_t size, uint32_t prot);
int64_t exo_region_alloc_status(size_t size, uint32_t prot); /* address or error */

/* A number in decimal, or hex after 0x; reading stops at the first other character. */
uint64_t exo_parse_u64(const char *s);

uint64_t exo_clock_ns(void);
/* Kernel-wide counts (frames, heap, caps, rings, domains): for leak checks. */
int64_t exo_sysinfo(exo_sysinfo_t *out);
/* Whether two sets of figures agree on everything a leak check compares (free frames and
 * heap pages as one sum: the heap keeps pages it grew into). */
bool exo_sysinfo_same(const exo_sysinfo_t *a, const exo_sysinfo_t *b);
/* Takes exo_sysinfo into *now, yielding in between, until it agrees with *before or ms
 * have passed (a domain's last pieces go with its last reference, a moment after its
 * end): whether it agreed. */
bool exo_sysinfo_settle(const exo_sysinfo_t *before, exo_sysinfo_t *now, uint64_t ms);
/* A leak check's "before": exo_sysinfo once two takes 10 ms apart agree (what a domain that
 * just ended still held is gone by then), or after 2 s. */
void exo_sysinfo_quiet(exo_sysinfo_t *out);
uint32_t exo_cpu(void);
/* The system as it is now (exo/syscall.h): every domain and what each core runs
 * (SYS_DOMAIN_LIST: set req's arrays and lengths, zero the rest), and the boot modules,
 * which are what exo_domain_start can start (SYS_MODULE_LIST; max 0: only their number).
 * ERR_TOO_BIG: an array was short. */
int64_t exo_domain_list(exo_domain_list_t *req);
int64_t exo_module_list(exo_module_entry_t *out, uint64_t max);

/* Starts boot module `name` as a child domain with an argument string; fills *info (if
 * not NULL). The child is charged to the default memory cap and gets a memory cap of its
 * own with 1/EXO_CHILD_BUDGET_PART of what is left in it, and a copy of the console cap,
 * write-only (and passable on: GRANT + DERIVE), if this domain's may be passed on. Returns
 * the child's domain handle (user/caps.h: exo_domain_spawn passes anything else). */
#define EXO_CHILD_BUDGET_PART 4
/* The budget exo_domain_start gives a child: 1/EXO_CHILD_BUDGET_PART of what is left in
 * the default memory cap, in whole pages. */
uint64_t exo_child_budget(void);
int64_t exo_domain_start(const char *name, const char *args, exo_domain_info_t *info);
/* Waits for a domain to end and returns its exit status (or an error). */
int64_t exo_domain_wait(exo_handle_t domain);

/* Small helpers (no libc yet): the kernel's own pure string and format code. */
#include <kernel/fmt.h>
#include <kernel/string.h>
