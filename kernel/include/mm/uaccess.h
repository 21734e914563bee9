/*
 * Copying between kernel memory and the running domain's memory. The kernel never works
 * on user memory in place: it copies in, then checks; it builds results, then copies out.
 * Every helper checks that the whole user range lies below the user limit (so a user
 * pointer can never name kernel memory), opens SMAP only around the copy, and turns a
 * fault on an address the domain may not touch into ERR_FAULT.
 */
#pragma once

#include <exo/status.h>
#include <stdbool.h>
#include <stdint.h>

status_t copy_from_user(void *dst, uint64_t user_src, uint64_t n);
status_t copy_to_user(uint64_t user_dst, const void *src, uint64_t n);
/* Whether an array of n entries of size bytes at user address ptr lies entirely below the
 * user limit (n may be 0): the check a call makes while decoding, before it writes any. */
bool user_array_ok(uint64_t ptr, uint64_t n, uint64_t size);
