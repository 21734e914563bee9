/* The tutorial's app (docs/writing-apps.md shows this file; docs.snippets keeps the two the
 * same, qemu.tutorial runs it from the shell). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    printf("greet: domain %d, %d argument(s), %ld.%03ld s after boot\n", (int)getpid(), argc,
           (long)t.tv_sec, t.tv_nsec / 1000000);
    size_t total = 0;
    for (int i = 1; i < argc; i++) {
        char *upper = strdup(argv[i]);
        for (char *c = upper; *c; c++) {
            *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
        }
        printf("greet: hello, %s (%zu letters)\n", upper, strlen(upper));
        total += strlen(upper);
        free(upper);
    }
    printf("greet: %zu letters in all, %.2f per name\n", total,
           argc > 1 ? (double)total / (argc - 1) : 0.0);
    return argc > 1 ? 0 : 1;
}
