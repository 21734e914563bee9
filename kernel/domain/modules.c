/*
 * Boot modules as domains. The loader brings every `module =` file of BOOT.CFG into
 * memory (bootinfo); apps are found by their file name without directory or extension,
 * in any case (\EXOSPACE\APPS\HELLO.ELF is "hello"). At the end of boot the kernel starts
 * `init`, passing it the init= words of the command line (commas become spaces).
 */
#include <arch/mmu.h>
#include <caps/cap.h>
#include <dev/qemu_exit.h>
#include <domain/domain.h>
#include <exo/syscall.h>
#include <kernel/boot.h>
#include <kernel/cmdline.h>
#include <kernel/kprintf.h>
#include <kernel/string.h>
#include <mm/budget.h>
#include <mm/physmap.h>
#include <mm/pmm.h>
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
 * stack are charged to (they become its children), and the console. */
static status_t give_root_caps(domain_t *d, budget_t *root) {
    bool irq = caps_lock();
    cap_slot_t *mem, *con;
    status_t st = cap_reserve(d, &mem);
    if (st == STATUS_OK && (st = cap_reserve(d, &con)) != STATUS_OK) {
        cspace_unreserve(mem);
    }
    if (st == STATUS_OK) {
        cap_install_ref(mem, CAP_MEMORY, CAP_RIGHTS_MEMORY, root, NULL);
        cap_adopt_roots(d, mem); /* its image and stack */
        cap_install_ref(con, CAP_CONSOLE, CAP_RIGHTS_CONSOLE, &cap_console_object, NULL);
    }
    caps_unlock(irq);
    return st;
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
    char args[EXO_ARGS_MAX];
    if (!cmdline_get(cmdline, "init", args, sizeof(args))) {
        args[0] = '\0';
    }
    for (char *p = args; *p; p++) {
        *p = *p == ',' ? ' ' : *p;
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
