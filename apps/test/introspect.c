/*
 * introspect: the calls a shell shows the system with (SYS_DOMAIN_LIST, SYS_MODULE_LIST,
 * SYS_CAP_LIST) and SYS_POWER's refusals, for init's "introspect" scenario. Each check
 * prints one line:
 *   introspect: <what>: <got> (expected <want>): PASS|FAIL
 * init passes it a power cap without either power right (GRANT, DERIVE), so no check can
 * switch the machine off; every SYS_POWER here must fail before it acts.
 */
#include <user/exo.h>
#include <user/trap.h>

#define KERNEL_PTR 0xffff800000000000ull
#define UNMAPPED_PTR 0x1000ull

static int checks, failures;

static void expect_num(const char *what, int64_t got, int64_t want) {
    bool ok = got == want;
    checks++;
    failures += !ok;
    if (got < 0 || want < 0) {
        exo_printf("introspect: %s: %s (expected %s): %s\n", what,
                   got < 0 ? status_str((status_t)got) : "a count",
                   want < 0 ? status_str((status_t)want) : "a count", ok ? "PASS" : "FAIL");
    } else {
        exo_printf("introspect: %s: %ld (expected %ld): %s\n", what, got, want,
                   ok ? "PASS" : "FAIL");
    }
}

static void expect_true(const char *what, bool ok) {
    checks++;
    failures += !ok;
    exo_printf("introspect: %s: %s\n", what, ok ? "PASS" : "FAIL");
}

static int64_t domain_list_raw(uint64_t req) {
    return exo_trap(SYS_DOMAIN_LIST, req, 0, 0, 0, 0);
}

static void check_domain_list(void) {
    static exo_domain_entry_t doms[64];
    static exo_cpu_entry_t cpus[64];
    uint64_t self = exo_start_info()->domain_id;
    exo_domain_list_t req = {
        .domains = (uintptr_t)doms, .cpus = (uintptr_t)cpus, .max_domains = 64, .max_cpus = 64};
    expect_num("domain list", exo_domain_list(&req), 0);
    const exo_domain_entry_t *me = NULL, *init = NULL;
    bool ordered = true;
    for (uint32_t i = 0; i < req.ndomains; i++) {
        me = doms[i].id == self ? &doms[i] : me;
        init = doms[i].id == 1 ? &doms[i] : init;
        ordered &= i == 0 || doms[i - 1].id < doms[i].id;
    }
    expect_true("the list holds init and this domain, in id order", me && init && ordered);
    expect_num("domains written = domains there are", req.ndomains, (int64_t)req.total_domains);
    if (me) {
        expect_true("this domain: running, 1 continuation, named introspect, init's child",
                    me->state == EXO_DOMAIN_RUNNING && me->conts == 1 &&
                        strcmp(me->name, "introspect") == 0 && me->parent_id == 1);
    }
    bool on_core = false;
    for (uint32_t i = 0; i < req.ncpus; i++) {
        on_core |= cpus[i].state == EXO_CPU_USER && cpus[i].domain_id == self &&
                   cpus[i].cont_id == 1 && cpus[i].cpu == exo_cpu();
    }
    expect_true("its core shows it running continuation 1", on_core);
    expect_num("cores written = cores online", req.ncpus, (int64_t)req.total_cpus);

    exo_domain_list_t shortreq = {.domains = (uintptr_t)doms, .max_domains = 1};
    expect_num("a one-entry domain array", exo_domain_list(&shortreq), ERR_TOO_BIG);
    expect_true("... the first entry written, the counts set",
                shortreq.ndomains == 1 && doms[0].id == 1 && shortreq.total_domains >= 2 &&
                    shortreq.ncpus == 0 && shortreq.total_cpus >= 1);
    exo_domain_list_t counts = {0};
    expect_num("no arrays (the counts only)", exo_domain_list(&counts), ERR_TOO_BIG);
    expect_true("... the counts set", counts.total_domains >= 2 && counts.total_cpus >= 1);
    exo_domain_list_t bad = req;
    bad.reserved[1] = 1;
    expect_num("a reserved word set", exo_domain_list(&bad), ERR_INVALID);
    expect_num("the request in the kernel half", domain_list_raw(KERNEL_PTR), ERR_FAULT);
    expect_num("the request unmapped", domain_list_raw(UNMAPPED_PTR), ERR_FAULT);
    bad = req;
    bad.domains = KERNEL_PTR;
    expect_num("the domain array in the kernel half", exo_domain_list(&bad), ERR_FAULT);
    bad = req;
    bad.cpus = 0x00007ffffffffff0ull;
    expect_num("the core array across the user limit", exo_domain_list(&bad), ERR_FAULT);
    bad = req;
    bad.domains = (uintptr_t)&check_domain_list; /* its own code: mapped, not writable */
    expect_num("the domain array in read-only code", exo_domain_list(&bad), ERR_FAULT);
}

static void check_module_list(void) {
    static exo_module_entry_t mods[64];
    int64_t n = exo_module_list(NULL, 0);
    expect_true("module count (max 0)", n >= 3);
    expect_num("module list", exo_module_list(mods, 64), n);
    bool hello = false, motd = false, self = false;
    for (int64_t i = 0; i < n && i < 64; i++) {
        hello |= strcmp(mods[i].name, "hello") == 0 && (mods[i].flags & EXO_MODULE_ELF) &&
                 mods[i].size > 0;
        motd |= strcmp(mods[i].name, "motd") == 0 && !(mods[i].flags & EXO_MODULE_ELF);
        self |= strcmp(mods[i].name, "introspect") == 0 &&
                strcmp(mods[i].path, "\\EXOSPACE\\APPS\\INTROSPECT.ELF") == 0;
    }
    expect_true("hello is an app, motd is not, introspect has its ESP path", hello && motd && self);
    expect_num("a module array one short", exo_module_list(mods, (uint64_t)n - 1), ERR_TOO_BIG);
    expect_num("the module array in the kernel half",
               exo_module_list((exo_module_entry_t *)KERNEL_PTR, 64), ERR_FAULT);
    expect_num("the module array unmapped", exo_module_list((exo_module_entry_t *)UNMAPPED_PTR, 64),
               ERR_FAULT);
    expect_num("a module array past the user limit", exo_module_list(mods, (uint64_t)1 << 60),
               ERR_FAULT);
}

static void check_cap_list(void) {
    static exo_cap_entry_t caps[64];
    int64_t n = exo_cap_list(NULL, 0);
    expect_true("cap count (max 0)", n >= 4);
    expect_num("cap list", exo_cap_list(caps, 64), n);
    bool same = true;
    for (int64_t i = 0; i < n && i < 64; i++) {
        exo_cap_info_t info;
        same &= exo_cap_info(caps[i].handle, &info) == 0 && info.type == caps[i].info.type &&
                info.rights == caps[i].info.rights && info.a == caps[i].info.a;
    }
    expect_true("every entry agrees with SYS_CAP_INFO on its handle", same);
    expect_true("the first two are its image and stack",
                n >= 2 && caps[0].info.type == CAP_REGION && caps[1].info.type == CAP_REGION);
    int64_t d = exo_cap_derive(exo_start_cap(CAP_POWER), CAP_RIGHT_GRANT);
    expect_num("one cap more after a derive", exo_cap_list(NULL, 0), n + 1);
    expect_num("the old length is now short", exo_cap_list(caps, (uint64_t)n), ERR_TOO_BIG);
    exo_cap_delete((uint64_t)d);
    expect_num("the cap array in the kernel half", exo_cap_list((exo_cap_entry_t *)KERNEL_PTR, 64),
               ERR_FAULT);
    expect_num("the cap array unmapped", exo_cap_list((exo_cap_entry_t *)UNMAPPED_PTR, 64),
               ERR_FAULT);
}

static void check_power(void) {
    exo_handle_t power = exo_start_cap(CAP_POWER);
    exo_cap_info_t info = {0};
    expect_true("init passed a power cap with no power right",
                power != EXO_HANDLE_NONE && exo_cap_info(power, &info) == 0 &&
                    info.type == CAP_POWER &&
                    !(info.rights & (CAP_RIGHT_POWER_OFF | CAP_RIGHT_POWER_REBOOT)));
    if (power == EXO_HANDLE_NONE ||
        (info.rights & (CAP_RIGHT_POWER_OFF | CAP_RIGHT_POWER_REBOOT))) {
        return; /* never risk a real power-off */
    }
    expect_num("power off without the right", exo_power(power, EXO_POWER_OFF), ERR_RIGHTS);
    expect_num("reboot without the right", exo_power(power, EXO_POWER_REBOOT), ERR_RIGHTS);
    expect_num("an unknown power operation", exo_power(power, 3), ERR_INVALID);
    expect_num("power operation 0", exo_power(power, 0), ERR_INVALID);
    expect_num("power off through the console cap", exo_power(exo_console_cap(), EXO_POWER_OFF),
               ERR_WRONG_TYPE);
    expect_num("power off through handle 0", exo_power(0, EXO_POWER_OFF), ERR_BAD_HANDLE);
    int64_t copy = exo_cap_derive(power, CAP_RIGHT_GRANT);
    exo_cap_delete((uint64_t)copy);
    expect_num("power off through a deleted cap", exo_power((uint64_t)copy, EXO_POWER_OFF),
               ERR_STALE);
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    check_domain_list();
    check_module_list();
    check_cap_list();
    check_power();
    exo_printf("introspect: %d checks, %d failed: %s\n", checks, failures,
               failures ? "FAIL" : "PASS");
    return failures;
}
