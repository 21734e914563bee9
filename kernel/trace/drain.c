/*
 * Draining the trace over the serial port, in the line format scripts/trace2json reads
 * (docs/tracing.md): a header, then each core's records oldest first, one per line as the
 * hex of its 32 bytes, then a footer. Every line starts with "exotrace: " so the records
 * can be picked out of a console log whatever else it holds.
 */
#include <dev/clock.h>
#include <dev/console.h>
#include <kernel/fmt.h>
#include <kernel/string.h>
#include <stdarg.h>
#include <trace/trace.h>

#include "trace_priv.h"

bool trace_serial_at_exit;
static bool drained; /* __atomic builtins only: trace_drain_at_exit drains once */

static void line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void line(const char *fmt, ...) {
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    console_write_serial(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* "exotrace: r " and 64 hex digits: the record's bytes in memory order. */
static void record_line(const exo_trace_rec_t *r) {
    static const char hex[] = "0123456789abcdef";
    char buf[12 + 2 * sizeof(*r) + 1];
    const uint8_t *p = (const uint8_t *)r;
    memcpy(buf, "exotrace: r ", 12);
    for (size_t i = 0; i < sizeof(*r); i++) {
        buf[12 + 2 * i] = hex[p[i] >> 4];
        buf[12 + 2 * i + 1] = hex[p[i] & 15];
    }
    buf[sizeof(buf) - 1] = '\n';
    console_write_serial(buf, sizeof(buf));
}

uint64_t trace_drain_serial(const char *why) {
    trace_stop();
    clock_delay_ns(1000000); /* trace points on other cores that passed the switch finish */
    uint64_t start_ns = clock_ns();
    uint32_t ncpus = trace_ncpus();
    uint64_t hz = clock_tsc_hz();
    uint64_t boot = clock_tsc_boot();
    line("exotrace: begin version=1 cpus=%u records=%u rec_size=%u tsc_hz=%lu tsc_boot=%lu "
         "why=%s\n",
         ncpus, trace_records(), (unsigned)sizeof(exo_trace_rec_t), hz, boot, why);
    uint64_t total = 0, lost = 0;
    for (uint32_t cpu = 0; cpu < ncpus; cpu++) {
        tbuf_t *b = trace_buf(cpu);
        if (b == NULL) {
            continue;
        }
        uint64_t head = tbuf_head(b), oldest = tbuf_oldest(b);
        line("exotrace: cpu %u head=%lu oldest=%lu\n", cpu, head, oldest);
        for (uint64_t n = oldest; n < head; n++) {
            exo_trace_rec_t r;
            if (tbuf_read(b, n, &r)) {
                record_line(&r);
                total++;
            } else {
                lost++;
            }
        }
    }
    line("exotrace: end records=%lu lost=%lu ms=%lu\n", total, lost,
         (clock_ns() - start_ns) / 1000000);
    return total;
}

void trace_drain_at_exit(const char *why) {
    if (__atomic_load_n(&trace_serial_at_exit, __ATOMIC_RELAXED) &&
        !__atomic_exchange_n(&drained, true, __ATOMIC_SEQ_CST)) {
        trace_drain_serial(why);
    }
}
