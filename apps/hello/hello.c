/* hello: the smallest app that shows it ran: one line with its domain and arguments. */
#include <user/exo.h>

int main(int argc, char **argv) {
    const exo_start_t *s = exo_start_info();
    exo_printf("hello from domain %lu at 0x%lx on core %u:", s->domain_id, s->image_base,
               exo_cpu());
    for (int i = 0; i < argc; i++) {
        exo_printf(" %s", argv[i]);
    }
    exo_printf("\n");
    return 0;
}
