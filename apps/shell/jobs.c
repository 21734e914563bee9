/*
 * The apps the shell started (shell.h). Each job holds the domain cap exo_domain_start
 * returned (all domain rights: the shell may wait for it and kill it, and only it may) and
 * has an EXO_OP_WAIT pending on the shell's ring until it ends; then the cap is deleted,
 * which lets the kernel forget the domain. A foreground job is waited for while keys are
 * still read: Ctrl-C kills it, other keys are kept for the next prompt.
 */
#include "shell.h"

#define CTRL_C 0x03

static job_t jobs[JOBS_MAX];

const char *status_text(int64_t status, char *buf, size_t n) {
    switch (status) {
    case EXO_EXIT_KILLED:
        return "killed";
    case EXO_EXIT_FAULT:
        return "killed by a fault";
    case EXO_EXIT_WATCHDOG:
        return "killed by the watchdog";
    default:
        fmt_snprintf(buf, n, "status %ld", status);
        return buf;
    }
}

job_t *jobs_find(uint64_t id) {
    for (uint32_t i = 0; i < JOBS_MAX; i++) {
        if (jobs[i].used && jobs[i].id == id) {
            return &jobs[i];
        }
    }
    return NULL;
}

void jobs_ended(uint32_t slot, int64_t status) {
    job_t *j = &jobs[slot];
    if (!j->used || j->ended) {
        return;
    }
    j->ended = true;
    j->status = status;
    exo_cap_delete(j->dom);
    j->dom = 0;
}

static void report(job_t *j) {
    char buf[32];
    if (j->background) {
        exo_printf("[%lu] done: %s, %s\n", j->id, j->name,
                   status_text(j->status, buf, sizeof(buf)));
    } else if (j->status != 0) {
        exo_printf("exo: %s (domain %lu): %s\n", j->name, j->id,
                   status_text(j->status, buf, sizeof(buf)));
    }
    j->used = false;
}

void jobs_report(void) {
    for (uint32_t i = 0; i < JOBS_MAX; i++) {
        if (jobs[i].used && jobs[i].ended && jobs[i].background) {
            report(&jobs[i]);
        }
    }
}

/* Waits for j's end. With ctrl_c, a Ctrl-C typed meanwhile kills it; other bytes are kept
 * for the next prompt. */
static void wait_for(job_t *j, bool ctrl_c) {
    bool killed = false;
    while (!j->ended) {
        sh_event_t ev;
        sh_wait_event(&ev, false);
        if (ev.kind != SH_EV_INPUT) {
            continue;
        }
        for (size_t i = 0; i < ev.n; i++) {
            if (ev.bytes[i] == CTRL_C && ctrl_c) {
                if (!killed) {
                    exo_write("^C\n", 3);
                    exo_domain_kill(j->dom);
                    killed = true;
                }
            } else {
                sh_typeahead(ev.bytes + i, 1);
            }
        }
    }
}

void jobs_run(const command_t *cmd) {
    const char *name = cmd->argv[0];
    const exo_module_entry_t *m = sysview_module(name);
    if (m == NULL) {
        exo_printf("exo: unknown command: %s (`help` lists the builtins, `ls` the apps)\n", name);
        return;
    }
    if (!(m->flags & EXO_MODULE_ELF)) {
        exo_printf("exo: %s is a boot module but not an app\n", name);
        return;
    }
    char args[EXO_ARGS_MAX];
    if (command_join(cmd, args, sizeof(args)) >= sizeof(args)) {
        exo_printf("exo: %s: arguments too long (at most %d bytes)\n", name, EXO_ARGS_MAX - 1);
        return;
    }
    uint32_t slot = 0;
    while (slot < JOBS_MAX && jobs[slot].used) {
        slot++;
    }
    if (slot == JOBS_MAX) {
        exo_printf("exo: %d jobs run already: wait for one or kill one\n", JOBS_MAX);
        return;
    }
    exo_domain_info_t info;
    int64_t h = exo_domain_start(name, args, &info);
    if (h < 0) {
        exo_printf("exo: cannot start %s: %s\n", name, status_str((status_t)h));
        return;
    }
    job_t *j = &jobs[slot];
    *j = (job_t){.used = true, .background = cmd->background, .id = info.id, .dom = (uint64_t)h};
    size_t n = strnlen(name, sizeof(j->name) - 1);
    memcpy(j->name, name, n);
    int64_t st = sh_watch_domain(j->dom, slot);
    if (st < 0) { /* cannot happen: the ring has a slot for every job */
        exo_printf("exo: cannot watch %s: %s; killing it\n", name, status_str((status_t)st));
        exo_domain_kill(j->dom);
        exo_cap_delete(j->dom);
        j->used = false;
        return;
    }
    if (j->background) {
        exo_printf("[%lu] %s\n", j->id, j->name);
        return;
    }
    wait_for(j, true);
    report(j);
}

void jobs_kill(job_t *j) {
    if (!j->ended) {
        exo_domain_kill(j->dom);
        wait_for(j, false);
    }
    j->background = true; /* reported as a background job's end: "[id] done: ..." */
    report(j);
}

void jobs_kill_all(void) {
    for (uint32_t i = 0; i < JOBS_MAX; i++) {
        if (jobs[i].used) {
            jobs_kill(&jobs[i]);
        }
    }
}

void jobs_print(void) {
    bool any = false;
    char buf[32];
    for (uint32_t i = 0; i < JOBS_MAX; i++) {
        const job_t *j = &jobs[i];
        if (j->used) {
            exo_printf("[%lu] %s: %s\n", j->id, j->name,
                       j->ended ? status_text(j->status, buf, sizeof(buf)) : "running");
            any = true;
        }
    }
    if (!any) {
        exo_printf("jobs: none\n");
    }
}
