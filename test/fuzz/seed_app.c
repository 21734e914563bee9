/*
 * The fuzz corpus seed and the host test's real app: a tiny freestanding static PIE whose
 * pointer tables give the linker R_X86_64_RELATIVE relocations to emit (in .data.rel.ro and
 * .data) and whose scratch buffer is .bss. It is linked, never run.
 */

int seed_counter;
char seed_scratch[8192];
const char *const seed_names[] = {"alpha", "beta", "gamma"};

static void seed_hook_a(void) {
    seed_counter += 1;
}

static void seed_hook_b(void) {
    seed_counter += 2;
}

void (*seed_hooks[])(void) = {seed_hook_a, seed_hook_b};
void *seed_table[] = {&seed_counter, seed_scratch, (void *)seed_names};

void _start(void);

/* Touches every table so none is optimised away; never returns. */
void _start(void) {
    for (unsigned i = 0; i < sizeof(seed_hooks) / sizeof(seed_hooks[0]); i++) {
        seed_hooks[i]();
    }
    for (unsigned i = 0; i < sizeof(seed_names) / sizeof(seed_names[0]); i++) {
        seed_scratch[i] = seed_names[i][0];
    }
    *(int *)seed_table[0] += 1;
    for (;;) {
        __asm__ volatile("pause");
    }
}
