/*
 * SYSCALL/SYSRET set-up and user register helpers (arch/user.h). STAR's selector bases
 * match the GDT order (arch/trap.h): SYSRET loads CS = base + 16 and SS = base + 8, so
 * with base 0x18 the user gets 0x2b and 0x23 (Intel SDM vol. 2B, SYSRET).
 */
#include <arch/cpu.h>
#include <arch/trap.h>
#include <arch/user.h>
#include <kernel/string.h>

#define RFLAGS_CF (1ull << 0)
#define RFLAGS_RESERVED1 (1ull << 1)
#define RFLAGS_TF (1ull << 8)
#define RFLAGS_IF (1ull << 9)
#define RFLAGS_DF (1ull << 10)
#define RFLAGS_IOPL (3ull << 12)
#define RFLAGS_NT (1ull << 14)
#define RFLAGS_RF (1ull << 16)
#define RFLAGS_VM (1ull << 17)
#define RFLAGS_AC (1ull << 18)
/* What a user may keep: arithmetic flags, TF, DF. */
#define RFLAGS_USER_MASK (0x8d5ull | RFLAGS_TF | RFLAGS_DF) /* CF PF AF ZF SF OF */

_Static_assert(SEL_USER_CODE == (GDT_USER_CODE | 3) && SEL_USER_DATA == (GDT_USER_DATA | 3),
               "selectors in asm_offsets.h follow the GDT");
_Static_assert(GDT_USER_CODE == GDT_USER_DATA + 8, "SYSRET wants user data right below user code");
_Static_assert(__builtin_offsetof(trap_frame_t, rip) == TF_OFF_RIP &&
                   __builtin_offsetof(trap_frame_t, rsp) == TF_OFF_RSP &&
                   __builtin_offsetof(trap_frame_t, rax) == TF_OFF_RAX &&
                   __builtin_offsetof(trap_frame_t, rdi) == TF_OFF_RDI &&
                   __builtin_offsetof(trap_frame_t, rflags) == TF_OFF_RFLAGS,
               "trap frame offsets in asm_offsets.h");

extern char syscall_entry[];

void user_init_cpu(void) {
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    uint64_t sysret_base = GDT_USER_DATA - 8; /* 0x18 */
    wrmsr(MSR_STAR, (sysret_base << 48) | ((uint64_t)GDT_KERNEL_CODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT);
    wrmsr(MSR_KERNEL_GS_BASE, 0); /* the user's GS base while in ring 3 */
}

void user_regs_init(user_regs_t *r, uint64_t entry, uint64_t stack_top, uint64_t arg0,
                    uint64_t arg1) {
    memset(r, 0, sizeof(*r));
    r->rip = entry;
    r->rsp = stack_top;
    r->rdi = arg0;
    r->rsi = arg1;
    r->rflags = RFLAGS_IF | RFLAGS_RESERVED1;
    user_regs_sanitize(r);
}

void user_regs_sanitize(user_regs_t *r) {
    r->rflags = (r->rflags & RFLAGS_USER_MASK) | RFLAGS_IF | RFLAGS_RESERVED1;
    r->cs = SEL_USER_CODE;
    r->ss = SEL_USER_DATA;
}
