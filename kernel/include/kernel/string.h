/*
 * The freestanding subset of <string.h> the kernel and loader provide (kernel/lib/string.c).
 * Pure modules include this instead of <string.h>; host tests link the host libc's
 * definitions of the same standard functions, so the same .c file builds in both.
 */
#pragma once

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
