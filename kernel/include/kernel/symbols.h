/*
 * Addresses the linker script defines (kernel/arch/x86_64/kernel.ld) and the kernel's own
 * symbol table (built from the ELF file the loader passed), used by backtraces.
 */
#pragma once

#include <kernel/ksym.h>

extern char __kernel_start[], __kernel_end[];
extern char __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_end[];

extern ksym_table_t kernel_symbols;
