/*
 * What the kernel tells the shell about the system (shell.h): the boot modules (ls, and
 * which commands name apps), the domains and cores (ps), memory (mem) and the shell's own
 * caps (caps). Each reads the kernel's figures once and prints them; nothing is kept
 * between commands but the module list, which never changes after boot.
 */
#include "shell.h"

#define MODULES_MAX 64
#define PS_DOMAINS 128
#define PS_CPUS 64
#define CAPS_MAX 256

static exo_module_entry_t modules[MODULES_MAX];
static uint32_t nmodules;

void sysview_init(void) {
    int64_t n = exo_module_list(modules, MODULES_MAX);
    if (n < 0) {
        exo_printf("shell: cannot list the boot modules: %s\n", status_str((status_t)n));
        n = 0;
    }
    nmodules = (uint32_t)n;
}

const exo_module_entry_t *sysview_module(const char *name) {
    for (uint32_t i = 0; i < nmodules; i++) {
        if (strcmp(modules[i].name, name) == 0) {
            return &modules[i];
        }
    }
    return NULL;
}

void sysview_ls(void) {
    exo_printf("apps (run one by name, with arguments; add & to run it in the background):\n");
    uint32_t files = 0;
    for (uint32_t i = 0; i < nmodules; i++) {
        const exo_module_entry_t *m = &modules[i];
        if (m->flags & EXO_MODULE_ELF) {
            exo_printf("  %-12s %6lu KiB\n", m->name, (m->size + 1023) / 1024);
        } else {
            files++;
        }
    }
    if (files) {
        exo_printf("other boot modules (not apps):\n");
        for (uint32_t i = 0; i < nmodules; i++) {
            const exo_module_entry_t *m = &modules[i];
            if (!(m->flags & EXO_MODULE_ELF)) {
                exo_printf("  %-12s %6lu bytes  %s\n", m->name, m->size, m->path);
            }
        }
    }
}

static const char *domain_state(uint32_t state) {
    switch (state) {
    case EXO_DOMAIN_NEW:
        return "new";
    case EXO_DOMAIN_RUNNING:
        return "running";
    case EXO_DOMAIN_DYING:
        return "dying";
    case EXO_DOMAIN_ENDED:
        return "ended";
    default:
        return "?";
    }
}

static const char *domain_name(const exo_domain_entry_t *d, uint32_t n, uint64_t id) {
    for (uint32_t i = 0; i < n; i++) {
        if (d[i].id == id) {
            return d[i].name;
        }
    }
    return "?";
}

void sysview_ps(void) {
    static exo_domain_entry_t doms[PS_DOMAINS];
    static exo_cpu_entry_t cpus[PS_CPUS];
    exo_domain_list_t req = {.domains = (uint64_t)(uintptr_t)doms,
                             .cpus = (uint64_t)(uintptr_t)cpus,
                             .max_domains = PS_DOMAINS,
                             .max_cpus = PS_CPUS};
    int64_t st = exo_domain_list(&req);
    if (st < 0 && st != ERR_TOO_BIG) {
        exo_printf("ps: cannot list the domains: %s\n", status_str((status_t)st));
        return;
    }
    exo_printf("  ID PARENT STATE   CONTS STATUS NAME\n");
    char buf[24];
    for (uint32_t i = 0; i < req.ndomains; i++) {
        const exo_domain_entry_t *d = &doms[i];
        const char *status = "-";
        if (d->state == EXO_DOMAIN_ENDED || d->state == EXO_DOMAIN_DYING) {
            fmt_snprintf(buf, sizeof(buf), "%ld", d->status);
            status = buf;
        }
        const job_t *j = jobs_find(d->id);
        const char *mark = "";
        if (j) {
            mark = j->background ? "  (job, background)" : "  (job)";
        } else if (d->id == exo_start_info()->domain_id) {
            mark = "  (this shell)";
        }
        exo_printf("%4lu %6lu %-8s %5u %6s %s%s\n", d->id, d->parent_id, domain_state(d->state),
                   d->conts, status, d->name, mark);
    }
    if (req.total_domains > req.ndomains) {
        exo_printf("... and %lu more domains\n", req.total_domains - req.ndomains);
    }
    for (uint32_t i = 0; i < req.ncpus; i++) {
        const exo_cpu_entry_t *c = &cpus[i];
        if (c->state == EXO_CPU_USER) {
            exo_printf("core %u: domain %lu (%s), continuation %lu\n", c->cpu, c->domain_id,
                       domain_name(doms, req.ndomains, c->domain_id), c->cont_id);
        } else {
            exo_printf("core %u: %s\n", c->cpu, c->state == EXO_CPU_IDLE ? "idle" : "kernel work");
        }
    }
}

void sysview_mem(void) {
    exo_sysinfo_t s;
    int64_t st = exo_sysinfo(&s);
    if (st < 0) {
        exo_printf("mem: %s\n", status_str((status_t)st));
        return;
    }
    exo_printf("frames: %lu free (%lu MiB)\n", s.free_frames, s.free_frames * 4096 >> 20);
    exo_printf("kernel heap: %lu objects, %lu bytes, %lu pages\n", s.heap_objects, s.heap_bytes,
               s.heap_pages);
    exo_printf("regions: %lu; caps: %lu; rings: %lu; domains: %lu\n", s.regions, s.caps, s.rings,
               s.domains);
    exo_cap_info_t mem;
    if (exo_cap_info(exo_memory_cap(), &mem) == 0) {
        exo_printf("this shell's memory cap: %lu KiB budget, %lu KiB in use\n", mem.a >> 10,
                   mem.b >> 10);
    }
}

static const char *type_name(uint32_t type) {
    static const char *const names[CAP_TYPE_COUNT] = {
        [CAP_MEMORY] = "memory",       [CAP_REGION] = "region",
        [CAP_DOMAIN] = "domain",       [CAP_CONTINUATION] = "continuation",
        [CAP_ENDPOINT] = "endpoint",   [CAP_REPLY] = "reply",
        [CAP_RING] = "ring",           [CAP_TIMER] = "timer",
        [CAP_INTERRUPT] = "interrupt", [CAP_IOPORT] = "ioport",
        [CAP_MMIO] = "mmio",           [CAP_CONSOLE] = "console",
        [CAP_POWER] = "power",         [CAP_TRACE] = "trace",
    };
    return type < CAP_TYPE_COUNT && names[type] ? names[type] : "?";
}

/* The type's own rights (bits 8..15), by name. */
static const char *type_right(uint32_t type, uint32_t bit) {
    switch (type) {
    case CAP_MEMORY:
        return bit == 8 ? "alloc" : NULL;
    case CAP_DOMAIN:
        return bit == 8 ? "wait" : bit == 9 ? "kill" : bit == 10 ? "insert" : NULL;
    case CAP_CONTINUATION:
        return bit == 8 ? "join" : bit == 9 ? "cancel" : NULL;
    case CAP_ENDPOINT:
        return bit == 8 ? "send" : bit == 9 ? "recv" : NULL;
    case CAP_POWER:
        return bit == 8 ? "off" : bit == 9 ? "reboot" : NULL;
    case CAP_TRACE:
        return bit == 8 ? "control" : bit == 9 ? "read" : NULL;
    default:
        return NULL;
    }
}

static void rights_text(uint32_t type, uint32_t rights, char *buf, size_t n) {
    static const char generic[] = "RWXGD";
    size_t len = 0;
    for (uint32_t b = 0; b < 5 && len + 1 < n; b++) {
        buf[len++] = rights & (1u << b) ? generic[b] : '-';
    }
    buf[len] = '\0';
    for (uint32_t b = 8; b < 16; b++) {
        if (rights & (1u << b)) {
            const char *r = type_right(type, b);
            int k = r ? fmt_snprintf(buf + len, n - len, " %s", r)
                      : fmt_snprintf(buf + len, n - len, " bit%u", b);
            len = len + (size_t)k < n ? len + (size_t)k : n - 1;
        }
    }
}

void sysview_caps(void) {
    static exo_cap_entry_t caps[CAPS_MAX];
    int64_t n = exo_cap_list(caps, CAPS_MAX);
    if (n < 0) {
        exo_printf("caps: cannot list them: %s\n", status_str((status_t)n));
        return;
    }
    exo_printf("HANDLE     TYPE         RIGHTS                WHAT\n");
    for (int64_t i = 0; i < n; i++) {
        const exo_cap_entry_t *c = &caps[i];
        const exo_cap_info_t *in = &c->info;
        char rights[48], what[64] = "";
        rights_text(in->type, in->rights, rights, sizeof(rights));
        switch (in->type) {
        case CAP_REGION:
            fmt_snprintf(what, sizeof(what), "0x%lx, %lu KiB%s", in->a, in->b >> 10,
                         in->mapped ? ", mapped" : "");
            break;
        case CAP_MEMORY:
            fmt_snprintf(what, sizeof(what), "%lu KiB budget, %lu KiB in use", in->a >> 10,
                         in->b >> 10);
            break;
        case CAP_DOMAIN:
            fmt_snprintf(what, sizeof(what), "domain %lu", in->a);
            break;
        case CAP_ENDPOINT:
            fmt_snprintf(what, sizeof(what), "badge %lu, %lu queued", c->badge, in->b);
            break;
        default:
            break;
        }
        if (what[0]) {
            exo_printf("0x%-8lx %-12s %-21s %s\n", c->handle, type_name(in->type), rights, what);
        } else {
            exo_printf("0x%-8lx %-12s %s\n", c->handle, type_name(in->type), rights);
        }
    }
}
