/*
 * I/O APIC: index/data register pair at base (IOREGSEL 0x00, IOWIN 0x10); redirection
 * entry n at registers 0x10 + 2n (low) and 0x11 + 2n (high). Plus the 8259 shutdown.
 */
#include <arch/cpu.h>
#include <arch/ioapic.h>
#include <kernel/kprintf.h>
#include <mm/physmap.h>

#define IOAPIC_VER 0x01
#define REDIR_MASKED (1u << 16)
#define REDIR_LEVEL (1u << 15)
#define REDIR_ACTIVE_LOW (1u << 13)

static const acpi_info_t *acpi_ref;

static uint32_t ioapic_read(uint64_t base, uint32_t reg) {
    volatile uint32_t *r = phys_to_virt(base);
    r[0] = reg;
    return r[4];
}

static void ioapic_write(uint64_t base, uint32_t reg, uint32_t v) {
    volatile uint32_t *r = phys_to_virt(base);
    r[0] = reg;
    r[4] = v;
}

static uint32_t ioapic_entries(uint64_t base) {
    return ((ioapic_read(base, IOAPIC_VER) >> 16) & 0xff) + 1;
}

void ioapic_init(const acpi_info_t *acpi) {
    acpi_ref = acpi;
    for (uint32_t i = 0; i < acpi->nioapics; i++) {
        uint64_t base = acpi->ioapics[i].base;
        uint32_t n = ioapic_entries(base);
        for (uint32_t e = 0; e < n; e++) {
            ioapic_write(base, 0x10 + 2 * e, REDIR_MASKED);
            ioapic_write(base, 0x11 + 2 * e, 0);
        }
        kprintf("ioapic: id %u at %lx, GSIs %u-%u, all masked\n", acpi->ioapics[i].id, base,
                acpi->ioapics[i].gsi_base, acpi->ioapics[i].gsi_base + n - 1);
    }
}

/* The GSI and redirection flags for ISA IRQ irq, after the MADT's overrides. ISA lines
 * default to edge-triggered, active high (ACPI 6.5, 5.2.12.5). */
static uint32_t isa_gsi(uint8_t irq, uint32_t *flags) {
    *flags = 0;
    for (uint32_t i = 0; acpi_ref && i < acpi_ref->noverrides; i++) {
        const acpi_override_t *o = &acpi_ref->overrides[i];
        if (o->bus == 0 && o->source == irq) {
            *flags |= (o->flags & 3) == 3 ? REDIR_ACTIVE_LOW : 0;
            *flags |= ((o->flags >> 2) & 3) == 3 ? REDIR_LEVEL : 0;
            return o->gsi;
        }
    }
    return irq;
}

static status_t redirect(uint8_t irq, uint32_t low, uint32_t high) {
    uint32_t flags;
    uint32_t gsi = isa_gsi(irq, &flags);
    for (uint32_t i = 0; acpi_ref && i < acpi_ref->nioapics; i++) {
        const acpi_ioapic_t *io = &acpi_ref->ioapics[i];
        if (gsi >= io->gsi_base && gsi < io->gsi_base + ioapic_entries(io->base)) {
            uint32_t e = gsi - io->gsi_base;
            ioapic_write(io->base, 0x10 + 2 * e, REDIR_MASKED);
            ioapic_write(io->base, 0x11 + 2 * e, high);
            ioapic_write(io->base, 0x10 + 2 * e, low | flags);
            return STATUS_OK;
        }
    }
    return ERR_NOT_FOUND;
}

status_t ioapic_route_isa(uint8_t irq, uint32_t dest) {
    return redirect(irq, VEC_ISA_BASE + irq, dest << 24);
}

status_t ioapic_mask_isa(uint8_t irq) {
    return redirect(irq, REDIR_MASKED | (VEC_ISA_BASE + irq), 0);
}

void pic_disable(void) {
    /* ICW1-4: init, vector offsets 0x20/0x28, cascade on IRQ2, 8086 mode; then mask all. */
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, 0x20);
    outb(0xa1, 0x28);
    outb(0x21, 0x04);
    outb(0xa1, 0x02);
    outb(0x21, 0x01);
    outb(0xa1, 0x01);
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}
