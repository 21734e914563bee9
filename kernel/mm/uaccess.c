/*
 * User-memory copies (mm/uaccess.h). Interrupts stay off while SMAP is open (EFLAGS.AC
 * set), so no interrupt handler ever runs with user pages reachable.
 */
#include <arch/asm_offsets.h>
#include <arch/cpu.h>
#include <arch/uaccess.h>
#include <mm/uaccess.h>

static bool user_range_ok(uint64_t addr, uint64_t n) {
    return addr < USER_ADDR_LIMIT && n <= USER_ADDR_LIMIT - addr;
}

bool user_array_ok(uint64_t ptr, uint64_t n, uint64_t size) {
    return n == 0 || (size != 0 && ptr < USER_ADDR_LIMIT && n <= (USER_ADDR_LIMIT - ptr) / size);
}

static status_t copy(void *dst, const void *src, uint64_t n) {
    bool irq = irq_save();
    if (cpu_features.smap) {
        stac();
    }
    status_t st = uaccess_copy(dst, src, n);
    if (cpu_features.smap) {
        clac();
    }
    irq_restore(irq);
    return st;
}

status_t copy_from_user(void *dst, uint64_t user_src, uint64_t n) {
    if (!user_range_ok(user_src, n)) {
        return ERR_FAULT;
    }
    return n ? copy(dst, (const void *)(uintptr_t)user_src, n) : STATUS_OK;
}

status_t copy_to_user(uint64_t user_dst, const void *src, uint64_t n) {
    if (!user_range_ok(user_dst, n)) {
        return ERR_FAULT;
    }
    return n ? copy((void *)(uintptr_t)user_dst, src, n) : STATUS_OK;
}
