/*
 * The IDT: 256 interrupt gates pointing at the stubs in isr.S, all DPL 0 (user code cannot
 * raise them with INT n). Double fault, NMI and machine check run on IST stacks.
 */
#include <arch/trap.h>
#include <stdint.h>

typedef struct __attribute__((packed)) idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
} idt_gate_t;

_Static_assert(sizeof(idt_gate_t) == 16, "IDT gate layout");

extern const uint64_t isr_stub_table[256];

static idt_gate_t idt[256] __attribute__((aligned(16)));

static void idt_set(int vec, uint64_t handler, uint8_t ist) {
    idt[vec] = (idt_gate_t){
        .offset_lo = handler & 0xffff,
        .selector = GDT_KERNEL_CODE,
        .ist = ist,
        .type_attr = 0x8e, /* present, DPL 0, 64-bit interrupt gate (IF cleared) */
        .offset_mid = (handler >> 16) & 0xffff,
        .offset_hi = handler >> 32,
    };
}

void idt_init(void) {
    for (int v = 0; v < 256; v++) {
        idt_set(v, isr_stub_table[v], 0);
    }
    idt_set(2, isr_stub_table[2], IST_NMI);
    idt_set(8, isr_stub_table[8], IST_DOUBLE_FAULT);
    idt_set(18, isr_stub_table[18], IST_MACHINE_CHECK);
    idt_load();
}

void idt_load(void) {
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } idtr = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" ::"m"(idtr));
}
