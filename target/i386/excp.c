/*
 * Exceptions and interrupt delivery (SDM vol. 3 ch. 6): real-mode IVT,
 * protected-mode and long-mode IDT gates, TSS stack switch, IST, #DF and
 * the triple fault.
 */
#include "internal.h"

static bool is_contributory(int v)
{
    return v == EXCP00_DIVZ || (v >= EXCP0A_TSS && v <= EXCP0D_GPF);
}

void x86_raise(X86CPU *cpu, int vector, int error_code)
{
    int prev = cpu->delivering;

    /* SDM vol. 3 table 6-5: which second exception turns into #DF */
    if (prev >= 0) {
        if (prev == EXCP08_DBLE) {
            cpu->shutdown = true;
            longjmp(cpu->jmp_env, 1);
        }
        if ((is_contributory(prev) && is_contributory(vector)) ||
            (prev == EXCP0E_PAGE && (vector == EXCP0E_PAGE || is_contributory(vector)))) {
            vector = EXCP08_DBLE;
            error_code = 0;
        }
    }
    cpu->excp_vector = vector;
    cpu->excp_error = error_code;
    longjmp(cpu->jmp_env, 1);
}

static void push_at(X86CPU *cpu, int seg, uint64_t *sp, uint64_t mask, uint64_t v,
                    int size)
{
    *sp = (*sp - size) & mask;
    if (seg < 0) {
        x86_st_lin(cpu, *sp, v, size, false);
    } else {
        x86_st_lin(cpu, x86_seg_addr(cpu, seg, *sp, size, ACC_WRITE), v, size, false);
    }
}

static void deliver_real(X86CPU *cpu, int vector, uint64_t next_rip)
{
    CPUX86State *env = &cpu->env;
    uint64_t sp = env->regs[R_ESP] & 0xffff;
    uint32_t ent;

    if ((uint32_t)vector * 4 + 3 > env->idt.limit) {
        x86_raise_gp(cpu, vector * 8 + 2);
    }
    ent = x86_ld_lin(cpu, env->idt.base + vector * 4, 4, false);
    push_at(cpu, R_SS, &sp, 0xffff, env->eflags, 2);
    push_at(cpu, R_SS, &sp, 0xffff, env->segs[R_CS].selector, 2);
    push_at(cpu, R_SS, &sp, 0xffff, next_rip, 2);
    env->regs[R_ESP] = (env->regs[R_ESP] & ~0xffffull) | sp;
    env->eflags &= ~(IF_MASK | TF_MASK | AC_MASK | RF_MASK);
    x86_load_seg_cache(env, R_CS, ent >> 16, (ent >> 16) << 4, env->segs[R_CS].limit,
                       env->segs[R_CS].flags);
    env->rip = ent & 0xffff;
}

void x86_deliver(X86CPU *cpu, int vector, int error_code, bool is_int, uint64_t next_rip)
{
    CPUX86State *env = &cpu->env;
    /* EXT: the event came from outside the program (an external interrupt) */
    int ext = !is_int && vector >= 32;
    int gate_bytes = env->lma ? 16 : 8;
    uint32_t w0, w1, w2 = 0, lo, hi;
    int type, dpl, cs_dpl, ist = 0;
    uint16_t cs_sel;
    uint64_t off, sp, ss_base = 0, old_sp = env->regs[R_ESP], fl = env->eflags;
    uint16_t old_ss = env->segs[R_SS].selector, new_ss = 0;
    bool stack_switch = false, gate32;
    SegmentCache ss_cache = env->segs[R_SS];
    int size, new_cpl;

    cpu->delivering = vector;
    env->halted = false;
    if (!env->pe) {
        deliver_real(cpu, vector, next_rip);
        cpu->delivering = -1;
        return;
    }

    if ((uint32_t)vector * gate_bytes + gate_bytes - 1 > env->idt.limit) {
        x86_raise_gp(cpu, vector * 8 + 2 + ext);
    }
    w0 = x86_ld_lin(cpu, env->idt.base + vector * gate_bytes, 4, false);
    w1 = x86_ld_lin(cpu, env->idt.base + vector * gate_bytes + 4, 4, false);
    if (env->lma) {
        w2 = x86_ld_lin(cpu, env->idt.base + vector * gate_bytes + 8, 4, false);
    }
    type = (w1 >> 8) & 0x1f;
    dpl = (w1 >> DESC_DPL_SHIFT) & 3;
    if (env->lma ? (type != 0xe && type != 0xf)
                 : (type != 0x6 && type != 0x7 && type != 0xe && type != 0xf)) {
        x86_raise_gp(cpu, vector * 8 + 2 + ext);    /* task gates: not implemented */
    }
    if (is_int && dpl < env->cpl) {
        x86_raise_gp(cpu, vector * 8 + 2);
    }
    if (!(w1 & DESC_P_MASK)) {
        x86_raise(cpu, EXCP0B_NOSEG, vector * 8 + 2 + ext);
    }
    gate32 = type & 8;
    cs_sel = w0 >> 16;
    off = (w0 & 0xffff) | (w1 & 0xffff0000) | ((uint64_t)w2 << 32);
    ist = env->lma ? (w1 & 7) : 0;

    if ((cs_sel & ~3) == 0 || !x86_read_desc(cpu, cs_sel, &lo, &hi)) {
        x86_raise_gp(cpu, (cs_sel & ~3) + ext);
    }
    cs_dpl = (hi >> DESC_DPL_SHIFT) & 3;
    if (!(hi & DESC_S_MASK) || !(hi & DESC_CS_MASK) || cs_dpl > env->cpl ||
        (env->lma && (!(hi & DESC_L_MASK) || (hi & DESC_B_MASK)))) {
        x86_raise_gp(cpu, (cs_sel & ~3) + ext);
    }
    if (!(hi & DESC_P_MASK)) {
        x86_raise(cpu, EXCP0B_NOSEG, (cs_sel & ~3) + ext);
    }
    new_cpl = (hi & DESC_C_MASK) ? env->cpl : cs_dpl;
    if (new_cpl < env->cpl || ist) {
        stack_switch = new_cpl < env->cpl;
        if (env->lma) {
            uint64_t a = env->tr.base + (ist ? 0x24 + 8 * (ist - 1) : 4 + 8 * new_cpl);
            if (a + 7 > env->tr.base + env->tr.limit) {
                x86_raise(cpu, EXCP0A_TSS, (env->tr.selector & ~3) + ext);
            }
            sp = x86_ld_lin(cpu, a, 8, false);
            new_ss = new_cpl;
        } else {
            uint32_t a = 4 + 8 * new_cpl;
            uint32_t sslo, sshi;
            if (a + 5 > env->tr.limit) {
                x86_raise(cpu, EXCP0A_TSS, (env->tr.selector & ~3) + ext);
            }
            sp = x86_ld_lin(cpu, env->tr.base + a, 4, false);
            new_ss = x86_ld_lin(cpu, env->tr.base + a + 4, 2, false);
            if ((new_ss & ~3) == 0 || (new_ss & 3) != new_cpl ||
                !x86_read_desc(cpu, new_ss, &sslo, &sshi) ||
                (sshi & DESC_CS_MASK) || !(sshi & DESC_W_MASK) ||
                (int)((sshi >> DESC_DPL_SHIFT) & 3) != new_cpl) {
                x86_raise(cpu, EXCP0A_TSS, (new_ss & ~3) + ext);
            }
            if (!(sshi & DESC_P_MASK)) {
                x86_raise(cpu, EXCP0C_STACK, (new_ss & ~3) + ext);
            }
            ss_cache.selector = new_ss;
            ss_cache.base = x86_desc_base(sslo, sshi);
            ss_cache.limit = x86_desc_limit(sslo, sshi);
            ss_cache.flags = (sshi & 0x00f0ff00) | DESC_A_MASK;
            ss_base = ss_cache.base;
        }
    } else {
        sp = env->regs[R_ESP];
        ss_base = env->segs[R_SS].base;
    }

    if (env->lma) {
        /* 64-bit frame: always SS:RSP, 16-byte aligned (SDM vol. 3 §6.14.2) */
        sp &= ~0xfull;
        push_at(cpu, -1, &sp, ~0ull, old_ss, 8);
        push_at(cpu, -1, &sp, ~0ull, old_sp, 8);
        push_at(cpu, -1, &sp, ~0ull, fl, 8);
        push_at(cpu, -1, &sp, ~0ull, env->segs[R_CS].selector, 8);
        push_at(cpu, -1, &sp, ~0ull, next_rip, 8);
        if (error_code >= 0) {
            push_at(cpu, -1, &sp, ~0ull, error_code, 8);
        }
        if (stack_switch) {
            x86_load_seg_cache(env, R_SS, new_ss, 0, 0xffffffff,
                               DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_B_MASK |
                               (new_cpl << DESC_DPL_SHIFT));
        }
        env->regs[R_ESP] = sp;
    } else {
        uint64_t mask = (stack_switch ? (ss_cache.flags & DESC_B_MASK)
                                      : env->ss32) ? 0xffffffffull : 0xffff;
        size = gate32 ? 4 : 2;
        sp &= mask;
#define PUSH(v) do { sp = (sp - size) & mask; \
        x86_st_lin(cpu, (uint32_t)(ss_base + sp), (v), size, false); } while (0)
        if (stack_switch) {
            if (sp - 5 * size - (error_code >= 0 ? size : 0) > ss_cache.limit &&
                !(ss_cache.flags & DESC_E_MASK) && ss_cache.limit != 0xffffffff) {
                x86_raise(cpu, EXCP0C_STACK, (new_ss & ~3) + ext);
            }
            PUSH(old_ss);
            PUSH(old_sp);
        }
        PUSH(fl);
        PUSH(env->segs[R_CS].selector);
        PUSH(next_rip);
        if (error_code >= 0) {
            PUSH(error_code);
        }
#undef PUSH
        if (stack_switch) {
            env->segs[R_SS] = ss_cache;
        }
        if (mask == 0xffff) {
            env->regs[R_ESP] = (env->regs[R_ESP] & ~0xffffull) | sp;
        } else {
            env->regs[R_ESP] = sp;
        }
    }

    env->cpl = new_cpl;
    x86_load_seg_cache(env, R_CS, (cs_sel & ~3) | new_cpl, x86_desc_base(lo, hi),
                       x86_desc_limit(lo, hi), (hi & 0x00f0ff00) | DESC_A_MASK);
    x86_update_hflags(env);
    env->rip = env->lma ? off : gate32 ? (uint32_t)off : (off & 0xffff);
    if (!(type & 1)) {
        env->eflags &= ~IF_MASK;    /* interrupt gate */
    }
    env->eflags &= ~(TF_MASK | NT_MASK | RF_MASK | VM_MASK);
    cpu->delivering = -1;
}
