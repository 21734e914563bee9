/* 16550 UART on COM1 (0x3f8), polled output at 115200 8N1. */
#pragma once

#include <stddef.h>

void serial_init(void);
void serial_write(const char *s, size_t n);
