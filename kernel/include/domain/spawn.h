/*
 * SYS_DOMAIN_START (domain/spawn.c): a child domain from a boot module, paid for by a
 * memory cap, holding only the caps its parent passes; the parent gets a domain cap.
 */
#pragma once

#include <stdint.h>

struct domain;

/* user_req: an exo_domain_spawn_t in the caller's memory. Returns the domain handle, or
 * an ERR_* status (logged with the reason) and nothing was made. */
int64_t sys_domain_start(struct domain *self, uint64_t user_req);
