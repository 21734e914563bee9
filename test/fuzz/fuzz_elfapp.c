/*
 * libFuzzer target for kernel/loader/elfapp.c: parses every input and, when it is accepted,
 * checks the description's promises and loads it through a sink that aborts on any write
 * outside the segments. ASan/UBSan watch every read of the (exact-size) input.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <loader/elfapp.h>

#define FUZZ_BASE 0x400000000ull

/* Above this span the sink only checks bounds, so huge bss does not slow the fuzzer. */
#define FUZZ_MAX_BUFFER (1ull << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fuzz_image {
    const elfapp_t *app;
    const uint8_t *file;
    uint64_t file_size;
    uint8_t *buf; /* span bytes, or NULL when span > FUZZ_MAX_BUFFER */
    uint64_t writes;
} fuzz_image_t;

static void fuzz_die(const char *what) {
    fprintf(stderr, "fuzz_elfapp: %s\n", what);
    abort();
}

/* Every promise of a successful elfapp_parse that can be checked from app and size. */
static void fuzz_check_app(const elfapp_t *app, uint64_t size) {
    bool entry_ok = false;
    if (app->nsegments < 1 || app->nsegments > ELFAPP_MAX_SEGMENTS || app->span > ELFAPP_MAX_SPAN ||
        app->span % ELFAPP_PAGE != 0) {
        fuzz_die("bad segment count or span");
    }
    for (uint32_t i = 0; i < app->nsegments; i++) {
        const elfapp_segment_t *s = &app->seg[i];
        if (s->start % ELFAPP_PAGE != 0 || s->size % ELFAPP_PAGE != 0 || s->size == 0 ||
            s->start != (s->vaddr & ~(ELFAPP_PAGE - 1)) || s->mem_size == 0 ||
            s->file_size > s->mem_size || s->vaddr - s->start + s->mem_size > s->size ||
            s->start + s->size > app->span || s->file_off > size ||
            s->file_size > size - s->file_off ||
            s->vaddr % ELFAPP_PAGE != s->file_off % ELFAPP_PAGE ||
            (s->prot & ~(ELFAPP_PROT_R | ELFAPP_PROT_W | ELFAPP_PROT_X)) != 0 ||
            ((s->prot & ELFAPP_PROT_W) && (s->prot & ELFAPP_PROT_X))) {
            fuzz_die("inconsistent segment");
        }
        if (i > 0 && app->seg[i - 1].start + app->seg[i - 1].size > s->start) {
            fuzz_die("segments overlap or are unsorted");
        }
        if ((s->prot & ELFAPP_PROT_X) && app->entry >= s->vaddr &&
            app->entry - s->vaddr < s->mem_size) {
            entry_ok = true;
        }
    }
    if (app->seg[app->nsegments - 1].start + app->seg[app->nsegments - 1].size != app->span) {
        fuzz_die("span does not end at the last segment");
    }
    if (!entry_ok) {
        fuzz_die("entry outside executable segments");
    }
    if (app->rela_count > size / 24 || app->rela_off > size ||
        app->rela_count * 24 > size - app->rela_off) {
        fuzz_die("relocation table outside the file");
    }
}

/* Segment copies come from the file into their segment; anything else is an 8-byte
 * relocation into a writable segment. */
static status_t fuzz_write(void *arg, uint64_t off, const void *src, uint64_t len) {
    fuzz_image_t *img = arg;
    const elfapp_t *app = img->app;
    const uint8_t *s8 = src;
    bool from_file = s8 >= img->file && s8 < img->file + img->file_size;
    bool inside = false;

    if (off > app->span || len > app->span - off || len == 0) {
        fuzz_die("write outside [0, span)");
    }
    for (uint32_t i = 0; i < app->nsegments && !inside; i++) {
        const elfapp_segment_t *s = &app->seg[i];
        if (off < s->vaddr || off - s->vaddr > s->mem_size ||
            len > s->mem_size - (off - s->vaddr)) {
            continue;
        }
        inside = from_file
                     ? (len <= s->file_size && s8 == img->file + s->file_off && off == s->vaddr)
                     : (len == 8 && (s->prot & ELFAPP_PROT_W) != 0);
    }
    if (!inside) {
        fuzz_die("write does not match a segment copy or a relocation");
    }
    if (img->buf != NULL) {
        memcpy(img->buf + off, src, len);
    } else {
        volatile uint8_t sum = 0;
        for (uint64_t i = 0; i < len; i++) {
            sum += s8[i]; /* still lets ASan check every source byte */
        }
        (void)sum;
    }
    img->writes++;
    return STATUS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    elfapp_t app;
    const char *why = NULL;
    status_t st = elfapp_parse(data, size, &app, &why);
    if (why == NULL) {
        fuzz_die("no reason given");
    }
    if (st != STATUS_OK) {
        if (st >= 0) {
            fuzz_die("failure with a non-negative status");
        }
        return 0;
    }
    fuzz_check_app(&app, size);

    fuzz_image_t img = {.app = &app, .file = data, .file_size = size};
    if (app.span <= FUZZ_MAX_BUFFER) {
        img.buf = calloc(1, app.span);
        if (img.buf == NULL) {
            fuzz_die("calloc failed");
        }
    }
    elfapp_sink_t sink = {.write = fuzz_write, .arg = &img};
    st = elfapp_load(&app, data, size, FUZZ_BASE, &sink);
    if (st != STATUS_OK) {
        fuzz_die("an accepted image failed to load");
    }
    if (elfapp_load(&app, data, size, FUZZ_BASE + 1, &sink) != ERR_ALIGN ||
        elfapp_load(&app, data, size, (1ull << 47), &sink) != ERR_RANGE) {
        fuzz_die("bad base accepted");
    }
    free(img.buf);
    return 0;
}
