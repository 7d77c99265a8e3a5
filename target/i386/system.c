/*
 * The two-byte opcode map: system instructions, MSRs, control registers,
 * SYSCALL/SYSRET, port I/O, and the 0F integer instructions.
 */
#include "exec.h"

static void need_cpl0(X86Ctx *c)
{
    if (c->env->pe && c->env->cpl != 0) {
        x86_raise_gp(c->cpu, 0);
    }
}

/* SDM vol. 1 §18.5: IOPL, then the TSS I/O permission bitmap. */
bool x86_check_io(X86CPU *cpu, uint16_t port, int size)
{
    CPUX86State *env = &cpu->env;
    uint32_t io_base, bits;
    if (!env->pe || (env->cpl <= (int)((env->eflags & IOPL_MASK) >> IOPL_SHIFT) &&
                     !(env->eflags & VM_MASK))) {
        return true;
    }
    if (((env->tr.flags >> DESC_TYPE_SHIFT) & 7) != 1 || env->tr.limit < 0x67) {
        return false;
    }
    io_base = x86_ld_lin(cpu, env->tr.base + 0x66, 2, false);
    if (io_base + (port >> 3) + 1 > env->tr.limit) {
        return false;
    }
    bits = x86_ld_lin(cpu, env->tr.base + io_base + (port >> 3), 2, false);
    return !((bits >> (port & 7)) & ((1u << size) - 1));
}

void x86_exec_io(X86Ctx *c)
{
    CPUX86State *env = c->env;
    const X86Insn *i = c->i;
    int size = (i->op & 1) ? (i->osize == 2 ? 2 : 4) : 1;
    uint16_t port = (i->op & 8) ? env->regs[R_EDX] & 0xffff : i->imm & 0xff;

    if (!x86_check_io(c->cpu, port, size)) {
        x86_raise_gp(c->cpu, 0);
    }
    if (i->op & 2) {
        c->cpu->ops->pio_write(c->cpu->opaque, port, env->regs[R_EAX] & size_mask(size), size);
    } else {
        set_reg(env, R_EAX, size, true, c->cpu->ops->pio_read(c->cpu->opaque, port, size));
    }
}

void x86_cpu_cpuid(X86CPU *cpu, uint32_t leaf, uint32_t subleaf,
                   uint32_t *eax, uint32_t *ebx, uint32_t *ecx, uint32_t *edx)
{
    *eax = *ebx = *ecx = *edx = 0;
    switch (leaf) {
    case 0:
        *eax = 1;
        *ebx = 0x756e6547;  /* "GenuineIntel", as QEMU's default models say */
        *edx = 0x49656e69;
        *ecx = 0x6c65746e;
        break;
    case 1:
        *eax = 0x000606a1;  /* family 6 */
        *ebx = 0x00010800;  /* one logical processor, CLFLUSH line 64 bytes */
        /* TSC, MSR, PAE, CX8, APIC, SEP off, MTRR, PGE, CMOV, PAT, PSE, PSE36, DE */
        *edx = (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) |
               (1u << 9) | (1u << 12) | (1u << 13) | (1u << 15) | (1u << 16) | (1u << 17);
        *ecx = (1u << 13);  /* CMPXCHG16B */
        break;
    case 0x80000000:
        *eax = 0x80000008;
        break;
    case 0x80000001:
        /* SYSCALL, NX, long mode, RDTSCP; LAHF in long mode */
        *edx = (1u << 11) | (1u << 20) | (1u << 27) | (1u << 29);
        *ecx = 1;
        break;
    case 0x80000008:
        *eax = 0x3028;      /* 40 physical, 48 linear address bits */
        break;
    }
}

static bool mtrr_msr(uint32_t msr, uint64_t **slot, CPUX86State *env)
{
    if (msr >= 0x200 && msr < 0x200 + 2 * MSR_MTRR_VAR_COUNT) {
        int n = (msr - 0x200) / 2;
        *slot = (msr & 1) ? &env->mtrr_var_mask[n] : &env->mtrr_var_base[n];
        return true;
    }
    switch (msr) {
    case MSR_MTRRfix64K_00000: *slot = &env->mtrr_fixed[0]; return true;
    case MSR_MTRRfix16K_80000: *slot = &env->mtrr_fixed[1]; return true;
    case MSR_MTRRfix16K_A0000: *slot = &env->mtrr_fixed[2]; return true;
    case MSR_MTRRfix4K_C0000 ... MSR_MTRRfix4K_F8000:
        *slot = &env->mtrr_fixed[3 + msr - MSR_MTRRfix4K_C0000];
        return true;
    case MSR_MTRRdefType: *slot = &env->mtrr_deftype; return true;
    }
    return false;
}

uint64_t x86_rdmsr(X86CPU *cpu, uint32_t msr, bool *ok)
{
    CPUX86State *env = &cpu->env;
    uint64_t *slot;
    *ok = true;
    if (mtrr_msr(msr, &slot, env)) {
        return *slot;
    }
    switch (msr) {
    case MSR_IA32_TSC: return env->icount + env->tsc_offset;
    case MSR_IA32_APICBASE: return env->apic_base;
    case MSR_MTRRcap: return 0x500 | MSR_MTRR_VAR_COUNT;    /* WC, fixed ranges */
    case MSR_IA32_SYSENTER_CS: return env->sysenter_cs;
    case MSR_IA32_SYSENTER_ESP: return env->sysenter_esp;
    case MSR_IA32_SYSENTER_EIP: return env->sysenter_eip;
    case MSR_PAT: return env->pat;
    case MSR_EFER: return env->efer;
    case MSR_STAR: return env->star;
    case MSR_LSTAR: return env->lstar;
    case MSR_CSTAR: return env->cstar;
    case MSR_FMASK: return env->fmask;
    case MSR_FSBASE: return env->segs[R_FS].base;
    case MSR_GSBASE: return env->segs[R_GS].base;
    case MSR_KERNELGSBASE: return env->kernelgsbase;
    case MSR_TSC_AUX: return env->tsc_aux;
    }
    *ok = false;
    return 0;
}

bool x86_wrmsr(X86CPU *cpu, uint32_t msr, uint64_t val)
{
    CPUX86State *env = &cpu->env;
    uint64_t *slot;
    if (mtrr_msr(msr, &slot, env)) {
        *slot = val;
        return true;
    }
    switch (msr) {
    case MSR_IA32_TSC: env->tsc_offset = val - env->icount; return true;
    case MSR_IA32_APICBASE: env->apic_base = val & 0xfffffffffd00ull; return true;
    case MSR_IA32_SYSENTER_CS: env->sysenter_cs = val & 0xffff; return true;
    case MSR_IA32_SYSENTER_ESP: env->sysenter_esp = val; return true;
    case MSR_IA32_SYSENTER_EIP: env->sysenter_eip = val; return true;
    case MSR_PAT: env->pat = val; return true;
    case MSR_EFER:
        if (val & ~(uint64_t)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)) {
            return false;
        }
        /* LME may not change while paging is on; LMA is read-only */
        if ((env->cr[0] & CR0_PG_MASK) && ((val ^ env->efer) & EFER_LME)) {
            return false;
        }
        env->efer = (val & ~(uint64_t)EFER_LMA) | (env->efer & EFER_LMA);
        x86_tlb_flush(cpu, true);
        return true;
    case MSR_STAR: env->star = val; return true;
    case MSR_LSTAR: if (!x86_is_canonical(val)) { return false; } env->lstar = val; return true;
    case MSR_CSTAR: if (!x86_is_canonical(val)) { return false; } env->cstar = val; return true;
    case MSR_FMASK: env->fmask = (uint32_t)val; return true;
    case MSR_FSBASE: if (!x86_is_canonical(val)) { return false; } env->segs[R_FS].base = val; return true;
    case MSR_GSBASE: if (!x86_is_canonical(val)) { return false; } env->segs[R_GS].base = val; return true;
    case MSR_KERNELGSBASE:
        if (!x86_is_canonical(val)) {
            return false;
        }
        env->kernelgsbase = val;
        return true;
    case MSR_TSC_AUX: env->tsc_aux = (uint32_t)val; return true;
    }
    return false;
}

void x86_set_cr(X86CPU *cpu, int n, uint64_t val)
{
    CPUX86State *env = &cpu->env;
    switch (n) {
    case 0:
        if ((val >> 32) || ((val & CR0_PG_MASK) && !(val & CR0_PE_MASK)) ||
            ((val & CR0_NW_MASK) && !(val & CR0_CD_MASK))) {
            x86_raise_gp(cpu, 0);
        }
        if ((val & CR0_PG_MASK) && !(env->cr[0] & CR0_PG_MASK) && (env->efer & EFER_LME)) {
            /* SDM vol. 3 §9.8.5: entering long mode needs PAE and a 32-bit CS */
            if (!(env->cr[4] & CR4_PAE_MASK) || (env->segs[R_CS].flags & DESC_L_MASK)) {
                x86_raise_gp(cpu, 0);
            }
            env->efer |= EFER_LMA;
        }
        if (!(val & CR0_PG_MASK) && (env->cr[0] & CR0_PG_MASK)) {
            if (env->code64) {
                x86_raise_gp(cpu, 0);
            }
            env->efer &= ~(uint64_t)EFER_LMA;
        }
        env->cr[0] = val | CR0_ET_MASK;
        break;
    case 2:
        env->cr[2] = val;
        return;
    case 3:
        env->cr[3] = env->lma ? val & 0x000ffffffffff018ull : (uint32_t)val;
        x86_tlb_flush(cpu, false);
        return;
    case 4:
        if (val & ~(uint64_t)(CR4_VME_MASK | CR4_PVI_MASK | CR4_TSD_MASK | CR4_DE_MASK |
                              CR4_PSE_MASK | CR4_PAE_MASK | CR4_MCE_MASK | CR4_PGE_MASK |
                              CR4_PCE_MASK | CR4_OSFXSR_MASK | CR4_OSXMMEXCPT_MASK)) {
            x86_raise_gp(cpu, 0);
        }
        if (env->lma && !(val & CR4_PAE_MASK)) {
            x86_raise_gp(cpu, 0);
        }
        env->cr[4] = val;
        break;
    case 8:
        if (val >> 4) {
            x86_raise_gp(cpu, 0);
        }
        env->cr8 = val;
        return;
    default:
        x86_raise_ud(cpu);
    }
    x86_update_hflags(env);
    x86_tlb_flush(cpu, true);
}

/* SYSCALL (SDM vol. 2): long-mode and legacy forms. */
void x86_syscall(X86CPU *cpu, uint64_t next_rip)
{
    CPUX86State *env = &cpu->env;
    uint16_t sel = (env->star >> 32) & 0xfffc;

    if (!(env->efer & EFER_SCE)) {
        x86_raise_ud(cpu);
    }
    if (env->lma) {
        env->regs[R_ECX] = next_rip;
        env->regs[R_R11] = env->eflags & ~RF_MASK;
        env->eflags &= ~(env->fmask | RF_MASK);
        env->cpl = 0;
        x86_load_seg_cache(env, R_CS, sel, 0, 0xffffffff,
                           DESC_G_MASK | DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK |
                           DESC_R_MASK | DESC_A_MASK | DESC_L_MASK);
        env->rip = env->code64 ? env->lstar : env->cstar;
    } else {
        env->regs[R_ECX] = (uint32_t)next_rip;
        env->eflags &= ~(IF_MASK | RF_MASK | VM_MASK);
        env->cpl = 0;
        x86_load_seg_cache(env, R_CS, sel, 0, 0xffffffff,
                           DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                           DESC_CS_MASK | DESC_R_MASK | DESC_A_MASK);
        env->rip = (uint32_t)env->star;
    }
    x86_load_seg_cache(env, R_SS, sel + 8, 0, 0xffffffff,
                       DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                       DESC_W_MASK | DESC_A_MASK);
}

void x86_sysret(X86CPU *cpu, int osize)
{
    CPUX86State *env = &cpu->env;
    uint16_t sel = (env->star >> 48) & 0xffff;

    if (!(env->efer & EFER_SCE)) {
        x86_raise_ud(cpu);
    }
    if (!env->pe || env->cpl != 0) {
        x86_raise_gp(cpu, 0);
    }
    if (env->lma) {
        if (osize == 8) {
            if (!x86_is_canonical(env->regs[R_ECX])) {
                x86_raise_gp(cpu, 0);
            }
            env->cpl = 3;
            x86_load_seg_cache(env, R_CS, (sel + 16) | 3, 0, 0xffffffff,
                               DESC_G_MASK | DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK |
                               DESC_R_MASK | DESC_A_MASK | DESC_L_MASK |
                               (3 << DESC_DPL_SHIFT));
            env->rip = env->regs[R_ECX];
        } else {
            env->cpl = 3;
            x86_load_seg_cache(env, R_CS, sel | 3, 0, 0xffffffff,
                               DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                               DESC_CS_MASK | DESC_R_MASK | DESC_A_MASK |
                               (3 << DESC_DPL_SHIFT));
            env->rip = (uint32_t)env->regs[R_ECX];
        }
        env->eflags = (env->regs[R_R11] & 0x3c7fd7) | 2;
    } else {
        env->cpl = 3;
        x86_load_seg_cache(env, R_CS, sel | 3, 0, 0xffffffff,
                           DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                           DESC_CS_MASK | DESC_R_MASK | DESC_A_MASK | (3 << DESC_DPL_SHIFT));
        env->rip = (uint32_t)env->regs[R_ECX];
        env->eflags |= IF_MASK;
    }
    x86_load_seg_cache(env, R_SS, (sel + 8) | 3, 0, 0xffffffff,
                       DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                       DESC_W_MASK | DESC_A_MASK | (3 << DESC_DPL_SHIFT));
}

void x86_exec_grp7(X86Ctx *c)
{
    X86CPU *cpu = c->cpu;
    CPUX86State *env = c->env;
    const X86Insn *i = c->i;
    int sub = i->reg & 7;
    int bsz = env->code64 ? 8 : 4;

    if (!i->mem) {
        uint8_t modrm = 0xc0 | ((i->reg & 7) << 3) | (i->rm & 7);
        switch (modrm) {
        case 0xf8:  /* SWAPGS */
            if (!env->code64) {
                x86_raise_ud(cpu);
            }
            need_cpl0(c);
            {
                uint64_t t = env->segs[R_GS].base;
                env->segs[R_GS].base = env->kernelgsbase;
                env->kernelgsbase = t;
            }
            return;
        case 0xf9:  /* RDTSCP */
            if ((env->cr[4] & CR4_TSD_MASK) && env->cpl) {
                x86_raise_gp(cpu, 0);
            }
            {
                uint64_t t = env->icount + env->tsc_offset;
                env->regs[R_EAX] = (uint32_t)t;
                env->regs[R_EDX] = t >> 32;
                env->regs[R_ECX] = (uint32_t)env->tsc_aux;
            }
            return;
        }
        if (sub == 4) {     /* SMSW r */
            set_reg(env, i->rm, i->osize, true, env->cr[0]);
            return;
        }
        if (sub == 6) {
            need_cpl0(c);
            x86_set_cr(cpu, 0, (env->cr[0] & ~0xeull) | (get_reg(env, i->rm, 2, true) & 0xf) |
                       (env->cr[0] & CR0_PE_MASK));
            return;
        }
        x86_raise_ud(cpu);
    }
    switch (sub) {
    case 0: case 1: {   /* SGDT / SIDT */
        X86DescTable *t = sub ? &env->idt : &env->gdt;
        st_seg(c, c->seg, c->off, 2, t->limit);
        st_seg(c, c->seg, (c->off + 2) & amask(i), bsz,
               bsz == 4 && i->osize == 2 ? t->base & 0xffffff : t->base);
        return;
    }
    case 2: case 3: {   /* LGDT / LIDT */
        X86DescTable *t = sub == 3 ? &env->idt : &env->gdt;
        uint64_t limit, base;
        need_cpl0(c);
        limit = ld_seg(c, c->seg, c->off, 2);
        base = ld_seg(c, c->seg, (c->off + 2) & amask(i), bsz);
        if (!env->code64 && i->osize == 2) {
            base &= 0xffffff;
        }
        t->limit = limit;
        t->base = base;
        return;
    }
    case 4:
        st_rm(c, 2, env->cr[0]);
        return;
    case 6:
        need_cpl0(c);
        x86_set_cr(cpu, 0, (env->cr[0] & ~0xeull) | (ld_rm(c, 2) & 0xf) |
                   (env->cr[0] & CR0_PE_MASK));
        return;
    case 7:     /* INVLPG */
        need_cpl0(c);
        x86_tlb_flush_page(cpu, x86_seg_addr(cpu, c->seg, c->off, 1, ACC_READ));
        return;
    }
    x86_raise_ud(cpu);
}

static void exec_bt(X86Ctx *c, int kind, uint64_t bitoff_src, bool imm)
{
    CPUX86State *env = c->env;
    const X86Insn *i = c->i;
    int os = i->osize, bits = os * 8;
    uint64_t v, bit;
    int64_t off = 0;

    if (imm) {
        bit = bitoff_src & (bits - 1);
    } else if (i->mem) {
        /* register bit offsets address memory beyond the operand (signed) */
        int64_t s = sext(bitoff_src, os);
        off = (s >> (os == 8 ? 6 : os == 4 ? 5 : 4)) * os;
        bit = s & (bits - 1);
    } else {
        bit = bitoff_src & (bits - 1);
    }
    if (i->mem) {
        c->off = (c->off + off) & amask(i);
    }
    v = ld_rm(c, os);
    x86_set_flag(env, CC_C, (v >> bit) & 1);
    switch (kind) {
    case 1: v |= 1ull << bit; break;
    case 2: v &= ~(1ull << bit); break;
    case 3: v ^= 1ull << bit; break;
    default: return;
    }
    st_rm(c, os, v);
}

void x86_exec_0f(X86Ctx *c)
{
    X86CPU *cpu = c->cpu;
    CPUX86State *env = c->env;
    const X86Insn *i = c->i;
    int op = i->op & 0xff, os = i->osize;
    uint64_t a, b;

    switch (op) {
    case 0x00: {
        int sub = i->reg & 7;
        if (!env->pe || (env->eflags & VM_MASK)) {
            x86_raise_ud(cpu);
        }
        switch (sub) {
        case 0: st_rm(c, i->mem ? 2 : os, env->ldt.selector); return;
        case 1: st_rm(c, i->mem ? 2 : os, env->tr.selector); return;
        case 2: need_cpl0(c); x86_lldt(cpu, ld_rm(c, 2)); return;
        case 3: need_cpl0(c); x86_ltr(cpu, ld_rm(c, 2)); return;
        }
        x86_raise_ud(cpu);
    }
    case 0x01:
        x86_exec_grp7(c);
        return;
    case 0x05:
        if (!env->lma && !env->pe) {
            x86_raise_ud(cpu);
        }
        x86_syscall(cpu, env->rip);
        return;
    case 0x06:
        need_cpl0(c);
        env->cr[0] &= ~(uint64_t)CR0_TS_MASK;
        return;
    case 0x07:
        x86_sysret(cpu, os);
        return;
    case 0x08: case 0x09:
        need_cpl0(c);
        return;
    case 0x0b:
        x86_raise_ud(cpu);
    case 0x0d: case 0x18 ... 0x1f:
        return;     /* prefetch hints and multi-byte NOPs */
    case 0x20: case 0x22: {
        int n = i->reg;
        need_cpl0(c);
        if (i->prefix & PFX_LOCK) {
            x86_raise_ud(cpu);
        }
        if (n == 1 || (n > 4 && n != 8)) {
            x86_raise_ud(cpu);
        }
        if (op == 0x20) {
            uint64_t v = n == 8 ? env->cr8 : env->cr[n];
            env->regs[i->rm] = env->code64 ? v : (uint32_t)v;
        } else {
            x86_set_cr(cpu, n, env->code64 ? env->regs[i->rm] : (uint32_t)env->regs[i->rm]);
        }
        return;
    }
    case 0x21: case 0x23: {
        int n = i->reg;
        need_cpl0(c);
        if (n > 7 || ((n == 4 || n == 5) && (env->cr[4] & CR4_DE_MASK))) {
            x86_raise_ud(cpu);
        }
        if (n == 4 || n == 5) {
            n += 2;
        }
        if (op == 0x21) {
            env->regs[i->rm] = env->code64 ? env->dr[n] : (uint32_t)env->dr[n];
        } else {
            env->dr[n] = env->code64 ? env->regs[i->rm] : (uint32_t)env->regs[i->rm];
        }
        return;
    }
    case 0x30: {
        need_cpl0(c);
        if (!x86_wrmsr(cpu, env->regs[R_ECX],
                       ((uint64_t)(uint32_t)env->regs[R_EDX] << 32) |
                       (uint32_t)env->regs[R_EAX])) {
            x86_raise_gp(cpu, 0);
        }
        return;
    }
    case 0x31:
        if ((env->cr[4] & CR4_TSD_MASK) && env->cpl) {
            x86_raise_gp(cpu, 0);
        }
        a = env->icount + env->tsc_offset;
        env->regs[R_EAX] = (uint32_t)a;
        env->regs[R_EDX] = a >> 32;
        return;
    case 0x32: {
        bool ok;
        need_cpl0(c);
        a = x86_rdmsr(cpu, env->regs[R_ECX], &ok);
        if (!ok) {
            x86_raise_gp(cpu, 0);
        }
        env->regs[R_EAX] = (uint32_t)a;
        env->regs[R_EDX] = a >> 32;
        return;
    }
    case 0x40 ... 0x4f:
        a = ld_rm(c, os);
        if (x86_cond(env, op & 15)) {
            st_reg(c, os, a);
        } else if (os == 4) {
            st_reg(c, 4, ld_reg(c, 4));     /* 32-bit CMOV zero-extends even if false */
        }
        return;
    case 0x80 ... 0x8f:
        if (x86_cond(env, op & 15)) {
            uint64_t t = env->rip + i->imm;
            if (!env->code64) {
                t &= os == 2 ? 0xffff : 0xffffffff;
            }
            env->rip = t;
        }
        return;
    case 0x90 ... 0x9f:
        st_rm(c, 1, x86_cond(env, op & 15));
        return;
    case 0xa0: case 0xa8:
        x86_push_val(cpu, env->segs[op == 0xa0 ? R_FS : R_GS].selector, os);
        return;
    case 0xa1: case 0xa9: {
        uint64_t sp = env->regs[R_ESP];
        uint16_t sel = x86_pop_val(cpu, os);
        uint64_t after = env->regs[R_ESP];
        env->regs[R_ESP] = sp;
        x86_load_seg(cpu, op == 0xa1 ? R_FS : R_GS, sel);
        env->regs[R_ESP] = after;
        return;
    }
    case 0xa2: {
        uint32_t ea, eb, ec, ed;
        x86_cpu_cpuid(cpu, env->regs[R_EAX], env->regs[R_ECX], &ea, &eb, &ec, &ed);
        env->regs[R_EAX] = ea;
        env->regs[R_EBX] = eb;
        env->regs[R_ECX] = ec;
        env->regs[R_EDX] = ed;
        return;
    }
    case 0xa3: exec_bt(c, 0, ld_reg(c, os), false); return;
    case 0xab: exec_bt(c, 1, ld_reg(c, os), false); return;
    case 0xb3: exec_bt(c, 2, ld_reg(c, os), false); return;
    case 0xbb: exec_bt(c, 3, ld_reg(c, os), false); return;
    case 0xba:
        if ((i->reg & 7) < 4) {
            x86_raise_ud(cpu);
        }
        exec_bt(c, (i->reg & 7) - 4, i->imm, true);
        return;
    case 0xa4: case 0xa5: case 0xac: case 0xad: {
        unsigned cnt = (op & 1) ? env->regs[R_ECX] & 0xff : i->imm;
        a = ld_rm(c, os);
        st_rm(c, os, x86_shiftd(env, op >= 0xac, a, ld_reg(c, os), cnt, os));
        return;
    }
    case 0xae:
        /* LFENCE/MFENCE/SFENCE (register forms); other group-15 forms need SSE */
        if (!i->mem && (i->reg & 7) >= 5) {
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
            return;
        }
        x86_raise_ud(cpu);
    case 0xaf:
        {
            int64_t s1 = sext(ld_rm(c, os), os), s2 = sext(ld_reg(c, os), os);
            __int128 p = (__int128)s1 * s2;
            uint64_t lo = (uint64_t)p & size_mask(os);
            x86_mul_flags(env, lo, p != sext(lo, os), os);
            st_reg(c, os, lo);
        }
        return;
    case 0xb0: case 0xb1: {
        int sz = op & 1 ? os : 1;
        a = ld_rm(c, sz);
        x86_alu(env, ALU_CMP, get_reg(env, R_EAX, sz, true), a, sz);
        if (env->eflags & CC_Z) {
            st_rm(c, sz, ld_reg(c, sz));
        } else {
            /* memory is written back unchanged (a locked RMW); a register is not */
            if (i->mem) {
                st_rm(c, sz, a);
            }
            set_reg(env, R_EAX, sz, true, a);
        }
        return;
    }
    case 0xb2: case 0xb4: case 0xb5: {
        int s = op == 0xb2 ? R_SS : op == 0xb4 ? R_FS : R_GS;
        if (!i->mem) {
            x86_raise_ud(cpu);
        }
        a = ld_seg(c, c->seg, c->off, os);
        b = ld_seg(c, c->seg, (c->off + os) & amask(i), 2);
        x86_load_seg(cpu, s, b);
        st_reg(c, os, a);
        return;
    }
    case 0xb6: case 0xb7:
        st_reg(c, os, ld_rm(c, op & 1 ? 2 : 1));
        return;
    case 0xbe: case 0xbf: {
        int sz = op & 1 ? 2 : 1;
        st_reg(c, os, (uint64_t)sext(ld_rm(c, sz), sz));
        return;
    }
    case 0xbc: case 0xbd:
        a = ld_rm(c, os);
        if (!a) {
            /* destination unchanged (AMD and recent Intel) */
            x86_set_flag(env, CC_Z, true);
            return;
        }
        x86_set_flag(env, CC_Z, false);
        st_reg(c, os, op == 0xbc ? __builtin_ctzll(a) : 63 - __builtin_clzll(a));
        return;
    case 0xc0: case 0xc1: {
        int sz = op & 1 ? os : 1;
        a = ld_rm(c, sz);
        b = ld_reg(c, sz);
        uint64_t r = x86_alu(env, ALU_ADD, a, b, sz);
        /* SRC <- DEST, then DEST <- sum: the sum wins when both are one register */
        if (i->mem) {
            st_rm(c, sz, r);
            st_reg(c, sz, a);
        } else {
            st_reg(c, sz, a);
            st_rm(c, sz, r);
        }
        return;
    }
    case 0xc7: {
        bool q = os == 8;
        int sz = q ? 8 : 4;
        uint64_t lo, hi;
        if ((i->reg & 7) != 1 || !i->mem) {
            x86_raise_ud(cpu);
        }
        if (q && (c->off & 15)) {
            x86_raise_gp(cpu, 0);
        }
        lo = ld_seg(c, c->seg, c->off, sz);
        hi = ld_seg(c, c->seg, (c->off + sz) & amask(i), sz);
        if (lo == (env->regs[R_EAX] & size_mask(sz)) && hi == (env->regs[R_EDX] & size_mask(sz))) {
            st_seg(c, c->seg, c->off, sz, env->regs[R_EBX]);
            st_seg(c, c->seg, (c->off + sz) & amask(i), sz, env->regs[R_ECX]);
            x86_set_flag(env, CC_Z, true);
        } else {
            st_seg(c, c->seg, c->off, sz, lo);
            st_seg(c, c->seg, (c->off + sz) & amask(i), sz, hi);
            set_reg(env, R_EAX, sz, true, lo);
            set_reg(env, R_EDX, sz, true, hi);
            x86_set_flag(env, CC_Z, false);
        }
        return;
    }
    case 0xc8 ... 0xcf: {
        int reg = (op & 7) | ((i->rex & 1) << 3);
        if (os == 8) {
            env->regs[reg] = __builtin_bswap64(env->regs[reg]);
        } else if (os == 4) {
            env->regs[reg] = __builtin_bswap32(env->regs[reg]);
        } else {
            set_reg(env, reg, 2, true, 0);  /* undefined; zero as QEMU does */
        }
        return;
    }
    }
    x86_raise_ud(cpu);
}
