/*
 * FPU state switching for user continuations (arch/fpu.h): CR0/CR4 set-up, XCR0, and the
 * XSAVE/XRSTOR (or FXSAVE/FXRSTOR) wrappers. Intel SDM vol. 1, ch. 13 (XSAVE), and
 * vol. 3A, 2.5 (CR0.EM/MP, CR4.OSFXSR/OSXMMEXCPT/OSXSAVE).
 */
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <kernel/string.h>

#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define FXSAVE_AREA_SIZE 512

static uint64_t xcr0;
static uint32_t area_size = FXSAVE_AREA_SIZE;

static inline void xsetbv(uint32_t reg, uint64_t v) {
    __asm__ volatile("xsetbv" ::"c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void xsave(void *area, uint64_t mask) {
    __asm__ volatile("xsave64 (%0)" ::"r"(area), "a"((uint32_t)mask), "d"((uint32_t)(mask >> 32))
                     : "memory");
}

static inline void xrstor(const void *area, uint64_t mask) {
    __asm__ volatile("xrstor64 (%0)" ::"r"(area), "a"((uint32_t)mask), "d"((uint32_t)(mask >> 32))
                     : "memory");
}

static inline void fxsave(void *area) {
    __asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

static inline void fxrstor(const void *area) {
    __asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

void fpu_init_cpu(void) {
    write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
    uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
    if (!cpu_features.xsave) {
        write_cr4(cr4);
        return;
    }
    write_cr4(cr4 | CR4_OSXSAVE);
    if (xcr0 == 0) { /* the boot core decides; every AP enables the same components */
        cpuid_regs_t d = cpuid(0xd, 0);
        uint64_t supported = ((uint64_t)d.edx << 32) | d.eax;
        xcr0 = XCR0_X87 | XCR0_SSE | (cpu_features.avx ? (supported & XCR0_AVX) : 0);
    }
    xsetbv(0, xcr0);
    if (area_size == FXSAVE_AREA_SIZE) {
        area_size = cpuid(0xd, 0).ebx; /* size for the components now enabled in XCR0 */
    }
}

uint32_t fpu_area_size(void) {
    return area_size;
}

void fpu_area_init(void *area) {
    uint8_t *a = area;
    memset(a, 0, area_size);
    *(uint16_t *)(a + 0) = 0x037f;  /* FCW: all x87 exceptions masked, 64-bit precision */
    *(uint32_t *)(a + 24) = 0x1f80; /* MXCSR: all SIMD exceptions masked */
    /* XSAVE header (XSTATE_BV) zero: XRSTOR puts every other component in its init state */
}

void fpu_save(void *area) {
    if (cpu_features.xsave) {
        xsave(area, xcr0);
    } else {
        fxsave(area);
    }
}

void fpu_restore(const void *area) {
    if (cpu_features.xsave) {
        xrstor(area, xcr0);
    } else {
        fxrstor(area);
    }
}
