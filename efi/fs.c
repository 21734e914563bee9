/*
 * Reading whole files from the EFI system partition the loader itself was loaded from
 * (LoadedImage -> DeviceHandle -> SimpleFileSystem), into pages of a chosen memory type.
 */
#include "loader.h"

#include <kernel/string.h>

static EFI_FILE_HANDLE open_root(const char **why) {
    EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
    EFI_GUID fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
    EFI_LOADED_IMAGE *li = NULL;
    EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs = NULL;
    EFI_FILE_HANDLE root = NULL;

    if (EFI_ERROR(ldr_st->BootServices->HandleProtocol(ldr_image, &li_guid, (void **)&li))) {
        *why = "no LoadedImage protocol on the loader's image";
        return NULL;
    }
    if (EFI_ERROR(ldr_st->BootServices->HandleProtocol(li->DeviceHandle, &fs_guid, (void **)&fs))) {
        *why = "the boot device has no FAT file system";
        return NULL;
    }
    if (EFI_ERROR(fs->OpenVolume(fs, &root))) {
        *why = "cannot open the ESP volume";
        return NULL;
    }
    return root;
}

/* The file's size, UINT64_MAX when its info cannot be read; *is_dir for directories. */
static uint64_t file_size(EFI_FILE_HANDLE f, bool *is_dir) {
    EFI_GUID info_guid = EFI_FILE_INFO_ID;
    union {
        EFI_FILE_INFO info;
        uint8_t raw[sizeof(EFI_FILE_INFO) + 512];
    } buf;
    UINTN len = sizeof(buf);
    if (EFI_ERROR(f->GetInfo(f, &info_guid, &len, &buf))) {
        return UINT64_MAX;
    }
    *is_dir = (buf.info.Attribute & EFI_FILE_DIRECTORY) != 0;
    return buf.info.FileSize;
}

status_t ldr_file_read(const char *path, uint32_t mem_type, uint64_t max, uint64_t *phys,
                       uint64_t *size, const char **why) {
    CHAR16 wpath[BOOTINFO_MODULE_NAME_MAX];
    size_t n = strnlen(path, sizeof(wpath) / sizeof(wpath[0]));
    if (n == 0 || n >= sizeof(wpath) / sizeof(wpath[0])) {
        *why = "path is empty or too long";
        return ERR_INVALID;
    }
    for (size_t i = 0; i <= n; i++) {
        wpath[i] = (CHAR16)(unsigned char)path[i];
    }

    EFI_FILE_HANDLE root = open_root(why);
    if (root == NULL) {
        return ERR_INVALID;
    }
    EFI_FILE_HANDLE f = NULL;
    EFI_STATUS es = root->Open(root, &f, wpath, EFI_FILE_MODE_READ, 0);
    root->Close(root);
    if (es == EFI_NOT_FOUND) {
        *why = "file not found";
        return ERR_NOT_FOUND;
    }
    if (EFI_ERROR(es)) {
        *why = "the firmware cannot open it (device or file-system error)";
        return ERR_INVALID;
    }

    status_t st = STATUS_OK;
    bool is_dir = false;
    uint64_t len = file_size(f, &is_dir);
    if (len == UINT64_MAX) {
        *why = "cannot read file size";
        st = ERR_INVALID;
    } else if (is_dir) {
        *why = "is a directory";
        st = ERR_INVALID;
    } else if (len > max) {
        *why = "file too large";
        st = ERR_TOO_BIG;
    } else if ((st = ldr_alloc_pages(page_count(len), mem_type, phys)) != STATUS_OK) {
        *why = "out of memory";
    } else {
        uint8_t *dst = (uint8_t *)(uintptr_t)*phys;
        memset(dst, 0, page_count(len) * 4096);
        uint64_t done = 0;
        while (done < len) {
            UINTN chunk = (UINTN)(len - done);
            if (EFI_ERROR(f->Read(f, &chunk, dst + done)) || chunk == 0) {
                *why = "read error";
                st = ERR_INVALID;
                break;
            }
            done += chunk;
        }
        *size = len;
    }
    f->Close(f);
    return st;
}
