/*
 * The watchdog (domain/watchdog.h). The budget timer only raises a per-core flag; the
 * verdict is taken on the way back to user mode (uentry_irq_exit), where it is safe to
 * end the continuation. Time spent in the kernel on a continuation's behalf counts too.
 */
#include <arch/cpu.h>
#include <dev/clock.h>
#include <domain/ucont.h>
#include <domain/watchdog.h>
#include <exo/syscall.h>
#include <kernel/cmdline.h>
#include <kernel/kprintf.h>
#include <kernel/string.h>
#include <stdatomic.h>

static uint64_t budget_ms = WATCHDOG_DEFAULT_MS;
static bool report_only;

static uint64_t parse_ms(const char *s) {
    uint64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (uint64_t)(*s - '0');
    }
    return v;
}

void watchdog_init(const char *cmdline) {
    char v[32];
    if (cmdline_get(cmdline, "watchdog", v, sizeof(v)) && parse_ms(v) > 0) {
        budget_ms = parse_ms(v);
    }
    if (cmdline_get(cmdline, "watchdog_action", v, sizeof(v)) && strcmp(v, "report") == 0) {
        report_only = true;
    }
    kprintf("watchdog: %lu ms CPU budget per user continuation, action %s\n", budget_ms,
            report_only ? "report" : "kill");
}

uint64_t watchdog_budget_ms(void) {
    return budget_ms;
}

static void budget_timer(ktimer_t *t) {
    ((cpu_t *)t->arg)->watchdog_fired = true;
}

void watchdog_arm(cpu_t *c, ucont_t *u) {
    uint64_t budget = clock_ns_to_tsc(budget_ms * 1000000ull);
    uint64_t now = rdtsc();
    u->entered_tsc = now;
    c->watchdog_fired = false;
    ktimer_init(&c->watchdog, budget_timer, c);
    if (timer_start(&c->watchdog, now + (u->used_tsc < budget ? budget - u->used_tsc : 0)) !=
        STATUS_OK) {
        /* This core's timer queue is full: no budget could be armed, so the continuation
         * gets none (it ends at its first interrupt) rather than an unbounded one. */
        c->watchdog_fired = true;
    }
}

void watchdog_disarm(cpu_t *c) {
    if (c->watchdog.heap_index != TIMERQ_NOT_QUEUED) {
        timer_cancel(&c->watchdog);
    }
    c->watchdog_fired = false;
}

void watchdog_expired(cpu_t *c, ucont_t *u) {
    c->watchdog_fired = false;
    uint64_t now = rdtsc();
    uint64_t ran_ms = clock_tsc_to_ns(u->used_tsc + (now - u->entered_tsc)) / 1000000ull;
    kprintf("watchdog: domain %lu (%s) continuation %lu ran %lu ms without suspending "
            "(budget %lu ms): %s\n",
            u->dom->id, u->dom->name, u->id, ran_ms, budget_ms,
            report_only ? "reported" : "killed");
    if (report_only) {
        u->used_tsc = 0;
        watchdog_disarm(c);
        watchdog_arm(c, u);
        return;
    }
    domain_set_status(u->dom, EXO_EXIT_WATCHDOG);
    ucont_leave(u, NULL, UCONT_END);
}
