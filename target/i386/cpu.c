/*
 * CPU object lifetime, reset state and derived mode flags.
 */
#include <string.h>
#include "internal.h"

void x86_update_hflags(CPUX86State *env)
{
    uint32_t csf = env->segs[R_CS].flags;
    env->pe = env->cr[0] & CR0_PE_MASK;
    env->lma = env->efer & EFER_LMA;
    env->code64 = env->lma && (csf & DESC_L_MASK);
    env->code32 = !env->code64 && (csf & DESC_B_MASK);
    env->ss32 = env->segs[R_SS].flags & DESC_B_MASK;
    if (!env->pe) {
        env->cpl = 0;
    } else if (env->eflags & VM_MASK) {
        env->cpl = 3;
    }
}

void x86_cpu_init(X86CPU *cpu, const X86CPUOps *ops, void *opaque)
{
    memset(cpu, 0, sizeof(*cpu));
    x86_decode_init();
    cpu->ops = ops;
    cpu->opaque = opaque;
    x86_cpu_reset(cpu);
}

void x86_cpu_finalize(X86CPU *cpu)
{
    x86_dcache_free(cpu);
}

void x86_cpu_reset(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    uint32_t data = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK;

    memset(env, 0, sizeof(*env));
    env->eflags = 2;
    env->rip = 0xfff0;
    env->cr[0] = CR0_ET_MASK | CR0_CD_MASK | CR0_NW_MASK;
    for (int s = 0; s < 6; s++) {
        env->segs[s].limit = 0xffff;
        env->segs[s].flags = data;
    }
    env->segs[R_CS].selector = 0xf000;
    env->segs[R_CS].base = 0xffff0000;
    env->segs[R_CS].flags = data | DESC_CS_MASK;
    env->ldt.limit = 0xffff;
    env->ldt.flags = DESC_P_MASK | (2 << DESC_TYPE_SHIFT);
    env->tr.limit = 0xffff;
    env->tr.flags = DESC_P_MASK | (11 << DESC_TYPE_SHIFT);
    env->gdt.limit = 0xffff;
    env->idt.limit = 0xffff;
    env->regs[R_EDX] = 0x000606a1;  /* processor signature, as CPUID.1:EAX */
    env->dr[6] = 0xffff0ff0;
    env->dr[7] = 0x400;
    env->apic_base = 0xfee00000 | (1 << 11) | (1 << 8);    /* enabled, BSP */
    env->pat = 0x0007040600070406ull;
    x86_update_hflags(env);

    cpu->delivering = -1;
    cpu->shutdown = false;
    x86_tlb_flush(cpu, true);
    x86_dcache_free(cpu);
}
