/*
 * userlib: capabilities (docs/userlib.md#caps, docs/security-model.md). A handle names a
 * cap in this domain's table; every call that reaches an object takes one. Results are
 * handles (> 0) or negative ERR_* codes. The calls on particular objects are with them:
 * regions (user/region.h), domains (user/domain.h), continuations (user/cont.h),
 * endpoints (user/ipc.h), rings (user/ring.h).
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
