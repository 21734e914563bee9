/*
 * init: the first domain. With no scenario among its arguments (the kernel's init= words)
 * it starts the system: the services the boot config names (the kernel passes them as one
 * word, services=a,b,c: docs/boot.md), then the shell, which gets a console cap that can
 * read, most of init's memory, the power cap and the trace cap; when the shell ends, init
 * kills the services and ends with the shell's status.
 *
 * With the word boottimes among its arguments (the kernel adds it when its command line has
 * it) the shell gets it too, and prints the TSC at its first prompt (docs/performance.md).
 *
 * Otherwise it runs the test scenarios its arguments name and exits 0 only if all passed:
 *   hello      start hello, expect status 0
 *   isolation  a victim domain runs while probes read and write its memory, read the
 *              kernel and jump into its code: each probe must be killed by a fault, the
 *              victim must end with 0
 *   watchdog   spin must be killed by the watchdog, then hello must still run
 *   fpu        the fpu app's SSE/AVX check across suspensions and cores
 *   caps       capattack's attacks on the capability checks (forged, stale and
 *              misused handles, rights, quotas, a full table, a child with no caps):
 *              every check must give its specific error, capattack must end with 0
 *   revoke     sharer revokes a region three readers keep reading on other cores: each
 *              reader must be killed by a fault, sharer must end with 0
 *   rings      every ringtest mode (nops, timeouts, link, backpressure, errors, wait), in
 *              trap mode and on an SQPOLL ring, then ringfuzz (random SQEs, a leak check):
 *              each must end with 0
 *   cont       conttest: userlib's continuation DAGs (start, then, join, wait), sleeping
 *              and the wall clock: every check must pass, nothing may leak
 *   bench      trapbench
 *   ringbench  ringbench (ring nops against the null trap)
 *   ipcbench   ipcbench (calls, round trips across cores, region moves and copies);
 *              ipcbench-quick runs it with a tenth of the iterations
 *   suite      bench, the benchmark suite against Linux (scripts/bench); suite-quick runs
 *              it with a hundredth of the counts (the ctest)
 *   console    conecho reads a line from the console (the test runner types it on the
 *              serial line or presses it on the PS/2 keyboard): init's console cap must
 *              have READ and WRITE, a child from exo_domain_start must not be able to
 *              read, one given READ must read and echo the line
 *   libc       libctest: the C library's conformance sample (qemu.libc compares its lines
 *              with the host's), then time, the console as stdio, exit(7)
 *   ipc        ipctest errors, pingpong (100 000 calls), ringcall and death; ipcmove move,
 *              moveremote and share (zero-copy moves and a read-only share): each must
 *              end with 0
 *   objstore   storeuser demo: the objstore server hands out handles as badged endpoint
 *              caps; a second client's copy without GRANT cannot be passed on, re-badged
 *              or forged, a DROP revokes every copy, the server's end closes the
 *              endpoint, and the kernel's figures come back (apps/objstore/README.md)
 *   introspect the calls that list domains, cores, boot modules and caps, and SYS_POWER's
 *              refusals: introspect gets a power cap without the power rights, every
 *              check must give its result or its specific error, it must end with 0
 *   trace      tracetest: SYS_TRACE's refusals, and a continuation's null traps read back
 *              from its core's trace buffer (init passes it the trace cap)
 *   all        hello isolation watchdog fpu caps revoke rings (not console: it needs
 *              input)
 */
#include <user/exo.h>

static int failures;

static int64_t run(const char *name, const char *args, exo_domain_info_t *info) {
    exo_domain_info_t local;
    info = info ? info : &local;
    int64_t id = exo_domain_start(name, args, info);
    if (id < 0) {
        exo_printf("init: cannot start %s: %s\n", name, status_str((status_t)id));
        return id;
    }
    return id;
}

static void expect(const char *what, int64_t got, int64_t want) {
    bool ok = got == want;
    exo_printf("init: %s: status %ld, expected %ld: %s\n", what, got, want, ok ? "PASS" : "FAIL");
    failures += !ok;
}

static void run_and_expect(const char *name, const char *args, int64_t want) {
    int64_t id = run(name, args, NULL);
    expect(name, id < 0 ? id : exo_domain_wait((uint64_t)id), want);
}

static void scenario_isolation(void) {
    exo_domain_info_t victim;
    int64_t vid = run("victim", "victim 1500", &victim);
    if (vid < 0) {
        failures++;
        return;
    }
    /* Let the victim set up (and print its line, which the tests expect before the first
     * probe's fault) before the probes start: on several cores one yield is not enough. */
    for (uint64_t t0 = exo_clock_ns(); exo_clock_ns() - t0 < 100000000ull;) {
        exo_yield(0);
    }
    char args[96];
    fmt_snprintf(args, sizeof(args), "probe read 0x%lx", victim.image_base + 64);
    run_and_expect("probe", args, EXO_EXIT_FAULT);
    fmt_snprintf(args, sizeof(args), "probe write 0x%lx", victim.image_base + 64);
    run_and_expect("probe", args, EXO_EXIT_FAULT);
    run_and_expect("probe", "probe kread", EXO_EXIT_FAULT);
    fmt_snprintf(args, sizeof(args), "probe jump 0x%lx", victim.entry);
    run_and_expect("probe", args, EXO_EXIT_FAULT);
    run_and_expect("probe", "probe null", EXO_EXIT_FAULT);
    run_and_expect("probe", "probe badptr", 0);
    run_and_expect("probe", "probe acflag", EXO_EXIT_FAULT);
    uint64_t t0 = exo_clock_ns();
    run_and_expect("probe", "probe orphan", EXO_EXIT_FAULT); /* its child lives 3 s */
    uint64_t ms = (exo_clock_ns() - t0) / 1000000;
    exo_printf("init: killed domain with a waiting continuation ended after %lu ms: %s\n", ms,
               ms < 2000 ? "PASS" : "FAIL");
    failures += ms >= 2000;
    expect("victim", exo_domain_wait((uint64_t)vid), 0);
}

/* ringtest's modes, each in trap mode and on an SQPOLL ring, then the fuzzer. */
static void scenario_rings(void) {
    static const char *const modes[] = {
        "nops 1000000", "timeouts", "link", "backpressure", "errors", "wait",
    };
    char args[64];
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        fmt_snprintf(args, sizeof(args), "ringtest %s", modes[i]);
        run_and_expect("ringtest", args, 0);
        fmt_snprintf(args, sizeof(args), "ringtest %s poll", modes[i]);
        run_and_expect("ringtest", args, 0);
    }
    run_and_expect("ringfuzz", "ringfuzz 1 100000", 0);
    run_and_expect("ringcont", "ringcont", 0);
}

static void scenario_ipc(void) {
    run_and_expect("ipctest", "ipctest errors", 0);
    run_and_expect("ipctest", "ipctest pingpong 100000", 0);
    run_and_expect("ipctest", "ipctest ringcall 10000", 0);
    run_and_expect("ipctest", "ipctest death", 0);
    run_and_expect("ipcmove", "ipcmove move", 0);
    run_and_expect("ipcmove", "ipcmove moveremote", 0);
    run_and_expect("ipcmove", "ipcmove share", 0);
}

static void scenario_console(void) {
    uint32_t rw = CAP_RIGHT_READ | CAP_RIGHT_WRITE;
    exo_cap_info_t ci = {0};
    bool ok = exo_cap_info(exo_console_cap(), &ci) == 0 && (ci.rights & rw) == rw;
    exo_printf("init: console cap rights 0x%x, read and write: %s\n", ci.rights,
               ok ? "PASS" : "FAIL");
    failures += !ok;
    run_and_expect("conecho", "conecho noread", 0); /* exo_domain_start: a write-only copy */
    exo_domain_spawn_t req = exo_spawn_request("conecho", "conecho");
    req.caps[req.ncaps++] =
        (exo_spawn_cap_t){.handle = exo_console_cap(), .rights = rw | CAP_RIGHT_DERIVE};
    int64_t id = exo_domain_spawn(&req);
    if (id < 0) {
        exo_printf("init: cannot start conecho: %s\n", status_str((status_t)id));
    }
    expect("conecho", id < 0 ? id : exo_domain_wait((uint64_t)id), 0);
}

static void scenario_introspect(void) {
    exo_domain_spawn_t req = exo_spawn_request("introspect", "introspect");
    exo_spawn_add_console(&req, CAP_RIGHT_WRITE);
    req.caps[req.ncaps++] = (exo_spawn_cap_t){.handle = exo_start_cap(CAP_POWER),
                                              .rights = CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE};
    int64_t id = exo_domain_spawn(&req);
    if (id < 0) {
        exo_printf("init: cannot start introspect: %s\n", status_str((status_t)id));
    }
    expect("introspect", id < 0 ? id : exo_domain_wait((uint64_t)id), 0);
}

static void scenario_trace(void) {
    exo_domain_spawn_t req = exo_spawn_request("tracetest", "tracetest");
    exo_spawn_add_console(&req, CAP_RIGHT_WRITE);
    req.caps[req.ncaps++] =
        (exo_spawn_cap_t){.handle = exo_start_cap(CAP_TRACE), .rights = CAP_RIGHTS_TRACE};
    int64_t id = exo_domain_spawn(&req);
    if (id < 0) {
        exo_printf("init: cannot start tracetest: %s\n", status_str((status_t)id));
    }
    expect("tracetest", id < 0 ? id : exo_domain_wait((uint64_t)id), 0);
}

static void scenario(const char *name) {
    exo_printf("init: scenario %s\n", name);
    if (strcmp(name, "hello") == 0) {
        run_and_expect("hello", "hello world", 0);
    } else if (strcmp(name, "isolation") == 0) {
        scenario_isolation();
    } else if (strcmp(name, "watchdog") == 0) {
        run_and_expect("spin", "spin", EXO_EXIT_WATCHDOG);
        run_and_expect("hello", "hello after the watchdog", 0);
    } else if (strcmp(name, "fpu") == 0) {
        run_and_expect("fpu", "fpu", 0);
    } else if (strcmp(name, "caps") == 0) {
        run_and_expect("capattack", "capattack", 0);
    } else if (strcmp(name, "revoke") == 0) {
        run_and_expect("sharer", "sharer", 0);
    } else if (strcmp(name, "ringcont") == 0) {
        run_and_expect("ringcont", "ringcont", 0);
    } else if (strcmp(name, "cont") == 0) {
        run_and_expect("conttest", "conttest", 0);
    } else if (strcmp(name, "rings") == 0) {
        scenario_rings();
    } else if (strcmp(name, "libc") == 0) {
        run_and_expect("libctest", "libctest", 7);
    } else if (strcmp(name, "ipc") == 0) {
        scenario_ipc();
    } else if (strcmp(name, "objstore") == 0) {
        run_and_expect("storeuser", "storeuser demo", 0);
    } else if (strcmp(name, "introspect") == 0) {
        scenario_introspect();
    } else if (strcmp(name, "trace") == 0) {
        scenario_trace();
    } else if (strcmp(name, "console") == 0) {
        scenario_console();
    } else if (strcmp(name, "bench") == 0) {
        run_and_expect("trapbench", "trapbench", 0);
    } else if (strcmp(name, "ringbench") == 0) {
        run_and_expect("ringbench", "ringbench", 0);
    } else if (strcmp(name, "ipcbench") == 0) {
        run_and_expect("ipcbench", "ipcbench", 0);
    } else if (strcmp(name, "ipcbench-quick") == 0) {
        run_and_expect("ipcbench", "ipcbench quick", 0);
    } else if (strcmp(name, "suite") == 0) {
        run_and_expect("bench", "bench", 0);
    } else if (strcmp(name, "suite-quick") == 0) {
        run_and_expect("bench", "bench quick", 0);
    } else if (strcmp(name, "all") == 0) {
        scenario("hello");
        scenario("isolation");
        scenario("watchdog");
        scenario("fpu");
        scenario("caps");
        scenario("revoke");
        scenario("rings");
    } else {
        exo_printf("init: unknown scenario %s\n", name);
        failures++;
    }
}

#define SERVICES_MAX 8
#define INIT_KEEPS (8ull << 20) /* of init's memory: for the services' and the shell's images */

static int64_t services[SERVICES_MAX];
static int nservices;

/* Starts each service of list (names separated by commas), each with exo_domain_start's
 * share of init's memory and a write-only console. */
static void start_services(const char *list) {
    char name[32];
    for (const char *p = list; *p;) {
        size_t n = 0;
        while (p[n] && p[n] != ',') {
            n++;
        }
        if (n > 0 && n < sizeof(name)) {
            memcpy(name, p, n);
            name[n] = '\0';
            exo_domain_info_t info;
            int64_t h =
                nservices < SERVICES_MAX ? exo_domain_start(name, name, &info) : ERR_TOO_BIG;
            if (h < 0) {
                exo_printf("init: cannot start service %s: %s\n", name, status_str((status_t)h));
            } else {
                services[nservices++] = h;
                exo_printf("init: service %s is domain %lu\n", name, info.id);
            }
        } else if (n > 0) {
            exo_printf("init: service name too long: %.*s\n", (int)n, p);
        }
        p += n + (p[n] == ',');
    }
}

/* The shell, with the console (it reads it), most of init's memory, the power cap and the
 * trace cap. */
static int64_t start_shell(bool boottimes) {
    exo_domain_spawn_t req = exo_spawn_request("shell", boottimes ? "shell boottimes" : "shell");
    exo_cap_info_t mem;
    if (exo_cap_info(exo_memory_cap(), &mem) == 0) {
        uint64_t free = mem.a - mem.b;
        req.budget = (free > 2 * INIT_KEEPS ? free - INIT_KEEPS : free / 2) & ~4095ull;
    }
    req.caps[req.ncaps++] = (exo_spawn_cap_t){.handle = exo_console_cap(),
                                              .rights = CAP_RIGHT_READ | CAP_RIGHT_WRITE |
                                                        CAP_RIGHT_GRANT | CAP_RIGHT_DERIVE};
    exo_handle_t power = exo_start_cap(CAP_POWER);
    if (power != EXO_HANDLE_NONE) {
        req.caps[req.ncaps++] = (exo_spawn_cap_t){.handle = power, .rights = CAP_RIGHTS_POWER};
    }
    exo_handle_t trace = exo_start_cap(CAP_TRACE);
    if (trace != EXO_HANDLE_NONE) {
        req.caps[req.ncaps++] = (exo_spawn_cap_t){.handle = trace, .rights = CAP_RIGHTS_TRACE};
    }
    int64_t h = exo_domain_spawn(&req);
    if (h < 0) {
        exo_printf("init: cannot start the shell: %s\n", status_str((status_t)h));
        return h;
    }
    int64_t status = exo_domain_wait((uint64_t)h);
    exo_printf("init: the shell ended with status %ld\n", status);
    for (int i = 0; i < nservices; i++) {
        exo_domain_kill((uint64_t)services[i]);
    }
    return status;
}

int main(int argc, char **argv) {
    const exo_start_t *s = exo_start_info();
    exo_printf("init: domain %lu, args \"%s\"\n", s->domain_id, s->args);
    const char *service_list = "";
    bool boottimes = false;
    int nscenarios = 0;
    for (int i = 0; i < argc && s->args_len > 0; i++) {
        if (strncmp(argv[i], "services=", 9) == 0) {
            service_list = argv[i] + 9;
        } else if (strcmp(argv[i], "boottimes") == 0) {
            boottimes = true;
        } else {
            nscenarios++;
        }
    }
    if (nscenarios == 0) {
        start_services(service_list);
        return start_shell(boottimes);
    }
    for (int i = 0; i < argc && s->args_len > 0; i++) {
        if (strncmp(argv[i], "services=", 9) != 0 && strcmp(argv[i], "boottimes") != 0) {
            scenario(argv[i]);
        }
    }
    exo_printf("init: verdict %s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
