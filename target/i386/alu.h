/*
 * Integer arithmetic and flags of the interpreter.
 */
#ifndef TARGET_I386_ALU_H
#define TARGET_I386_ALU_H

#include "internal.h"

/* ALU operations in the order of the /reg field of 80..83 */
enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP, ALU_TEST };
/* shift operations in the order of the /reg field of C0/C1/D0..D3 */
enum { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL, SH_SAR };

uint64_t x86_alu(CPUX86State *env, int op, uint64_t a, uint64_t b, int size);
uint64_t x86_incdec(CPUX86State *env, uint64_t a, bool dec, int size);
uint64_t x86_neg(CPUX86State *env, uint64_t a, int size);
uint64_t x86_shift(CPUX86State *env, int op, uint64_t a, unsigned count, int size);
uint64_t x86_shiftd(CPUX86State *env, bool right, uint64_t a, uint64_t b,
                    unsigned count, int size);
bool x86_cond(CPUX86State *env, int cc);
void x86_mul_flags(CPUX86State *env, uint64_t lo, bool overflow, int size);
void x86_set_flag(CPUX86State *env, uint64_t mask, bool v);

#endif
