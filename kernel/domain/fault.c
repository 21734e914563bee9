/*
 * Entries from user mode other than SYSCALL (domain/uentry.h): demand mapping, the fault
 * report that kills a domain, and the checks made before an interrupt returns to ring 3.
 * The report is one line a test (or a person) can match:
 *
 *   fault: domain 4 (probe) continuation 1: #PF page fault, user read of 0x... (not
 *   mapped for this domain) at RIP 0x...: domain killed
 */
#include <domain/ucont.h>
#include <domain/uentry.h>
#include <domain/watchdog.h>
#include <exo/syscall.h>
#include <kernel/cpu.h>
#include <kernel/kprintf.h>
#include <kernel/panic.h>
#include <stdatomic.h>

static const char *access_name(uint32_t access) {
    switch (access) {
    case EXO_PROT_WRITE:
        return "write";
    case EXO_PROT_EXEC:
        return "instruction fetch";
    default:
        return "read";
    }
}

static const char *why_not(domain_t *d, const ufault_t *f, status_t st) {
    if (f->addr >= USER_ADDR_LIMIT) {
        return "kernel address";
    }
    if (st == ERR_PERM) {
        return "mapped without that right";
    }
    if (st == ERR_NO_MEMORY) {
        return "out of memory";
    }
    (void)d;
    return "not mapped for this domain";
}

void ufault_handle(const ufault_t *f, const user_regs_t *tf) {
    ucont_t *u = ucont_current();
    ASSERT(u != NULL);
    domain_t *d = u->dom;
    status_t st = ERR_NOT_FOUND;
    if (f->vector == 14 && f->addr < USER_ADDR_LIMIT) {
        st = view_fault(&d->view, f->addr, f->access);
        if (st == STATUS_OK) {
            return; /* demand-mapped: retry the instruction */
        }
    }
    if (f->vector == 14) {
        kprintf("fault: domain %lu (%s) continuation %lu: %s, user %s of 0x%lx (%s) at RIP "
                "0x%lx: domain killed\n",
                d->id, d->name, u->id, f->name, access_name(f->access), f->addr, why_not(d, f, st),
                f->rip);
    } else {
        kprintf("fault: domain %lu (%s) continuation %lu: %s, error 0x%lx at RIP 0x%lx: "
                "domain killed\n",
                d->id, d->name, u->id, f->name, f->error, f->rip);
    }
    (void)tf;
    domain_kill(d, EXO_EXIT_FAULT);
    ucont_leave(u, NULL, UCONT_END);
}

bool ufault_kernel_access(uint64_t addr, uint32_t access) {
    ucont_t *u = ucont_current();
    domain_t *d = u ? u->dom : this_cpu()->acting;
    if (d == NULL || addr >= USER_ADDR_LIMIT) {
        return false;
    }
    return view_fault(&d->view, addr, access) == STATUS_OK;
}

void uentry_irq_exit(const user_regs_t *tf) {
    (void)tf;
    cpu_t *c = this_cpu();
    ucont_t *u = c->current_user;
    if (u == NULL) {
        return;
    }
    if (ucont_must_end(u)) {
        ucont_leave(u, NULL, UCONT_END);
    }
    if (c->watchdog_fired) {
        watchdog_expired(c, u);
    }
}
