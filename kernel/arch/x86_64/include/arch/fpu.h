/*
 * User FPU/SSE/AVX state. The kernel itself never touches x87 or vector registers
 * (-mgeneral-regs-only), so a user continuation's state stays in the registers while the
 * kernel runs on its behalf; it is saved (XSAVE, or FXSAVE without it) only when the
 * continuation is suspended and restored when it resumes.
 */
#pragma once

#include <stdint.h>

#define FPU_AREA_ALIGN 64

/* Enables x87/SSE (and XSAVE with x87|SSE|AVX in XCR0, where present) on this core. */
void fpu_init_cpu(void);
/* Bytes of a save area for the enabled state components (valid after the boot core's
 * fpu_init_cpu); areas must be FPU_AREA_ALIGN-aligned. */
uint32_t fpu_area_size(void);
/* Fills area with the initial state (empty x87 stack, MXCSR 0x1f80, zero vectors). */
void fpu_area_init(void *area);
void fpu_save(void *area);
void fpu_restore(const void *area);
