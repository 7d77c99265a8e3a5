/*
 * Integer arithmetic with the flags the SDM defines (vol. 1 appendix A,
 * vol. 2 per-instruction "Flags Affected").  Flags an instruction leaves
 * undefined are computed as QEMU does; tests never compare them.
 */
#include "alu.h"

/* PF for each low byte: set when the count of one bits is even. */
#define P2(n) n, n ^ CC_P, n ^ CC_P, n
#define P4(n) P2(n), P2(n ^ CC_P), P2(n ^ CC_P), P2(n)
#define P6(n) P4(n), P4(n ^ CC_P), P4(n ^ CC_P), P4(n)
static const uint8_t parity_flag[256] = {
    P6(CC_P), P6(0), P6(0), P6(CC_P)
};
#undef P2
#undef P4
#undef P6

static inline uint64_t szp(uint64_t res, int size)
{
    uint64_t f = parity_flag[res & 0xff];
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

/*
 * The operands are shifted up so that the operation's top bit is bit 63:
 * carries and overflows then come from 64-bit compares, whatever the size,
 * with no masking on the way.
 */
uint64_t x86_alu(CPUX86State *env, int op, uint64_t a, uint64_t b, int size)
{
    unsigned sh = 64 - size * 8;
    uint64_t A = a << sh, B = b << sh, R, r, f, cin;
    bool cf = false, of = false, arith = true;

    switch (op) {
    case ALU_ADC:
        cin = env->eflags & CC_C;
        R = A + B + (cin << sh);
        cf = cin ? R <= A : R < A;
        of = ((A ^ R) & (B ^ R)) >> 63;
        break;
    case ALU_ADD:
        R = A + B;
        cf = R < A;
        of = ((A ^ R) & (B ^ R)) >> 63;
        break;
    case ALU_SBB:
        cin = env->eflags & CC_C;
        R = A - B - (cin << sh);
        cf = cin ? A <= B : A < B;
        of = ((A ^ B) & (A ^ R)) >> 63;
        break;
    case ALU_SUB:
    case ALU_CMP:
        R = A - B;
        cf = A < B;
        of = ((A ^ B) & (A ^ R)) >> 63;
        break;
    case ALU_AND:
    case ALU_TEST:
        R = A & B;
        arith = false;
        break;
    case ALU_OR:
        R = A | B;
        arith = false;
        break;
    case ALU_XOR:
        R = A ^ B;
        arith = false;
        break;
    default:
        __builtin_unreachable();
    }
    r = R >> sh;
    f = (uint64_t)cf * CC_C | (uint64_t)of * CC_O | (uint64_t)(R == 0) * CC_Z |
        (R >> 63) * CC_S | parity_flag[r & 0xff] | (arith ? (a ^ b ^ r) & CC_A : 0);
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
