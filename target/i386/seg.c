/*
 * Segmentation (SDM vol. 3 ch. 3 and 5): address formation with limit
 * checks, descriptor loads, far transfers, IRET, LLDT/LTR.
 */
#include "internal.h"

uint64_t x86_desc_base(uint32_t lo, uint32_t hi)
{
    return (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000);
}

uint32_t x86_desc_limit(uint32_t lo, uint32_t hi)
{
    uint32_t limit = (lo & 0xffff) | (hi & 0x000f0000);
    if (hi & DESC_G_MASK) {
        limit = (limit << 12) | 0xfff;
    }
    return limit;
}

void x86_load_seg_cache(CPUX86State *env, int seg, uint16_t sel, uint64_t base,
                        uint32_t limit, uint32_t flags)
{
    SegmentCache *s = &env->segs[seg];
    s->selector = sel;
    s->base = base;
    s->limit = limit;
    s->flags = flags;
    if (seg == R_CS || seg == R_SS) {
        x86_update_hflags(env);
    }
}

static bool seg_excp_is_ss(int seg)
{
    return seg == R_SS;
}

uint64_t x86_seg_addr(X86CPU *cpu, int seg, uint64_t off, int size, int acc)
{
    CPUX86State *env = &cpu->env;
    SegmentCache *s = &env->segs[seg];
    uint32_t f = s->flags;

    if (env->code64) {
        uint64_t la = off + ((seg == R_FS || seg == R_GS) ? s->base : 0);
        /* canonical: bits 63..47 equal */
        if (!x86_is_canonical(la)) {
            x86_raise(cpu, seg_excp_is_ss(seg) ? EXCP0C_STACK : EXCP0D_GPF, 0);
        }
        return la;
    }
    if (env->pe && !(env->eflags & VM_MASK)) {
        uint64_t last = off + size - 1;
        if (!(f & DESC_P_MASK)) {
            x86_raise(cpu, seg_excp_is_ss(seg) ? EXCP0C_STACK : EXCP0D_GPF, 0);
        }
        if ((f & DESC_CS_MASK) ? (acc == ACC_WRITE)
                               : (acc == ACC_WRITE && !(f & DESC_W_MASK))) {
            x86_raise(cpu, seg_excp_is_ss(seg) ? EXCP0C_STACK : EXCP0D_GPF, 0);
        }
        if ((f & DESC_CS_MASK) && acc == ACC_READ && !(f & DESC_R_MASK) && seg != R_CS) {
            x86_raise(cpu, EXCP0D_GPF, 0);
        }
        if (!(f & DESC_CS_MASK) && (f & DESC_E_MASK)) {
            uint64_t top = (f & DESC_B_MASK) ? 0xffffffffull : 0xffff;
            if (off <= s->limit || last > top) {
                x86_raise(cpu, seg_excp_is_ss(seg) ? EXCP0C_STACK : EXCP0D_GPF, 0);
            }
        } else if (last > s->limit) {
            x86_raise(cpu, seg_excp_is_ss(seg) ? EXCP0C_STACK : EXCP0D_GPF, 0);
        }
    }
    return (uint32_t)(s->base + off);
}

bool x86_read_desc(X86CPU *cpu, uint16_t sel, uint32_t *lo, uint32_t *hi)
{
    CPUX86State *env = &cpu->env;
    uint64_t base;
    uint32_t limit;
    if (sel & 4) {
        base = env->ldt.base;
        limit = env->ldt.limit;
        if (!(env->ldt.flags & DESC_P_MASK) && !env->ldt.selector) {
            return false;
        }
    } else {
        base = env->gdt.base;
        limit = env->gdt.limit;
    }
    if ((uint32_t)(sel & ~7) + 7 > limit) {
        return false;
    }
    *lo = x86_ld_lin(cpu, base + (sel & ~7), 4, false);
    *hi = x86_ld_lin(cpu, base + (sel & ~7) + 4, 4, false);
    return true;
}

static void set_desc_accessed(X86CPU *cpu, uint16_t sel, uint32_t hi)
{
    CPUX86State *env = &cpu->env;
    uint64_t base = (sel & 4) ? env->ldt.base : env->gdt.base;
    if (!(hi & DESC_A_MASK)) {
        x86_st_lin(cpu, base + (sel & ~7) + 4, hi | DESC_A_MASK, 4, false);
    }
}

void x86_load_seg(X86CPU *cpu, int seg, uint16_t sel)
{
    CPUX86State *env = &cpu->env;
    uint32_t lo, hi;
    int rpl = sel & 3, dpl, cpl = env->cpl;

    if (!env->pe || (env->eflags & VM_MASK)) {
        env->segs[seg].selector = sel;
        env->segs[seg].base = (uint32_t)sel << 4;
        if (env->eflags & VM_MASK) {
            env->segs[seg].limit = 0xffff;
            env->segs[seg].flags = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK |
                                   (3 << DESC_DPL_SHIFT) | (seg == R_CS ? DESC_CS_MASK : 0);
        }
        return;
    }
    if ((sel & ~3) == 0) {
        if (seg == R_SS && !(env->code64 && cpl != 3 && rpl == cpl)) {
            x86_raise_gp(cpu, 0);
        }
        /* A null selector loads an unusable segment (SDM vol. 3 §3.4.2). */
        x86_load_seg_cache(env, seg, sel, 0, 0, seg == R_SS ? (cpl << DESC_DPL_SHIFT) : 0);
        return;
    }
    if (!x86_read_desc(cpu, sel, &lo, &hi)) {
        x86_raise_gp(cpu, sel & ~3);
    }
    dpl = (hi >> DESC_DPL_SHIFT) & 3;
    if (!(hi & DESC_S_MASK)) {
        x86_raise_gp(cpu, sel & ~3);
    }
    if (seg == R_SS) {
        if (rpl != cpl || dpl != cpl || (hi & DESC_CS_MASK) || !(hi & DESC_W_MASK)) {
            x86_raise_gp(cpu, sel & ~3);
        }
        if (!(hi & DESC_P_MASK)) {
            x86_raise(cpu, EXCP0C_STACK, sel & ~3);
        }
    } else {
        if ((hi & DESC_CS_MASK) && !(hi & DESC_R_MASK)) {
            x86_raise_gp(cpu, sel & ~3);
        }
        if (!((hi & DESC_CS_MASK) && (hi & DESC_C_MASK)) &&
            (dpl < cpl || dpl < rpl)) {
            x86_raise_gp(cpu, sel & ~3);
        }
        if (!(hi & DESC_P_MASK)) {
            x86_raise(cpu, EXCP0B_NOSEG, sel & ~3);
        }
    }
    set_desc_accessed(cpu, sel, hi);
    x86_load_seg_cache(env, seg, sel, x86_desc_base(lo, hi), x86_desc_limit(lo, hi),
                       (hi & 0x00f0ff00) | DESC_A_MASK);
}

/*
 * Checks a code-segment descriptor as the target of a far JMP/CALL/RET
 * and loads CS.  Gates and task switches are not implemented: #GP.
 */
static void load_cs_checked(X86CPU *cpu, uint16_t sel, int new_cpl, bool ret)
{
    CPUX86State *env = &cpu->env;
    uint32_t lo, hi;
    int dpl, rpl = sel & 3;

    if ((sel & ~3) == 0 || !x86_read_desc(cpu, sel, &lo, &hi)) {
        x86_raise_gp(cpu, sel & ~3);
    }
    dpl = (hi >> DESC_DPL_SHIFT) & 3;
    if (!(hi & DESC_S_MASK) || !(hi & DESC_CS_MASK)) {
        x86_raise_gp(cpu, sel & ~3);
    }
    if (ret) {
        if (rpl < env->cpl || ((hi & DESC_C_MASK) ? dpl > rpl : dpl != rpl)) {
            x86_raise_gp(cpu, sel & ~3);
        }
    } else if ((hi & DESC_C_MASK) ? dpl > env->cpl : (rpl > env->cpl || dpl != env->cpl)) {
        x86_raise_gp(cpu, sel & ~3);
    }
    if (!(hi & DESC_P_MASK)) {
        x86_raise(cpu, EXCP0B_NOSEG, sel & ~3);
    }
    if (env->lma && (hi & DESC_L_MASK) && (hi & DESC_B_MASK)) {
        x86_raise_gp(cpu, sel & ~3);
    }
    set_desc_accessed(cpu, sel, hi);
    env->cpl = new_cpl;
    x86_load_seg_cache(env, R_CS, (sel & ~3) | new_cpl, x86_desc_base(lo, hi),
                       x86_desc_limit(lo, hi), (hi & 0x00f0ff00) | DESC_A_MASK);
}

void x86_far_jmp(X86CPU *cpu, uint16_t sel, uint64_t off, uint64_t next_rip)
{
    CPUX86State *env = &cpu->env;
    if (!env->pe || (env->eflags & VM_MASK)) {
        x86_load_seg_cache(env, R_CS, sel, (uint32_t)sel << 4, env->segs[R_CS].limit,
                           env->segs[R_CS].flags);
        env->rip = off & 0xffff;
        return;
    }
    load_cs_checked(cpu, sel, env->cpl, false);
    env->rip = env->code64 ? off : (uint32_t)off;
}

void x86_far_call(X86CPU *cpu, uint16_t sel, uint64_t off, int osize, uint64_t next_rip)
{
    CPUX86State *env = &cpu->env;
    uint16_t old_cs = env->segs[R_CS].selector;
    uint64_t old_rsp = env->regs[R_ESP];
    x86_push_val(cpu, old_cs, osize);
    x86_push_val(cpu, next_rip, osize);
    if (!env->pe || (env->eflags & VM_MASK)) {
        x86_load_seg_cache(env, R_CS, sel, (uint32_t)sel << 4, env->segs[R_CS].limit,
                           env->segs[R_CS].flags);
        env->rip = off & 0xffff;
        return;
    }
    {
        uint64_t new_rsp = env->regs[R_ESP];
        env->regs[R_ESP] = old_rsp;     /* restored if the CS check faults */
        load_cs_checked(cpu, sel, env->cpl, false);
        env->regs[R_ESP] = new_rsp;
    }
    env->rip = env->code64 ? off : (osize == 2 ? off & 0xffff : (uint32_t)off);
}

static void set_sp(CPUX86State *env, uint64_t v)
{
    if (env->code64) {
        env->regs[R_ESP] = v;
    } else if (env->ss32) {
        env->regs[R_ESP] = (uint32_t)v;
    } else {
        env->regs[R_ESP] = (env->regs[R_ESP] & ~0xffffull) | (v & 0xffff);
    }
}

static uint64_t sp_mask(CPUX86State *env)
{
    return env->code64 ? ~0ull : env->ss32 ? 0xffffffffull : 0xffff;
}

static uint64_t stack_ld(X86CPU *cpu, uint64_t sp, int size)
{
    CPUX86State *env = &cpu->env;
    return x86_ld_lin(cpu, x86_seg_addr(cpu, R_SS, sp & sp_mask(env), size, ACC_READ),
                      size, env->cpl == 3);
}

/* After a return to an outer level, data segments the new CPL may not use become null. */
static void validate_seg_for_outer(CPUX86State *env, int seg)
{
    SegmentCache *s = &env->segs[seg];
    int dpl = (s->flags >> DESC_DPL_SHIFT) & 3;
    if ((s->selector & ~3) == 0 && env->code64) {
        return;
    }
    if ((!(s->flags & DESC_CS_MASK) || !(s->flags & DESC_C_MASK)) && dpl < env->cpl) {
        x86_load_seg_cache(env, seg, 0, 0, 0, 0);
    }
}

/* far RET / IRET tail: pops were done by the caller into the values given. */
static void return_to(X86CPU *cpu, uint16_t cs, uint64_t rip, uint64_t sp_after,
                      int osize, bool pop_ss, uint16_t ss, uint64_t rsp)
{
    CPUX86State *env = &cpu->env;
    int rpl = cs & 3;
    bool outer = rpl > env->cpl;

    if (outer || (env->code64 && pop_ss)) {
        uint32_t lo, hi;
        load_cs_checked(cpu, cs, rpl, true);
        if ((ss & ~3) == 0) {
            if (!(env->lma && rpl != 3)) {
                x86_raise_gp(cpu, 0);
            }
            x86_load_seg_cache(env, R_SS, ss, 0, 0xffffffff,
                               DESC_S_MASK | DESC_W_MASK | DESC_P_MASK | DESC_B_MASK |
                               (rpl << DESC_DPL_SHIFT));
        } else {
            if ((ss & 3) != rpl || !x86_read_desc(cpu, ss, &lo, &hi) ||
                !(hi & DESC_S_MASK) || (hi & DESC_CS_MASK) || !(hi & DESC_W_MASK) ||
                (int)((hi >> DESC_DPL_SHIFT) & 3) != rpl) {
                x86_raise_gp(cpu, ss & ~3);
            }
            if (!(hi & DESC_P_MASK)) {
                x86_raise(cpu, EXCP0C_STACK, ss & ~3);
            }
            set_desc_accessed(cpu, ss, hi);
            x86_load_seg_cache(env, R_SS, ss, x86_desc_base(lo, hi), x86_desc_limit(lo, hi),
                               (hi & 0x00f0ff00) | DESC_A_MASK);
        }
        if (env->code64 || osize == 8) {
            env->regs[R_ESP] = rsp;
        } else if (env->ss32) {
            env->regs[R_ESP] = (uint32_t)rsp;
        } else {
            env->regs[R_ESP] = (env->regs[R_ESP] & ~0xffffull) | (rsp & 0xffff);
        }
        if (outer) {
            validate_seg_for_outer(env, R_ES);
            validate_seg_for_outer(env, R_DS);
            validate_seg_for_outer(env, R_FS);
            validate_seg_for_outer(env, R_GS);
        }
    } else {
        load_cs_checked(cpu, cs, env->cpl, true);
        set_sp(env, sp_after);
    }
    env->rip = env->code64 ? rip : osize == 2 ? (rip & 0xffff) : (uint32_t)rip;
}

void x86_far_ret(X86CPU *cpu, int osize, uint16_t imm)
{
    CPUX86State *env = &cpu->env;
    uint64_t sp = env->regs[R_ESP];
    uint64_t rip = stack_ld(cpu, sp, osize);
    uint16_t cs = stack_ld(cpu, sp + osize, osize);
    uint64_t after = sp + 2 * osize + imm;

    if (!env->pe || (env->eflags & VM_MASK)) {
        x86_load_seg_cache(env, R_CS, cs, (uint32_t)cs << 4, env->segs[R_CS].limit,
                           env->segs[R_CS].flags);
        set_sp(env, after);
        env->rip = osize == 2 ? rip & 0xffff : (uint32_t)rip;
        return;
    }
    if ((cs & 3) > env->cpl) {
        uint64_t rsp = stack_ld(cpu, after, osize);
        uint16_t ss = stack_ld(cpu, after + osize, osize);
        return_to(cpu, cs, rip, after, osize, true, ss, rsp + imm);
    } else {
        return_to(cpu, cs, rip, after, osize, false, 0, 0);
    }
}

void x86_iret(X86CPU *cpu, int osize)
{
    CPUX86State *env = &cpu->env;
    uint64_t sp = env->regs[R_ESP];
    uint64_t rip, fl, mask;
    uint16_t cs;

    if (env->pe && !(env->eflags & VM_MASK) && (env->eflags & NT_MASK)) {
        x86_raise_gp(cpu, 0);   /* task return: task switches are not implemented */
    }
    rip = stack_ld(cpu, sp, osize);
    cs = stack_ld(cpu, sp + osize, osize);
    fl = stack_ld(cpu, sp + 2 * osize, osize);

    /* which RFLAGS bits IRET may change (SDM vol. 2 IRET operation) */
    mask = CC_MASK | TF_MASK | DF_MASK | NT_MASK | RF_MASK | AC_MASK | ID_MASK;
    if (!env->pe || env->cpl == 0) {
        mask |= IOPL_MASK | IF_MASK;
        if (env->cpl == 0 && env->pe) {
            mask |= VIF_MASK | VIP_MASK;
        }
    } else if (env->cpl <= (int)((env->eflags & IOPL_MASK) >> IOPL_SHIFT)) {
        mask |= IF_MASK;
    }
    if (osize == 2) {
        mask &= 0xffff;
    }

    if (!env->pe) {
        x86_load_seg_cache(env, R_CS, cs, (uint32_t)cs << 4, env->segs[R_CS].limit,
                           env->segs[R_CS].flags);
        set_sp(env, sp + 3 * osize);
        env->rip = rip & (osize == 2 ? 0xffff : 0xffffffff);
        env->eflags = (env->eflags & ~mask) | (fl & mask) | 2;
        return;
    }
    if (env->code64 || (cs & 3) > env->cpl) {
        uint64_t rsp = stack_ld(cpu, sp + 3 * osize, osize);
        uint16_t ss = stack_ld(cpu, sp + 4 * osize, osize);
        return_to(cpu, cs, rip, sp + 5 * osize, osize, true, ss, rsp);
    } else {
        return_to(cpu, cs, rip, sp + 3 * osize, osize, false, 0, 0);
    }
    env->eflags = (env->eflags & ~mask) | (fl & mask) | 2;
}

static void load_sys_desc(X86CPU *cpu, uint16_t sel, SegmentCache *s, int type_a, int type_b)
{
    CPUX86State *env = &cpu->env;
    uint32_t lo, hi, hi2 = 0;
    int type;
    if (sel & 4) {
        x86_raise_gp(cpu, sel & ~3);
    }
    if (!x86_read_desc(cpu, sel, &lo, &hi)) {
        x86_raise_gp(cpu, sel & ~3);
    }
    type = (hi >> DESC_TYPE_SHIFT) & 15;
    if ((hi & DESC_S_MASK) || (type != type_a && type != type_b)) {
        x86_raise_gp(cpu, sel & ~3);
    }
    if (!(hi & DESC_P_MASK)) {
        x86_raise(cpu, EXCP0B_NOSEG, sel & ~3);
    }
    if (env->lma) {
        hi2 = x86_ld_lin(cpu, env->gdt.base + (sel & ~7) + 8, 4, false);
    }
    s->selector = sel;
    s->base = x86_desc_base(lo, hi) | ((uint64_t)hi2 << 32);
    s->limit = x86_desc_limit(lo, hi);
    s->flags = hi & 0x00f0ff00;
}

void x86_lldt(X86CPU *cpu, uint16_t sel)
{
    CPUX86State *env = &cpu->env;
    if ((sel & ~3) == 0) {
        env->ldt.selector = 0;
        env->ldt.base = 0;
        env->ldt.limit = 0;
        env->ldt.flags = 0;
        return;
    }
    load_sys_desc(cpu, sel, &env->ldt, 2, 2);
}

void x86_ltr(X86CPU *cpu, uint16_t sel)
{
    CPUX86State *env = &cpu->env;
    uint64_t base;
    if ((sel & ~3) == 0) {
        x86_raise_gp(cpu, 0);
    }
    /* available 16-bit (1) or 32/64-bit (9) TSS; LTR marks it busy */
    load_sys_desc(cpu, sel, &env->tr, 1, 9);
    base = env->gdt.base + (sel & ~7) + 4;
    x86_st_lin(cpu, base, (env->tr.flags | (2 << DESC_TYPE_SHIFT)) |
               (x86_ld_lin(cpu, base, 4, false) & 0xff0000ff), 4, false);
    env->tr.flags |= 2 << DESC_TYPE_SHIFT;
}
