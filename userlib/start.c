/*
 * From the kernel's start block to main(argc, argv): the argument string is split at
 * spaces into at most START_MAX_ARGS words; argv[0] is the domain's first word as the
 * parent gave it, or "app" when the string is empty.
 */
#include <user/exo.h>

#define START_MAX_ARGS 16

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
    exo_exit(main(argc, argv));
}
