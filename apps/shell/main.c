/*
 * The shell's start and its loop: print the prompt, edit a line, run it. The shell never
 * polls: one ring always holds a console read (EXO_OP_CONSOLE_READ completes once a byte
 * has arrived) and an EXO_OP_WAIT for each job, and the shell sleeps in the ring until
 * one of them completes. It needs a console cap with READ and WRITE (init passes one).
 */
#include "shell.h"

#define PROMPT "exo$ "
#define TAG_CONSOLE 1u
#define TAG_JOB 0x100u /* + the job's slot */
#define ECHO_BUF 256
#define TYPEAHEAD_MAX 256

static exo_ring_t ring;
static uint8_t inbuf[64];      /* the console read's buffer: the kernel writes it */
static uint8_t events_buf[64]; /* what the last input event hands out */
static uint8_t typeahead[TYPEAHEAD_MAX];
static size_t typeahead_len;

history_t sh_history;
static lineedit_t editor;
static char echo[ECHO_BUF];
static size_t echo_len;

static void echo_flush(void) {
    if (echo_len) {
        exo_write(echo, echo_len);
        echo_len = 0;
    }
}

static void echo_sink(void *ctx, const char *s, size_t n) {
    (void)ctx;
    while (n > 0) {
        if (echo_len == sizeof(echo)) {
            echo_flush();
        }
        size_t k = sizeof(echo) - echo_len < n ? sizeof(echo) - echo_len : n;
        memcpy(echo + echo_len, s, k);
        echo_len += k;
        s += k;
        n -= k;
    }
}

/* Gets an SQE, reaping nothing: the ring has room for every op the shell keeps pending
 * (one read, one wait per job). */
static int64_t submit_one(uint8_t op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t tag) {
    exo_sqe_t *sqe = exo_ring_get_sqe(&ring);
    if (sqe == NULL) {
        return ERR_BUSY;
    }
    exo_prep_op(sqe, op, a0, a1, a2, 0);
    exo_sqe_set_data(sqe, tag);
    int64_t st = exo_ring_submit(&ring);
    return st < 0 ? st : 0;
}

static int64_t console_arm(void) {
    return submit_one(EXO_OP_CONSOLE_READ, exo_console_cap(), (uint64_t)(uintptr_t)inbuf,
                      sizeof(inbuf), TAG_CONSOLE);
}

int64_t sh_watch_domain(exo_handle_t dom, uint32_t slot) {
    return submit_one(EXO_OP_WAIT, dom, 0, 0, TAG_JOB + slot);
}

void sh_typeahead(const uint8_t *bytes, size_t n) {
    size_t room = sizeof(typeahead) - typeahead_len;
    n = n < room ? n : room;
    memcpy(typeahead + typeahead_len, bytes, n);
    typeahead_len += n;
}

/* Puts bytes taken by the last input event but not used back in front of the typeahead
 * (they came before anything in it); what no longer fits is dropped from its end. */
static void unread(const uint8_t *bytes, size_t n) {
    n = n < sizeof(typeahead) ? n : sizeof(typeahead);
    size_t keep = typeahead_len < sizeof(typeahead) - n ? typeahead_len : sizeof(typeahead) - n;
    memmove(typeahead + n, typeahead, keep);
    memcpy(typeahead, bytes, n);
    typeahead_len = keep + n;
}

void sh_wait_event(sh_event_t *ev, bool use_typeahead) {
    if (use_typeahead && typeahead_len) {
        size_t n = typeahead_len < sizeof(events_buf) ? typeahead_len : sizeof(events_buf);
        memcpy(events_buf, typeahead, n);
        memmove(typeahead, typeahead + n, typeahead_len - n);
        typeahead_len -= n;
        *ev = (sh_event_t){.kind = SH_EV_INPUT, .bytes = events_buf, .n = n};
        return;
    }
    for (;;) {
        exo_cqe_t *cqe;
        int64_t st = exo_ring_wait_cqe(&ring, &cqe);
        if (st < 0) {
            exo_printf("shell: waiting on the ring failed: %s\n", status_str((status_t)st));
            exo_exit(st);
        }
        uint64_t tag = cqe->user_data;
        int64_t res = cqe->res;
        exo_ring_cqe_seen(&ring, cqe);
        if (tag == TAG_CONSOLE) {
            if (res < 0) {
                exo_printf("shell: reading the console failed: %s\n", status_str((status_t)res));
                exo_exit(res);
            }
            size_t n = (size_t)res < sizeof(events_buf) ? (size_t)res : sizeof(events_buf);
            memcpy(events_buf, inbuf, n);
            st = console_arm(); /* the next read waits while these bytes are handled */
            if (st < 0) {
                exo_printf("shell: cannot read the console: %s\n", status_str((status_t)st));
                exo_exit(st);
            }
            if (n > 0) {
                *ev = (sh_event_t){.kind = SH_EV_INPUT, .bytes = events_buf, .n = n};
                return;
            }
        } else if (tag >= TAG_JOB && tag < TAG_JOB + JOBS_MAX) {
            jobs_ended((uint32_t)(tag - TAG_JOB), res);
            *ev = (sh_event_t){.kind = SH_EV_JOB_END};
            return;
        }
    }
}

/* Edits one line at the prompt: the line, or NULL after Ctrl-C. Bytes after the Enter
 * stay typed ahead for the next line. */
static const char *read_line(void) {
    exo_write(PROMPT, sizeof(PROMPT) - 1);
    le_start(&editor);
    for (;;) {
        sh_event_t ev;
        sh_wait_event(&ev, true);
        if (ev.kind != SH_EV_INPUT) {
            continue; /* a background job ended: reported at the next prompt */
        }
        for (size_t i = 0; i < ev.n; i++) {
            le_event_t r = le_feed(&editor, ev.bytes[i]);
            if (r != LE_NONE) {
                echo_flush();
                unread(ev.bytes + i + 1, ev.n - i - 1);
                return r == LE_ENTER ? le_line(&editor) : NULL;
            }
        }
        echo_flush();
    }
}

/* The TSC (under QEMU's -icount mode: guest instructions since QEMU started). */
static inline uint64_t tsc_now(void) {
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

static void run_line(const char *line) {
    command_t cmd;
    parse_status_t st = parse_command(line, &cmd);
    if (st == PARSE_EMPTY) {
        return;
    }
    if (st != PARSE_OK) {
        exo_printf("exo: %s\n", parse_error(st));
        return;
    }
    if (!builtin_run(&cmd)) {
        jobs_run(&cmd);
    }
}

/* argv[1] == "boottimes" (from init): the last boot phase, the first prompt, for
 * scripts/bench (docs/performance.md). */
int main(int argc, char **argv) {
    bool boottimes = argc > 1 && strcmp(argv[1], "boottimes") == 0;
    exo_cap_info_t con;
    uint32_t rw = CAP_RIGHT_READ | CAP_RIGHT_WRITE;
    if (exo_cap_info(exo_console_cap(), &con) != 0 || (con.rights & rw) != rw) {
        exo_printf("shell: my console cap cannot read and write (init passes one that can)\n");
        return 1;
    }
    int64_t st = exo_ring_init(&ring, 16, 0);
    st = st < 0 ? st : console_arm();
    if (st < 0) {
        exo_printf("shell: cannot set up its ring: %s\n", status_str((status_t)st));
        return 1;
    }
    history_init(&sh_history);
    le_init(&editor, &sh_history, echo_sink, NULL);
    sysview_init();
    exo_printf("Exospace shell on domain %lu: `help` lists the commands, `ls` the apps.\n",
               exo_start_info()->domain_id);
    if (boottimes) {
        exo_printf("bench: boot.shell_prompt %lu\n", tsc_now());
    }
    while (!sh_exit_requested) {
        jobs_report();
        const char *line = read_line();
        if (line) {
            run_line(line);
        }
    }
    jobs_kill_all();
    return sh_exit_status;
}
