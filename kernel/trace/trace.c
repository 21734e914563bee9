/*
 * Kernel tracing (trace/trace.h): one buffer per core, made on first use and kept, the
 * on/off switch every trace point tests, and the recording half of the trace points.
 */
#include <arch/cpu.h>
#include <kernel/cmdline.h>
#include <kernel/cpu.h>
#include <kernel/kprintf.h>
#include <kernel/panic.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>
#include <mm/heap.h>
#include <trace/trace.h>

#include "trace_priv.h"

#define TRACE_RECORDS_DEFAULT 4096u
#define TRACE_RECORDS_MIN 64u
#define TRACE_RECORDS_MAX 65536u

bool trace_enabled; /* __atomic builtins only */

/* Buffers: bufs[i] is published (release) once made and never changes or goes after that;
 * trace points load it (acquire) and record nothing while it is NULL. trace_lock orders
 * the makers (SYS_TRACE callers, boot); the heap lock nests inside it. */
static tbuf_t *bufs[MAX_CPUS];
static uint32_t records_per_cpu = TRACE_RECORDS_DEFAULT; /* set at boot, before any buffer */
static uint32_t records_made;                            /* __atomic: 0 until one exists */
static spinlock_t trace_lock = SPINLOCK_INIT;

void trace_emit_for(uint32_t event, uint64_t domain, uint64_t cont, uint64_t arg0, uint32_t arg1) {
    cpu_t *c = this_cpu();
    tbuf_t *b = __atomic_load_n(&bufs[c->index], __ATOMIC_ACQUIRE);
    if (b == NULL) {
        return;
    }
    exo_trace_rec_t r = {.tsc = rdtsc(),
                         .event = (uint8_t)event,
                         .cpu = (uint8_t)c->index,
                         .cont = (uint16_t)cont,
                         .domain = (uint32_t)domain,
                         .arg1 = arg1,
                         .arg0 = arg0};
    tbuf_write(b, &r);
}

void trace_emit(uint32_t event, uint64_t arg0, uint32_t arg1) {
    cpu_t *c = this_cpu();
    /* user_domain and user_cont are this core's own: set around ring 3 by ucont_run. */
    trace_emit_for(event, atomic_load_explicit(&c->user_domain, memory_order_relaxed),
                   atomic_load_explicit(&c->user_cont, memory_order_relaxed), arg0, arg1);
}

void trace_emit_domain_start(uint64_t id, uint64_t parent_id, const char *name) {
    char n[12] = {0};
    size_t len = strnlen(name, sizeof(n));
    memcpy(n, name, len);
    uint64_t lo;
    uint32_t hi;
    memcpy(&lo, n, 8);
    memcpy(&hi, n + 8, 4);
    trace_emit_for(EXO_TRACE_DOMAIN_START, id, 0, parent_id, 0);
    trace_emit_for(EXO_TRACE_DOMAIN_NAME, id, 0, lo, hi);
}

/* Makes the buffers of the cores online that have none. Under trace_lock. */
static status_t make_buffers(void) {
    uint32_t ncpus = atomic_load(&cpu_count);
    for (uint32_t i = 0; i < ncpus && i < MAX_CPUS; i++) {
        if (bufs[i] != NULL) {
            continue;
        }
        tbuf_t *b = kzalloc(sizeof(*b));
        exo_trace_rec_t *slots = kmalloc((size_t)records_per_cpu * sizeof(exo_trace_rec_t));
        if (b == NULL || slots == NULL) {
            kfree(b);
            kfree(slots);
            return ERR_NO_MEMORY;
        }
        status_t st = tbuf_init(b, slots, records_per_cpu);
        ASSERT(st == STATUS_OK);
        __atomic_store_n(&bufs[i], b, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&records_made, records_per_cpu, __ATOMIC_RELEASE);
    return STATUS_OK;
}

status_t trace_start(void) {
    bool irq = spin_lock(&trace_lock);
    status_t st = make_buffers();
    if (st == STATUS_OK) {
        __atomic_store_n(&trace_enabled, true, __ATOMIC_RELEASE);
    }
    spin_unlock(&trace_lock, irq);
    return st;
}

void trace_stop(void) {
    __atomic_store_n(&trace_enabled, false, __ATOMIC_RELEASE);
}

void trace_clear(void) {
    for (uint32_t i = 0; i < MAX_CPUS; i++) {
        tbuf_t *b = __atomic_load_n(&bufs[i], __ATOMIC_ACQUIRE);
        if (b != NULL) {
            tbuf_clear(b);
        }
    }
}

uint32_t trace_ncpus(void) {
    return atomic_load(&cpu_count);
}

uint32_t trace_records(void) {
    return __atomic_load_n(&records_made, __ATOMIC_ACQUIRE);
}

tbuf_t *trace_buf(uint32_t cpu) {
    return cpu < MAX_CPUS ? __atomic_load_n(&bufs[cpu], __ATOMIC_ACQUIRE) : NULL;
}

void trace_init(const char *cmdline) {
    char v[24];
    if (cmdline_get(cmdline, "trace_records", v, sizeof(v))) {
        uint64_t n = 0;
        for (const char *p = v; *p >= '0' && *p <= '9' && n <= TRACE_RECORDS_MAX; p++) {
            n = n * 10 + (uint64_t)(*p - '0');
        }
        if (n >= TRACE_RECORDS_MIN && n <= TRACE_RECORDS_MAX && (n & (n - 1)) == 0) {
            records_per_cpu = (uint32_t)n;
        } else {
            kprintf("trace: trace_records=%s is not a power of two in %u..%u: using %u\n", v,
                    TRACE_RECORDS_MIN, TRACE_RECORDS_MAX, records_per_cpu);
        }
    }
    if (!cmdline_get(cmdline, "trace", v, sizeof(v)) || strcmp(v, "off") == 0) {
        return;
    }
    if (strcmp(v, "serial") == 0) {
        trace_serial_at_exit = true;
    } else if (strcmp(v, "on") != 0) {
        kprintf("trace: unknown trace=%s (on, serial or off): tracing stays off\n", v);
        return;
    }
    status_t st = trace_start();
    kprintf("trace: %s, %u records per core on %u core(s)%s\n",
            st == STATUS_OK ? "recording" : status_str(st), records_per_cpu, trace_ncpus(),
            trace_serial_at_exit ? ", drained over serial at power-off, reset or exit" : "");
}
