/*
 * The x86 interpreter: architectural state and the interface to the outside.
 *
 * The CPU core knows nothing about the machine.  It reaches guest memory,
 * I/O ports and the interrupt controller only through X86CPUOps, so the
 * same core runs inside the pc machine (accel/tcg) and over a flat buffer
 * in the tests.
 */
#ifndef TARGET_I386_CPU_H
#define TARGET_I386_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include <setjmp.h>

/* General-purpose register numbers, in ModRM order. */
enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI,
       R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15 };

/* Segment register numbers, in the encoding of MOV Sreg. */
enum { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS };

/* RFLAGS bits */
#define CC_C    0x0001
#define CC_P    0x0004
#define CC_A    0x0010
#define CC_Z    0x0040
#define CC_S    0x0080
#define TF_MASK 0x00000100
#define IF_MASK 0x00000200
#define DF_MASK 0x00000400
#define CC_O    0x0800
#define IOPL_MASK   0x00003000
#define IOPL_SHIFT  12
#define NT_MASK     0x00004000
#define RF_MASK     0x00010000
#define VM_MASK     0x00020000
#define AC_MASK     0x00040000
#define VIF_MASK    0x00080000
#define VIP_MASK    0x00100000
#define ID_MASK     0x00200000
#define CC_MASK     (CC_C | CC_P | CC_A | CC_Z | CC_S | CC_O)

/* Hidden descriptor cache flags: bits 8..23 of the descriptor's high dword. */
#define DESC_TYPE_SHIFT 8
#define DESC_TYPE_MASK  (15 << DESC_TYPE_SHIFT)
#define DESC_A_MASK     (1 << 8)
#define DESC_W_MASK     (1 << 9)    /* data: writable */
#define DESC_R_MASK     (1 << 9)    /* code: readable */
#define DESC_E_MASK     (1 << 10)   /* data: expand-down */
#define DESC_C_MASK     (1 << 10)   /* code: conforming */
#define DESC_CS_MASK    (1 << 11)
#define DESC_S_MASK     (1 << 12)
#define DESC_DPL_SHIFT  13
#define DESC_DPL_MASK   (3 << DESC_DPL_SHIFT)
#define DESC_P_MASK     (1 << 15)
#define DESC_L_MASK     (1 << 21)
#define DESC_B_MASK     (1 << 22)
#define DESC_G_MASK     (1 << 23)

#define CR0_PE_MASK (1u << 0)
#define CR0_MP_MASK (1u << 1)
#define CR0_EM_MASK (1u << 2)
#define CR0_TS_MASK (1u << 3)
#define CR0_ET_MASK (1u << 4)
#define CR0_NE_MASK (1u << 5)
#define CR0_WP_MASK (1u << 16)
#define CR0_AM_MASK (1u << 18)
#define CR0_NW_MASK (1u << 29)
#define CR0_CD_MASK (1u << 30)
#define CR0_PG_MASK (1u << 31)

#define CR4_VME_MASK (1u << 0)
#define CR4_PVI_MASK (1u << 1)
#define CR4_TSD_MASK (1u << 2)
#define CR4_DE_MASK  (1u << 3)
#define CR4_PSE_MASK (1u << 4)
#define CR4_PAE_MASK (1u << 5)
#define CR4_MCE_MASK (1u << 6)
#define CR4_PGE_MASK (1u << 7)
#define CR4_PCE_MASK (1u << 8)
#define CR4_OSFXSR_MASK (1u << 9)
#define CR4_OSXMMEXCPT_MASK (1u << 10)

#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

#define MSR_IA32_TSC            0x10
#define MSR_IA32_APICBASE       0x1b
#define MSR_MTRRcap             0xfe
#define MSR_IA32_SYSENTER_CS    0x174
#define MSR_IA32_SYSENTER_ESP   0x175
#define MSR_IA32_SYSENTER_EIP   0x176
#define MSR_MTRRphysBase(n)     (0x200 + 2 * (n))
#define MSR_MTRRphysMask(n)     (0x201 + 2 * (n))
#define MSR_MTRRfix64K_00000    0x250
#define MSR_MTRRfix16K_80000    0x258
#define MSR_MTRRfix16K_A0000    0x259
#define MSR_MTRRfix4K_C0000     0x268
#define MSR_MTRRfix4K_F8000     0x26f
#define MSR_PAT                 0x277
#define MSR_MTRRdefType         0x2ff
#define MSR_EFER                0xc0000080
#define MSR_STAR                0xc0000081
#define MSR_LSTAR               0xc0000082
#define MSR_CSTAR               0xc0000083
#define MSR_FMASK               0xc0000084
#define MSR_FSBASE              0xc0000100
#define MSR_GSBASE              0xc0000101
#define MSR_KERNELGSBASE        0xc0000102
#define MSR_TSC_AUX             0xc0000103

#define MSR_MTRR_VAR_COUNT 8

/* Exception vectors */
enum {
    EXCP00_DIVZ = 0, EXCP01_DB, EXCP02_NMI, EXCP03_INT3, EXCP04_INTO, EXCP05_BOUND,
    EXCP06_ILLOP, EXCP07_PREX, EXCP08_DBLE, EXCP09_XERR, EXCP0A_TSS, EXCP0B_NOSEG,
    EXCP0C_STACK, EXCP0D_GPF, EXCP0E_PAGE, EXCP10_COPR = 0x10, EXCP11_ALGN, EXCP12_MCHK,
};

/* Page-fault error code bits (SDM vol. 3 §4.7) */
#define PG_ERROR_P_MASK     0x01
#define PG_ERROR_W_MASK     0x02
#define PG_ERROR_U_MASK     0x04
#define PG_ERROR_RSVD_MASK  0x08
#define PG_ERROR_I_D_MASK   0x10

typedef struct SegmentCache {
    uint16_t selector;
    uint64_t base;
    uint32_t limit;     /* byte granular, already scaled by G */
    uint32_t flags;     /* DESC_* */
} SegmentCache;

typedef struct X86DescTable {
    uint64_t base;
    uint32_t limit;
} X86DescTable;

/*
 * What the core needs from the machine.  ram_ptr returns a host pointer to
 * the byte at a guest-physical address that is RAM or ROM, valid up to the
 * end of its 4 KiB page, and sets *writable (false for ROM, whose writes go
 * to mmio_write, which drops them); NULL when the address is neither (then
 * the mmio callbacks are used).  intr_pending says whether the interrupt
 * controller asserts INTR; intr_ack acknowledges it and returns the vector.
 */
typedef struct X86CPUOps {
    uint8_t *(*ram_ptr)(void *opaque, uint64_t gpa, bool *writable);
    uint64_t (*mmio_read)(void *opaque, uint64_t gpa, unsigned size);
    void (*mmio_write)(void *opaque, uint64_t gpa, uint64_t val, unsigned size);
    uint32_t (*pio_read)(void *opaque, uint16_t port, unsigned size);
    void (*pio_write)(void *opaque, uint16_t port, uint32_t val, unsigned size);
    bool (*intr_pending)(void *opaque);
    int (*intr_ack)(void *opaque);
} X86CPUOps;

/* Why x86_cpu_exec returned. */
typedef enum X86ExitReason {
    X86_EXIT_BUDGET,        /* executed the instruction budget */
    X86_EXIT_HLT,           /* HLT with no interrupt deliverable */
    X86_EXIT_SHUTDOWN,      /* triple fault: the machine should reset */
    X86_EXIT_STOP,          /* x86_cpu_exit() was called */
} X86ExitReason;

#define X86_TLB_SIZE 256

typedef struct X86TLBEntry {
    uint64_t vpage;         /* linear page | 1 when valid */
    uint64_t ppage;
    uint8_t *host;          /* host pointer for RAM and ROM pages, else NULL */
    bool rom;               /* host is read-only: stores take the mmio path */
    uint8_t prot;           /* X86_PROT_* for this CPL class */
    bool global;
    bool code;              /* decoded code lives here: writes take the slow path */
} X86TLBEntry;

#define X86_PROT_READ_SUP   0x01
#define X86_PROT_WRITE_SUP  0x02
#define X86_PROT_EXEC_SUP   0x04
#define X86_PROT_READ_USER  0x08
#define X86_PROT_WRITE_USER 0x10
#define X86_PROT_EXEC_USER  0x20
#define X86_PROT_DIRTY      0x40    /* the walk already set D: writes may hit */

typedef struct CPUX86State {
    uint64_t regs[16];
    uint64_t rip;
    uint64_t eflags;        /* including the arithmetic flags */

    SegmentCache segs[6];
    SegmentCache ldt;
    SegmentCache tr;
    X86DescTable gdt;
    X86DescTable idt;

    uint64_t cr[5];         /* CR0, (CR1 unused), CR2, CR3, CR4 */
    uint64_t cr8;
    uint64_t efer;
    uint64_t dr[8];

    uint64_t star, lstar, cstar, fmask;
    uint64_t kernelgsbase;
    uint64_t apic_base;
    uint64_t tsc_offset;    /* TSC = instructions retired + offset */
    uint64_t tsc_aux;
    uint64_t pat;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t mtrr_deftype;
    uint64_t mtrr_fixed[11];
    uint64_t mtrr_var_base[MSR_MTRR_VAR_COUNT];
    uint64_t mtrr_var_mask[MSR_MTRR_VAR_COUNT];

    /* Derived mode state, recomputed by x86_update_hflags(). */
    int cpl;
    bool lma;           /* long mode active */
    bool code64;        /* CS.L in long mode */
    bool code32;        /* CS.D */
    bool ss32;
    bool pe;

    bool halted;
    bool inhibit_irq;   /* one-instruction shadow after STI / MOV SS */
    bool nmi_pending;
    uint64_t icount;    /* instructions retired since init */
} CPUX86State;

typedef struct X86CPU {
    CPUX86State env;
    const X86CPUOps *ops;
    void *opaque;
    bool exit_request;

    /* exec-time scratch */
    jmp_buf jmp_env;
    uint64_t insn_rip;      /* RIP of the instruction being executed */
    int delivering;         /* vector being delivered, or -1 */
    int excp_vector;
    int excp_error;         /* -1: none pushed */
    bool shutdown;          /* triple fault */
    uint64_t budget;
    X86TLBEntry tlb[X86_TLB_SIZE];
    unsigned tlb_gen;       /* bumped by every flush: translations cached elsewhere expire */
    struct X86DecodeCache *dcache;
} X86CPU;

void x86_cpu_init(X86CPU *cpu, const X86CPUOps *ops, void *opaque);
void x86_cpu_finalize(X86CPU *cpu);
/* Power-on / INIT state: real mode at F000:FFF0 (SDM vol. 3 §9.1.1). */
void x86_cpu_reset(X86CPU *cpu);
/* Run until an exit; at most max_insns instructions. */
X86ExitReason x86_cpu_exec(X86CPU *cpu, uint64_t max_insns);
/* Ask a running x86_cpu_exec to return at the next instruction boundary. */
void x86_cpu_exit(X86CPU *cpu);

/*
 * Register access for accelerators and tests.  After writing segment
 * caches, CR0/CR4/EFER or CS directly, call x86_update_hflags() and
 * x86_tlb_flush(cpu, true).
 */
void x86_update_hflags(CPUX86State *env);
void x86_tlb_flush(X86CPU *cpu, bool global);
/* Tell the core that guest code may have been written behind its back (DMA). */
void x86_cpu_invalidate_code(X86CPU *cpu, uint64_t gpa, uint64_t len);
/* Drop every decoded instruction (the memory map changed). */
void x86_cpu_flush_code(X86CPU *cpu);

/* CPUID as the interpreter reports it: only what is implemented. */
void x86_cpu_cpuid(X86CPU *cpu, uint32_t leaf, uint32_t subleaf,
                   uint32_t *eax, uint32_t *ebx, uint32_t *ecx, uint32_t *edx);

#endif
