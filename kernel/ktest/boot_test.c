/*
 * ktests for the boot handoff: bootinfo contents, boot modules, CPU protection bits and
 * the kernel symbolizer.
 */
#include <arch/cpu.h>
#include <kernel/boot.h>
#include <kernel/ksym.h>
#include <kernel/string.h>
#include <kernel/symbols.h>
#include <ktest/ktest.h>
#include <mm/physmap.h>

void kmain(const bootinfo_t *bi);

KTEST(boot_info_valid) {
    KT_ASSERT_EQ(boot_info.magic, BOOTINFO_MAGIC);
    KT_ASSERT_EQ(boot_info.version, BOOTINFO_VERSION);
    KT_ASSERT(boot_info.mmap_count > 0 && boot_info.mmap_count <= BOOTINFO_MAX_MMAP);
    KT_ASSERT(boot_info.exit_bs_tries >= 1);
    KT_ASSERT(boot_info.rsdp != 0);
    KT_ASSERT(boot_info.kernel_virt == BOOT_KERNEL_BASE);
    KT_ASSERT((boot_info.kernel_phys & 0xfff) == 0);
    uint64_t usable = 0;
    for (uint32_t i = 0; i < boot_info.mmap_count; i++) {
        const bootinfo_mmap_entry_t *e = &boot_info.mmap[i];
        KT_ASSERT((e->base & 0xfff) == 0);
        KT_ASSERT(e->type >= BOOT_MEM_USABLE && e->type <= BOOT_MEM_PERSISTENT);
        usable += e->type == BOOT_MEM_USABLE ? e->pages : 0;
        if (i > 0) {
            KT_ASSERT(e->base >= boot_info.mmap[i - 1].base); /* UEFI maps are sorted */
        }
    }
    KT_ASSERT(usable > 1024); /* more than 4 MiB free */
}

KTEST(boot_rsdp_signature) {
    const char *rsdp = phys_to_virt(boot_info.rsdp);
    KT_ASSERT(memcmp(rsdp, "RSD PTR ", 8) == 0);
}

KTEST(boot_modules) {
    /* The default boot config passes the message of the day (efi/motd.txt). */
    KT_ASSERT(boot_info.module_count >= 1);
    const bootinfo_module_t *m = &boot_info.modules[0];
    KT_ASSERT(strcmp(m->name, "\\EXOSPACE\\MOTD.TXT") == 0);
    KT_ASSERT(m->size >= 8);
    KT_ASSERT(memcmp(phys_to_virt(m->base), "Welcome", 7) == 0);
}

KTEST(boot_framebuffer) {
    KT_ASSERT(boot_info.fb.base != 0);
    KT_ASSERT(boot_info.fb.width >= 640 && boot_info.fb.height >= 480);
    KT_ASSERT(boot_info.fb.pitch >= boot_info.fb.width);
    KT_ASSERT((uint64_t)boot_info.fb.pitch * boot_info.fb.height * 4 <= boot_info.fb.size);
}

KTEST(cpu_protection_bits) {
    KT_ASSERT(read_cr0() & CR0_WP);
    if (cpu_features.nx) {
        KT_ASSERT(rdmsr(MSR_EFER) & EFER_NXE);
    }
    KT_ASSERT_EQ(!!(read_cr4() & CR4_SMEP), cpu_features.smep);
    KT_ASSERT_EQ(!!(read_cr4() & CR4_SMAP), cpu_features.smap);
    KT_ASSERT_EQ(!!(read_cr4() & CR4_UMIP), cpu_features.umip);
}

KTEST(ksym_resolves_kernel) {
    uint64_t off = 1;
    const char *name = ksym_lookup(&kernel_symbols, (uint64_t)(uintptr_t)kmain, &off);
    KT_ASSERT(name != NULL);
    KT_ASSERT(strcmp(name, "kmain") == 0);
    KT_ASSERT_EQ(off, 0);
    name = ksym_lookup(&kernel_symbols, (uint64_t)(uintptr_t)kmain + 5, &off);
    KT_ASSERT(name != NULL && strcmp(name, "kmain") == 0);
    KT_ASSERT_EQ(off, 5);
}
