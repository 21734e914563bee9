/*
 * CPU feature probing (CPUID) and the protection bits the kernel turns on at boot:
 * EFER.NXE, CR0.WP, CR4.SMEP/SMAP/UMIP/PGE/PCIDE, each only where CPUID reports it; then
 * the FPU/SSE/AVX state (arch/fpu.h) and the SYSCALL entry (arch/user.h).
 */
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/user.h>
#include <kernel/kprintf.h>

cpu_features_t cpu_features;

void cpu_enable_features(void) {
    if (cpu_features.nx) {
        wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
    }
    write_cr0(read_cr0() | CR0_WP);
    uint64_t cr4 = read_cr4();
    cr4 |= cpu_features.pge ? CR4_PGE : 0;
    cr4 |= cpu_features.smep ? CR4_SMEP : 0;
    cr4 |= cpu_features.smap ? CR4_SMAP : 0;
    cr4 |= cpu_features.umip ? CR4_UMIP : 0;
    cr4 |= cpu_features.pcid ? CR4_PCIDE : 0; /* CR3 holds PCID 0 here, as PCIDE requires */
    write_cr4(cr4);
    fpu_init_cpu();
    user_init_cpu();
}

void cpu_init(void) {
    cpuid_regs_t r0 = cpuid(0, 0);
    cpuid_regs_t r1 = cpuid(1, 0);
    cpuid_regs_t r7 = r0.eax >= 7 ? cpuid(7, 0) : (cpuid_regs_t){0};
    cpuid_regs_t e0 = cpuid(0x80000000u, 0);
    cpuid_regs_t e1 = e0.eax >= 0x80000001u ? cpuid(0x80000001u, 0) : (cpuid_regs_t){0};
    cpuid_regs_t e7 = e0.eax >= 0x80000007u ? cpuid(0x80000007u, 0) : (cpuid_regs_t){0};

    cpu_features.pge = r1.edx & (1u << 13);
    cpu_features.x2apic = r1.ecx & (1u << 21);
    cpu_features.smep = r7.ebx & (1u << 7);
    cpu_features.smap = r7.ebx & (1u << 20);
    cpu_features.umip = r7.ecx & (1u << 2);
    cpu_features.nx = e1.edx & (1u << 20);
    cpu_features.pdpe1gb = e1.edx & (1u << 26);
    cpu_features.invariant_tsc = e7.edx & (1u << 8);
    cpu_features.pcid = r1.ecx & (1u << 17);
    cpu_features.xsave = r1.ecx & (1u << 26);
    cpu_features.avx = cpu_features.xsave && (r1.ecx & (1u << 28));

    cpu_enable_features();
    kprintf("cpu: NX %s, SMEP %s, SMAP %s, UMIP %s, 1G pages %s, x2APIC %s\n",
            cpu_features.nx ? "on" : "absent", cpu_features.smep ? "on" : "absent",
            cpu_features.smap ? "on" : "absent", cpu_features.umip ? "on" : "absent",
            cpu_features.pdpe1gb ? "yes" : "no", cpu_features.x2apic ? "yes" : "no");
    kprintf("cpu: PCID %s, user FPU state by %s (%u bytes)%s\n",
            cpu_features.pcid ? "on" : "absent", cpu_features.xsave ? "XSAVE" : "FXSAVE",
            fpu_area_size(), cpu_features.avx ? ", AVX on" : "");
}
