/*
 * Each core's GDT and TSS (arch/percpu.h). Selectors are fixed (arch/trap.h) in the order SYSRET
 * wants (user data right below user code). The TSS carries the IST stacks, so a double fault from a
 * blown kernel stack, an NMI or a machine check always lands on a good stack.
 */
#include <arch/percpu.h>
#include <arch/trap.h>
#include <kernel/string.h>
#include <stdint.h>

typedef struct __attribute__((packed)) gdtr {
    uint16_t limit;
    uint64_t base;
} gdtr_t;

void gdt_load(const gdtr_t *gdtr, uint16_t code_sel, uint16_t data_sel);

/* Access byte P|DPL|S|type and the long-mode flag, base/limit ignored in 64-bit mode. */
static uint64_t seg_desc(uint8_t access, int code64) {
    return ((uint64_t)access << 40) | (code64 ? (1ull << 53) : 0) | (0xfull << 48) | 0xffff;
}

void gdt_init(cpu_arch_t *a) {
    uint64_t *gdt = a->gdt;
    tss_t *tss = &a->tss;
    memset(tss, 0, sizeof(*tss));
    for (int i = 0; i < IST_COUNT; i++) {
        tss->ist[i] = a->ist_top[i];
    }
    tss->iomap_base = sizeof(*tss); /* no I/O permission bitmap: all ports denied to ring 3 */

    gdt[0] = 0;
    gdt[GDT_KERNEL_CODE / 8] = seg_desc(0x9a, 1);
    gdt[GDT_KERNEL_DATA / 8] = seg_desc(0x92, 0);
    gdt[3] = 0; /* 32-bit user code: unused, keeps the SYSRET layout */
    gdt[GDT_USER_DATA / 8] = seg_desc(0xf2, 0);
    gdt[GDT_USER_CODE / 8] = seg_desc(0xfa, 1);

    uint64_t base = (uint64_t)(uintptr_t)tss;
    uint64_t limit = sizeof(*tss) - 1;
    gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
                       (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[GDT_TSS / 8 + 1] = base >> 32;

    gdtr_t gdtr = {.limit = sizeof(a->gdt) - 1, .base = (uint64_t)(uintptr_t)gdt};
    gdt_load(&gdtr, GDT_KERNEL_CODE, GDT_KERNEL_DATA);
    __asm__ volatile("ltr %0" ::"r"((uint16_t)GDT_TSS));
}
