/*
 * The watchdog: there is no preemption, so each user continuation gets a CPU budget, the
 * time it may run before it next suspends (yield, wait) or ends. A continuation that
 * exceeds it is reported and, by default, killed; with watchdog_action=report it is only
 * reported and gets a fresh budget. Budget: watchdog=<ms> on the kernel command line.
 */
#pragma once

#include <kernel/cpu.h>
#include <stdint.h>

struct ucont;

#define WATCHDOG_DEFAULT_MS 2000

/* Reads watchdog= and watchdog_action= from the command line. */
void watchdog_init(const char *cmdline);
/* Before entering user mode with u on core c (interrupts off): arms c's budget timer. */
void watchdog_arm(cpu_t *c, struct ucont *u);
/* After leaving user mode: cancels it. */
void watchdog_disarm(cpu_t *c);
/* From an interrupt that arrived in u's user mode after the budget timer fired: reports,
 * then kills u (never returns) or restarts its budget (returns). */
void watchdog_expired(cpu_t *c, struct ucont *u);

uint64_t watchdog_budget_ms(void);
