/*
 * The shell's `trace` builtin (docs/shell.md, docs/tracing.md): switches kernel tracing
 * through the trace cap init passed, shows the newest records decoded one a line, and
 * has the kernel dump them on the serial port for scripts/trace2json (a Perfetto trace).
 */
#include "shell.h"

#include <user/trace.h>

#define SHOW_MAX 1000   /* trace N: at most this many lines */
#define READ_TOTAL 8192 /* records read back at once, over all cores */
#define DUMP_CHUNK 256  /* records per SYS_TRACE read while dumping */
#define DUMP_LINE 78    /* "exotrace: r " + 64 hex digits + "\n", and a spare byte */
#define WRITE_BUF 3900  /* bytes gathered before one console write (<= 4096) */

static const char *const event_names[EXO_TRACE_EVENT_COUNT] = {
#define EVENT_NAME_(name, num, str, a0, a1) [num] = str,
    EXO_TRACE_EVENTS(EVENT_NAME_)
#undef EVENT_NAME_
};

/* exo/syscall.h's numbers, for syscall and sysret records. */
static const char *const syscall_names[SYS_COUNT] = {
    "null",
    "exit",
    "cont_exit",
    "yield",
    "spawn",
    "console_write",
    "region_alloc",
    "clock",
    "cpu",
    "domain_start",
    "domain_wait",
    "domain_kill",
    "cap_derive",
    "cap_transfer",
    "cap_delete",
    "cap_revoke",
    "cap_info",
    "region_map",
    "region_unmap",
    "memory_split",
    "ring_create",
    "ring_enter",
    "console_read",
    "region_protect",
    "sysinfo",
    "cont_spawn",
    "cont_cancel",
    "endpoint_create",
    "ipc_send",
    "ipc_recv",
    "ipc_call",
    "ipc_reply",
    "ipc_reply_recv",
    "cap_mint",
    "domain_list",
    "module_list",
    "cap_list",
    "power",
    "cont_join",
    "trace",
};

static exo_trace_rec_t *recs; /* READ_TOTAL records, a region made on first use */

static const char *event_name(uint32_t ev) {
    return ev < EXO_TRACE_EVENT_COUNT && event_names[ev] ? event_names[ev] : "?";
}

static const char *syscall_name(uint32_t nr) {
    return nr < SYS_COUNT ? syscall_names[nr] : "?";
}

static const char *vector_name(uint32_t v) {
    switch (v) {
    case 0xf0:
        return " (timer)";
    case 0xf1:
        return " (wake IPI)";
    case 0xf2:
        return " (call IPI)";
    case 0x24:
        return " (COM1)";
    case 0x21:
        return " (keyboard)";
    default:
        return "";
    }
}

/* The arguments of r in words. */
static void args_text(const exo_trace_rec_t *r, char *buf, size_t n) {
    switch (r->event) {
    case EXO_TRACE_SYSCALL:
        fmt_snprintf(buf, n, "%s (%u)", syscall_name(r->arg1), r->arg1);
        break;
    case EXO_TRACE_SYSRET:
        fmt_snprintf(buf, n, "%s -> %ld", syscall_name(r->arg1), (int64_t)r->arg0);
        break;
    case EXO_TRACE_CONT_SUSPEND:
        fmt_snprintf(buf, n, "%s",
                     r->arg1 == 2   ? "yield"
                     : r->arg1 == 3 ? "migrate"
                     : r->arg1 == 4 ? "wait"
                                    : "?");
        break;
    case EXO_TRACE_DOMAIN_START:
        fmt_snprintf(buf, n, "parent %lu", r->arg0);
        break;
    case EXO_TRACE_DOMAIN_NAME: {
        char name[13] = {0};
        memcpy(name, &r->arg0, 8);
        memcpy(name + 8, &r->arg1, 4);
        fmt_snprintf(buf, n, "\"%s\"", name);
        break;
    }
    case EXO_TRACE_DOMAIN_KILL:
        fmt_snprintf(buf, n, "domain %u, status %ld", r->arg1, (int64_t)r->arg0);
        break;
    case EXO_TRACE_DOMAIN_EXIT:
        fmt_snprintf(buf, n, "status %ld", (int64_t)r->arg0);
        break;
    case EXO_TRACE_IRQ:
    case EXO_TRACE_IRQ_DONE:
        fmt_snprintf(buf, n, "vector 0x%x%s", r->arg1, vector_name(r->arg1));
        break;
    case EXO_TRACE_PAGE_FAULT:
        fmt_snprintf(buf, n, "address 0x%lx, error 0x%x", r->arg0, r->arg1);
        break;
    case EXO_TRACE_RING_ENTER:
        fmt_snprintf(buf, n, "ring 0x%lx, %u to submit", r->arg0, r->arg1);
        break;
    case EXO_TRACE_IPC_SEND:
    case EXO_TRACE_IPC_CALL:
    case EXO_TRACE_IPC_RECV:
        fmt_snprintf(buf, n, "endpoint 0x%lx, label %u", r->arg0, r->arg1);
        break;
    case EXO_TRACE_IPC_REPLY:
        fmt_snprintf(buf, n, "reply 0x%lx, label %u", r->arg0, r->arg1);
        break;
    case EXO_TRACE_IPI:
        fmt_snprintf(buf, n, "to core %u, vector 0x%lx%s", r->arg1, r->arg0,
                     vector_name((uint32_t)r->arg0));
        break;
    case EXO_TRACE_TLB_SHOOTDOWN:
        fmt_snprintf(buf, n, "address 0x%lx, %u page(s)", r->arg0, r->arg1);
        break;
    case EXO_TRACE_CONT_RUN:
    case EXO_TRACE_CONT_END:
        buf[0] = '\0';
        break;
    default:
        fmt_snprintf(buf, n, "0x%lx 0x%x", r->arg0, r->arg1);
        break;
    }
}

static bool get_info(exo_handle_t cap, exo_trace_info_t *info) {
    int64_t st = exo_trace_info(cap, info);
    if (st < 0) {
        exo_printf("trace: cannot read the trace: %s\n", status_str((status_t)st));
        return false;
    }
    return true;
}

/* Reads core cpu's records from *from on into out[0..max); returns how many (< 0: error). */
static int64_t read_core(exo_handle_t cap, uint32_t cpu, uint64_t *from, exo_trace_rec_t *out,
                         uint32_t max, exo_trace_read_t *last) {
    uint32_t got = 0;
    while (got < max) {
        uint32_t want = max - got < EXO_TRACE_READ_MAX ? max - got : EXO_TRACE_READ_MAX;
        exo_trace_read_t req = {
            .recs = (uint64_t)(uintptr_t)(out + got), .cpu = cpu, .max = want, .from = *from};
        int64_t n = exo_trace_read(cap, &req);
        if (n < 0) {
            return n;
        }
        *last = req;
        *from = req.from;
        got += (uint32_t)n;
        if (req.from >= req.head) {
            break;
        }
    }
    return got;
}

/* trace N [dom]: the newest count records (of domain dom, if given; 0: all), merged over
 * the cores by time, oldest first. */
static void show(exo_handle_t cap, uint64_t count, uint64_t dom) {
    exo_trace_info_t info;
    if (!get_info(cap, &info)) {
        return;
    }
    if (info.records == 0 || info.ncpus == 0) {
        exo_printf("trace: nothing recorded yet (`trace on` starts)\n");
        return;
    }
    if (recs == NULL) {
        recs =
            exo_region_alloc(READ_TOTAL * sizeof(exo_trace_rec_t), EXO_PROT_READ | EXO_PROT_WRITE);
        if (recs == NULL) {
            exo_printf("trace: no memory for the records\n");
            return;
        }
    }
    uint32_t per = READ_TOTAL / info.ncpus; /* each core's share of the buffer */
    uint32_t start[64], end[64], ncpus = info.ncpus < 64 ? info.ncpus : 64;
    uint64_t held = 0;
    for (uint32_t cpu = 0; cpu < ncpus; cpu++) {
        exo_trace_read_t req = {.cpu = cpu}; /* max 0: only the numbers */
        int64_t st = exo_trace_read(cap, &req);
        if (st < 0) {
            exo_printf("trace: cannot read core %u: %s\n", cpu, status_str((status_t)st));
            return;
        }
        uint64_t from = req.head - req.oldest > per ? req.head - per : req.oldest;
        held += req.head - req.oldest;
        int64_t n = read_core(cap, cpu, &from, recs + cpu * per, per, &req);
        if (n < 0) {
            exo_printf("trace: cannot read core %u: %s\n", cpu, status_str((status_t)n));
            return;
        }
        start[cpu] = cpu * per;
        end[cpu] = start[cpu];
        for (uint32_t i = start[cpu]; i < start[cpu] + (uint32_t)n; i++) { /* keep dom's */
            if (dom == 0 || recs[i].domain == dom) {
                recs[end[cpu]++] = recs[i];
            }
        }
    }
    /* From the newest back: each step takes the core whose last unshown record is the
     * latest, so every core's records keep their own order. */
    static uint32_t pick[SHOW_MAX];
    uint32_t shown = 0;
    while (shown < count) {
        int best = -1;
        for (uint32_t cpu = 0; cpu < ncpus; cpu++) {
            if (end[cpu] > start[cpu] &&
                (best < 0 || recs[end[cpu] - 1].tsc > recs[end[best] - 1].tsc)) {
                best = (int)cpu;
            }
        }
        if (best < 0) {
            break;
        }
        pick[shown++] = --end[best];
    }
    exo_printf("trace: %u record(s)%s of %lu held, %u core(s), %s\n", shown,
               dom ? " of that domain" : "", held, info.ncpus, info.enabled ? "recording" : "off");
    exo_printf("      TIME(s)  CPU   DOM  CONT  EVENT          ARGS\n");
    uint64_t per_us = info.tsc_hz / 1000000 ? info.tsc_hz / 1000000 : 1;
    while (shown-- > 0) {
        const exo_trace_rec_t *r = &recs[pick[shown]];
        uint64_t us = r->tsc > info.tsc_boot ? (r->tsc - info.tsc_boot) / per_us : 0;
        char args[80];
        args_text(r, args, sizeof(args));
        exo_printf("%6lu.%06lu %4u %5u %5u  %-14s %s\n", us / 1000000, us % 1000000, r->cpu,
                   r->domain, r->cont, event_name(r->event), args);
    }
}

/* trace dump: the kernel prints every record held on the serial port, in the line format
 * scripts/trace2json reads (the framebuffer would take minutes to scroll through them);
 * recording pauses meanwhile. */
static void dump(exo_handle_t cap) {
    int64_t n = exo_trace_ctl(cap, EXO_TRACE_OP_DRAIN);
    if (n >= 0) {
        exo_printf("trace: %ld record(s) drained on the serial port (scripts/trace2json reads "
                   "them)\n",
                   n);
    } else {
        exo_printf("trace: dump: %s\n", status_str((status_t)n));
    }
}

static bool parse_count(const char *s, uint64_t *out) {
    uint64_t v = 0;
    if (*s == '\0' || strlen(s) > 9) {
        return false;
    }
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') {
            return false;
        }
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = v;
    return true;
}

void trace_builtin(const command_t *cmd) {
    exo_handle_t cap = exo_start_cap(CAP_TRACE);
    if (cap == EXO_HANDLE_NONE) {
        exo_printf("trace: this shell holds no trace cap (init passes it one)\n");
        return;
    }
    const char *what = cmd->argc > 1 ? cmd->argv[1] : "20";
    uint64_t count = 0, dom = 0;
    int64_t st = 0;
    if (cmd->argc > 2 && !parse_count(what, &count)) {
        exo_printf("trace: a domain id goes only after a count: trace <N> <domain>\n");
        return;
    }
    if (strcmp(what, "on") == 0) {
        st = exo_trace_ctl(cap, EXO_TRACE_OP_ON);
        exo_trace_info_t info;
        if (st == 0 && get_info(cap, &info)) {
            exo_printf("trace: on (%u records per core, %u core(s))\n", info.records, info.ncpus);
        }
    } else if (strcmp(what, "off") == 0) {
        st = exo_trace_ctl(cap, EXO_TRACE_OP_OFF);
        if (st == 0) {
            exo_printf("trace: off\n");
        }
    } else if (strcmp(what, "clear") == 0) {
        st = exo_trace_ctl(cap, EXO_TRACE_OP_CLEAR);
        if (st == 0) {
            exo_printf("trace: cleared\n");
        }
    } else if (strcmp(what, "dump") == 0) {
        dump(cap);
    } else if (parse_count(what, &count) && count >= 1 && count <= SHOW_MAX) {
        if (cmd->argc > 2 && (!parse_count(cmd->argv[2], &dom) || dom == 0)) {
            exo_printf("trace: '%s' is not a domain id (ps lists them)\n", cmd->argv[2]);
            return;
        }
        show(cap, count, dom);
    } else {
        exo_printf("trace: '%s' is not on, off, clear, dump or a count (1..%u)\n", what, SHOW_MAX);
    }
    if (st < 0) {
        exo_printf("trace: %s: %s\n", what, status_str((status_t)st));
    }
}
