/*
 * elfapp_check FILE...: runs the kernel's own elfapp_parse on each app at build time, so
 * an app with a forbidden relocation, segment or header fails the build, not the boot.
 * Prints one line per file; exits 0 if all are accepted, 1 on any rejection, 2 on misuse.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exo/status.h>
#include <loader/elfapp.h>

/* Largest file read: an image spans at most ELFAPP_MAX_SPAN, so its file is no larger. */
#define CHECK_MAX_FILE ELFAPP_MAX_SPAN

/* Reads the whole file into a malloc'd buffer; on failure returns NULL with errno set. */
static uint8_t *check_read(const char *path, uint64_t *size) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    uint8_t *buf = NULL;
    uint64_t len = 0;
    uint64_t cap = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= CHECK_MAX_FILE) {
                errno = EFBIG;
                break;
            }
            cap = cap ? cap * 2 : 65536;
            uint8_t *grown = realloc(buf, cap);
            if (grown == NULL) {
                errno = ENOMEM;
                break;
            }
            buf = grown;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                errno = EIO;
                break;
            }
            fclose(f);
            *size = len;
            return buf;
        }
    }
    int saved = errno;
    fclose(f);
    free(buf);
    errno = saved;
    return NULL;
}

/* Checks one file and prints its verdict; returns 0 if accepted, 1 otherwise. */
static int check_file(const char *path) {
    uint64_t size = 0;
    uint8_t *buf = check_read(path, &size);
    if (buf == NULL) {
        printf("%s: rejected: cannot read: %s\n", path, strerror(errno));
        return 1;
    }
    elfapp_t app;
    const char *why = "?";
    status_t st = elfapp_parse(buf, size, &app, &why);
    free(buf);
    if (st != STATUS_OK) {
        printf("%s: rejected: %s: %s\n", path, status_str(st), why);
        return 1;
    }
    printf("%s: ok, span %llu KiB, %llu relocations\n", path, (unsigned long long)(app.span >> 10),
           (unsigned long long)app.rela_count);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: elfapp_check FILE...\n");
        return 2;
    }
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        rc |= check_file(argv[i]);
    }
    return rc;
}
