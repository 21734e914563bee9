/*
 * Kernel tracing (docs/tracing.md): trace points write fixed-size records (exo/trace.h)
 * into a lock-free buffer per core (trace/tbuf.h). Usable from any context, interrupt
 * handlers included, on any core; off by default, and then a trace point costs one load
 * and one predictable branch. Switched on by `trace=on` / `trace=serial` on the command
 * line or by SYS_TRACE; read by SYS_TRACE or drained over the serial port.
 */
#pragma once

#include <exo/caps.h>
#include <exo/status.h>
#include <exo/trace.h>
#include <stdbool.h>
#include <stdint.h>
#include <trace/tbuf.h>

/* Recording now. Written by trace_start/trace_stop only; read with trace_on(). */
extern bool trace_enabled;

static inline bool trace_on(void) {
    return __atomic_load_n(&trace_enabled, __ATOMIC_RELAXED);
}

/* The recording halves of the trace points below (call those instead). emit names the
 * domain and continuation this core runs (the interrupted one, in an interrupt); _for
 * names them explicitly (0: none). */
void trace_emit(uint32_t event, uint64_t arg0, uint32_t arg1);
void trace_emit_for(uint32_t event, uint64_t domain, uint64_t cont, uint64_t arg0, uint32_t arg1);
void trace_emit_domain_start(uint64_t id, uint64_t parent_id, const char *name);

/* Trace points: one line each at the place they describe, any context. */
static inline void trace_event(uint32_t event, uint64_t arg0, uint32_t arg1) {
    if (__builtin_expect(trace_on(), 0)) {
        trace_emit(event, arg0, arg1);
    }
}

static inline void trace_event_for(uint32_t event, uint64_t domain, uint64_t cont, uint64_t arg0,
                                   uint32_t arg1) {
    if (__builtin_expect(trace_on(), 0)) {
        trace_emit_for(event, domain, cont, arg0, arg1);
    }
}

/* A domain's first continuation is about to run: DOMAIN_START and DOMAIN_NAME (the first
 * 12 bytes of its name, so a drained trace can name its processes). */
static inline void trace_domain_start(uint64_t id, uint64_t parent_id, const char *name) {
    if (__builtin_expect(trace_on(), 0)) {
        trace_emit_domain_start(id, parent_id, name);
    }
}

/* Boot, after every core is up: reads `trace=on|serial` and `trace_records=N` (records per
 * core, a power of two in 64..65536; default 4096) and starts recording if asked. */
void trace_init(const char *cmdline);
/* Starts recording, first making a buffer for each core online that has none (they are
 * never freed). ERR_NO_MEMORY if one cannot be made (then nothing records). Any thread
 * context (it allocates), not an interrupt handler. */
status_t trace_start(void);
void trace_stop(void);
/* Forgets the records made so far on every core (recording goes on if it was on). */
void trace_clear(void);

/* Cores with a buffer slot (the cores online); records per buffer (0: none made yet);
 * core cpu's buffer or NULL. For readers: SYS_TRACE, the drain, the ktests. */
uint32_t trace_ncpus(void);
uint32_t trace_records(void);
tbuf_t *trace_buf(uint32_t cpu);

/* Prints every record still held, core by core, oldest first, in the line format
 * scripts/trace2json reads (docs/tracing.md), on the serial port only (a framebuffer
 * would take minutes to scroll through them). Stops recording first and leaves it off;
 * why goes into the header line. Returns the records printed. Any context. */
uint64_t trace_drain_serial(const char *why);
/* The machine is about to stop (power off, reset, QEMU exit, halt after a panic): with
 * `trace=serial`, drains once. Any context. */
void trace_drain_at_exit(const char *why);

/* SYS_TRACE (exo/syscall.h): decode (op, the right it needs on the trace cap, the user
 * structures), then invoke. */
struct domain;
int64_t sys_trace(struct domain *d, exo_handle_t h, uint64_t op, uint64_t arg);
