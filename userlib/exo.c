/* The userlib API over the trap set (user/exo.h). */
#include <user/exo.h>
#include <user/trap.h>

void exo_cont_entry(void);

_Static_assert(SYS_CONT_EXIT == 2, "crt0.S hard-codes SYS_CONT_EXIT");

int64_t exo_write(const char *s, size_t n) {
    return exo_trap(SYS_CONSOLE_WRITE, exo_console_cap(), (uint64_t)(uintptr_t)s, n, 0, 0);
}

int64_t exo_console_read(void *buf, size_t n) {
    return exo_trap(SYS_CONSOLE_READ, exo_console_cap(), (uint64_t)(uintptr_t)buf, n, 0, 0);
}

void exo_exit(int64_t status) {
    exo_trap(SYS_EXIT, (uint64_t)status, 0, 0, 0, 0);
    __builtin_unreachable();
}

void exo_cont_exit(void) {
    exo_trap0(SYS_CONT_EXIT);
    __builtin_unreachable();
}

void exo_yield(uint32_t flags) {
    exo_trap(SYS_YIELD, flags, 0, 0, 0, 0);
}

/* The stack top for a continuation starting in exo_cont_entry, which calls fn (stored
 * just below the top); 0 for a bad stack. */
static uint64_t cont_stack(void (*fn)(void *arg), void *stack, size_t size) {
    uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
    if (stack == NULL || size < 64) {
        return 0;
    }
    top -= 16;
    *(void (**)(void *))top = fn;
    return top;
}

uint64_t exo_cont_entry_point(void) {
    return (uint64_t)(uintptr_t)exo_cont_entry;
}

int64_t exo_spawn(void (*fn)(void *arg), void *arg, void *stack, size_t size) {
    uint64_t top = cont_stack(fn, stack, size);
    return top ? exo_trap(SYS_SPAWN, exo_cont_entry_point(), (uint64_t)(uintptr_t)arg, top, 0, 0)
               : ERR_INVALID;
}

int64_t exo_cont_spawn(void (*fn)(void *arg), void *arg, void *stack, size_t size) {
    uint64_t top = cont_stack(fn, stack, size);
    return top ? exo_trap(SYS_CONT_SPAWN, exo_cont_entry_point(), (uint64_t)(uintptr_t)arg, top, 0,
                          0)
               : ERR_INVALID;
}

uint64_t exo_cont_stack_top(void (*fn)(void *arg), void *stack, size_t size) {
    return cont_stack(fn, stack, size);
}

int64_t exo_cont_cancel(exo_handle_t cont) {
    return exo_trap(SYS_CONT_CANCEL, cont, 0, 0, 0, 0);
}

int64_t exo_region_alloc_status(size_t size, uint32_t prot) {
    void *base;
    int64_t h = exo_region_alloc_cap(exo_memory_cap(), size, prot, &base);
    return h < 0 ? h : (int64_t)(uintptr_t)base;
}

void *exo_region_alloc(size_t size, uint32_t prot) {
    int64_t r = exo_region_alloc_status(size, prot);
    return r < 0 ? NULL : (void *)(uintptr_t)r;
}

uint64_t exo_parse_u64(const char *s) {
    uint64_t v = 0;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    for (;; s++) {
        char c = *s >= 'A' && *s <= 'F' ? (char)(*s - 'A' + 'a') : *s;
        unsigned d;
        if (c >= '0' && c <= '9') {
            d = (unsigned)(c - '0');
        } else if (base == 16 && c >= 'a' && c <= 'f') {
            d = (unsigned)(c - 'a' + 10);
        } else {
            return v;
        }
        v = v * base + d;
    }
}

uint64_t exo_clock_ns(void) {
    return (uint64_t)exo_trap0(SYS_CLOCK);
}

uint32_t exo_cpu(void) {
    return (uint32_t)exo_trap0(SYS_CPU);
}

int64_t exo_domain_list(exo_domain_list_t *req) {
    return exo_trap(SYS_DOMAIN_LIST, (uint64_t)(uintptr_t)req, 0, 0, 0, 0);
}

int64_t exo_module_list(exo_module_entry_t *out, uint64_t max) {
    return exo_trap(SYS_MODULE_LIST, (uint64_t)(uintptr_t)out, max, 0, 0, 0);
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
