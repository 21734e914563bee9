/*
 * userlib: what an Exospace app links against (docs/userlib.md is the reference,
 * docs/writing-apps.md the tutorial). An app defines main(argc, argv); returning from it
 * exits the domain with that status. Errors are negative ERR_* codes (exo/status.h),
 * printable with status_str().
 *
 * This header includes every API, one header each under user/:
 *   console.h  console output and input          cont.h    continuations and DAGs
 *   caps.h     capabilities                      region.h  memory regions and budgets
 *   domain.h   domains: start, wait, lists       time.h    clocks and sleeping
 *   ipc.h      endpoints, send, receive, calls   ring.h    rings (asynchronous calls)
 *   trace.h    kernel tracing (a trace cap)
 * and trap.h, the raw SYSCALL.
 */
#pragma once

#include <exo/status.h>
#include <exo/syscall.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <user/caps.h>
#include <user/console.h>
#include <user/cont.h>
#include <user/domain.h>
#include <user/ipc.h>
#include <user/region.h>
#include <user/ring.h>
#include <user/time.h>
#include <user/trace.h>

int main(int argc, char **argv);

/* A number in decimal, or hex after 0x; reading stops at the first other character. */
uint64_t exo_parse_u64(const char *s);

/* Small helpers for apps without the C library: the kernel's own pure string and format
 * code. */
#include <kernel/fmt.h>
#include <kernel/string.h>
