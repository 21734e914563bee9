/*
 * The capability traps (exo/syscall.h): each decodes (handles, types, rights, arguments,
 * a free slot; may fail with a specific error and changes nothing) and then invokes
 * (cannot fail). Called by the trap dispatcher with the calling domain; user pointers are
 * copied, never dereferenced. Results: a handle (> 0) or a count, else an ERR_* status.
 */
#pragma once

#include <exo/caps.h>
#include <stdint.h>

struct domain;

int64_t sys_cap_derive(struct domain *d, exo_handle_t h, uint64_t rights);
/* SYS_CAP_MINT: a child of an unbadged endpoint cap (DERIVE) with rights and badge != 0. */
int64_t sys_cap_mint(struct domain *d, exo_handle_t h, uint64_t rights, uint64_t badge);
int64_t sys_cap_transfer(struct domain *d, exo_handle_t to, exo_handle_t h, uint64_t rights,
                         uint64_t flags);
int64_t sys_cap_delete(struct domain *d, exo_handle_t h);
int64_t sys_cap_revoke(struct domain *d, exo_handle_t h);
int64_t sys_cap_info(struct domain *d, exo_handle_t h, uint64_t info_ptr);
/* SYS_CAP_LIST: d's own caps, in slot order, into exo_cap_entry_t[max] at ptr. */
int64_t sys_cap_list(struct domain *d, uint64_t ptr, uint64_t max);

int64_t sys_region_alloc(struct domain *d, exo_handle_t mem, uint64_t size, uint64_t prot,
                         uint64_t base_ptr);
/* sys_region_alloc's work, with the base address returned in *base_out (ring ops). */
int64_t cap_region_alloc(struct domain *d, exo_handle_t mem, uint64_t size, uint64_t prot,
                         uint64_t *base_out);
/* A mapped region cap's map gets the rights prot (<= the cap's): SYS_REGION_PROTECT. */
int64_t sys_region_protect(struct domain *d, exo_handle_t h, uint64_t prot);
int64_t sys_region_map(struct domain *d, exo_handle_t h, uint64_t prot);
int64_t sys_region_unmap(struct domain *d, exo_handle_t h);
int64_t sys_memory_split(struct domain *d, exo_handle_t mem, uint64_t bytes);
