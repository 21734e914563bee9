/*
 * userlib: kernel tracing through a trace cap (docs/tracing.md, exo/trace.h). init holds
 * the root trace cap and passes it to the shell. Results: 0 or a count, or a negative
 * ERR_* code.
 */
#pragma once

#include <exo/caps.h>
#include <exo/trace.h>
#include <stdint.h>

/* EXO_TRACE_OP_ON, _OFF, _CLEAR (the cap needs TRACE_CONTROL) or _DRAIN (TRACE_CONTROL
 * and TRACE_READ: returns the records printed on the serial port). */
int64_t exo_trace_ctl(exo_handle_t trace, uint32_t op);
/* What the kernel records and how to read it (TRACE_READ). */
int64_t exo_trace_info(exo_handle_t trace, exo_trace_info_t *info);
/* Copies records of one core (TRACE_READ): req says which; returns how many were written
 * to req->recs, and updates req's cursor and counts. */
int64_t exo_trace_read(exo_handle_t trace, exo_trace_read_t *req);
