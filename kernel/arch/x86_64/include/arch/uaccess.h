/*
 * The one routine that touches user memory from ring 0 (uaccess.S), and how the trap code
 * recognises a fault inside it. Generic code uses mm/uaccess.h, which checks ranges and
 * opens SMAP around the call.
 */
#pragma once

#include <arch/trap.h>
#include <exo/status.h>
#include <stdbool.h>
#include <stdint.h>

/* Copies n bytes. A page fault inside it that the current domain cannot resolve makes it
 * return ERR_FAULT (bytes before the fault were copied); else STATUS_OK. */
status_t uaccess_copy(void *dst, const void *src, uint64_t n);

/* For #PF in ring 0: if tf->rip is inside uaccess_copy, redirects it to return ERR_FAULT
 * and returns true. */
bool uaccess_fixup(trap_frame_t *tf);
