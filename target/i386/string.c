/*
 * String instructions with REP/REPE/REPNE (SDM vol. 2 "REP" and the
 * individual string instructions).  A long REP runs in slices so that
 * interrupts and the instruction budget are honoured between them; the
 * instruction restarts from RIP with the registers already advanced.
 */
#include "exec.h"

#define REP_SLICE 4096

static void adv(CPUX86State *env, int reg, const X86Insn *i, int size)
{
    int64_t d = (env->eflags & DF_MASK) ? -size : size;
    set_reg(env, reg, i->asize, true, env->regs[reg] + d);
}

void x86_exec_string(X86Ctx *c, int size)
{
    CPUX86State *env = c->env;
    const X86Insn *i = c->i;
    uint64_t m = amask(i);
    int op = i->op;
    int src_seg = i->seg != SEG_NONE ? i->seg : R_DS;
    bool rep = i->prefix & (PFX_REPZ | PFX_REPNZ);
    bool cmp = op == 0xa6 || op == 0xa7 || op == 0xae || op == 0xaf;
    bool io = op >= 0x6c && op <= 0x6f;
    int n = 0;

    if (io && !x86_check_io(c->cpu, env->regs[R_EDX] & 0xffff, size)) {
        x86_raise_gp(c->cpu, 0);
    }
    for (;;) {
        uint64_t a, b;
        if (rep && (env->regs[R_ECX] & m) == 0) {
            return;
        }
        switch (op) {
        case 0xa4: case 0xa5:
            a = ld_seg(c, src_seg, env->regs[R_ESI] & m, size);
            st_seg(c, R_ES, env->regs[R_EDI] & m, size, a);
            adv(env, R_ESI, i, size);
            adv(env, R_EDI, i, size);
            break;
        case 0xa6: case 0xa7:
            a = ld_seg(c, src_seg, env->regs[R_ESI] & m, size);
            b = ld_seg(c, R_ES, env->regs[R_EDI] & m, size);
            x86_alu(env, ALU_CMP, a, b, size);
            adv(env, R_ESI, i, size);
            adv(env, R_EDI, i, size);
            break;
        case 0xaa: case 0xab:
            st_seg(c, R_ES, env->regs[R_EDI] & m, size, env->regs[R_EAX]);
            adv(env, R_EDI, i, size);
            break;
        case 0xac: case 0xad:
            set_reg(env, R_EAX, size, true, ld_seg(c, src_seg, env->regs[R_ESI] & m, size));
            adv(env, R_ESI, i, size);
            break;
        case 0xae: case 0xaf:
            b = ld_seg(c, R_ES, env->regs[R_EDI] & m, size);
            x86_alu(env, ALU_CMP, env->regs[R_EAX], b, size);
            adv(env, R_EDI, i, size);
            break;
        case 0x6c: case 0x6d:
            /* probe the destination before the port read has side effects */
            x86_seg_addr(c->cpu, R_ES, env->regs[R_EDI] & m, size, ACC_WRITE);
            a = c->cpu->ops->pio_read(c->cpu->opaque, env->regs[R_EDX], size);
            st_seg(c, R_ES, env->regs[R_EDI] & m, size, a);
            adv(env, R_EDI, i, size);
            break;
        default:
            a = ld_seg(c, src_seg, env->regs[R_ESI] & m, size);
            c->cpu->ops->pio_write(c->cpu->opaque, env->regs[R_EDX], a, size);
            adv(env, R_ESI, i, size);
            break;
        }
        if (!rep) {
            return;
        }
        set_reg(env, R_ECX, i->asize, true, env->regs[R_ECX] - 1);
        if (cmp && (env->regs[R_ECX] & m) &&
            (((i->prefix & PFX_REPZ) && !(env->eflags & CC_Z)) ||
             ((i->prefix & PFX_REPNZ) && (env->eflags & CC_Z)))) {
            return;
        }
        if (cmp && (env->regs[R_ECX] & m) == 0) {
            return;
        }
        if (++n == REP_SLICE && (env->regs[R_ECX] & m)) {
            env->rip = c->cpu->insn_rip;
            return;
        }
    }
}
