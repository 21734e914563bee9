/*
 * The shell's builtins (shell.h): one table row each, with the usage and the line `help`
 * prints. A builtin checks its own arguments and answers a bad one with a one-line error.
 */
#include "shell.h"

bool sh_exit_requested;
int64_t sh_exit_status;

typedef struct builtin {
    const char *name;
    const char *usage; /* the arguments it takes */
    const char *help;
    int min_args, max_args; /* words after the name */
    void (*run)(const command_t *cmd);
} builtin_t;

static void bi_help(const command_t *cmd);

/* A whole word of decimal digits (or 0x and hex digits) as a number. */
static bool parse_number(const char *s, uint64_t *out) {
    const char *p = s;
    bool hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
    p += hex ? 2 : 0;
    if (*p == '\0' || strlen(p) > (hex ? 16 : 19)) {
        return false;
    }
    for (; *p; p++) {
        bool digit = *p >= '0' && *p <= '9';
        bool xdigit = (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F');
        if (!digit && !(hex && xdigit)) {
            return false;
        }
    }
    *out = exo_parse_u64(s);
    return true;
}

static void bi_ls(const command_t *cmd) {
    (void)cmd;
    sysview_ls();
}

static void bi_ps(const command_t *cmd) {
    (void)cmd;
    sysview_ps();
}

static void bi_mem(const command_t *cmd) {
    (void)cmd;
    sysview_mem();
}

static void bi_caps(const command_t *cmd) {
    (void)cmd;
    sysview_caps();
}

static void bi_jobs(const command_t *cmd) {
    (void)cmd;
    jobs_print();
}

static void bi_kill(const command_t *cmd) {
    uint64_t id;
    if (!parse_number(cmd->argv[1], &id)) {
        exo_printf("kill: '%s' is not a domain id (ps lists them)\n", cmd->argv[1]);
        return;
    }
    job_t *j = jobs_find(id);
    if (j == NULL) {
        exo_printf("kill: domain %lu is not a job of this shell (it can kill only what it "
                   "started)\n",
                   id);
        return;
    }
    jobs_kill(j);
}

static void bi_history(const command_t *cmd) {
    (void)cmd;
    for (uint32_t age = history_count(&sh_history); age-- > 0;) {
        exo_printf("%4u  %s\n", history_count(&sh_history) - age, history_get(&sh_history, age));
    }
}

static void bi_trace(const command_t *cmd) {
    trace_builtin(cmd);
}

static void power(const char *what, uint32_t op) {
    exo_handle_t cap = exo_start_cap(CAP_POWER);
    if (cap == EXO_HANDLE_NONE) {
        exo_printf("%s: this shell holds no power cap (init passes it one)\n", what);
        return;
    }
    jobs_kill_all();
    exo_printf("%s: now\n", what);
    int64_t st = exo_power(cap, op);
    exo_printf("%s: %s\n", what, status_str((status_t)st)); /* only on failure */
}

static void bi_poweroff(const command_t *cmd) {
    (void)cmd;
    power("poweroff", EXO_POWER_OFF);
}

static void bi_reboot(const command_t *cmd) {
    (void)cmd;
    power("reboot", EXO_POWER_REBOOT);
}

static void bi_exit(const command_t *cmd) {
    uint64_t status = 0;
    if (cmd->argc > 1 && !parse_number(cmd->argv[1], &status)) {
        exo_printf("exit: '%s' is not a number\n", cmd->argv[1]);
        return;
    }
    sh_exit_requested = true;
    sh_exit_status = (int64_t)status;
}

static const builtin_t builtins[] = {
    {"help", "[command]", "this list, or one command's", 0, 1, bi_help},
    {"ls", "", "the apps (boot modules) there are to run", 0, 0, bi_ls},
    {"ps", "", "domains (the DAGs of continuations) and what each core runs", 0, 0, bi_ps},
    {"jobs", "", "the apps this shell started and has not reported yet", 0, 0, bi_jobs},
    {"kill", "<id>", "end a domain this shell started (its id from ps or jobs)", 1, 1, bi_kill},
    {"mem", "", "free frames, the kernel heap, regions, caps, this shell's budget", 0, 0, bi_mem},
    {"caps", "", "the caps this shell holds", 0, 0, bi_caps},
    {"history", "", "the lines entered before (Up and Down walk them)", 0, 0, bi_history},
    {"trace", "[on|off|clear|dump|<N> [<dom>]]",
     "kernel tracing: switch it, or the last N records (20; of domain dom)", 0, 2, bi_trace},
    {"poweroff", "", "switch the machine off (ACPI S5)", 0, 0, bi_poweroff},
    {"reboot", "", "reset the machine", 0, 0, bi_reboot},
    {"exit", "[status]", "end the shell (init then ends with its status)", 0, 1, bi_exit},
};

#define NBUILTINS (sizeof(builtins) / sizeof(builtins[0]))

static const builtin_t *find(const char *name) {
    for (size_t i = 0; i < NBUILTINS; i++) {
        if (strcmp(builtins[i].name, name) == 0) {
            return &builtins[i];
        }
    }
    return NULL;
}

static void usage_line(const builtin_t *b) {
    exo_printf("  %-8s %-10s %s\n", b->name, b->usage, b->help);
}

static void bi_help(const command_t *cmd) {
    if (cmd->argc > 1) {
        const builtin_t *b = find(cmd->argv[1]);
        if (b == NULL) {
            exo_printf("help: no builtin '%s' (an app? `ls` lists them)\n", cmd->argv[1]);
            return;
        }
        usage_line(b);
        return;
    }
    exo_printf("Builtins:\n");
    for (size_t i = 0; i < NBUILTINS; i++) {
        usage_line(&builtins[i]);
    }
    exo_printf("Anything else runs the app of that name with the words after it as its\n"
               "arguments (ls lists the apps); a trailing & runs it in the background.\n"
               "Keys: Left/Right, Home/End (Ctrl-A/Ctrl-E), Backspace, Delete, Up/Down for\n"
               "history, Ctrl-C abandons the line or kills the app in the foreground.\n");
}

bool builtin_run(const command_t *cmd) {
    const builtin_t *b = find(cmd->argv[0]);
    if (b == NULL) {
        return false;
    }
    int nargs = cmd->argc - 1;
    if (cmd->background) {
        exo_printf("%s: a builtin cannot run in the background\n", b->name);
    } else if (nargs < b->min_args || nargs > b->max_args) {
        exo_printf("%s: usage: %s%s%s\n", b->name, b->name, b->usage[0] ? " " : "", b->usage);
    } else {
        b->run(cmd);
    }
    return true;
}
