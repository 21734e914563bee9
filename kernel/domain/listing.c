/*
 * SYS_DOMAIN_LIST (exo/syscall.h): every domain the kernel still lists, and what each core
 * runs at this moment, for a shell's `ps`. The domains are copied out in small batches
 * taken under the list lock (domain_list), so the kernel never holds a lock across a copy
 * to user memory and needs no buffer of the list's size; a domain made or freed between
 * two batches may be missed or shown, never shown twice (batches resume after the last id).
 */
#include <domain/domain.h>
#include <domain/syscall.h>
#include <exo/syscall.h>
#include <kernel/cpu.h>
#include <kernel/string.h>
#include <mm/uaccess.h>
#include <stdatomic.h>

#define LIST_BATCH 8 /* domain entries per pass under the lock (512 bytes of stack) */

/* Core c as seen now: the domain and continuation ids are two words, read until they
 * agree with each other (a core switching continuations meanwhile); a few tries, then
 * whatever was read last (it is a moment's picture either way). */
static void cpu_entry(const cpu_t *c, exo_cpu_entry_t *e) {
    uint64_t dom = 0, cont = 0;
    for (int tries = 0; tries < 4; tries++) {
        dom = atomic_load(&c->user_domain);
        cont = atomic_load_explicit(&c->user_cont, memory_order_relaxed);
        if (atomic_load(&c->user_domain) == dom) {
            break;
        }
    }
    memset(e, 0, sizeof(*e));
    e->cpu = c->index;
    if (dom != 0) {
        e->state = EXO_CPU_USER;
        e->domain_id = dom;
        e->cont_id = cont;
    } else {
        e->state = atomic_load(&c->idle) ? EXO_CPU_IDLE : EXO_CPU_KERNEL;
    }
    e->ran = atomic_load_explicit(&c->stats.ran, memory_order_relaxed);
}

int64_t sys_domain_list(uint64_t req_ptr) {
    /* decode: the request, its reserved words, both arrays entirely in the user half */
    exo_domain_list_t req;
    status_t st = copy_from_user(&req, req_ptr, sizeof(req));
    if (st != STATUS_OK) {
        return st;
    }
    if (req.reserved[0] || req.reserved[1]) {
        return ERR_INVALID;
    }
    if (!user_array_ok(req.domains, req.max_domains, sizeof(exo_domain_entry_t)) ||
        !user_array_ok(req.cpus, req.max_cpus, sizeof(exo_cpu_entry_t))) {
        return ERR_FAULT;
    }
    /* invoke: the domains in batches, then the cores, then the counts */
    exo_domain_entry_t batch[LIST_BATCH];
    uint64_t written = 0, after = 0, total = 0;
    for (;;) {
        uint64_t room = req.max_domains - written;
        uint64_t n = domain_list(after, batch, room < LIST_BATCH ? room : LIST_BATCH, &total);
        if (n == 0) {
            break;
        }
        st = copy_to_user(req.domains + written * sizeof(batch[0]), batch, n * sizeof(batch[0]));
        if (st != STATUS_OK) {
            return st;
        }
        written += n;
        after = batch[n - 1].id;
    }
    uint32_t ncpus = atomic_load(&cpu_count), cwritten = 0;
    for (uint32_t i = 0; i < ncpus && cwritten < req.max_cpus; i++) {
        if (cpus[i] == NULL) {
            continue;
        }
        exo_cpu_entry_t e;
        cpu_entry(cpus[i], &e);
        st = copy_to_user(req.cpus + cwritten * sizeof(e), &e, sizeof(e));
        if (st != STATUS_OK) {
            return st;
        }
        cwritten++;
    }
    req.ndomains = (uint32_t)written;
    req.ncpus = cwritten;
    req.total_domains = total > written ? total : written;
    req.total_cpus = ncpus;
    st = copy_to_user(req_ptr, &req, sizeof(req));
    if (st != STATUS_OK) {
        return st;
    }
    return req.total_domains > written || ncpus > cwritten ? ERR_TOO_BIG : 0;
}
