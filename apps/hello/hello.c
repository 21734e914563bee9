/*
 * hello: the smallest app that shows it ran: one line with its domain and arguments. The
 * words come from a table of pointers, so the image carries R_X86_64_RELATIVE relocations
 * that the kernel's loader must have applied for the line to come out right.
 */
#include <user/exo.h>

static const char *const words[] = {"hello", "from", "domain"};

int main(int argc, char **argv) {
    const exo_start_t *s = exo_start_info();
    const char *const *w = words;
    __asm__("" : "+r"(w)); /* read the table from memory: no constant folding */
    exo_printf("%s %s %s %lu at 0x%lx on core %u:", w[0], w[1], w[2], s->domain_id, s->image_base,
               exo_cpu());
    for (int i = 0; i < argc; i++) {
        exo_printf(" %s", argv[i]);
    }
    exo_printf("\n");
    return 0;
}
