/*
 * userlib: capabilities (docs/security-model.md, docs/abi.md). A handle names a cap in
 * this domain's table; every call that reaches an object takes one. Results are handles
 * (> 0) or negative ERR_* codes.
 */
#pragma once

#include <exo/caps.h>
#include <exo/syscall.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The first cap of type this domain started with (exo_start_t.caps), or EXO_HANDLE_NONE;
 * _nth: the nth (0-based) of that type. */
exo_handle_t exo_start_cap(uint32_t type);
exo_handle_t exo_start_cap_nth(uint32_t type, uint32_t nth);
/* The console and memory caps the library uses by default (the first of each type the
 * domain started with; exo_set_*_cap changes them). */
exo_handle_t exo_console_cap(void);
exo_handle_t exo_memory_cap(void);
void exo_set_console_cap(exo_handle_t h);
void exo_set_memory_cap(exo_handle_t h);
/* Picks the defaults from the start block (the start code calls it before main). */
void exo_caps_init(void);

int64_t exo_cap_derive(exo_handle_t h, uint32_t rights);
/* Into the table of the domain `to` names (DOMAIN_INSERT); flags: CAP_TRANSFER_MOVE. */
int64_t exo_cap_transfer(exo_handle_t to, exo_handle_t h, uint32_t rights, uint32_t flags);
int64_t exo_cap_delete(exo_handle_t h);
/* Deletes every descendant of h in every domain; returns how many. */
int64_t exo_cap_revoke(exo_handle_t h);
int64_t exo_cap_info(exo_handle_t h, exo_cap_info_t *info);
/* This domain's own caps, in slot order, into out[max] (SYS_CAP_LIST): how many were
 * written; max 0: only how many there are; ERR_TOO_BIG if max is short. */
int64_t exo_cap_list(exo_cap_entry_t *out, uint64_t max);

/* A new region of size bytes charged to memory cap mem, mapped with prot (EXO_PROT_*);
 * *base (if not NULL) gets its address. Returns the region's handle. */
int64_t exo_region_alloc_cap(exo_handle_t mem, size_t size, uint32_t prot, void **base);
int64_t exo_region_map(exo_handle_t region, uint32_t prot);
int64_t exo_region_unmap(exo_handle_t region);
/* A child memory cap with bytes of mem's budget. */
int64_t exo_memory_split(exo_handle_t mem, uint64_t bytes);

/* Starts a child domain from a full request (exo/syscall.h); returns its domain handle. */
int64_t exo_domain_spawn(const exo_domain_spawn_t *req);
/* A request for boot module name with args, paid by the default memory cap, no budget,
 * no caps: add what the child should get, then exo_domain_spawn. */
exo_domain_spawn_t exo_spawn_request(const char *name, const char *args);
/* Adds to req a copy of the default console cap with rights (within its own), if that cap
 * may be passed on (GRANT and DERIVE): whether it did. */
bool exo_spawn_add_console(exo_domain_spawn_t *req, uint32_t rights);
/* Ends a domain (DOMAIN_KILL): its status becomes EXO_EXIT_KILLED. */
int64_t exo_domain_kill(exo_handle_t domain);
/* Powers the machine off (EXO_POWER_OFF) or resets it (EXO_POWER_REBOOT) through a power
 * cap with that right (SYS_POWER); returns only on an error. */
int64_t exo_power(exo_handle_t power, uint32_t op);
