/* The tutorial's continuation example (docs/writing-apps.md shows this file; docs.snippets
 * keeps the two the same, qemu.tutorial runs it from the shell). */
#include <user/exo.h>

static uint64_t partial[2];

/* Runs as a continuation of its own: sums one half of 1..1000. */
static void count(void *arg) {
    uint64_t half = (uint64_t)(uintptr_t)arg, s = 0;
    for (uint64_t v = half * 500 + 1; v <= half * 500 + 500; v++) {
        s += v;
    }
    partial[half] = s;
}

/* Runs once both halves have ended. */
static void add(void *arg) {
    *(uint64_t *)arg = partial[0] + partial[1];
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    uint64_t total = 0;
    exo_cont_t a, b, sum;
    exo_cont_start(&a, count, (void *)0);
    exo_cont_start(&b, count, (void *)1);
    exo_cont_t *both[] = {&a, &b};
    exo_cont_join(&sum, both, 2, add, &total);
    exo_cont_wait(&sum);
    exo_cont_wait(&a);
    exo_cont_wait(&b);
    exo_printf("1 + ... + 1000 = %lu\n", total); /* 500500 */
    return 0;
}
