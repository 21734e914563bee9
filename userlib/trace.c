/* userlib's tracing calls (user/trace.h): wrappers over SYS_TRACE. */
#include <user/trace.h>
#include <user/trap.h>

int64_t exo_trace_ctl(exo_handle_t trace, uint32_t op) {
    return exo_trap(SYS_TRACE, trace, op, 0, 0, 0);
}

int64_t exo_trace_info(exo_handle_t trace, exo_trace_info_t *info) {
    return exo_trap(SYS_TRACE, trace, EXO_TRACE_OP_INFO, (uint64_t)(uintptr_t)info, 0, 0);
}

int64_t exo_trace_read(exo_handle_t trace, exo_trace_read_t *req) {
    return exo_trap(SYS_TRACE, trace, EXO_TRACE_OP_READ, (uint64_t)(uintptr_t)req, 0, 0);
}
