/*
 * userlib: domains, the units of protection (docs/userlib.md#domains). This domain's own
 * start and end; starting boot modules as child domains, waiting for them and killing
 * them; what the kernel lists (domains, cores, boot modules) and counts (for leak checks);
 * power. Apps on the C library use posix_spawn and waitpid instead.
 */
#pragma once

#include <exo/caps.h>
#include <exo/syscall.h>
#include <stdbool.h>
#include <stdint.h>

/* The block the kernel started this domain with (id, image, argument string, caps). */
const exo_start_t *exo_start_info(void);
/* Ends the domain (every continuation) with status. */
__attribute__((noreturn)) void exo_exit(int64_t status);

/* Starts boot module `name` as a child domain with an argument string; fills *info (if
 * not NULL). The child is charged to the default memory cap and gets a memory cap of its
 * own with exo_child_budget() bytes, and a copy of the console cap, write-only (and
 * passable on: GRANT + DERIVE), if this domain's may be passed on. Returns the child's
 * domain handle (DOMAIN_WAIT, DOMAIN_KILL) or an error. */
int64_t exo_domain_start(const char *name, const char *args, exo_domain_info_t *info);
#define EXO_CHILD_BUDGET_PART 4
/* The budget exo_domain_start gives a child: 1/EXO_CHILD_BUDGET_PART of what is left in
 * the default memory cap, in whole pages. */
uint64_t exo_child_budget(void);
/* The general form: a request for boot module name with args, paid by the default memory
 * cap, no budget, no caps; add what the child should get, then exo_domain_spawn. */
exo_domain_spawn_t exo_spawn_request(const char *name, const char *args);
/* Adds to req a copy of the default console cap with rights (within its own), if that cap
 * may be passed on (GRANT and DERIVE): whether it did. */
bool exo_spawn_add_console(exo_domain_spawn_t *req, uint32_t rights);
int64_t exo_domain_spawn(const exo_domain_spawn_t *req);
/* Suspends the caller until the domain has ended; returns its exit status (EXO_EXIT_*
 * for a fault, a kill, the watchdog) or an error. */
int64_t exo_domain_wait(exo_handle_t domain);
/* Ends a domain (DOMAIN_KILL): its status becomes EXO_EXIT_KILLED. */
int64_t exo_domain_kill(exo_handle_t domain);

/* The system as it is now (exo/syscall.h): every domain and what each core runs
 * (SYS_DOMAIN_LIST: set req's arrays and lengths, zero the rest), and the boot modules,
 * which are what exo_domain_start can start (SYS_MODULE_LIST; max 0: only their number).
 * ERR_TOO_BIG: an array was short. */
int64_t exo_domain_list(exo_domain_list_t *req);
int64_t exo_module_list(exo_module_entry_t *out, uint64_t max);

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

/* Powers the machine off (EXO_POWER_OFF) or resets it (EXO_POWER_REBOOT) through a power
 * cap with that right (SYS_POWER); returns only on an error. */
int64_t exo_power(exo_handle_t power, uint32_t op);
