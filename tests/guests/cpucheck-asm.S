/*
 * The assembly half of cpucheck: exception entry in protected mode, the
 * ring-3 excursion, and the whole long-mode part (which runs its checks
 * here and leaves results in lm_out for the C half to judge).
 *
 * Selectors are those of the GDT cpucheck.c builds (see cpucheck.h).
 */
#include "cpucheck.h"

/* ---------------- protected mode: exception and interrupt entry ---------------- */

    .text
    .code32

/* Vectors that push an error code: 8, 10-14, 17. */
#define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17)

/*
 * One 16-byte stub per vector (vec32_stubs + 16 * v): push the vector, and
 * a zero where the CPU pushes no error code, so every frame looks alike.
 */
    .globl vec32_stubs
    .align 16
vec32_stubs:
    .set i, 0
    .rept 256
    .align 16
    .ifeq HAS_ERR(i)
    pushl $0
    .endif
    pushl $i
    jmp exc32_common
    .set i, i + 1
    .endr

    .text
/*
 * Frame for exc32_handler (struct frame32): es, ds, the pushal block,
 * vector, error code, then what the CPU pushed.
 */
exc32_common:
    pushal
    push %ds
    push %es
    mov $KDATA32, %ax
    mov %ax, %ds
    mov %ax, %es
    push %esp
    call exc32_handler
    add $4, %esp
    /* From ring 3 the excursion ends here: back to enter_user's caller. */
    testl $3, 52(%esp)
    jnz user_return
    pop %es
    pop %ds
    popal
    add $8, %esp
    iret

/*
 * void enter_user(void (*fn)(void), uint32_t stack_top): run fn at CPL 3
 * on stack_top until it raises an exception or interrupt, whose record
 * the handler keeps.
 */
    .globl enter_user
enter_user:
    push %ebp
    push %ebx
    push %esi
    push %edi
    mov %esp, user_return_esp
    mov 20(%esp), %eax
    mov 24(%esp), %ecx
    pushl $(UDATA32 | 3)
    push %ecx
    pushf
    pushl $(UCODE32 | 3)
    push %eax
    mov $(UDATA32 | 3), %dx
    mov %dx, %ds
    mov %dx, %es
    iret
user_return:
    mov user_return_esp, %esp
    mov $KDATA32, %ax
    mov %ax, %ds
    mov %ax, %es
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

    .data
    .align 4
user_return_esp:
    .long 0

/* ---------------- long mode ---------------- */

/*
 * void enter_long_mode(uint32_t pml4, struct lm_out *out): from 32-bit
 * protected mode with paging off, enable PAE + LME + paging, run the
 * 64-bit checks and come back in compatibility mode (still long mode,
 * paging on) to the caller.
 */
    .text
    .code32
    .globl enter_long_mode
enter_long_mode:
    push %ebp
    push %ebx
    push %esi
    push %edi
    mov %esp, lm_saved_esp
    mov 20(%esp), %eax
    mov 24(%esp), %ebx
    mov %ebx, lm_out_ptr
    mov %cr4, %ecx
    or $CR4_PAE, %ecx
    mov %ecx, %cr4
    mov %eax, %cr3
    mov $MSR_EFER, %ecx
    rdmsr
    or $(EFER_LME | EFER_SCE | EFER_NXE), %eax
    wrmsr
    mov %cr0, %eax
    or $(CR0_PG | CR0_WP), %eax
    mov %eax, %cr0
    ljmp $KCODE64, $lm_entry

    .code64
lm_entry:
    mov lm_out_ptr(%rip), %ebx          /* rbx: struct lm_out *, for the whole run */
    lidt idt64_desc(%rip)
    mov $TSS64, %ax
    ltr %ax

    /* EFER.LMA must be set, and CS.L in effect: a 64-bit add wraps past 32 bits. */
    mov $MSR_EFER, %ecx
    rdmsr
    mov %eax, LM_EFER(%rbx)
    movabs $0x00000000ffffffff, %rax
    add $1, %rax
    mov %rax, LM_WIDE(%rbx)

    /* r8-r15 and 64-bit shifts and multiplies */
    movabs $0x0123456789abcdef, %r8
    mov %r8, %r9
    rol $8, %r9
    mov %r9, LM_ROL(%rbx)
    mov $0x10, %r10
    imul %r8, %r10
    mov %r10, LM_IMUL(%rbx)
    movabs $0x8000000000000000, %r11
    sar $63, %r11
    mov %r11, LM_SAR(%rbx)
    mov $0xfedcba98, %r12d              /* a 32-bit write zero-extends */
    movabs $0xffffffff00000000, %r13
    or %r13, %r12
    mov $0x1, %r12d
    mov %r12, LM_ZEXT(%rbx)

    /* RIP-relative addressing reaches the data below */
    mov lm_magic(%rip), %rax
    mov %rax, LM_RIPREL(%rbx)

    /* int $0x81 goes through a gate with IST 1: the handler runs on ist1_top. */
    int $0x81

    /* #PF in 4-level paging: PDPT entry 1 (1 GiB..2 GiB) is not present */
    lea 1f(%rip), %rax
    mov %rax, lm_fixup(%rip)
    movabs $0x40000010, %rcx
    movl $0x5a, (%rcx)
1:  mov lm_exc_vector(%rip), %eax
    mov %eax, LM_PF_VECTOR(%rbx)
    mov lm_exc_error(%rip), %eax
    mov %eax, LM_PF_ERROR(%rbx)
    mov lm_exc_cr2(%rip), %rax
    mov %rax, LM_PF_CR2(%rbx)

    /* a non-canonical address is #GP(0), not #PF */
    movl $0xff, lm_exc_vector(%rip)
    lea 1f(%rip), %rax
    mov %rax, lm_fixup(%rip)
    movabs $0x0000800000000000, %rcx
    mov (%rcx), %rax
1:  mov lm_exc_vector(%rip), %eax
    mov %eax, LM_GP_VECTOR(%rbx)
    mov lm_exc_error(%rip), %eax
    mov %eax, LM_GP_ERROR(%rbx)

    /*
     * SYSRET to ring 3 (64-bit), where the code does std; syscall.  SYSCALL
     * lands in lm_syscall at ring 0 with FMASK applied (DF cleared).
     */
    movabs $((UCODE32_SYSRET_BASE << 48) | (KCODE64 << 32)), %rax
    mov %rax, %rdx
    shr $32, %rdx
    mov $MSR_STAR, %ecx
    wrmsr
    lea lm_syscall(%rip), %rax
    mov %rax, %rdx
    shr $32, %rdx
    mov $MSR_LSTAR, %ecx
    wrmsr
    mov $0x400, %eax                    /* FMASK: DF */
    xor %edx, %edx
    mov $MSR_FMASK, %ecx
    wrmsr
    mov %rsp, lm_kernel_rsp(%rip)
    lea lm_user_code(%rip), %rcx
    mov $0x2, %r11d
    lea lm_user_stack_top(%rip), %rsp
    sysretq
lm_after_syscall:

    /*
     * From ring 3, a read of a supervisor page faults to ring 0 on the
     * TSS's RSP0 stack, pushing SS:RSP.
     */
    mov %rsp, lm_kernel_rsp(%rip)
    lea lm_user_pf(%rip), %rcx
    mov $0x2, %r11d
    lea lm_user_stack_top(%rip), %rsp
    sysretq
lm_after_user_pf:
    mov lm_exc_vector(%rip), %eax
    mov %eax, LM_UPF_VECTOR(%rbx)
    mov lm_exc_error(%rip), %eax
    mov %eax, LM_UPF_ERROR(%rbx)
    mov lm_exc_frame(%rip), %rax
    lea rsp0_top(%rip), %rcx
    sub %rax, %rcx
    mov %rcx, LM_UPF_DEPTH(%rbx)
    mov lm_exc_cs(%rip), %eax
    mov %eax, LM_UPF_CS(%rbx)

    movl $1, LM_DONE(%rbx)
lm_leave:
    /* to compatibility mode: CS with L=0, D=1; the 32-bit caller goes on */
    mov lm_saved_esp(%rip), %esp
    mov $KDATA32, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    push $KCODE32
    lea lm_compat(%rip), %rax
    push %rax
    lretq

    .code32
lm_compat:
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

    .code64
/* ring 3: set DF, call the kernel */
    .globl lm_user_code
lm_user_code:
    std
    syscall
    hlt                                 /* never reached: the handler does not return */
lm_user_pf:
    mov $0x400010, %eax
    mov (%rax), %eax
    hlt

/* SYSCALL entry: ring 0, user RSP, return RIP in RCX, old RFLAGS in R11 */
lm_syscall:
    mov %rcx, LM_SYSCALL_RCX(%rbx)
    mov %r11, LM_SYSCALL_R11(%rbx)
    pushfq
    pop %rax
    mov %rax, LM_SYSCALL_RFLAGS(%rbx)
    mov %cs, %ax
    mov %ax, LM_SYSCALL_CS(%rbx)
    mov %ss, %ax
    mov %ax, LM_SYSCALL_SS(%rbx)
    lea lm_user_code(%rip), %rax
    mov %rax, LM_USER_CODE(%rbx)
    cld
    mov lm_kernel_rsp(%rip), %rsp
    jmp lm_after_syscall

/* 64-bit exception entry, laid out as vec32_stubs (vec64_stubs + 16 * v) */
    .globl vec64_stubs
    .align 16
vec64_stubs:
    .set i, 0
    .rept 256
    .align 16
    .ifeq HAS_ERR(i)
    pushq $0
    .endif
    pushq $i
    jmp exc64_common
    .set i, i + 1
    .endr

    .text
    .code64
/* stack: vector, error, RIP, CS, RFLAGS, RSP, SS */
exc64_common:
    push %rax
    push %rcx
    mov 16(%rsp), %rax
    mov %eax, lm_exc_vector(%rip)
    mov 24(%rsp), %rax
    mov %eax, lm_exc_error(%rip)
    mov %cr2, %rax
    mov %rax, lm_exc_cr2(%rip)
    mov 40(%rsp), %rax
    mov %eax, lm_exc_cs(%rip)
    lea 32(%rsp), %rax                  /* where the CPU's frame (RIP) starts */
    mov %rax, lm_exc_frame(%rip)
    cmpl $0x81, lm_exc_vector(%rip)
    je exc64_ist
    testl $3, lm_exc_cs(%rip)
    jnz exc64_from_user
    mov lm_fixup(%rip), %rax
    test %rax, %rax
    jz exc64_unexpected
    mov %rax, 32(%rsp)                  /* resume at the fixup */
    movq $0, lm_fixup(%rip)
    pop %rcx
    pop %rax
    add $16, %rsp
    iretq

exc64_ist:
    /* record how far below ist1_top the frame sits, then return */
    lea ist1_top(%rip), %rax
    sub lm_exc_frame(%rip), %rax
    mov %rax, LM_IST_DEPTH(%rbx)
    pop %rcx
    pop %rax
    add $16, %rsp
    iretq

exc64_from_user:
    mov lm_kernel_rsp(%rip), %rsp
    jmp lm_after_user_pf

exc64_unexpected:
    mov lm_exc_vector(%rip), %eax
    mov %eax, LM_UNEXPECTED(%rbx)
    mov lm_exc_error(%rip), %eax
    mov %eax, LM_UNEXPECTED_ERROR(%rbx)
    mov 32(%rsp), %rax
    mov %rax, LM_UNEXPECTED_RIP(%rbx)
    jmp lm_leave

    .data
    .align 8
lm_magic:
    .quad 0x1122334455667788
lm_fixup:
    .quad 0
lm_kernel_rsp:
    .quad 0
lm_exc_cr2:
    .quad 0
lm_exc_frame:
    .quad 0
lm_exc_vector:
    .long 0
lm_exc_error:
    .long 0
lm_exc_cs:
    .long 0
lm_saved_esp:
    .long 0
lm_out_ptr:
    .long 0
    .align 8
    .globl idt64_desc
idt64_desc:
    .word 256 * 16 - 1
    .long idt64, 0                      /* the image lies below 4 GiB */

    .bss
    .align 16
    .globl idt64
idt64:
    .space 256 * 16
    .align 16
    .space 4096
    .globl ist1_top
ist1_top:
    .space 4096
    .globl rsp0_top
rsp0_top:
    .space 4096
lm_user_stack_top:

    .section .note.GNU-stack, "", @progbits
