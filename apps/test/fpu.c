/*
 * fpu: SSE/AVX state must survive suspension, also when the continuation resumes on
 * another core. FPU_CONTS continuations each load their own pattern into all 16 vector
 * registers (ymm with AVX, else xmm) and MXCSR, yield with YIELD_MIGRATE inside the same
 * asm block, read everything back and compare; the others run (and use the registers) in
 * between. Exit 0 if every round matched.
 */
#include <user/exo.h>

#define FPU_CONTS 4
#define FPU_ROUNDS 25
#define FPU_STACK (16 * 1024)

typedef struct worker {
    uint32_t id;
    uint32_t migrations;
    uint32_t bad_rounds;
    volatile uint32_t done;
} worker_t;

static bool have_avx;
static worker_t workers[FPU_CONTS];

static bool cpu_has_avx(void) {
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if (!(c & (1u << 27)) || !(c & (1u << 28))) { /* OSXSAVE, AVX */
        return false;
    }
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (lo & 6) == 6; /* the OS saves SSE and AVX state */
}

/* One round: load the 16 vector registers (mnemonic mov, register prefix reg) from in
 * and MXCSR, yield with YIELD_MIGRATE, store them back to out; all inside one asm block,
 * so no compiler-generated code can touch the registers in between. */
#define LOAD(mov, reg, r) #mov " " #r "*32(%%rsi), %%" #reg #r "\n"
#define STORE(mov, reg, r) #mov " %%" #reg #r ", " #r "*32(%%rdx)\n"
#define ALL16(op, mov, reg)                                                                        \
    op(mov, reg, 0) op(mov, reg, 1) op(mov, reg, 2) op(mov, reg, 3) op(mov, reg, 4)                \
        op(mov, reg, 5) op(mov, reg, 6) op(mov, reg, 7) op(mov, reg, 8) op(mov, reg, 9)            \
            op(mov, reg, 10) op(mov, reg, 11) op(mov, reg, 12) op(mov, reg, 13) op(mov, reg, 14)   \
                op(mov, reg, 15)
#define ROUND_ASM(mov, reg)                                                                        \
    register const uint32_t *r8 __asm__("r8") = mx_in;                                             \
    register uint32_t *r9 __asm__("r9") = mx_out;                                                  \
    __asm__ volatile(                                                                              \
        ALL16(LOAD, mov, reg) "ldmxcsr (%%r8)\n"                                                   \
                              "movl %[nr], %%eax\n"                                                \
                              "movl %[flags], %%edi\n"                                             \
                              "syscall\n" ALL16(STORE, mov, reg) "stmxcsr (%%r9)\n"                \
        :                                                                                          \
        : "S"(in), "d"(out), [nr] "i"(SYS_YIELD), [flags] "i"(YIELD_MIGRATE), "r"(r8), "r"(r9)     \
        : "rax", "rdi", "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",    \
          "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15")

__attribute__((target("avx"))) static void round_avx(const uint8_t *in, uint8_t *out,
                                                     const uint32_t *mx_in, uint32_t *mx_out) {
    ROUND_ASM(vmovdqu, ymm);
}

static void round_sse(const uint8_t *in, uint8_t *out, const uint32_t *mx_in, uint32_t *mx_out) {
    ROUND_ASM(movdqu, xmm);
}

static void worker_main(void *arg) {
    worker_t *w = arg;
    uint8_t in[16 * 32], out[16 * 32];
    size_t live = have_avx ? 32 : 16; /* bytes of each register that are compared */
    for (uint32_t round = 0; round < FPU_ROUNDS; round++) {
        for (uint32_t i = 0; i < sizeof(in); i++) {
            in[i] = (uint8_t)(w->id * 131 + round * 17 + i * 7 + 1);
        }
        memset(out, 0, sizeof(out));
        uint32_t mx_in = 0x1f80 | ((w->id + round) % 4) << 13; /* rounding control */
        uint32_t mx_out = 0;
        uint32_t before = exo_cpu();
        if (have_avx) {
            round_avx(in, out, &mx_in, &mx_out);
        } else {
            round_sse(in, out, &mx_in, &mx_out);
        }
        w->migrations += exo_cpu() != before;
        bool ok = mx_out == mx_in;
        for (int r = 0; r < 16; r++) {
            ok = ok && memcmp(&in[r * 32], &out[r * 32], live) == 0;
        }
        if (!ok) {
            w->bad_rounds++;
            exo_printf("fpu: continuation %u round %u: state changed (MXCSR %x -> %x)\n", w->id,
                       round, mx_in, mx_out);
        }
    }
    w->done = 1;
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    have_avx = cpu_has_avx();
    uint8_t *stacks = exo_region_alloc(FPU_CONTS * FPU_STACK, EXO_PROT_READ | EXO_PROT_WRITE);
    if (stacks == NULL) {
        exo_printf("fpu: no region for stacks\n");
        return 2;
    }
    for (uint32_t i = 0; i < FPU_CONTS; i++) {
        workers[i].id = i + 1;
        int64_t st = exo_spawn(worker_main, &workers[i], stacks + i * FPU_STACK, FPU_STACK);
        if (st < 0) {
            exo_printf("fpu: spawn failed: %s\n", status_str((status_t)st));
            return 2;
        }
    }
    uint32_t migrations = 0, bad = 0;
    for (uint32_t i = 0; i < FPU_CONTS; i++) {
        while (!workers[i].done) {
            exo_yield(0);
        }
        migrations += workers[i].migrations;
        bad += workers[i].bad_rounds;
    }
    exo_printf("fpu: %u continuations x %u rounds: %s state %s, %u resumes on another core\n",
               FPU_CONTS, FPU_ROUNDS, have_avx ? "AVX" : "SSE", bad ? "CORRUPTED" : "intact",
               migrations);
    return bad ? 1 : 0;
}
