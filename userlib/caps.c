/*
 * userlib's capability calls (user/caps.h): thin wrappers over the cap traps, and the
 * default console and memory caps, taken from the start block.
 */
#include <user/exo.h>
#include <user/trap.h>

static exo_handle_t console_cap, memory_cap;

exo_handle_t exo_start_cap_nth(uint32_t type, uint32_t nth) {
    const exo_start_t *s = exo_start_info();
    for (uint64_t i = 0; s && i < s->ncaps && i < EXO_START_CAPS; i++) {
        if (s->caps[i].type == type && nth-- == 0) {
            return s->caps[i].handle;
        }
    }
    return EXO_HANDLE_NONE;
}

exo_handle_t exo_start_cap(uint32_t type) {
    return exo_start_cap_nth(type, 0);
}

void exo_caps_init(void) {
    console_cap = exo_start_cap(CAP_CONSOLE);
    memory_cap = exo_start_cap(CAP_MEMORY);
}

exo_handle_t exo_console_cap(void) {
    return console_cap;
}

exo_handle_t exo_memory_cap(void) {
    return memory_cap;
}

void exo_set_console_cap(exo_handle_t h) {
    console_cap = h;
}

void exo_set_memory_cap(exo_handle_t h) {
    memory_cap = h;
}

int64_t exo_cap_derive(exo_handle_t h, uint32_t rights) {
    return exo_trap(SYS_CAP_DERIVE, h, rights, 0, 0, 0);
}

int64_t exo_cap_transfer(exo_handle_t to, exo_handle_t h, uint32_t rights, uint32_t flags) {
    return exo_trap(SYS_CAP_TRANSFER, to, h, rights, flags, 0);
}

int64_t exo_cap_delete(exo_handle_t h) {
    return exo_trap(SYS_CAP_DELETE, h, 0, 0, 0, 0);
}

int64_t exo_cap_revoke(exo_handle_t h) {
    return exo_trap(SYS_CAP_REVOKE, h, 0, 0, 0, 0);
}

int64_t exo_cap_info(exo_handle_t h, exo_cap_info_t *info) {
    return exo_trap(SYS_CAP_INFO, h, (uint64_t)(uintptr_t)info, 0, 0, 0);
}

int64_t exo_cap_list(exo_cap_entry_t *out, uint64_t max) {
    return exo_trap(SYS_CAP_LIST, (uint64_t)(uintptr_t)out, max, 0, 0, 0);
}
