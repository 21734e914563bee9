/* ACPI parsed through the physmap, with warnings on the console (dev/platform.h). */
#include <dev/platform.h>
#include <kernel/kprintf.h>
#include <mm/physmap.h>
#include <mm/vm.h>

acpi_info_t platform_acpi;

static const void *map_physmap(void *ctx, uint64_t phys, uint64_t len) {
    (void)ctx;
    uint64_t top = vm_physmap_top();
    if (phys >= top || len > top - phys) {
        return NULL;
    }
    return phys_to_virt(phys);
}

static void warn_console(void *ctx, const char *msg) {
    (void)ctx;
    kprintf("%s\n", msg);
}

void platform_init(const bootinfo_t *bi) {
    acpi_platform_t plat = {.map = map_physmap, .warn = warn_console};
    acpi_info_t *a = &platform_acpi;
    status_t st = acpi_parse(&plat, bi->rsdp, a);
    if (st != STATUS_OK) {
        kprintf("acpi: no usable tables (%s): one CPU, PM timer and power off unavailable\n",
                status_str(st));
        return;
    }
    kprintf("acpi: rev %u, OEM \"%s\": %u CPU(s), %u IOAPIC(s), HPET %s, MCFG %u, S5 %s\n",
            a->revision, a->oem_id, a->ncpus, a->nioapics, a->has_hpet ? "yes" : "no", a->nmcfg,
            a->has_s5 ? "yes" : "no");
}
