/*
 * The execution loop and the one-byte opcode map.
 */
#include <string.h>
#include "exec.h"

static uint64_t sp_mask(CPUX86State *env)
{
    return env->code64 ? ~0ull : env->ss32 ? 0xffffffffull : 0xffff;
}

static void set_sp(CPUX86State *env, uint64_t v)
{
    uint64_t m = sp_mask(env);
    env->regs[R_ESP] = m == 0xffff ? (env->regs[R_ESP] & ~0xffffull) | (v & 0xffff) : v & m;
}

uint64_t x86_push_val(X86CPU *cpu, uint64_t v, int size)
{
    CPUX86State *env = &cpu->env;
    uint64_t sp = (env->regs[R_ESP] - size) & sp_mask(env);
    x86_st_lin(cpu, x86_seg_addr(cpu, R_SS, sp, size, ACC_WRITE), v, size, env->cpl == 3);
    set_sp(env, sp);
    return sp;
}

uint64_t x86_pop_val(X86CPU *cpu, int size)
{
    CPUX86State *env = &cpu->env;
    uint64_t sp = env->regs[R_ESP] & sp_mask(env);
    uint64_t v = x86_ld_lin(cpu, x86_seg_addr(cpu, R_SS, sp, size, ACC_READ), size,
                            env->cpl == 3);
    set_sp(env, sp + size);
    return v;
}

static uint64_t peek_stack(X86CPU *cpu, uint64_t off, int size)
{
    CPUX86State *env = &cpu->env;
    uint64_t sp = (env->regs[R_ESP] + off) & sp_mask(env);
    return x86_ld_lin(cpu, x86_seg_addr(cpu, R_SS, sp, size, ACC_READ), size, env->cpl == 3);
}

static void form_ea(X86Ctx *c)
{
    const X86Insn *i = c->i;
    CPUX86State *env = c->env;
    uint64_t a = i->disp;
    if (i->base != 0xff) {
        a += env->regs[i->base];
    }
    if (i->index != 0xff) {
        a += env->regs[i->index] << i->scale;
    }
    if (i->riprel) {
        a += env->rip;
    }
    c->off = a & amask(i);
    if (i->seg != SEG_NONE) {
        c->seg = i->seg;
    } else {
        c->seg = (i->base == R_ESP || i->base == R_EBP) ? R_SS : R_DS;
    }
}

static void jump(X86Ctx *c, uint64_t target)
{
    CPUX86State *env = c->env;
    if (!env->code64) {
        target &= c->i->osize == 2 ? 0xffff : 0xffffffff;
        if (env->pe && target > env->segs[R_CS].limit) {
            x86_raise_gp(c->cpu, 0);
        }
    } else if (!x86_is_canonical(target)) {
        x86_raise_gp(c->cpu, 0);
    }
    env->rip = target;
}

static int iopl(CPUX86State *env)
{
    return (env->eflags & IOPL_MASK) >> IOPL_SHIFT;
}

/* POPF (SDM vol. 2): which bits may change depends on CPL and IOPL. */
static void write_eflags_popf(CPUX86State *env, uint64_t v, int size)
{
    uint64_t mask = CC_MASK | TF_MASK | DF_MASK | NT_MASK | AC_MASK | ID_MASK;
    if (!env->pe || env->cpl == 0) {
        mask |= IOPL_MASK | IF_MASK;
    } else if (env->cpl <= iopl(env)) {
        mask |= IF_MASK;
    }
    if (size == 2) {
        mask &= 0xffff;
    }
    env->eflags = (env->eflags & ~mask) | (v & mask) | 2;
}

static void exec_muldiv(X86Ctx *c, int op, int size)
{
    CPUX86State *env = c->env;
    uint64_t src = ld_rm(c, size), m = size_mask(size);
    bool rex = c->i->rex;

    switch (op) {
    case 4: {   /* MUL */
        unsigned __int128 r = (unsigned __int128)(get_reg(env, R_EAX, size, rex) & m) * src;
        uint64_t lo = (uint64_t)r & m, hi = (uint64_t)(r >> (size * 8)) & m;
        if (size == 1) {
            set_reg(env, R_EAX, 2, rex, lo | (hi << 8));
        } else {
            set_reg(env, R_EAX, size, rex, lo);
            set_reg(env, R_EDX, size, rex, hi);
        }
        x86_mul_flags(env, lo, hi != 0, size);
        break;
    }
    case 5: {   /* IMUL */
        __int128 r = (__int128)sext(get_reg(env, R_EAX, size, rex), size) * sext(src, size);
        uint64_t lo = (uint64_t)r & m, hi = (uint64_t)(r >> (size * 8)) & m;
        if (size == 1) {
            set_reg(env, R_EAX, 2, rex, lo | (hi << 8));
        } else {
            set_reg(env, R_EAX, size, rex, lo);
            set_reg(env, R_EDX, size, rex, hi);
        }
        x86_mul_flags(env, lo, r != sext(lo, size), size);
        break;
    }
    case 6: {   /* DIV */
        unsigned __int128 n, q;
        if (!src) {
            x86_raise(c->cpu, EXCP00_DIVZ, -1);
        }
        n = size == 1 ? get_reg(env, R_EAX, 2, rex)
                      : ((unsigned __int128)get_reg(env, R_EDX, size, rex) << (size * 8)) |
                        get_reg(env, R_EAX, size, rex);
        q = n / src;
        if (q > m) {
            x86_raise(c->cpu, EXCP00_DIVZ, -1);
        }
        if (size == 1) {
            set_reg(env, R_EAX, 2, rex, (uint64_t)q | ((uint64_t)(n % src) << 8));
        } else {
            set_reg(env, R_EAX, size, rex, (uint64_t)q);
            set_reg(env, R_EDX, size, rex, (uint64_t)(n % src));
        }
        break;
    }
    default: {  /* IDIV */
        __int128 n, q, d = sext(src, size);
        if (!d) {
            x86_raise(c->cpu, EXCP00_DIVZ, -1);
        }
        n = size == 1 ? (__int128)(int16_t)get_reg(env, R_EAX, 2, rex)
                      : (__int128)(((unsigned __int128)get_reg(env, R_EDX, size, rex) <<
                                    (size * 8)) | get_reg(env, R_EAX, size, rex));
        if (size < 8) {
            n = (int64_t)((uint64_t)n << (64 - 2 * size * 8)) >> (64 - 2 * size * 8);
        }
        q = n / d;
        if (q != sext((uint64_t)q, size)) {
            x86_raise(c->cpu, EXCP00_DIVZ, -1);
        }
        if (size == 1) {
            set_reg(env, R_EAX, 2, rex, ((uint64_t)q & 0xff) | (((uint64_t)(n % d) & 0xff) << 8));
        } else {
            set_reg(env, R_EAX, size, rex, (uint64_t)q);
            set_reg(env, R_EDX, size, rex, (uint64_t)(n % d));
        }
        break;
    }
    }
}

static void exec_int(X86Ctx *c, int vector, bool soft)
{
    CPUX86State *env = c->env;
    if (soft && env->pe && (env->eflags & VM_MASK) && iopl(env) < 3) {
        x86_raise_gp(c->cpu, 0);
    }
    x86_deliver(c->cpu, vector, -1, soft, env->rip);
}

static void exec_one(X86Ctx *c)
{
    X86CPU *cpu = c->cpu;
    CPUX86State *env = c->env;
    const X86Insn *i = c->i;
    int op = i->op, os = i->osize;
    int bsz = (op & 1) ? os : 1;    /* byte/full-size pair */
    uint64_t a, b, r;

    if (i->mem) {
        form_ea(c);
    }
    if ((i->prefix & PFX_LOCK) && (!i->mem || !(
            (op < 0x40 && (op & 7) < 2 && (op & 0x38) != 0x38) ||
            (op >= 0x80 && op <= 0x83 && (i->reg & 7) != 7) ||
            op == 0x86 || op == 0x87 || op == 0xf6 || op == 0xf7 || op == 0xfe ||
            op == 0xff || op == 0x1b0 || op == 0x1b1 || op == 0x1c0 || op == 0x1c1 ||
            op == 0x1c7 || op == 0x1ab || op == 0x1b3 || op == 0x1bb || op == 0x1ba))) {
        x86_raise_ud(cpu);
    }

    if (op >= 0x100) {
        x86_exec_0f(c);
        return;
    }
    if (op < 0x40 && (op & 7) < 6) {
        int aop = op >> 3;
        switch (op & 7) {
        case 0: case 1:
            a = ld_rm(c, bsz);
            r = x86_alu(env, aop, a, ld_reg(c, bsz), bsz);
            if (aop != ALU_CMP) {
                st_rm(c, bsz, r);
            }
            return;
        case 2: case 3:
            r = x86_alu(env, aop, ld_reg(c, bsz), ld_rm(c, bsz), bsz);
            if (aop != ALU_CMP) {
                st_reg(c, bsz, r);
            }
            return;
        default:
            r = x86_alu(env, aop, get_reg(env, R_EAX, bsz, true), i->imm, bsz);
            if (aop != ALU_CMP) {
                set_reg(env, R_EAX, bsz, true, r);
            }
            return;
        }
    }

    switch (op) {
    case 0x06: case 0x0e: case 0x16: case 0x1e:
        x86_push_val(cpu, env->segs[op >> 3].selector, os);
        break;
    case 0x07: case 0x17: case 0x1f: {
        uint16_t sel = peek_stack(cpu, 0, os);
        x86_load_seg(cpu, op >> 3, sel);
        x86_pop_val(cpu, os);
        if (op == 0x17) {
            env->inhibit_irq = true;
        }
        break;
    }
    case 0x27: case 0x2f: {     /* DAA / DAS */
        uint64_t al = env->regs[R_EAX] & 0xff, cf = env->eflags & CC_C, f;
        bool af = env->eflags & CC_A;
        uint64_t old = al;
        f = 0;
        if ((al & 0xf) > 9 || af) {
            al = op == 0x27 ? al + 6 : al - 6;
            f |= CC_A;
        }
        if (old > 0x99 || cf) {
            al = op == 0x27 ? al + 0x60 : al - 0x60;
            f |= CC_C;
        }
        al &= 0xff;
        x86_alu(env, ALU_OR, al, 0, 1);
        env->eflags = (env->eflags & ~(CC_A | CC_C)) | f;
        set_reg(env, R_EAX, 1, true, al);
        break;
    }
    case 0x37: case 0x3f: {     /* AAA / AAS */
        uint64_t ax = env->regs[R_EAX] & 0xffff;
        bool adj = (ax & 0xf) > 9 || (env->eflags & CC_A);
        if (adj) {
            ax = op == 0x37 ? ax + 0x106 : ax - 0x106;
        }
        ax = (ax & 0xff0f);
        set_reg(env, R_EAX, 2, true, ax);
        x86_set_flag(env, CC_A | CC_C, adj);
        break;
    }
    case 0x40 ... 0x47:
        set_reg(env, op & 7, os, true, x86_incdec(env, env->regs[op & 7], false, os));
        break;
    case 0x48 ... 0x4f:
        set_reg(env, op & 7, os, true, x86_incdec(env, env->regs[op & 7], true, os));
        break;
    case 0x50 ... 0x57: {
        int reg = (op & 7) | ((i->rex & 1) << 3);
        x86_push_val(cpu, env->regs[reg], os);
        break;
    }
    case 0x58 ... 0x5f: {
        int reg = (op & 7) | ((i->rex & 1) << 3);
        set_reg(env, reg, os, true, x86_pop_val(cpu, os));
        break;
    }
    case 0x60: {    /* PUSHA */
        uint64_t sp = env->regs[R_ESP];
        for (int r8 = 0; r8 < 8; r8++) {
            x86_push_val(cpu, r8 == R_ESP ? sp : env->regs[r8], os);
        }
        break;
    }
    case 0x61: {    /* POPA */
        uint64_t v[8];
        for (int r8 = 7; r8 >= 0; r8--) {
            v[r8] = peek_stack(cpu, (7 - r8) * os, os);
        }
        for (int r8 = 0; r8 < 8; r8++) {
            if (r8 != R_ESP) {
                set_reg(env, r8, os, true, v[r8]);
            }
        }
        set_sp(env, env->regs[R_ESP] + 8 * os);
        break;
    }
    case 0x62:      /* BOUND */
        if (!i->mem) {
            x86_raise_ud(cpu);
        } else {
            int64_t v = sext(ld_reg(c, os), os);
            int64_t lo = sext(ld_seg(c, c->seg, c->off, os), os);
            int64_t hi = sext(ld_seg(c, c->seg, (c->off + os) & amask(i), os), os);
            if (v < lo || v > hi) {
                x86_raise(cpu, EXCP05_BOUND, -1);
            }
        }
        break;
    case 0x63:
        if (env->code64) {  /* MOVSXD */
            st_reg(c, os, (uint64_t)sext(ld_rm(c, 4), 4));
        } else {            /* ARPL */
            if (!env->pe || (env->eflags & VM_MASK)) {
                x86_raise_ud(cpu);
            }
            a = ld_rm(c, 2);
            b = ld_reg(c, 2);
            if ((a & 3) < (b & 3)) {
                st_rm(c, 2, (a & ~3ull) | (b & 3));
                x86_set_flag(env, CC_Z, true);
            } else {
                x86_set_flag(env, CC_Z, false);
            }
        }
        break;
    case 0x68: case 0x6a:
        x86_push_val(cpu, op == 0x6a ? (uint64_t)(int8_t)i->imm : i->imm, os);
        break;
    case 0x69: case 0x6b: {
        int64_t s1 = sext(ld_rm(c, os), os);
        int64_t s2 = op == 0x6b ? (int8_t)i->imm : sext(i->imm, os);
        __int128 p = (__int128)s1 * s2;
        uint64_t lo = (uint64_t)p & size_mask(os);
        x86_mul_flags(env, lo, p != sext(lo, os), os);
        st_reg(c, os, lo);
        break;
    }
    case 0x6c ... 0x6f: case 0xa4 ... 0xa7: case 0xaa ... 0xaf:
        x86_exec_string(c, (op & 1) ? os : 1);
        break;
    case 0x70 ... 0x7f:
        if (x86_cond(env, op & 15)) {
            jump(c, env->rip + (int8_t)i->imm);
        }
        break;
    case 0x80 ... 0x83: {
        int aop = i->reg & 7;
        int sz = op == 0x81 || op == 0x83 ? os : 1;
        uint64_t imm = op == 0x83 ? (uint64_t)(int8_t)i->imm : i->imm;
        a = ld_rm(c, sz);
        r = x86_alu(env, aop, a, imm, sz);
        if (aop != ALU_CMP) {
            st_rm(c, sz, r);
        }
        break;
    }
    case 0x84: case 0x85:
        x86_alu(env, ALU_AND, ld_rm(c, bsz), ld_reg(c, bsz), bsz);
        break;
    case 0x86: case 0x87:
        a = ld_rm(c, bsz);
        b = ld_reg(c, bsz);
        st_rm(c, bsz, b);
        st_reg(c, bsz, a);
        break;
    case 0x88: case 0x89:
        st_rm(c, bsz, ld_reg(c, bsz));
        break;
    case 0x8a: case 0x8b:
        st_reg(c, bsz, ld_rm(c, bsz));
        break;
    case 0x8c:
        if ((i->reg & 7) > R_GS) {
            x86_raise_ud(cpu);
        }
        st_rm(c, i->mem ? 2 : os, env->segs[i->reg & 7].selector);
        break;
    case 0x8d:
        if (!i->mem) {
            x86_raise_ud(cpu);
        }
        st_reg(c, os, c->off);
        break;
    case 0x8e: {
        int s = i->reg & 7;
        if (s == R_CS || s > R_GS) {
            x86_raise_ud(cpu);
        }
        x86_load_seg(cpu, s, ld_rm(c, 2));
        if (s == R_SS) {
            env->inhibit_irq = true;
        }
        break;
    }
    case 0x8f:
        if (i->mem) {
            /* ESP-based addresses use the value after the pop (SDM vol. 2 POP) */
            uint64_t v = peek_stack(cpu, 0, os);
            uint64_t old = env->regs[R_ESP];
            set_sp(env, old + os);
            form_ea(c);
            env->regs[R_ESP] = old;
            st_rm(c, os, v);
            set_sp(env, old + os);
        } else {
            st_rm(c, os, x86_pop_val(cpu, os));
        }
        break;
    case 0x90:
        if ((i->rex & 1)) {
            a = env->regs[R_R8];
            set_reg(env, R_R8, os, true, env->regs[R_EAX]);
            set_reg(env, R_EAX, os, true, a);
        }
        /* plain NOP, and PAUSE with F3 */
        break;
    case 0x91 ... 0x97: {
        int reg = (op & 7) | ((i->rex & 1) << 3);
        a = env->regs[reg];
        set_reg(env, reg, os, true, env->regs[R_EAX]);
        set_reg(env, R_EAX, os, true, a);
        break;
    }
    case 0x98:
        set_reg(env, R_EAX, os, true, sext(env->regs[R_EAX], os / 2));
        break;
    case 0x99:
        set_reg(env, R_EDX, os, true, sext(env->regs[R_EAX], os) < 0 ? ~0ull : 0);
        break;
    case 0x9a:
        x86_far_call(cpu, i->imm2, i->imm, os, env->rip);
        break;
    case 0x9b:
        break;
    case 0x9c:
        if ((env->eflags & VM_MASK) && iopl(env) < 3) {
            x86_raise_gp(cpu, 0);
        }
        x86_push_val(cpu, env->eflags & ~(VM_MASK | RF_MASK), os);
        break;
    case 0x9d:
        if ((env->eflags & VM_MASK) && iopl(env) < 3) {
            x86_raise_gp(cpu, 0);
        }
        write_eflags_popf(env, x86_pop_val(cpu, os), os);
        break;
    case 0x9e:
        env->eflags = (env->eflags & ~(CC_S | CC_Z | CC_A | CC_P | CC_C)) |
                      ((env->regs[R_EAX] >> 8) & (CC_S | CC_Z | CC_A | CC_P | CC_C));
        break;
    case 0x9f:
        set_reg(env, R_ESP, 1, false, (env->eflags & 0xff) | 2);
        break;
    case 0xa0 ... 0xa3: {
        int seg = i->seg != SEG_NONE ? i->seg : R_DS;
        uint64_t off = i->imm & amask(i);
        if (op & 2) {
            st_seg(c, seg, off, bsz, get_reg(env, R_EAX, bsz, true));
        } else {
            set_reg(env, R_EAX, bsz, true, ld_seg(c, seg, off, bsz));
        }
        break;
    }
    case 0xa8: case 0xa9:
        x86_alu(env, ALU_AND, get_reg(env, R_EAX, bsz, true), i->imm, bsz);
        break;
    case 0xb0 ... 0xb7:
        set_reg(env, (op & 7) | ((i->rex & 1) << 3), 1, i->rex, i->imm);
        break;
    case 0xb8 ... 0xbf:
        set_reg(env, (op & 7) | ((i->rex & 1) << 3), os, true, i->imm);
        break;
    case 0xc0: case 0xc1: case 0xd0 ... 0xd3: {
        unsigned cnt = op <= 0xc1 ? i->imm : (op <= 0xd1 ? 1 : env->regs[R_ECX] & 0xff);
        a = ld_rm(c, bsz);
        r = x86_shift(env, i->reg & 7, a, cnt, bsz);
        st_rm(c, bsz, r);
        break;
    }
    case 0xc2: case 0xc3: {
        uint64_t t = peek_stack(cpu, 0, os);
        jump(c, t);
        set_sp(env, env->regs[R_ESP] + os + (op == 0xc2 ? i->imm : 0));
        break;
    }
    case 0xc4: case 0xc5: {
        int s = op == 0xc4 ? R_ES : R_DS;
        if (!i->mem) {
            x86_raise_ud(cpu);
        }
        a = ld_seg(c, c->seg, c->off, os);
        b = ld_seg(c, c->seg, (c->off + os) & amask(i), 2);
        x86_load_seg(cpu, s, b);
        st_reg(c, os, a);
        break;
    }
    case 0xc6: case 0xc7:
        if ((i->reg & 7) != 0) {
            x86_raise_ud(cpu);
        }
        st_rm(c, bsz, i->imm);
        break;
    case 0xc8: {    /* ENTER (SDM vol. 2 ENTER operation) */
        unsigned level = i->imm2 & 31;
        uint64_t bp = env->regs[R_EBP];
        uint64_t frame;
        x86_push_val(cpu, bp, os);
        frame = env->regs[R_ESP] & sp_mask(env);
        if (level) {
            uint64_t m = env->code64 ? ~0ull : env->ss32 ? 0xffffffffull : 0xffff;
            for (unsigned l = 1; l < level; l++) {
                bp = (bp - os) & m;
                x86_push_val(cpu, ld_seg(c, R_SS, bp, os), os);
            }
            x86_push_val(cpu, frame, os);
        }
        set_reg(env, R_EBP, os, true, frame);
        set_sp(env, env->regs[R_ESP] - i->imm);
        x86_seg_addr(cpu, R_SS, env->regs[R_ESP] & sp_mask(env), 1, ACC_WRITE);
        break;
    }
    case 0xc9: {    /* LEAVE */
        uint64_t old = env->regs[R_ESP];
        set_sp(env, env->regs[R_EBP]);
        a = peek_stack(cpu, 0, os);
        (void)old;
        set_sp(env, env->regs[R_ESP] + os);
        set_reg(env, R_EBP, os, true, a);
        break;
    }
    case 0xca: case 0xcb:
        x86_far_ret(cpu, os, op == 0xca ? i->imm : 0);
        break;
    case 0xcc:
        exec_int(c, EXCP03_INT3, true);
        break;
    case 0xcd:
        exec_int(c, i->imm & 0xff, true);
        break;
    case 0xce:
        if (env->eflags & CC_O) {
            exec_int(c, EXCP04_INTO, true);
        }
        break;
    case 0xcf:
        x86_iret(cpu, os);
        break;
    case 0xd4: {    /* AAM */
        uint8_t al = env->regs[R_EAX], base = i->imm;
        if (!base) {
            x86_raise(cpu, EXCP00_DIVZ, -1);
        }
        set_reg(env, R_EAX, 2, true, ((al / base) << 8) | (al % base));
        x86_alu(env, ALU_OR, al % base, 0, 1);
        break;
    }
    case 0xd5: {    /* AAD */
        uint8_t al = env->regs[R_EAX], ah = env->regs[R_EAX] >> 8;
        uint8_t res = al + ah * (uint8_t)i->imm;
        set_reg(env, R_EAX, 2, true, res);
        x86_alu(env, ALU_OR, res, 0, 1);
        break;
    }
    case 0xd7: {    /* XLAT */
        int seg = i->seg != SEG_NONE ? i->seg : R_DS;
        uint64_t off = (env->regs[R_EBX] + (env->regs[R_EAX] & 0xff)) & amask(i);
        set_reg(env, R_EAX, 1, true, ld_seg(c, seg, off, 1));
        break;
    }
    case 0xd8 ... 0xdf:
        /* x87 arrives in a later issue; CPUID does not report FPU. */
        x86_raise(cpu, EXCP07_PREX, -1);
        break;
    case 0xe0 ... 0xe3: {
        uint64_t m = amask(i);
        uint64_t cnt = env->regs[R_ECX] & m;
        bool take;
        if (op != 0xe3) {
            cnt = (cnt - 1) & m;
            set_reg(env, R_ECX, i->asize, true, cnt);
        }
        take = op == 0xe3 ? cnt == 0 : cnt != 0 &&
               (op == 0xe2 || (op == 0xe1 ? (env->eflags & CC_Z) : !(env->eflags & CC_Z)));
        if (take) {
            jump(c, env->rip + (int8_t)i->imm);
        }
        break;
    }
    case 0xe4 ... 0xe7: case 0xec ... 0xef:
        x86_exec_io(c);
        break;
    case 0xe8:
        x86_push_val(cpu, env->rip, os);
        jump(c, env->rip + i->imm);
        break;
    case 0xe9:
        jump(c, env->rip + i->imm);
        break;
    case 0xea:
        x86_far_jmp(cpu, i->imm2, i->imm, env->rip);
        break;
    case 0xeb:
        jump(c, env->rip + (int8_t)i->imm);
        break;
    case 0xf1:
        x86_deliver(cpu, EXCP01_DB, -1, false, env->rip);
        break;
    case 0xf4:
        if (env->pe && env->cpl) {
            x86_raise_gp(cpu, 0);
        }
        env->halted = true;
        break;
    case 0xf5:
        env->eflags ^= CC_C;
        break;
    case 0xf6: case 0xf7: {
        int sub = i->reg & 7;
        switch (sub) {
        case 0: case 1:
            x86_alu(env, ALU_AND, ld_rm(c, bsz), i->imm, bsz);
            break;
        case 2:
            st_rm(c, bsz, ~ld_rm(c, bsz));
            break;
        case 3:
            a = ld_rm(c, bsz);
            r = x86_neg(env, a, bsz);
            st_rm(c, bsz, r);
            break;
        default:
            exec_muldiv(c, sub, bsz);
            break;
        }
        break;
    }
    case 0xf8: case 0xf9:
        x86_set_flag(env, CC_C, op & 1);
        break;
    case 0xfa: case 0xfb:
        if (env->pe && env->cpl > iopl(env)) {
            x86_raise_gp(cpu, 0);
        }
        if (op == 0xfb && !(env->eflags & IF_MASK)) {
            env->inhibit_irq = true;    /* STI shadow: one more instruction first */
        }
        x86_set_flag(env, IF_MASK, op & 1);
        break;
    case 0xfc: case 0xfd:
        x86_set_flag(env, DF_MASK, op & 1);
        break;
    case 0xfe:
        if ((i->reg & 7) > 1) {
            x86_raise_ud(cpu);
        }
        st_rm(c, 1, x86_incdec(env, ld_rm(c, 1), i->reg & 1, 1));
        break;
    case 0xff: {
        int sub = i->reg & 7;
        /* near CALL/JMP/PUSH default to 64 bits in long mode */
        int tsz = env->code64 && (sub == 2 || sub == 4 || sub == 6) && os != 2 ? 8 : os;
        switch (sub) {
        case 0: case 1:
            st_rm(c, os, x86_incdec(env, ld_rm(c, os), sub & 1, os));
            break;
        case 2:
            a = ld_rm(c, tsz);
            x86_push_val(cpu, env->rip, tsz);
            jump(c, a);
            break;
        case 4:
            jump(c, ld_rm(c, tsz));
            break;
        case 3: case 5:
            if (!i->mem) {
                x86_raise_ud(cpu);
            }
            a = ld_seg(c, c->seg, c->off, os);
            b = ld_seg(c, c->seg, (c->off + os) & amask(i), 2);
            if (sub == 3) {
                x86_far_call(cpu, b, a, os, env->rip);
            } else {
                x86_far_jmp(cpu, b, a, env->rip);
            }
            break;
        case 6:
            x86_push_val(cpu, ld_rm(c, tsz), tsz);
            break;
        default:
            x86_raise_ud(cpu);
        }
        break;
    }
    default:
        x86_raise_ud(cpu);
    }
}

static bool interrupt_ready(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    return (env->eflags & IF_MASK) && !env->inhibit_irq && cpu->ops->intr_pending &&
           cpu->ops->intr_pending(cpu->opaque);
}

X86ExitReason x86_cpu_exec(X86CPU *cpu, uint64_t max_insns)
{
    CPUX86State *env = &cpu->env;
    X86Ctx c = { .cpu = cpu, .env = env };

    cpu->budget = max_insns;
    if (setjmp(cpu->jmp_env)) {
        if (cpu->shutdown) {
            cpu->shutdown = false;
            cpu->delivering = -1;
            return X86_EXIT_SHUTDOWN;
        }
        env->rip = cpu->insn_rip;
        env->inhibit_irq = false;
        x86_deliver(cpu, cpu->excp_vector, cpu->excp_error, false, env->rip);
        cpu->budget--;
        env->icount++;
    }

    while (cpu->budget) {
        if (cpu->exit_request) {
            cpu->exit_request = false;
            return X86_EXIT_STOP;
        }
        if (interrupt_ready(cpu)) {
            int vec = cpu->ops->intr_ack(cpu->opaque);
            if (vec >= 0) {
                cpu->insn_rip = env->rip;
                x86_deliver(cpu, vec, -1, false, env->rip);
            }
        }
        if (env->halted) {
            return X86_EXIT_HLT;
        }
        env->inhibit_irq = false;
        cpu->insn_rip = env->rip;
        /* Valid until the next fetch, even if the instruction rewrites its page. */
        c.i = x86_fetch_decode(cpu);
        {
            uint64_t next = env->rip + c.i->len;
            env->rip = env->code64 ? next : (uint32_t)next;
        }
        c.user = env->cpl == 3;
        exec_one(&c);
        cpu->budget--;
        env->icount++;
    }
    return X86_EXIT_BUDGET;
}

void x86_cpu_exit(X86CPU *cpu)
{
    __atomic_store_n(&cpu->exit_request, true, __ATOMIC_RELEASE);
}
