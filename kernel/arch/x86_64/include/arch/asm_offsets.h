/*
 * Offsets that assembly reaches through %gs (the running core's cpu_t, kernel/cpu.h) and
 * into a trap_frame_t (arch/trap.h). Plain #defines so .S files can include this; the C
 * side _Static_asserts every one of them against offsetof.
 */
#pragma once

#define CPU_OFF_SELF 0      /* cpu_t.self */
#define CPU_OFF_ENTRY_RSP 8 /* cpu_t.entry_rsp: where entries from user mode land */
#define CPU_OFF_USER_RSP 16 /* cpu_t.user_rsp: the user's %rsp during syscall entry */
#define CPU_OFF_TSS_RSP0 24 /* cpu_t.tss_rsp0: &this core's TSS.rsp[0] */

#define TF_OFF_R15 0
#define TF_OFF_R14 8
#define TF_OFF_R13 16
#define TF_OFF_R12 24
#define TF_OFF_R11 32
#define TF_OFF_R10 40
#define TF_OFF_R9 48
#define TF_OFF_R8 56
#define TF_OFF_RBP 64
#define TF_OFF_RDI 72
#define TF_OFF_RSI 80
#define TF_OFF_RDX 88
#define TF_OFF_RCX 96
#define TF_OFF_RBX 104
#define TF_OFF_RAX 112
#define TF_OFF_VECTOR 120
#define TF_OFF_ERROR 128
#define TF_OFF_RIP 136
#define TF_OFF_CS 144
#define TF_OFF_RFLAGS 152
#define TF_OFF_RSP 160
#define TF_OFF_SS 168

#define SEL_KERNEL_CODE 0x08
#define SEL_KERNEL_DATA 0x10
#define SEL_USER_DATA 0x23 /* GDT_USER_DATA | RPL 3 */
#define SEL_USER_CODE 0x2b /* GDT_USER_CODE | RPL 3 */

#define TRAP_VECTOR_SYSCALL 256            /* trap_frame_t.vector of a SYSCALL entry */
#define USER_ADDR_LIMIT 0x0000800000000000 /* first non-canonical lower-half address */
