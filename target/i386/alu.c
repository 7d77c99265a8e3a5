/*
 * Integer arithmetic with the flags the SDM defines (vol. 1 appendix A,
 * vol. 2 per-instruction "Flags Affected").  Flags an instruction leaves
 * undefined are computed as QEMU does; tests never compare them.
 */
#include "alu.h"

static inline uint64_t szp(uint64_t res, int size)
{
    uint64_t f = __builtin_parity(res & 0xff) ? 0 : CC_P;
    res &= size_mask(size);
    if (!res) {
        f |= CC_Z;
    }
    if (res >> (size * 8 - 1)) {
        f |= CC_S;
    }
    return f;
}

static inline uint64_t msb(uint64_t v, int size)
{
    return (v >> (size * 8 - 1)) & 1;
}

static inline void set_cc(CPUX86State *env, uint64_t f)
{
    env->eflags = (env->eflags & ~CC_MASK) | f;
}

uint64_t x86_alu(CPUX86State *env, int op, uint64_t a, uint64_t b, int size)
{
    uint64_t m = size_mask(size), r, f, cin = 0;
    a &= m;
    b &= m;
    switch (op) {
    case ALU_ADC:
        cin = env->eflags & CC_C;
        /* fall through */
    case ALU_ADD:
        r = (a + b + cin) & m;
        f = szp(r, size) | ((a ^ b ^ r) & CC_A);
        f |= msb((a & b) | ((a | b) & ~r), size) ? CC_C : 0;
        f |= msb((a ^ r) & (b ^ r), size) ? CC_O : 0;
        break;
    case ALU_SBB:
        cin = env->eflags & CC_C;
        /* fall through */
    case ALU_SUB:
    case ALU_CMP:
        r = (a - b - cin) & m;
        f = szp(r, size) | ((a ^ b ^ r) & CC_A);
        f |= msb((~a & b) | ((~a | b) & r), size) ? CC_C : 0;
        f |= msb((a ^ b) & (a ^ r), size) ? CC_O : 0;
        break;
    case ALU_AND:
    case ALU_TEST:
        r = a & b;
        f = szp(r, size);
        break;
    case ALU_OR:
        r = a | b;
        f = szp(r, size);
        break;
    case ALU_XOR:
        r = a ^ b;
        f = szp(r, size);
        break;
    default:
        __builtin_unreachable();
    }
    set_cc(env, f);
    return r;
}

uint64_t x86_incdec(CPUX86State *env, uint64_t a, bool dec, int size)
{
    uint64_t cf = env->eflags & CC_C;
    uint64_t r = x86_alu(env, dec ? ALU_SUB : ALU_ADD, a, 1, size);
    env->eflags = (env->eflags & ~CC_C) | cf;
    return r;
}

uint64_t x86_neg(CPUX86State *env, uint64_t a, int size)
{
    uint64_t r = x86_alu(env, ALU_SUB, 0, a, size);
    return r;
}

/*
 * Shifts and rotates.  A masked count of 0 changes nothing.  OF is defined
 * for counts of 1 only; for larger counts we compute it with the 1-bit
 * formula, as QEMU does.
 */
uint64_t x86_shift(CPUX86State *env, int op, uint64_t a, unsigned count, int size)
{
    int bits = size * 8;
    uint64_t m = size_mask(size), r = 0, f = env->eflags & CC_MASK, cf;
    count &= size == 8 ? 63 : 31;
    a &= m;
    if (!count) {
        return a;
    }
    switch (op) {
    case SH_ROL: {
        unsigned c = count % bits;
        r = c ? ((a << c) | (a >> (bits - c))) & m : a;
        cf = r & 1;
        f = (f & ~(CC_C | CC_O)) | cf | ((msb(r, size) ^ cf) ? CC_O : 0);
        break;
    }
    case SH_ROR: {
        unsigned c = count % bits;
        r = c ? ((a >> c) | (a << (bits - c))) & m : a;
        cf = msb(r, size);
        f = (f & ~(CC_C | CC_O)) | cf | ((msb(r, size) ^ msb(r << 1, size)) ? CC_O : 0);
        break;
    }
    case SH_RCL: {
        unsigned c = count % (bits + 1);
        uint64_t c_in = env->eflags & CC_C;
        r = a;
        cf = c_in;
        for (unsigned i = 0; i < c; i++) {
            uint64_t out = msb(r, size);
            r = ((r << 1) | cf) & m;
            cf = out;
        }
        if (!c) {
            return a;
        }
        f = (f & ~(CC_C | CC_O)) | cf | ((msb(r, size) ^ cf) ? CC_O : 0);
        break;
    }
    case SH_RCR: {
        unsigned c = count % (bits + 1);
        uint64_t c_in = env->eflags & CC_C;
        r = a;
        cf = c_in;
        if (!c) {
            return a;
        }
        for (unsigned i = 0; i < c; i++) {
            uint64_t out = r & 1;
            r = (r >> 1) | (cf << (bits - 1));
            cf = out;
        }
        f = (f & ~(CC_C | CC_O)) | cf | ((msb(r, size) ^ msb(r << 1, size)) ? CC_O : 0);
        break;
    }
    case SH_SHL:
    case SH_SAL:
        r = count < 64 ? (a << count) & m : 0;
        cf = count <= (unsigned)bits ? (a >> (bits - count)) & 1 : 0;
        f = szp(r, size) | cf | ((msb(r, size) ^ cf) ? CC_O : 0);
        break;
    case SH_SHR:
        r = count < 64 ? a >> count : 0;
        cf = count <= (unsigned)bits ? (a >> (count - 1)) & 1 : 0;
        f = szp(r, size) | cf | (msb(a, size) ? CC_O : 0);
        break;
    case SH_SAR: {
        int64_t s = sext(a, size);
        unsigned c = count > 63 ? 63 : count;
        r = (uint64_t)(s >> c) & m;
        cf = (uint64_t)(s >> (c - 1)) & 1;
        f = szp(r, size) | cf;
        break;
    }
    default:
        __builtin_unreachable();
    }
    set_cc(env, f);
    return r;
}

/* SHLD/SHRD: bits come in from b.  Counts above the width are undefined. */
uint64_t x86_shiftd(CPUX86State *env, bool right, uint64_t a, uint64_t b,
                    unsigned count, int size)
{
    int bits = size * 8;
    uint64_t m = size_mask(size), r, cf, f;
    count &= size == 8 ? 63 : 31;
    a &= m;
    b &= m;
    if (!count) {
        return a;
    }
    if (size == 2 && count > 16) {
        /* undefined result; behave as a 32-bit rotate through b:a like QEMU */
        count &= 15;
        if (!count) {
            return a;
        }
    }
    if (right) {
        r = ((a >> count) | (b << (bits - count))) & m;
        cf = (a >> (count - 1)) & 1;
    } else {
        r = ((a << count) | (b >> (bits - count))) & m;
        cf = (a >> (bits - count)) & 1;
    }
    f = szp(r, size) | cf | ((msb(r, size) ^ msb(a, size)) ? CC_O : 0);
    set_cc(env, f);
    return r;
}

bool x86_cond(CPUX86State *env, int cc)
{
    uint64_t f = env->eflags;
    bool r;
    switch (cc >> 1) {
    case 0: r = f & CC_O; break;
    case 1: r = f & CC_C; break;
    case 2: r = f & CC_Z; break;
    case 3: r = f & (CC_C | CC_Z); break;
    case 4: r = f & CC_S; break;
    case 5: r = f & CC_P; break;
    case 6: r = !!(f & CC_S) != !!(f & CC_O); break;
    default: r = (f & CC_Z) || (!!(f & CC_S) != !!(f & CC_O)); break;
    }
    return (cc & 1) ? !r : r;
}

/* MUL/IMUL flags: CF = OF = the upper half is significant; others as QEMU. */
void x86_mul_flags(CPUX86State *env, uint64_t lo, bool overflow, int size)
{
    set_cc(env, szp(lo, size) | (overflow ? (CC_C | CC_O) : 0));
}

/* Bit-scan and BT* leave ZF/CF defined and the rest as below. */
void x86_set_flag(CPUX86State *env, uint64_t mask, bool v)
{
    env->eflags = v ? (env->eflags | mask) : (env->eflags & ~mask);
}
