/*
 * tracetest: SYS_TRACE from user space, for init's "trace" scenario (docs/tracing.md).
 * Every refusal with its specific error (ops, rights, reserved words, cores, sizes, user
 * pointers that are kernel, unmapped, read-only or past the limit), then the trace itself:
 * with tracing on, this continuation's null traps must come back from its core's buffer as
 * syscall/sysret pairs, in order, with its domain and continuation, whole through a cursor
 * read in small steps; with tracing off its core's buffer must not move. One line a check:
 *   tracetest: <what>: <got> (expected <want>): PASS|FAIL
 * init passes it the trace cap with every right.
 */
#include <user/exo.h>
#include <user/trace.h>
#include <user/trap.h>

#define KERNEL_PTR 0xffff800000000000ull
#define UNMAPPED_PTR 0x1000ull
#define NULL_TRAPS 50

static int checks, failures;
static exo_trace_rec_t recs[EXO_TRACE_READ_MAX];

static void expect_num(const char *what, int64_t got, int64_t want) {
    bool ok = got == want;
    checks++;
    failures += !ok;
    if (got < 0 || want < 0) {
        exo_printf("tracetest: %s: %s (expected %s): %s\n", what,
                   got < 0 ? status_str((status_t)got) : "a count",
                   want < 0 ? status_str((status_t)want) : "a count", ok ? "PASS" : "FAIL");
    } else {
        exo_printf("tracetest: %s: %ld (expected %ld): %s\n", what, got, want,
                   ok ? "PASS" : "FAIL");
    }
}

static void expect_true(const char *what, bool ok) {
    checks++;
    failures += !ok;
    exo_printf("tracetest: %s: %s\n", what, ok ? "PASS" : "FAIL");
}

static int64_t raw(exo_handle_t cap, uint64_t op, uint64_t arg) {
    return exo_trap(SYS_TRACE, cap, op, arg, 0, 0);
}

static void check_refusals(exo_handle_t cap, const exo_trace_info_t *info) {
    expect_num("operation 0", raw(cap, 0, 0), ERR_INVALID);
    expect_num("operation 7", raw(cap, 7, 0), ERR_INVALID);
    expect_num("on with an argument", raw(cap, EXO_TRACE_OP_ON, 1), ERR_INVALID);
    expect_num("through the console cap", exo_trace_ctl(exo_console_cap(), EXO_TRACE_OP_OFF),
               ERR_WRONG_TYPE);
    expect_num("through handle 0", exo_trace_ctl(0, EXO_TRACE_OP_OFF), ERR_BAD_HANDLE);
    int64_t reader = exo_cap_derive(cap, CAP_RIGHT_TRACE_READ);
    int64_t control = exo_cap_derive(cap, CAP_RIGHT_TRACE_CONTROL);
    expect_true("derived a read-only and a control-only copy", reader > 0 && control > 0);
    exo_trace_info_t got;
    expect_num("on without TRACE_CONTROL", exo_trace_ctl((uint64_t)reader, EXO_TRACE_OP_ON),
               ERR_RIGHTS);
    expect_num("clear without TRACE_CONTROL", exo_trace_ctl((uint64_t)reader, EXO_TRACE_OP_CLEAR),
               ERR_RIGHTS);
    expect_num("info with TRACE_READ only", exo_trace_info((uint64_t)reader, &got), 0);
    expect_num("info without TRACE_READ", exo_trace_info((uint64_t)control, &got), ERR_RIGHTS);
    exo_trace_read_t req = {.cpu = 0};
    expect_num("read without TRACE_READ", exo_trace_read((uint64_t)control, &req), ERR_RIGHTS);
    expect_num("drain without TRACE_CONTROL", exo_trace_ctl((uint64_t)reader, EXO_TRACE_OP_DRAIN),
               ERR_RIGHTS);
    expect_num("drain without TRACE_READ", exo_trace_ctl((uint64_t)control, EXO_TRACE_OP_DRAIN),
               ERR_RIGHTS);
    expect_num("drain with an argument", raw(cap, EXO_TRACE_OP_DRAIN, 1), ERR_INVALID);
    exo_cap_delete((uint64_t)reader);
    expect_num("info through a deleted cap", exo_trace_info((uint64_t)reader, &got), ERR_STALE);
    exo_cap_delete((uint64_t)control);

    expect_num("info into the kernel half", raw(cap, EXO_TRACE_OP_INFO, KERNEL_PTR), ERR_FAULT);
    expect_num("info unmapped", raw(cap, EXO_TRACE_OP_INFO, UNMAPPED_PTR), ERR_FAULT);
    expect_num("info into read-only code",
               raw(cap, EXO_TRACE_OP_INFO, (uint64_t)(uintptr_t)&check_refusals), ERR_FAULT);
    expect_num("a read request in the kernel half", raw(cap, EXO_TRACE_OP_READ, KERNEL_PTR),
               ERR_FAULT);
    expect_num("a read request unmapped", raw(cap, EXO_TRACE_OP_READ, UNMAPPED_PTR), ERR_FAULT);
    exo_trace_read_t good = {.recs = (uintptr_t)recs, .cpu = 0, .max = 16};
    req = good;
    req.reserved = 1;
    expect_num("a read with the reserved word set", exo_trace_read(cap, &req), ERR_INVALID);
    req = good;
    req.cpu = info->ncpus;
    expect_num("a read of a core past the last", exo_trace_read(cap, &req), ERR_RANGE);
    req = good;
    req.max = EXO_TRACE_READ_MAX + 1;
    expect_num("a read of more than EXO_TRACE_READ_MAX", exo_trace_read(cap, &req), ERR_TOO_BIG);
    req = good;
    req.recs = KERNEL_PTR;
    expect_num("records into the kernel half", exo_trace_read(cap, &req), ERR_FAULT);
    req = good;
    req.recs = 0x00007fffffffff00ull; /* 512 bytes from 256 below the limit */
    expect_num("records across the user limit", exo_trace_read(cap, &req), ERR_FAULT);
    /* In range but not writable: found while copying, once there is a record to copy. */
    req = good;
    req.cpu = (uint32_t)exo_cpu();
    req.recs = (uintptr_t)&check_refusals;
    expect_num("records into read-only code (tracing on)", exo_trace_read(cap, &req), ERR_FAULT);
}

/* This core's records from `from` on, read 7 at a time through the cursor. */
static uint32_t read_in_steps(exo_handle_t cap, uint32_t cpu, uint64_t from, uint32_t *lost) {
    uint32_t n = 0;
    *lost = 0;
    for (;;) {
        exo_trace_read_t req = {.recs = (uintptr_t)(recs + n), .cpu = cpu, .max = 7, .from = from};
        int64_t got = exo_trace_read(cap, &req);
        if (got < 0 || req.n != got || n + got > EXO_TRACE_READ_MAX - 7) {
            return n;
        }
        n += (uint32_t)got;
        *lost += req.lost;
        if (req.from == from || req.from >= req.head) {
            return n;
        }
        from = req.from;
    }
}

static void check_records(exo_handle_t cap) {
    uint64_t self = exo_start_info()->domain_id;
    expect_num("on", exo_trace_ctl(cap, EXO_TRACE_OP_ON), 0);
    expect_num("clear", exo_trace_ctl(cap, EXO_TRACE_OP_CLEAR), 0);
    /* The traps and the read that follows run without a suspension: on one core. */
    uint32_t cpu = (uint32_t)exo_cpu();
    exo_trace_read_t start = {.cpu = cpu};
    expect_num("the cursors of this core", exo_trace_read(cap, &start), 0);
    expect_true("after a clear only the last few records are held", start.head - start.oldest < 16);
    for (int i = 0; i < NULL_TRAPS; i++) {
        exo_trap0(SYS_NULL);
    }
    uint32_t lost;
    uint32_t n = read_in_steps(cap, cpu, start.head, &lost);
    exo_trace_info_t info;
    expect_num("info", exo_trace_info(cap, &info), 0);
    expect_true("info says recording", info.enabled == 1);
    expect_num("off", exo_trace_ctl(cap, EXO_TRACE_OP_OFF), 0);
    expect_num("records lost reading in steps of 7", lost, 0);
    uint32_t pairs = 0, other = 0;
    bool order = true, ids = true, time = true;
    uint64_t last_tsc = 0;
    bool open = false;
    for (uint32_t i = 0; i < n; i++) {
        const exo_trace_rec_t *r = &recs[i];
        time &= r->tsc >= last_tsc || r->event == EXO_TRACE_IRQ || r->event == EXO_TRACE_IRQ_DONE;
        last_tsc = r->event == EXO_TRACE_IRQ || r->event == EXO_TRACE_IRQ_DONE ? last_tsc : r->tsc;
        ids &= r->cpu == cpu && r->seq == EXO_TRACE_SEQ(start.head + i);
        if (r->event == EXO_TRACE_SYSCALL && r->arg1 == SYS_NULL) {
            order &= !open;
            open = true;
            ids &= r->domain == self && r->cont == 1;
        } else if (r->event == EXO_TRACE_SYSRET && r->arg1 == SYS_NULL) {
            order &= open && r->arg0 == 0;
            open = false;
            pairs++;
            ids &= r->domain == self && r->cont == 1;
        } else {
            other++;
        }
    }
    expect_num("null trap syscall/sysret pairs read back", pairs, NULL_TRAPS);
    expect_true("each syscall record followed by its sysret, result 0", order && !open);
    expect_true("this domain, continuation 1, this core, consecutive record numbers", ids);
    expect_true("TSC values rise", time);
    exo_printf("tracetest: %u records read (%u other than the null traps)\n", n, other);

    /* Off: this core's buffer stands still. */
    exo_trace_read_t before = {.cpu = cpu}, after = {.cpu = cpu};
    exo_trace_read(cap, &before);
    for (int i = 0; i < NULL_TRAPS; i++) {
        exo_trap0(SYS_NULL);
    }
    exo_trace_read(cap, &after);
    expect_num("records made while off", (int64_t)(after.head - before.head), 0);
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    exo_handle_t cap = exo_start_cap(CAP_TRACE);
    exo_trace_info_t info;
    expect_true("init passed a trace cap", cap != EXO_HANDLE_NONE);
    expect_num("info", exo_trace_info(cap, &info), 0);
    expect_true("records are 32 bytes, there are cores and a TSC rate",
                info.rec_size == sizeof(exo_trace_rec_t) && info.ncpus >= 1 && info.tsc_hz > 0);
    bool was_on = info.enabled;
    expect_num("on", exo_trace_ctl(cap, EXO_TRACE_OP_ON), 0);
    check_refusals(cap, &info);
    check_records(cap);
    if (was_on) {
        exo_trace_ctl(cap, EXO_TRACE_OP_ON);
    }
    exo_printf("tracetest: %d checks, %d failed: %s\n", checks, failures,
               failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
