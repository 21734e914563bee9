/* Domains (user/domain.h): this domain's end, children, the kernel's lists and counts,
 * power. */
#include <user/exo.h>
#include <user/trap.h>

void exo_exit(int64_t status) {
    exo_trap(SYS_EXIT, (uint64_t)status, 0, 0, 0, 0);
    __builtin_unreachable();
}

exo_domain_spawn_t exo_spawn_request(const char *name, const char *args) {
    return (exo_domain_spawn_t){.name = (uint64_t)(uintptr_t)name,
                                .name_len = strlen(name),
                                .args = (uint64_t)(uintptr_t)args,
                                .args_len = strlen(args),
                                .memory = exo_memory_cap()};
}

bool exo_spawn_add_console(exo_domain_spawn_t *req, uint32_t rights) {
    exo_cap_info_t con;
    uint32_t copy = CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE; /* what passing a copy needs */
    if (req->ncaps >= EXO_SPAWN_CAPS || exo_cap_info(exo_console_cap(), &con) != 0 ||
        (con.rights & copy) != copy) {
        return false;
    }
    req->caps[req->ncaps++] =
        (exo_spawn_cap_t){.handle = exo_console_cap(), .rights = con.rights & rights};
    return true;
}

int64_t exo_domain_spawn(const exo_domain_spawn_t *req) {
    return exo_trap(SYS_DOMAIN_START, (uint64_t)(uintptr_t)req, 0, 0, 0, 0);
}

uint64_t exo_child_budget(void) {
    exo_cap_info_t mem;
    if (exo_cap_info(exo_memory_cap(), &mem) != 0) {
        return 0;
    }
    return ((mem.a - mem.b) / EXO_CHILD_BUDGET_PART) & ~4095ull;
}

int64_t exo_domain_start(const char *name, const char *args, exo_domain_info_t *info) {
    exo_domain_spawn_t req = exo_spawn_request(name, args);
    req.budget = exo_child_budget();
    req.info = (uint64_t)(uintptr_t)info;
    exo_spawn_add_console(&req, CAP_RIGHT_WRITE | CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE);
    return exo_domain_spawn(&req);
}

int64_t exo_domain_wait(exo_handle_t domain) {
    return exo_trap(SYS_DOMAIN_WAIT, domain, 0, 0, 0, 0);
}

int64_t exo_domain_kill(exo_handle_t domain) {
    return exo_trap(SYS_DOMAIN_KILL, domain, 0, 0, 0, 0);
}

int64_t exo_domain_list(exo_domain_list_t *req) {
    return exo_trap(SYS_DOMAIN_LIST, (uint64_t)(uintptr_t)req, 0, 0, 0, 0);
}

int64_t exo_module_list(exo_module_entry_t *out, uint64_t max) {
    return exo_trap(SYS_MODULE_LIST, (uint64_t)(uintptr_t)out, max, 0, 0, 0);
}

int64_t exo_sysinfo(exo_sysinfo_t *out) {
    return exo_trap(SYS_SYSINFO, (uint64_t)(uintptr_t)out, 0, 0, 0, 0);
}

bool exo_sysinfo_same(const exo_sysinfo_t *a, const exo_sysinfo_t *b) {
    return a->heap_objects == b->heap_objects && a->heap_bytes == b->heap_bytes &&
           a->regions == b->regions && a->caps == b->caps && a->rings == b->rings &&
           a->domains == b->domains &&
           a->free_frames + a->heap_pages == b->free_frames + b->heap_pages;
}

void exo_sysinfo_quiet(exo_sysinfo_t *out) {
    exo_sysinfo(out);
    for (uint64_t t0 = exo_clock_ns(); exo_clock_ns() - t0 < 2000 * 1000000ull;) {
        for (uint64_t t1 = exo_clock_ns(); exo_clock_ns() - t1 < 10 * 1000000ull;) {
            exo_yield(0);
        }
        exo_sysinfo_t again;
        exo_sysinfo(&again);
        if (exo_sysinfo_same(out, &again)) {
            return;
        }
        *out = again;
    }
}

bool exo_sysinfo_settle(const exo_sysinfo_t *before, exo_sysinfo_t *now, uint64_t ms) {
    for (uint64_t t0 = exo_clock_ns();;) {
        exo_sysinfo(now);
        if (exo_sysinfo_same(before, now)) {
            return true;
        }
        if (exo_clock_ns() - t0 >= ms * 1000000ull) {
            return false;
        }
        exo_yield(0);
    }
}

int64_t exo_power(exo_handle_t power, uint32_t op) {
    return exo_trap(SYS_POWER, power, op, 0, 0, 0);
}
