/* The userlib API over the trap set (user/exo.h). */
#include <user/exo.h>
#include <user/trap.h>

void exo_cont_entry(void);

_Static_assert(SYS_CONT_EXIT == 2, "crt0.S hard-codes SYS_CONT_EXIT");

int64_t exo_write(const char *s, size_t n) {
    return exo_trap(SYS_DEBUG_WRITE, (uint64_t)(uintptr_t)s, n, 0, 0, 0);
}

void exo_exit(int64_t status) {
    exo_trap(SYS_EXIT, (uint64_t)status, 0, 0, 0, 0);
    __builtin_unreachable();
}

void exo_cont_exit(void) {
    exo_trap0(SYS_CONT_EXIT);
    __builtin_unreachable();
}

void exo_yield(uint32_t flags) {
    exo_trap(SYS_YIELD, flags, 0, 0, 0, 0);
}

int64_t exo_spawn(void (*fn)(void *arg), void *arg, void *stack, size_t size) {
    uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
    if (stack == NULL || size < 64) {
        return ERR_INVALID;
    }
    top -= 16;
    *(void (**)(void *))top = fn; /* exo_cont_entry calls it */
    return exo_trap(SYS_SPAWN, (uint64_t)(uintptr_t)exo_cont_entry, (uint64_t)(uintptr_t)arg, top,
                    0, 0);
}

int64_t exo_region_alloc_status(size_t size, uint32_t prot) {
    return exo_trap(SYS_REGION_ALLOC, size, prot, 0, 0, 0);
}

void *exo_region_alloc(size_t size, uint32_t prot) {
    int64_t r = exo_region_alloc_status(size, prot);
    return r < 0 ? NULL : (void *)(uintptr_t)r;
}

uint64_t exo_clock_ns(void) {
    return (uint64_t)exo_trap0(SYS_CLOCK);
}

uint32_t exo_cpu(void) {
    return (uint32_t)exo_trap0(SYS_CPU);
}

int64_t exo_domain_start(const char *name, const char *args, exo_domain_info_t *info) {
    return exo_trap(SYS_DOMAIN_START, (uint64_t)(uintptr_t)name, strlen(name),
                    (uint64_t)(uintptr_t)args, strlen(args), (uint64_t)(uintptr_t)info);
}

int64_t exo_domain_wait(uint64_t id) {
    return exo_trap(SYS_DOMAIN_WAIT, id, 0, 0, 0, 0);
}
