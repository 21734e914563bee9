/*
 * The interactive shell (docs/shell.md). Its parts, one concept a file:
 *   main.c      start-up, the prompt loop, and waiting: one ring holds a console read and
 *               an EXO_OP_WAIT for every job, so the shell sleeps until a key or an end
 *   jobs.c      the apps it started (domain caps it holds): foreground, background, kill
 *   builtins.c  the builtin table, help, kill, jobs, poweroff, reboot, exit
 *   sysview.c   what the kernel reports: ls (boot modules), ps, mem, caps
 *   trace.c     the trace builtin: kernel tracing on, off, clear, records shown or dumped
 *   lineedit.c, history.c, parse.c: pure, host-tested (test/host)
 */
#pragma once

#include "lineedit.h"
#include "parse.h"

#include <user/exo.h>
#include <user/ring.h>

/* ---- main.c: events ---- */

typedef enum sh_event_kind {
    SH_EV_INPUT = 1, /* bytes typed: ev.bytes[0..ev.n) */
    SH_EV_JOB_END,   /* a job ended (jobs.c has marked it already) */
} sh_event_kind_t;

typedef struct sh_event {
    sh_event_kind_t kind;
    const uint8_t *bytes;
    size_t n;
} sh_event_t;

/* Waits for the next event. With typeahead, bytes typed ahead and not yet used come
 * first (at the prompt); without, they stay for later (while a job runs). */
void sh_wait_event(sh_event_t *ev, bool typeahead);
/* The lines entered so far (the editor adds them). */
extern history_t sh_history;
/* Keeps bytes typed while a job ran, for the next prompt (what does not fit is dropped). */
void sh_typeahead(const uint8_t *bytes, size_t n);
/* Asks the ring to report the end of domain dom as job slot's end. */
int64_t sh_watch_domain(exo_handle_t dom, uint32_t slot);

/* ---- jobs.c ---- */

#define JOBS_MAX 8

typedef struct job {
    bool used;
    bool background;
    bool ended;
    uint64_t id;      /* the domain's id */
    exo_handle_t dom; /* the domain cap (0 once ended: deleted) */
    char name[32];
    int64_t status; /* once ended */
} job_t;

/* Starts the app cmd names with cmd's words as its arguments; a background job prints
 * its id and returns at once, a foreground one is waited for (Ctrl-C kills it). Errors
 * are one line. */
void jobs_run(const command_t *cmd);
/* The job with domain id, or NULL. */
job_t *jobs_find(uint64_t id);
/* From the event loop: job slot ended with status (its domain cap goes). */
void jobs_ended(uint32_t slot, int64_t status);
/* Reports background jobs that ended since the last prompt, and forgets them. */
void jobs_report(void);
/* Kills job j and waits for its end (reported at once). */
void jobs_kill(job_t *j);
/* Kills every job still running (the shell exits). */
void jobs_kill_all(void);
void jobs_print(void);
/* "status 3", "killed", "killed by a fault", "killed by the watchdog". */
const char *status_text(int64_t status, char *buf, size_t n);

/* ---- builtins.c ---- */

/* Runs cmd if it names a builtin: whether it did. */
bool builtin_run(const command_t *cmd);
/* Set by `exit`: the shell ends with exit_status. */
extern bool sh_exit_requested;
extern int64_t sh_exit_status;

/* ---- sysview.c ---- */

/* Reads the boot module list once (it never changes). */
void sysview_init(void);
/* The boot module name names, or NULL. */
const exo_module_entry_t *sysview_module(const char *name);
void sysview_ls(void);
void sysview_ps(void);
void sysview_mem(void);
void sysview_caps(void);

/* ---- trace.c ---- */

/* `trace [on|off|clear|dump|<N> [<dom>]]` (docs/shell.md); errors are one line. */
void trace_builtin(const command_t *cmd);
