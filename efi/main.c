/*
 * BOOTX64.EFI: loads \EXOSPACE\KERNEL.ELF, the boot config and the boot modules from the
 * ESP it was started from, builds the one address space, exits boot services and jumps.
 * Every failure before ExitBootServices prints one clear line and returns to the firmware.
 * The boot protocol is described in docs/boot.md.
 */
#include "bootcfg.h"
#include "loader.h"

#include <arch/cpu.h>
#include <exo/elf64.h>
#include <kernel/string.h>

EFI_HANDLE ldr_image;
EFI_SYSTEM_TABLE *ldr_st;

/* Prints one failure line; returns st so callers can `return fail(...)`. */
static status_t fail(const char *what, const char *path, const char *why, status_t st) {
    ldr_printf("exospace loader: error: %s %s: %s (%s)\n", what, path, why, status_str(st));
    return st;
}

static status_t load_config(bootcfg_t *cfg) {
    uint64_t phys = 0, size = 0;
    const char *why = NULL;
    status_t st = ldr_file_read(LDR_CONFIG_PATH, LDR_MEM_BOOTDATA, 64 * 1024, &phys, &size, &why);
    if (st == ERR_NOT_FOUND) {
        ldr_printf("exospace loader: no %s, booting with an empty command line\n", LDR_CONFIG_PATH);
        memset(cfg, 0, sizeof(*cfg));
        return STATUS_OK;
    }
    if (st != STATUS_OK) {
        fail("cannot read", LDR_CONFIG_PATH, why, st);
        return st;
    }
    uint32_t line = 0;
    st = bootcfg_parse((const char *)(uintptr_t)phys, size, cfg, &line, &why);
    if (st != STATUS_OK) {
        ldr_printf("exospace loader: error: %s line %u: %s (%s)\n", LDR_CONFIG_PATH, line, why,
                   status_str(st));
    }
    return st;
}

/* Reads and checks the kernel, then copies its segments into one block of fresh pages. */
static status_t load_kernel(bootinfo_t *bi, kelf_image_t *img) {
    uint64_t file = 0, size = 0;
    const char *why = NULL;
    status_t st = ldr_file_read(LDR_KERNEL_PATH, LDR_MEM_MODULE, LDR_MAX_FILE, &file, &size, &why);
    if (st != STATUS_OK) {
        fail("cannot read", LDR_KERNEL_PATH, why, st);
        return st;
    }
    const uint8_t *bytes = (const uint8_t *)(uintptr_t)file;
    st = kelf_check(bytes, size, img, &why);
    if (st != STATUS_OK) {
        fail("invalid kernel", LDR_KERNEL_PATH, why, st);
        return st;
    }
    uint64_t span = img->vmax - img->vmin;
    uint64_t phys = 0;
    st = ldr_alloc_pages(span / 4096, LDR_MEM_KERNEL, &phys);
    if (st != STATUS_OK) {
        fail("no memory for", LDR_KERNEL_PATH, "image does not fit", st);
        return st;
    }
    uint8_t *dst = (uint8_t *)(uintptr_t)phys;
    memset(dst, 0, span);
    for (uint32_t i = 0; i < img->nsegs; i++) {
        const kelf_segment_t *s = &img->segs[i];
        memcpy(dst + (s->copy_to - img->vmin), bytes + s->file_offset, s->filesz);
    }
    bi->kernel_phys = phys;
    bi->kernel_virt = img->vmin;
    bi->kernel_size = span;
    bi->kernel_file = file;
    bi->kernel_file_size = size;
    return STATUS_OK;
}

static status_t load_modules(bootinfo_t *bi, const bootcfg_t *cfg) {
    for (uint32_t i = 0; i < cfg->nmodules; i++) {
        bootinfo_module_t *m = &bi->modules[i];
        const char *why = NULL;
        status_t st =
            ldr_file_read(cfg->modules[i], LDR_MEM_MODULE, LDR_MAX_FILE, &m->base, &m->size, &why);
        if (st != STATUS_OK) {
            fail("cannot read module", cfg->modules[i], why, st);
            return st;
        }
        memcpy(m->name, cfg->modules[i], sizeof(m->name));
        bi->module_count = i + 1;
    }
    return STATUS_OK;
}

/* Everything up to ExitBootServices; on failure nothing has been handed over yet. */
static status_t prepare(bootinfo_t **bi_out, kelf_image_t *img, bootcfg_t *cfg, uint64_t *pml4,
                        bool *nx) {
    uint64_t bi_phys = 0;
    if (ldr_alloc_pages(page_count(sizeof(bootinfo_t)), LDR_MEM_BOOTDATA, &bi_phys)) {
        return fail("cannot allocate", "bootinfo", "out of memory", ERR_NO_MEMORY);
    }
    bootinfo_t *bi = (bootinfo_t *)(uintptr_t)bi_phys;
    memset(bi, 0, sizeof(*bi));
    bi->magic = BOOTINFO_MAGIC;
    bi->version = BOOTINFO_VERSION;
    bi->size = sizeof(*bi);
    bi->efi_system_table = (uint64_t)(uintptr_t)ldr_st;
    *bi_out = bi;

    status_t s = load_config(cfg);
    if (s == STATUS_OK) {
        s = load_kernel(bi, img);
    }
    if (s == STATUS_OK) {
        s = load_modules(bi, cfg);
    }
    if (s != STATUS_OK) {
        return s;
    }
    if (bootcfg_kernel_cmdline(cfg, bi->cmdline, sizeof(bi->cmdline)) != STATUS_OK) {
        return fail("cannot pass", LDR_CONFIG_PATH,
                    "cmdline and services= together exceed the kernel command line", ERR_TOO_BIG);
    }
    ldr_gop_query(&bi->fb);
    bi->rsdp = ldr_acpi_rsdp();
    ldr_printf("exospace loader: kernel %llu KiB at %p, entry %p, %u module(s), cmdline \"%s\"\n",
               (unsigned long long)(bi->kernel_size / 1024), (void *)(uintptr_t)img->vmin,
               (void *)(uintptr_t)img->entry, bi->module_count, bi->cmdline);

    *nx = ldr_cpu_has_nx();
    if (!*nx) {
        ldr_printf("exospace loader: warning: the CPU has no NX/XD: data pages stay executable\n");
    }
    uint64_t top = 0;
    s = ldr_memmap_top(&top);
    if (s != STATUS_OK) {
        return fail("cannot read", "the memory map", "GetMemoryMap failed", s);
    }
    if (bi->fb.base + bi->fb.size > top) {
        top = bi->fb.base + bi->fb.size;
    }
    s = ldr_paging_build(top, img, bi->kernel_phys, *nx, pml4);
    if (s != STATUS_OK) {
        return fail("cannot build", "page tables", "out of memory or overlap", s);
    }
    bi->loader_pml4 = *pml4;
    return STATUS_OK;
}

/* The firmware's clock (UEFI 2.10, 8.3.1 GetTime), copied field by field; valid stays 0
 * when GetTime fails (a board without a working RTC): the kernel then has no wall clock. */
static void read_clock(bootinfo_time_t *out) {
    EFI_TIME t;
    *out = (bootinfo_time_t){0};
    if (EFI_ERROR(ldr_st->RuntimeServices->GetTime(&t, NULL))) {
        ldr_printf("exospace loader: GetTime failed: no wall clock\n");
        return;
    }
    out->tsc = rdtsc();
    out->year = t.Year;
    out->month = t.Month;
    out->day = t.Day;
    out->hour = t.Hour;
    out->minute = t.Minute;
    out->second = t.Second;
    out->nanosecond = t.Nanosecond;
    out->timezone = t.TimeZone;
    out->daylight = t.Daylight;
    out->valid = 1;
}

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st) {
    uint64_t tsc_entry = rdtsc();
    ldr_image = image;
    ldr_st = st;
    ldr_printf("exospace loader %s\n", EXO_VERSION);

    static bootcfg_t cfg;
    static kelf_image_t img;
    bootinfo_t *bi = NULL;
    uint64_t pml4 = 0;
    bool nx = false;
    if (prepare(&bi, &img, &cfg, &pml4, &nx) != STATUS_OK) {
        ldr_free_all();
        ldr_printf("exospace loader: returning to the firmware\n");
        return EFI_LOAD_ERROR;
    }
    bi->tsc_loader_entry = tsc_entry;
    read_clock(&bi->time);

    ldr_printf("exospace loader: exiting boot services\n");
    bool attempted = false;
    status_t s =
        ldr_exit_boot_services(bi, cfg.loader_tests & BOOTCFG_TEST_STALE_MAP_KEY, &attempted);
    if (s != STATUS_OK) {
        if (!attempted) { /* GetMemoryMap failed: the firmware is still fully ours */
            fail("cannot exit", "boot services", "GetMemoryMap failed", s);
            ldr_free_all();
            ldr_printf("exospace loader: returning to the firmware\n");
            return EFI_LOAD_ERROR;
        }
        /* Boot services may be half gone: no console, no return (UEFI 2.10, 7.4). */
        ldr_serial_puts("\r\nexospace loader: error: ExitBootServices kept failing "
                        "(the memory map kept changing); halted\r\n");
        cpu_halt_forever();
    }
    bi->tsc_handoff = rdtsc();
    ldr_handoff(pml4, img.entry, (bootinfo_t *)(uintptr_t)(BOOT_PHYSMAP_BASE + (uintptr_t)bi), nx);
}
