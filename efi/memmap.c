/*
 * The firmware memory map: page allocation, the final map, ExitBootServices with the
 * stale-map-key retry (UEFI 2.10, 7.4), and translation into the boot protocol's types.
 */
#include "loader.h"

#define MAX_EXIT_TRIES 8
#define MAX_ALLOCATIONS 64

/* Every allocation, so a failed boot can give the memory back (ldr_free_all). */
static struct { uint64_t phys, pages; } allocations[MAX_ALLOCATIONS];
static uint32_t nallocations;

status_t ldr_alloc_pages(uint64_t pages, uint32_t mem_type, uint64_t *phys) {
    EFI_PHYSICAL_ADDRESS addr = 0;
    if (nallocations == MAX_ALLOCATIONS) {
        return ERR_NO_MEMORY;
    }
    EFI_STATUS es = ldr_st->BootServices->AllocatePages(AllocateAnyPages, (EFI_MEMORY_TYPE)mem_type,
                                                        (UINTN)pages, &addr);
    if (EFI_ERROR(es)) {
        return ERR_NO_MEMORY;
    }
    allocations[nallocations].phys = addr;
    allocations[nallocations].pages = pages;
    nallocations++;
    *phys = addr;
    return STATUS_OK;
}

void ldr_free_all(void) {
    while (nallocations > 0) {
        nallocations--;
        ldr_st->BootServices->FreePages(allocations[nallocations].phys,
                                        (UINTN)allocations[nallocations].pages);
    }
}

/* Map buffer, allocated once with slack: allocating it changes the map it must hold. */
static uint8_t *map_buf;
static UINTN map_cap;

static status_t map_fetch(UINTN *size, UINTN *key, UINTN *desc_size) {
    UINT32 desc_version = 0;
    for (int tries = 0; tries < 4; tries++) {
        *size = map_cap;
        EFI_STATUS es = ldr_st->BootServices->GetMemoryMap(size, (EFI_MEMORY_DESCRIPTOR *)map_buf,
                                                           key, desc_size, &desc_version);
        if (es == EFI_SUCCESS) {
            return STATUS_OK;
        }
        if (es != EFI_BUFFER_TOO_SMALL) {
            return ERR_INVALID;
        }
        uint64_t phys = 0;
        uint64_t want = *size + 16 * (*desc_size ? *desc_size : 48);
        if (ldr_alloc_pages(page_count(want), LDR_MEM_BOOTDATA, &phys) != STATUS_OK) {
            return ERR_NO_MEMORY;
        }
        map_buf = (uint8_t *)(uintptr_t)phys;
        map_cap = (UINTN)(page_count(want) * 4096);
    }
    return ERR_NO_MEMORY;
}

status_t ldr_memmap_top(uint64_t *top_out) {
    UINTN size = 0, key = 0, desc_size = 0;
    status_t st = map_fetch(&size, &key, &desc_size);
    if (st != STATUS_OK) {
        return st;
    }
    uint64_t top = 0;
    for (UINTN off = 0; off + desc_size <= size; off += desc_size) {
        EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)(map_buf + off);
        uint64_t end = d->PhysicalStart + d->NumberOfPages * 4096;
        if (end > top) {
            top = end;
        }
    }
    *top_out = top;
    return top ? STATUS_OK : ERR_INVALID;
}

static uint32_t translate_type(uint32_t efi_type) {
    switch (efi_type) {
    case EfiConventionalMemory:
        return BOOT_MEM_USABLE;
    case EfiLoaderCode:
    case EfiLoaderData:
    case EfiBootServicesCode:
    case EfiBootServicesData:
        return BOOT_MEM_RECLAIMABLE;
    case EfiACPIReclaimMemory:
        return BOOT_MEM_ACPI_RECLAIM;
    case EfiACPIMemoryNVS:
        return BOOT_MEM_ACPI_NVS;
    case EfiRuntimeServicesCode:
    case EfiRuntimeServicesData:
        return BOOT_MEM_RUNTIME;
    case EfiMemoryMappedIO:
    case EfiMemoryMappedIOPortSpace:
        return BOOT_MEM_MMIO;
    case 14:
        return BOOT_MEM_PERSISTENT; /* EfiPersistentMemory (UEFI 2.5+), absent from gnu-efi */
    case LDR_MEM_KERNEL:
        return BOOT_MEM_KERNEL;
    case LDR_MEM_MODULE:
        return BOOT_MEM_MODULE;
    case LDR_MEM_BOOTDATA:
        return BOOT_MEM_BOOTDATA;
    default:
        return BOOT_MEM_RESERVED;
    }
}

/* Copies the map into bi sorted by address (UEFI does not promise order), merging
 * adjacent entries of the same translated type. Runs after ExitBootServices: pure
 * computation only. A map that does not fit is cut and flagged with
 * mmap_count == BOOTINFO_MAX_MMAP (the kernel warns). */
static void map_translate(bootinfo_t *bi, UINTN size, UINTN desc_size) {
    uint32_t n = 0;
    for (UINTN off = 0; off + desc_size <= size; off += desc_size) {
        EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)(map_buf + off);
        if (d->NumberOfPages == 0) {
            continue;
        }
        bootinfo_mmap_entry_t e = {.base = d->PhysicalStart,
                                   .pages = d->NumberOfPages,
                                   .type = translate_type(d->Type),
                                   .efi_type = d->Type,
                                   .efi_attr = d->Attribute};
        /* Insertion sort into place; the map has a few hundred entries at most. */
        uint32_t i = n < BOOTINFO_MAX_MMAP ? n : BOOTINFO_MAX_MMAP - 1;
        if (n == BOOTINFO_MAX_MMAP && e.base > bi->mmap[i].base) {
            continue; /* past the end of a full table */
        }
        while (i > 0 && bi->mmap[i - 1].base > e.base) {
            bi->mmap[i] = bi->mmap[i - 1];
            i--;
        }
        bi->mmap[i] = e;
        n += n < BOOTINFO_MAX_MMAP;
    }
    uint32_t out = 0;
    for (uint32_t i = 0; i < n; i++) {
        bootinfo_mmap_entry_t *prev = out ? &bi->mmap[out - 1] : NULL;
        if (prev && prev->type == bi->mmap[i].type &&
            prev->base + prev->pages * 4096 == bi->mmap[i].base) {
            prev->pages += bi->mmap[i].pages;
        } else {
            bi->mmap[out++] = bi->mmap[i];
        }
    }
    bi->mmap_count = out;
}

status_t ldr_exit_boot_services(bootinfo_t *bi, bool force_stale_key, bool *attempted) {
    UINTN size = 0, key = 0, desc_size = 0;
    for (uint32_t tries = 1; tries <= MAX_EXIT_TRIES; tries++) {
        status_t st = map_fetch(&size, &key, &desc_size);
        if (st != STATUS_OK) {
            return st;
        }
        if (force_stale_key && tries == 1) {
            uint64_t page = 0;
            ldr_alloc_pages(1, LDR_MEM_BOOTDATA, &page); /* changes the map: key is stale */
        }
        *attempted = true;
        EFI_STATUS es = ldr_st->BootServices->ExitBootServices(ldr_image, key);
        if (es == EFI_SUCCESS) {
            bi->exit_bs_tries = tries;
            map_translate(bi, size, desc_size);
            return STATUS_OK;
        }
        if (es != EFI_INVALID_PARAMETER) {
            return ERR_INVALID;
        }
        /* Stale key: an event changed the map between the two calls. Only GetMemoryMap
         * and ExitBootServices may be called now; loop and fetch the map again. */
    }
    return ERR_STATE;
}
