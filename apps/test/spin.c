/* spin: a runaway loop that never suspends; only the watchdog can end it. */
#include <user/exo.h>

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    exo_printf("spin: looping forever on core %u\n", exo_cpu());
    volatile uint64_t n = 0;
    for (;;) {
        n++;
    }
}
