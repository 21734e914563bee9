/*
 * userlib: memory regions (docs/userlib.md#regions, docs/security-model.md). A region is
 * a range of the one shared address space, paid from a memory cap's budget and reached
 * through a region cap; its pages appear (zeroed) on first touch. Deleting the last cap
 * to a region frees it. Rights are EXO_PROT_* (exo/syscall.h).
 */
#pragma once

#include <exo/caps.h>
#include <exo/syscall.h>
#include <stddef.h>
#include <stdint.h>

/* A new region of size bytes charged to memory cap mem, mapped with prot; *base (if not
 * NULL) gets its address. Returns the region's handle. */
int64_t exo_region_alloc_cap(exo_handle_t mem, size_t size, uint32_t prot, void **base);
/* The same from the default memory cap, returning only the address (NULL on an error);
 * _status: the address or the error. The region lives as long as the domain (its cap is
 * not returned): take exo_region_alloc_cap for a region to free. */
void *exo_region_alloc(size_t size, uint32_t prot);
int64_t exo_region_alloc_status(size_t size, uint32_t prot);
/* Deletes the region cap h (the region goes with its last cap). */
int64_t exo_region_free(exo_handle_t region);
/* Maps a region cap this domain received (IPC, transfer) into its view with prot <= the
 * cap's rights, or takes it out of the view again. */
int64_t exo_region_map(exo_handle_t region, uint32_t prot);
int64_t exo_region_unmap(exo_handle_t region);
/* A child memory cap with bytes of mem's budget (to give a child a bounded budget). */
int64_t exo_memory_split(exo_handle_t mem, uint64_t bytes);
