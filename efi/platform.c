/*
 * What the loader learns about the platform for the kernel: the GOP linear framebuffer
 * (UEFI 2.10, 12.9) and the ACPI RSDP from the system configuration table (UEFI 4.6).
 */
#include "loader.h"

#include <kernel/string.h>

void ldr_gop_query(bootinfo_framebuffer_t *fb) {
    EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
    EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
    memset(fb, 0, sizeof(*fb));
    if (EFI_ERROR(ldr_st->BootServices->LocateProtocol(&gop_guid, NULL, (void **)&gop)) ||
        gop == NULL || gop->Mode == NULL || gop->Mode->Info == NULL) {
        return;
    }
    EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info = gop->Mode->Info;
    switch (info->PixelFormat) {
    case PixelRedGreenBlueReserved8BitPerColor:
        fb->format = BOOT_FB_RGBX;
        break;
    case PixelBlueGreenRedReserved8BitPerColor:
        fb->format = BOOT_FB_BGRX;
        break;
    case PixelBitMask:
        /* The pixel size follows the masks; the kernel draws 32-bit pixels only. */
        if (((info->PixelInformation.RedMask | info->PixelInformation.GreenMask |
              info->PixelInformation.BlueMask | info->PixelInformation.ReservedMask) >>
             24) == 0) {
            return;
        }
        fb->format = BOOT_FB_MASK;
        fb->red_mask = info->PixelInformation.RedMask;
        fb->green_mask = info->PixelInformation.GreenMask;
        fb->blue_mask = info->PixelInformation.BlueMask;
        fb->reserved_mask = info->PixelInformation.ReservedMask;
        break;
    default:
        return; /* PixelBltOnly: no linear framebuffer */
    }
    fb->base = gop->Mode->FrameBufferBase;
    fb->size = gop->Mode->FrameBufferSize;
    fb->width = info->HorizontalResolution;
    fb->height = info->VerticalResolution;
    fb->pitch = info->PixelsPerScanLine;
}

uint64_t ldr_acpi_rsdp(void) {
    EFI_GUID acpi20 = ACPI_20_TABLE_GUID;
    EFI_GUID acpi10 = ACPI_TABLE_GUID;
    uint64_t v1 = 0;
    for (UINTN i = 0; i < ldr_st->NumberOfTableEntries; i++) {
        EFI_CONFIGURATION_TABLE *t = &ldr_st->ConfigurationTable[i];
        if (memcmp(&t->VendorGuid, &acpi20, sizeof(EFI_GUID)) == 0) {
            return (uint64_t)(uintptr_t)t->VendorTable;
        }
        if (memcmp(&t->VendorGuid, &acpi10, sizeof(EFI_GUID)) == 0) {
            v1 = (uint64_t)(uintptr_t)t->VendorTable;
        }
    }
    return v1;
}
