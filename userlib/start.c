/*
 * From the kernel's start block to main(argc, argv): the argument string is split at
 * spaces into at most START_MAX_ARGS words; argv[0] is the domain's first word as the
 * parent gave it, or "app" when the string is empty. After the words' terminating NUL the
 * block may carry an environment, NUL-separated "NAME=value" strings (posix_spawn puts
 * them there). An app linked with the C library gets them as environ, and its return from
 * main goes through exit(), which flushes stdio (userlib/libc/posix.c). Also here: the
 * number parser apps read their arguments with (exo_parse_u64).
 */
#include <user/exo.h>

#define START_MAX_ARGS 16
#define START_MAX_ENV 16

/* Defined only in apps linked with the C library (userlib/libc/posix.c). */
__attribute__((weak, visibility("hidden"))) void exo_libc_start(char **envp);
__attribute__((weak, visibility("hidden"))) void exo_libc_exit(int status);

static const exo_start_t *start_info;
static char args_copy[EXO_ARGS_MAX];

const exo_start_t *exo_start_info(void) {
    return start_info;
}

__attribute__((noreturn)) void exo_start_main(const exo_start_t *start, uint64_t size);

void exo_start_main(const exo_start_t *start, uint64_t size) {
    static char *argv[START_MAX_ARGS + 1];
    static char app[] = "app";
    int argc = 0;
    start_info = start;
    if (size < sizeof(*start) || start->version != EXO_START_VERSION) {
        exo_exit(ERR_BAD_FORMAT);
    }
    exo_caps_init();
    memcpy(args_copy, start->args, sizeof(args_copy));
    args_copy[sizeof(args_copy) - 1] = '\0';
    for (char *p = args_copy; *p && argc < START_MAX_ARGS;) {
        while (*p == ' ') {
            *p++ = '\0';
        }
        if (*p) {
            argv[argc++] = p;
            while (*p && *p != ' ') {
                p++;
            }
        }
    }
    if (argc == 0) {
        argv[argc++] = app;
    }
    argv[argc] = NULL;
    static char *envp[START_MAX_ENV + 1];
    uint64_t len = start->args_len < sizeof(args_copy) ? start->args_len : sizeof(args_copy) - 1;
    int envc = 0;
    for (uint64_t i = strnlen(args_copy, len) + 1; i < len && envc < START_MAX_ENV;) {
        char *e = &args_copy[i];
        uint64_t n = strnlen(e, len - i);
        if (n > 0) {
            envp[envc++] = e;
        }
        i += n + 1;
    }
    envp[envc] = NULL;
    if (exo_libc_start) {
        exo_libc_start(envp);
    }
    int status = main(argc, argv);
    if (exo_libc_exit) {
        exo_libc_exit(status); /* exit(): atexit handlers, stdio flushed; does not return */
    }
    exo_exit(status);
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
