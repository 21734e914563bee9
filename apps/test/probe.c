/*
 * probe: makes one forbidden access and should never live to report it. Modes:
 *   read ADDR    load a byte from ADDR (hex, another domain's memory)
 *   write ADDR   store a byte there
 *   kread        load from the kernel's physmap
 *   jump ADDR    call ADDR (another domain's code)
 *   null         load from address 0
 *   acflag       set EFLAGS.AC (which would open SMAP if it leaked into ring 0), keep
 *                running through timer interrupts for 50 ms, then execute ud2
 *   orphan       start a long-lived child (victim 3000), block a second continuation in a
 *                wait for it, then fault: the kill must end this domain at once, not when
 *                the child ends
 *   badptr       pass kernel and unmapped pointers to a system call: each must be refused
 *                with ERR_FAULT (the domain lives; exit 0)
 * If the access does not fault it prints "probe: survived" and exits 3.
 */
#include <user/exo.h>

static uint8_t waiter_stack[16384] __attribute__((aligned(16)));

static void waiter(void *arg) {
    exo_domain_wait((uint64_t)(uintptr_t)arg);
    exo_printf("probe: orphan: wait returned in a killed domain!\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        exo_printf("probe: usage: probe read|write|jump ADDR | kread | null\n");
        return 2;
    }
    const char *mode = argv[1];
    uint64_t addr = argc > 2 ? exo_parse_u64(argv[2]) : 0;
    exo_printf("probe: %s 0x%lx\n", mode, addr);
    if (strcmp(mode, "read") == 0) {
        exo_printf("probe: read 0x%x: survived\n", *(volatile uint8_t *)(uintptr_t)addr);
    } else if (strcmp(mode, "write") == 0) {
        *(volatile uint8_t *)(uintptr_t)addr = 0x5a;
        exo_printf("probe: write: survived\n");
    } else if (strcmp(mode, "kread") == 0) {
        volatile uint64_t *k = (volatile uint64_t *)0xffff800000100000ull;
        exo_printf("probe: kernel read 0x%lx: survived\n", *k);
    } else if (strcmp(mode, "jump") == 0) {
        ((void (*)(void))(uintptr_t)addr)();
        exo_printf("probe: jump: survived\n");
    } else if (strcmp(mode, "acflag") == 0) {
        __asm__ volatile("pushfq; orq $0x40000, (%%rsp); popfq" ::: "memory", "cc");
        uint64_t end = exo_clock_ns() + 50000000ull;
        while (exo_clock_ns() < end) {
        }
        __asm__ volatile("ud2");
        exo_printf("probe: acflag: survived\n");
    } else if (strcmp(mode, "orphan") == 0) {
        exo_domain_info_t info;
        int64_t child = exo_domain_start("victim", "victim 3000", &info);
        int64_t st = child < 0 ? child
                               : exo_spawn(waiter, (void *)(uintptr_t)child, waiter_stack,
                                           sizeof(waiter_stack));
        if (st < 0) {
            exo_printf("probe: orphan: cannot start the child: %s\n", status_str((status_t)st));
            return 2;
        }
        for (int i = 0; i < 4; i++) {
            exo_yield(0); /* the waiter runs and blocks in its wait */
        }
        exo_printf("probe: orphan: a continuation waits for child %ld; now faulting\n", child);
        exo_printf("probe: null read 0x%x: survived\n", *(volatile uint8_t *)(uintptr_t)addr);
    } else if (strcmp(mode, "badptr") == 0) {
        int64_t k = exo_write((const char *)0xffff800000100000ull, 16);
        int64_t z = exo_write((const char *)8, 16);
        int64_t w = exo_write((const char *)0x7ffffffffff0ull, 64); /* runs off the user top */
        exo_printf("probe: kernel pointer %s, unmapped pointer %s, wrapping range %s\n",
                   status_str((status_t)k), status_str((status_t)z), status_str((status_t)w));
        return (k == ERR_FAULT && z == ERR_FAULT && w == ERR_FAULT) ? 0 : 1;
    } else if (strcmp(mode, "null") == 0) {
        exo_printf("probe: null read 0x%x: survived\n", *(volatile uint8_t *)(uintptr_t)addr);
    } else {
        exo_printf("probe: unknown mode %s\n", mode);
        return 2;
    }
    return 3;
}
