/*
 * Boot modules as domains. The loader brings every `module =` file of BOOT.CFG into
 * memory (bootinfo); apps are found by their file name without directory or extension,
 * in any case (\EXOSPACE\APPS\HELLO.ELF is "hello"); SYS_MODULE_LIST lists them. At the
 * end of boot the kernel starts `init`, passing it the init= words of the command line
 * (commas become spaces) and the services= list, with the root caps.
 */
#include <arch/mmu.h>
#include <caps/cap.h>
#include <dev/qemu_exit.h>
#include <domain/domain.h>
#include <domain/syscall.h>
#include <exo/syscall.h>
#include <kernel/boot.h>
#include <kernel/cmdline.h>
#include <kernel/fmt.h>
#include <kernel/kprintf.h>
#include <kernel/string.h>
#include <mm/budget.h>
#include <mm/physmap.h>
#include <mm/pmm.h>
#include <mm/uaccess.h>
#include <sched/sched.h>
#include <stdatomic.h>

static char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* True if the module path's base name (extension dropped) is name[0..len). */
static bool module_named(const char *path, const char *name, uint64_t len) {
    const char *base = path;
    for (const char *p = path; *p; p++) {
        if (*p == '\\' || *p == '/') {
            base = p + 1;
        }
    }
    uint64_t n = 0;
    while (base[n] && base[n] != '.') {
        n++;
    }
    if (n != len || len == 0) {
        return false;
    }
    for (uint64_t i = 0; i < n; i++) {
        if (lower(base[i]) != lower(name[i])) {
            return false;
        }
    }
    return true;
}

status_t module_find(const char *name, uint64_t len, const void **data, uint64_t *size) {
    for (uint32_t i = 0; i < boot_info.module_count; i++) {
        const bootinfo_module_t *m = &boot_info.modules[i];
        if (module_named(m->name, name, len)) {
            *data = phys_to_virt(m->base);
            *size = m->size;
            return STATUS_OK;
        }
    }
    return ERR_NOT_FOUND;
}

status_t domain_create_module(const char *name, uint64_t name_len, budget_t *budget,
                              uint64_t parent_id, domain_t **out, const char **why) {
    const void *elf;
    uint64_t size;
    char dname[DOMAIN_NAME_MAX];
    status_t st = module_find(name, name_len, &elf, &size);
    if (st != STATUS_OK) {
        *why = "no boot module of that name";
        return st;
    }
    uint64_t n = name_len < sizeof(dname) - 1 ? name_len : sizeof(dname) - 1;
    memcpy(dname, name, n);
    dname[n] = '\0';
    return domain_create(dname, elf, size, budget, parent_id, out, why);
}

/* init's root caps: a memory cap over all the RAM free now, which its own image and
 * stack are charged to (they become its children), the console, the machine's power and
 * kernel tracing. These are the only root caps of those objects: every other cap to them
 * descends from init's (docs/security-model.md). */
static status_t give_root_caps(domain_t *d, budget_t *root) {
    bool irq = caps_lock();
    cap_slot_t *mem = NULL, *con = NULL, *pwr = NULL, *trc = NULL;
    status_t st = cap_reserve(d, &mem);
    st = st ? st : cap_reserve(d, &con);
    st = st ? st : cap_reserve(d, &pwr);
    st = st ? st : cap_reserve(d, &trc);
    if (st == STATUS_OK) {
        cap_install_ref(mem, CAP_MEMORY, CAP_RIGHTS_MEMORY, root, NULL);
        cap_adopt_roots(d, mem); /* its image and stack */
        cap_install_ref(con, CAP_CONSOLE, CAP_RIGHTS_CONSOLE, &cap_console_object, NULL);
        cap_install_ref(pwr, CAP_POWER, CAP_RIGHTS_POWER, &cap_power_object, NULL);
        cap_install_ref(trc, CAP_TRACE, CAP_RIGHTS_TRACE, &cap_trace_object, NULL);
    } else {
        cap_slot_t *got[] = {mem, con, pwr, trc};
        for (uint32_t i = 0; i < 4; i++) {
            if (got[i]) {
                cspace_unreserve(got[i]);
            }
        }
    }
    caps_unlock(irq);
    return st;
}

/* The name a module is started by: its path's base name without extension, in lower
 * case, cut to fit out[n] (n >= 1). */
static void module_base_name(const char *path, char *out, uint64_t n) {
    const char *base = path;
    for (const char *p = path; *p; p++) {
        if (*p == '\\' || *p == '/') {
            base = p + 1;
        }
    }
    uint64_t i = 0;
    for (; base[i] && base[i] != '.' && i + 1 < n; i++) {
        out[i] = lower(base[i]);
    }
    out[i] = '\0';
}

static void module_entry(const bootinfo_module_t *m, exo_module_entry_t *e) {
    static const uint8_t elf_magic[4] = {0x7f, 'E', 'L', 'F'};
    memset(e, 0, sizeof(*e));
    module_base_name(m->name, e->name, sizeof(e->name));
    uint64_t n = strnlen(m->name, sizeof(m->name));
    n = n < sizeof(e->path) - 1 ? n : sizeof(e->path) - 1;
    memcpy(e->path, m->name, n);
    e->size = m->size;
    if (m->size >= 4 && memcmp(phys_to_virt(m->base), elf_magic, 4) == 0) {
        e->flags = EXO_MODULE_ELF;
    }
}

int64_t sys_module_list(uint64_t ptr, uint64_t max) {
    uint64_t count = boot_info.module_count;
    if (max == 0) {
        return (int64_t)count;
    }
    if (!user_array_ok(ptr, max, sizeof(exo_module_entry_t))) {
        return ERR_FAULT; /* decode: the whole array lies in the user half */
    }
    if (max < count) {
        return ERR_TOO_BIG;
    }
    for (uint64_t i = 0; i < count; i++) {
        exo_module_entry_t e;
        module_entry(&boot_info.modules[i], &e);
        status_t st = copy_to_user(ptr + i * sizeof(e), &e, sizeof(e));
        if (st != STATUS_OK) {
            return st;
        }
    }
    return (int64_t)count;
}

static domain_t *init_domain;
static cont_t init_ended;

/* init_done=exit: QEMU exits with init's verdict (tests). */
static void init_done_exit(cont_t *c) {
    (void)c;
    int64_t status = init_domain->status;
    kprintf("exospace: init ended with status %ld, exiting QEMU (init_done=exit)\n", status);
    qemu_exit(status == 0 ? QEMU_EXIT_PASS : QEMU_EXIT_FAIL);
}

void domain_start_init(const char *cmdline) {
    /* init's arguments: the init= words (commas become spaces), then services=a,b,c as
     * one word if the command line names services, then boottimes if it asks for the
     * boot phases (init passes it on to the shell: apps/init/init.c). */
    char args[EXO_ARGS_MAX];
    if (!cmdline_get(cmdline, "init", args, sizeof(args))) {
        args[0] = '\0';
    }
    for (char *p = args; *p; p++) {
        *p = *p == ',' ? ' ' : *p;
    }
    char services[EXO_ARGS_MAX];
    if (cmdline_get(cmdline, "services", services, sizeof(services)) && services[0]) {
        uint64_t n = strlen(args);
        fmt_snprintf(args + n, sizeof(args) - n, "%sservices=%s", n ? " " : "", services);
    }
    if (cmdline_has(cmdline, "boottimes")) {
        uint64_t n = strlen(args);
        fmt_snprintf(args + n, sizeof(args) - n, "%sboottimes", n ? " " : "");
    }
    const char *why = "";
    pmm_stats_t ps;
    pmm_get_stats(&ps);
    budget_t *root;
    status_t st = budget_create_root(ps.free_frames * PAGE_SIZE, &root);
    st = st ? st : domain_create_module("init", 4, root, 0, &init_domain, &why);
    st = st ? st : give_root_caps(init_domain, root);
    st = st ? st : domain_start(init_domain, args, strlen(args));
    if (root) {
        budget_unref(root); /* init's memory cap holds it now */
    }
    if (st != STATUS_OK) {
        kprintf("exospace: cannot start init: %s: %s\n", status_str(st), why);
        return;
    }
    kprintf("exospace: started init as domain %lu (args \"%s\")\n", init_domain->id, args);
    char v[16];
    if (cmdline_get(cmdline, "init_done", v, sizeof(v)) && strcmp(v, "exit") == 0) {
        cont_init(&init_ended, init_done_exit, NULL);
        event_wait(&init_domain->ended_ev, &init_ended);
    }
}
