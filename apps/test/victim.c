/*
 * victim: the domain other apps attack in the isolation tests. It fills a region of its
 * own with a pattern, keeps checking it (and its image) while yielding for `ms`
 * milliseconds (argv[1], default 1500), and exits 0 only if nothing changed.
 */
#include <user/exo.h>

#define VICTIM_BYTES (16 * 4096)

static uint64_t parse_u64(const char *s) {
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (uint64_t)(*s++ - '0');
    }
    return v;
}

int main(int argc, char **argv) {
    uint64_t ms = argc > 1 ? parse_u64(argv[1]) : 1500;
    uint64_t *data = exo_region_alloc(VICTIM_BYTES, EXO_PROT_READ | EXO_PROT_WRITE);
    if (data == NULL) {
        exo_printf("victim: no region\n");
        return 2;
    }
    const exo_start_t *s = exo_start_info();
    const volatile uint8_t *image = (const uint8_t *)(uintptr_t)s->image_base;
    uint8_t image_head[16];
    for (int i = 0; i < 16; i++) {
        image_head[i] = image[i];
    }
    for (uint64_t i = 0; i < VICTIM_BYTES / 8; i++) {
        data[i] = i * 0x9e3779b97f4a7c15ull;
    }
    exo_printf("victim: domain %lu, image 0x%lx, data 0x%lx, guarding for %lu ms\n", s->domain_id,
               s->image_base, (uint64_t)(uintptr_t)data, ms);
    uint64_t end = exo_clock_ns() + ms * 1000000ull;
    uint64_t rounds = 0;
    while (exo_clock_ns() < end) {
        for (uint64_t i = 0; i < VICTIM_BYTES / 8; i++) {
            if (data[i] != i * 0x9e3779b97f4a7c15ull) {
                exo_printf("victim: data word %lu changed!\n", i);
                return 1;
            }
        }
        for (int i = 0; i < 16; i++) {
            if (image[i] != image_head[i]) {
                exo_printf("victim: image byte %d changed!\n", i);
                return 1;
            }
        }
        rounds++;
        exo_yield(0);
    }
    exo_printf("victim: intact after %lu rounds\n", rounds);
    return 0;
}
