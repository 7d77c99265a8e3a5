/*
 * cpucheck: what its C and assembly halves share -- the GDT layout, the
 * architectural constants they use, and where the long-mode part leaves
 * its results.
 */
#ifndef TESTS_GUESTS_CPUCHECK_H
#define TESTS_GUESTS_CPUCHECK_H

/* GDT selectors */
#define KCODE32     0x08
#define KDATA32     0x10
#define UCODE32     0x18
#define UDATA32     0x20
#define TSS32       0x28
#define LIMDATA     0x30    /* data, base 0, limit 0xfff (byte granular) */
#define NPDATA      0x38    /* data, not present */
#define XCODE       0x40    /* code, execute-only */
#define KCODE64     0x48
#define KDATA64     0x50    /* SYSCALL loads SS = CS + 8 */
#define UCODE32_SYSRET_BASE 0x58    /* STAR[63:48]; SYSRET: SS = +8, 64-bit CS = +16 */
#define UDATA64     0x60
#define UCODE64     0x68
#define TSS64       0x70    /* 16 bytes */
#define GDT_ENTRIES 16

#define CR0_WP      0x00010000
#define CR0_PG      0x80000000
#define CR4_PSE     0x00000010
#define CR4_PAE     0x00000020
#define MSR_EFER    0xc0000080
#define MSR_STAR    0xc0000081
#define MSR_LSTAR   0xc0000082
#define MSR_FMASK   0xc0000084
#define EFER_SCE    0x001
#define EFER_LME    0x100
#define EFER_LMA    0x400
#define EFER_NXE    0x800

/* struct lm_out, as offsets for the assembly (8 bytes a field) */
#define LM_EFER             0
#define LM_WIDE             8
#define LM_ROL              16
#define LM_IMUL             24
#define LM_SAR              32
#define LM_ZEXT             40
#define LM_RIPREL           48
#define LM_IST_DEPTH        56
#define LM_PF_VECTOR        64
#define LM_PF_ERROR         72
#define LM_PF_CR2           80
#define LM_GP_VECTOR        88
#define LM_GP_ERROR         96
#define LM_SYSCALL_RCX      104
#define LM_SYSCALL_R11      112
#define LM_SYSCALL_RFLAGS   120
#define LM_SYSCALL_CS       128
#define LM_SYSCALL_SS       136
#define LM_USER_CODE        144
#define LM_UPF_VECTOR       152
#define LM_UPF_ERROR        160
#define LM_UPF_DEPTH        168
#define LM_UPF_CS           176
#define LM_DONE             184
#define LM_UNEXPECTED       192
#define LM_UNEXPECTED_ERROR 200
#define LM_UNEXPECTED_RIP   208
#define LM_SIZE             216

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Filled by the long-mode part; 32-bit stores leave the upper half alone. */
struct lm_out {
    uint64_t efer, wide, rol, imul, sar, zext, riprel, ist_depth;
    uint64_t pf_vector, pf_error, pf_cr2, gp_vector, gp_error;
    uint64_t syscall_rcx, syscall_r11, syscall_rflags, syscall_cs, syscall_ss, user_code;
    uint64_t upf_vector, upf_error, upf_depth, upf_cs, done;
    uint64_t unexpected, unexpected_error, unexpected_rip;
};
_Static_assert(sizeof(struct lm_out) == LM_SIZE, "struct lm_out and LM_* disagree");

/* The frame exc32_common hands to exc32_handler. */
struct frame32 {
    uint32_t es, ds, edi, esi, ebp, esp_pushal, ebx, edx, ecx, eax;
    uint32_t vector, error, eip, cs, eflags;
    uint32_t esp, ss;       /* only when the CPU came from ring 3 */
};

extern const char vec32_stubs[], vec64_stubs[];
extern uint8_t idt64[];
extern uint8_t ist1_top[], rsp0_top[];
void exc32_handler(struct frame32 *f);
void enter_user(void (*fn)(void), uint32_t stack_top);
void enter_long_mode(uint32_t pml4, struct lm_out *out);
#endif

#endif
