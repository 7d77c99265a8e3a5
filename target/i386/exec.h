/*
 * Operand access shared by the instruction files.
 */
#ifndef TARGET_I386_EXEC_H
#define TARGET_I386_EXEC_H

#include "alu.h"

/* The instruction being executed, with its effective address once formed. */
typedef struct X86Ctx {
    X86CPU *cpu;
    CPUX86State *env;
    const X86Insn *i;
    uint64_t off;       /* effective address (offset in seg) of a memory operand */
    int seg;
    bool user;
} X86Ctx;

static inline uint64_t get_reg(CPUX86State *env, int r, int size, bool rex)
{
    if (size == 1 && !rex && r >= 4 && r < 8) {
        return (env->regs[r - 4] >> 8) & 0xff;
    }
    return env->regs[r] & size_mask(size);
}

static inline void set_reg(CPUX86State *env, int r, int size, bool rex, uint64_t v)
{
    switch (size) {
    case 1:
        if (!rex && r >= 4 && r < 8) {
            env->regs[r - 4] = (env->regs[r - 4] & ~0xff00ull) | ((v & 0xff) << 8);
        } else {
            env->regs[r] = (env->regs[r] & ~0xffull) | (v & 0xff);
        }
        break;
    case 2:
        env->regs[r] = (env->regs[r] & ~0xffffull) | (v & 0xffff);
        break;
    case 4:
        env->regs[r] = (uint32_t)v;
        break;
    default:
        env->regs[r] = v;
        break;
    }
}

static inline uint64_t amask(const X86Insn *i)
{
    return size_mask(i->asize);
}

/*
 * The common case without the general checks: a flat writable data
 * segment in protected mode (or any but FS/GS in 64-bit mode), where the
 * linear address is the offset and no limit can be crossed.
 */
static inline bool seg_flat(const CPUX86State *env, int seg, uint64_t off, int size)
{
    const SegmentCache *s = &env->segs[seg];

    if (env->code64) {
        return seg != R_FS && seg != R_GS && x86_is_canonical(off) &&
               x86_is_canonical(off + size - 1);
    }
    return !s->base && s->limit == 0xffffffff && env->pe && !(env->eflags & VM_MASK) &&
           (s->flags & (DESC_P_MASK | DESC_CS_MASK | DESC_E_MASK | DESC_W_MASK)) ==
           (DESC_P_MASK | DESC_W_MASK) && off + size - 1 <= 0xffffffff;
}

/* Loads and stores that hit the TLB within one RAM page need no call. */
static inline uint64_t ld_seg(X86Ctx *c, int seg, uint64_t off, int size)
{
    if (seg_flat(c->env, seg, off, size)) {
        X86TLBEntry *te = x86_tlb_hit(c->cpu, off, c->user ? X86_PROT_READ_USER
                                                           : X86_PROT_READ_SUP);
        if (te && te->host && (off & 0xfff) + size <= 0x1000) {
            return x86_host_ld(te->host + (off & 0xfff), size);
        }
        return x86_ld_lin(c->cpu, off, size, c->user);
    }
    return x86_ld_lin(c->cpu, x86_seg_addr(c->cpu, seg, off, size, ACC_READ), size, c->user);
}

static inline void st_seg(X86Ctx *c, int seg, uint64_t off, int size, uint64_t v)
{
    if (seg_flat(c->env, seg, off, size)) {
        X86TLBEntry *te = x86_tlb_hit(c->cpu, off, (c->user ? X86_PROT_WRITE_USER
                                                            : X86_PROT_WRITE_SUP) |
                                                   X86_PROT_DIRTY);

        if (te && te->host && !te->rom && !te->code && (off & 0xfff) + size <= 0x1000) {
            x86_host_st(te->host + (off & 0xfff), v, size);
            return;
        }
        x86_st_lin(c->cpu, off, v, size, c->user);
        return;
    }
    x86_st_lin(c->cpu, x86_seg_addr(c->cpu, seg, off, size, ACC_WRITE), v, size, c->user);
}

static inline uint64_t ld_rm(X86Ctx *c, int size)
{
    if (!c->i->mem) {
        return get_reg(c->env, c->i->rm, size, c->i->rex);
    }
    return ld_seg(c, c->seg, c->off, size);
}

static inline void st_rm(X86Ctx *c, int size, uint64_t v)
{
    if (!c->i->mem) {
        set_reg(c->env, c->i->rm, size, c->i->rex, v);
    } else {
        st_seg(c, c->seg, c->off, size, v);
    }
}

static inline uint64_t ld_reg(X86Ctx *c, int size)
{
    return get_reg(c->env, c->i->reg, size, c->i->rex);
}

static inline void st_reg(X86Ctx *c, int size, uint64_t v)
{
    set_reg(c->env, c->i->reg, size, c->i->rex, v);
}

/* string.c */
void x86_exec_string(X86Ctx *c, int size);
/* system.c */
void x86_exec_0f(X86Ctx *c);
void x86_exec_grp7(X86Ctx *c);
void x86_exec_io(X86Ctx *c);

#endif
