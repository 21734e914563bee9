/*
 * Rings, the kernel's side (docs/rings.md): a ring object per SYS_RING_CREATE, reached
 * through a CAP_RING cap of the domain that made it (ring caps cannot leave it: the ops a
 * ring runs act with that domain's caps). Its SQ/CQ memory is a region mapped in that
 * domain; the kernel reads and writes it through the physmap (rings/queue.h).
 */
#pragma once

#include <exo/ring.h>
#include <exo/status.h>
#include <stdint.h>

struct domain;
struct ucont;
struct trap_frame;
typedef struct ring ring_t;

/* The traps (exo/syscall.h). */
int64_t sys_ring_create(struct domain *d, exo_handle_t memory, uint64_t params_ptr);
int64_t sys_ring_enter(struct ucont *self, struct trap_frame *tf, exo_handle_t ring,
                       uint64_t to_submit, uint64_t min_complete, uint64_t flags);

/* A cap's reference on a ring (caps/cap.c's type table): the last cap's drop closes the
 * ring (every op in flight completes ERR_CANCELED, the poller stops); the memory goes with
 * the last internal reference. Without any spinlock held. */
void ring_cap_ref(void *ring);
void ring_cap_unref(void *ring);

/* Rings not yet freed (leak checks). */
uint64_t rings_live(void);
