/*
 * Synchronous calls of the trap set (domain/syscall.c) that ring ops run too, with the
 * same checks (rings/ops.c).
 */
#pragma once

#include <domain/domain.h>
#include <exo/caps.h>
#include <exo/status.h>
#include <stdint.h>

/* SYS_CONSOLE_WRITE: console cap with WRITE, then up to 4096 bytes copied from user ptr. */
int64_t sys_console_write(domain_t *d, exo_handle_t h, uint64_t ptr, uint64_t len);
/* SYS_CONSOLE_READ: console cap with READ; takes up to len (<= 4096) buffered bytes into
 * user ptr now, 0 if none (never waits). */
int64_t sys_console_read(domain_t *d, exo_handle_t h, uint64_t ptr, uint64_t len);
/* The domain a domain cap with rights names, with a reference (takes the caps lock). */
status_t domain_from_cap(domain_t *self, exo_handle_t h, uint32_t rights, domain_t **out);
/* SYS_DOMAIN_LIST (domain/listing.c): fills the caller's exo_domain_list_t. */
int64_t sys_domain_list(uint64_t req_ptr);
/* SYS_MODULE_LIST (domain/modules.c): the boot modules into exo_module_entry_t[max]. */
int64_t sys_module_list(uint64_t ptr, uint64_t max);
