/*
 * Differential tests: each generated user-mode instruction runs on the
 * host CPU (from an executable page) and in the interpreter; registers,
 * the flags the SDM defines for it, and a data buffer must agree exactly.
 *
 * The interpreter runs in 64-bit mode at CPL 3 over an identity map of
 * host memory: guest-physical == host-virtual for the code page and the
 * data buffer only, so both sides use the same addresses.
 */
#include <glib.h>
#include <string.h>
#include <sys/mman.h>
#include "target/i386/cpu.h"

#define ARITH_FLAGS 0x8d5ull
#define DATA_SIZE 4096

typedef struct HostRegs {
    uint64_t r[16];
    uint64_t flags;
} HostRegs;

HostRegs diff_in, diff_out;
void *diff_code;
uint64_t diff_saved_rsp;
void diff_native_run(void);

/*
 * Load every GPR but RSP from diff_in, set RFLAGS, call the code page,
 * then store everything to diff_out.  RSP is never an operand in the cases.
 */
__asm__(
    ".text\n"
    ".globl diff_native_run\n"
    "diff_native_run:\n"
    "  push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
    "  mov %rsp, diff_saved_rsp(%rip)\n"
    "  pushq diff_in+128(%rip); popfq\n"
    "  mov diff_in+0(%rip), %rax\n  mov diff_in+8(%rip), %rcx\n"
    "  mov diff_in+16(%rip), %rdx\n  mov diff_in+24(%rip), %rbx\n"
    "  mov diff_in+40(%rip), %rbp\n  mov diff_in+48(%rip), %rsi\n"
    "  mov diff_in+56(%rip), %rdi\n  mov diff_in+64(%rip), %r8\n"
    "  mov diff_in+72(%rip), %r9\n  mov diff_in+80(%rip), %r10\n"
    "  mov diff_in+88(%rip), %r11\n  mov diff_in+96(%rip), %r12\n"
    "  mov diff_in+104(%rip), %r13\n  mov diff_in+112(%rip), %r14\n"
    "  mov diff_in+120(%rip), %r15\n"
    "  call *diff_code(%rip)\n"
    "  pushfq; popq diff_out+128(%rip)\n"
    "  cld\n"
    "  mov %rax, diff_out+0(%rip)\n  mov %rcx, diff_out+8(%rip)\n"
    "  mov %rdx, diff_out+16(%rip)\n  mov %rbx, diff_out+24(%rip)\n"
    "  mov %rbp, diff_out+40(%rip)\n  mov %rsi, diff_out+48(%rip)\n"
    "  mov %rdi, diff_out+56(%rip)\n  mov %r8, diff_out+64(%rip)\n"
    "  mov %r9, diff_out+72(%rip)\n  mov %r10, diff_out+80(%rip)\n"
    "  mov %r11, diff_out+88(%rip)\n  mov %r12, diff_out+96(%rip)\n"
    "  mov %r13, diff_out+104(%rip)\n  mov %r14, diff_out+112(%rip)\n"
    "  mov %r15, diff_out+120(%rip)\n"
    "  mov diff_saved_rsp(%rip), %rsp\n"
    "  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
    "  ret\n");

static uint8_t *code_page;
static uint8_t *data_buf, *data_native, *data_init;

static uint8_t *ident_ram_ptr(void *opaque, uint64_t gpa, bool *writable)
{
    uintptr_t p = gpa;
    *writable = true;
    if ((p >= (uintptr_t)code_page && p < (uintptr_t)code_page + 4096) ||
        (p >= (uintptr_t)data_buf && p < (uintptr_t)data_buf + DATA_SIZE)) {
        return (uint8_t *)p;
    }
    return NULL;
}

static uint64_t no_mmio_read(void *opaque, uint64_t gpa, unsigned size)
{
    g_error("interpreter read outside the identity map at 0x%" G_GINT64_MODIFIER "x", gpa);
    return 0;
}

static void no_mmio_write(void *opaque, uint64_t gpa, uint64_t val, unsigned size)
{
    g_error("interpreter wrote outside the identity map at 0x%" G_GINT64_MODIFIER "x", gpa);
}

static const X86CPUOps ident_ops = {
    .ram_ptr = ident_ram_ptr,
    .mmio_read = no_mmio_read,
    .mmio_write = no_mmio_write,
};

static X86CPU cpu;

static void cpu_user64(void)
{
    CPUX86State *env = &cpu.env;
    uint32_t code = DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK | DESC_A_MASK |
                    DESC_L_MASK | (3 << DESC_DPL_SHIFT);
    uint32_t data = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK | DESC_B_MASK |
                    (3 << DESC_DPL_SHIFT);
    x86_cpu_reset(&cpu);
    /* Long mode without paging is not architectural; the harness wants flat identity. */
    env->cr[0] = CR0_PE_MASK | CR0_ET_MASK;
    env->efer = EFER_LME | EFER_LMA | EFER_SCE;
    for (int s = 0; s < 6; s++) {
        env->segs[s].selector = 0x2b;
        env->segs[s].base = 0;
        env->segs[s].limit = 0xffffffff;
        env->segs[s].flags = data;
    }
    env->segs[R_CS].selector = 0x33;
    env->segs[R_CS].flags = code;
    env->cpl = 3;
    x86_update_hflags(env);
    x86_tlb_flush(&cpu, true);
}

typedef struct Case {
    uint8_t bytes[16];
    int len;
    uint64_t flags_defined;     /* arithmetic flags to compare */
    bool skip_regs[16];         /* undefined results */
    bool small_rcx;             /* string ops: keep RCX within the buffer */
    int nonzero_reg;            /* BSF/BSR: this source must be nonzero (else -1) */
    int div_rm;                 /* DIV/IDIV divisor register (else -1) */
    int div_size;
    bool div_signed;
} Case;

#define CASE_INIT .nonzero_reg = -1, .div_rm = -1

static GRand *rng;

static uint64_t rnd64(void)
{
    /* bias towards edge values so carries, overflows and zeros happen */
    switch (g_rand_int_range(rng, 0, 8)) {
    case 0: return 0;
    case 1: return ~0ull;
    case 2: return 1ull << g_rand_int_range(rng, 0, 64);
    case 3: return (1ull << g_rand_int_range(rng, 0, 64)) - 1;
    case 4: return g_rand_int_range(rng, 0, 256);
    default: return ((uint64_t)g_rand_int(rng) << 32) | g_rand_int(rng);
    }
}

static int run_count;
static uint64_t xs_state = 0x9e3779b97f4a7c15ull;

static uint64_t xorshift(void)
{
    xs_state ^= xs_state << 13;
    xs_state ^= xs_state >> 7;
    xs_state ^= xs_state << 17;
    return xs_state;
}

/* Make the operands of a DIV/IDIV case ones that cannot raise #DE. */
static void fix_div_operands(const Case *c)
{
    int size = c->div_size, bits = size * 8;
    uint64_t m = size == 8 ? ~0ull : (1ull << bits) - 1;
    uint64_t d;
    do {
        d = rnd64() & m;
    } while (!d || (c->div_signed && d == m));
    diff_in.r[c->div_rm] = (diff_in.r[c->div_rm] & ~m) | d;
    if (size == 1) {
        uint64_t al = diff_in.r[R_EAX] & 0xff, ah;
        if (c->div_signed) {
            al &= 0x7f;     /* positive dividend: |q| <= |AL| fits */
            ah = 0;
        } else {
            ah = g_rand_int(rng) % d;
        }
        diff_in.r[R_EAX] = (diff_in.r[R_EAX] & ~0xffffull) | (ah << 8) | al;
    } else if (c->div_signed) {
        uint64_t a = diff_in.r[R_EAX] & m & (m >> 1);   /* positive */
        diff_in.r[R_EAX] = (diff_in.r[R_EAX] & ~m) | a;
        diff_in.r[R_EDX] &= ~m;
    } else {
        uint64_t hi = (((uint64_t)g_rand_int(rng) << 32) | g_rand_int(rng)) % d;
        diff_in.r[R_EDX] = (diff_in.r[R_EDX] & ~m) | hi;
    }
}

static void run_case(const Case *c)
{
    CPUX86State *env = &cpu.env;
    uint64_t end;
    int steps = 0;

    memcpy(code_page, c->bytes, c->len);
    code_page[c->len] = 0xc3;
    for (int r = 0; r < 16; r++) {
        diff_in.r[r] = rnd64();
    }
    /* keep pointer registers pointing into the data buffer */
    diff_in.r[R_EBX] = (uintptr_t)data_buf + 1024 + g_rand_int_range(rng, 0, 64);
    diff_in.r[R_ESI] = (uintptr_t)data_buf + 1024 + g_rand_int_range(rng, 0, 64);
    diff_in.r[R_EDI] = (uintptr_t)data_buf + 2048 + g_rand_int_range(rng, 0, 64);
    if (c->small_rcx) {
        diff_in.r[R_ECX] = g_rand_int_range(rng, 0, 40);
    }
    if (c->nonzero_reg >= 0 && diff_in.r[c->nonzero_reg] == 0) {
        diff_in.r[c->nonzero_reg] = 1ull << g_rand_int_range(rng, 0, 16);
    }
    if (c->nonzero_reg >= 0 && (diff_in.r[c->nonzero_reg] & 0xffff) == 0) {
        diff_in.r[c->nonzero_reg] |= 0x100;
    }
    if (c->div_rm >= 0) {
        fix_div_operands(c);
    }
    diff_in.r[R_ESP] = 0;
    diff_in.flags = 0x202 | (g_rand_int(rng) & ARITH_FLAGS);
    for (int i = 0; i < DATA_SIZE; i += 8) {
        uint64_t v = xorshift();
        memcpy(data_init + i, &v, 8);
    }
    memcpy(data_buf, data_init, DATA_SIZE);

    diff_code = code_page;
    diff_native_run();
    memcpy(data_native, data_buf, DATA_SIZE);
    memcpy(data_buf, data_init, DATA_SIZE);

    x86_cpu_invalidate_code(&cpu, (uintptr_t)code_page, 4096);
    memcpy(env->regs, diff_in.r, sizeof(env->regs));
    env->regs[R_ESP] = 0;
    env->eflags = diff_in.flags;
    env->rip = (uintptr_t)code_page;
    end = (uintptr_t)code_page + c->len;
    while (env->rip != end) {
        X86ExitReason why = x86_cpu_exec(&cpu, 1);
        g_assert_cmpint(why, ==, X86_EXIT_BUDGET);
        g_assert_cmpint(++steps, <, 100000);
    }

    for (int r = 0; r < 16; r++) {
        if (r == R_ESP || c->skip_regs[r]) {
            continue;
        }
        if (env->regs[r] != diff_out.r[r]) {
            GString *s = g_string_new(NULL);
            for (int i = 0; i < c->len; i++) {
                g_string_append_printf(s, "%02x ", c->bytes[i]);
            }
            g_error("insn %s: reg %d: interpreter %016" G_GINT64_MODIFIER "x host %016"
                    G_GINT64_MODIFIER "x (in %016" G_GINT64_MODIFIER "x)", s->str, r,
                    env->regs[r], diff_out.r[r], diff_in.r[r]);
        }
    }
    if ((env->eflags ^ diff_out.flags) & c->flags_defined) {
        GString *s = g_string_new(NULL);
        for (int i = 0; i < c->len; i++) {
            g_string_append_printf(s, "%02x ", c->bytes[i]);
        }
        g_error("insn %s: flags interpreter %04" G_GINT64_MODIFIER "x host %04"
                G_GINT64_MODIFIER "x in %04" G_GINT64_MODIFIER "x defined %03"
                G_GINT64_MODIFIER "x", s->str, env->eflags & 0xfff, diff_out.flags & 0xfff,
                diff_in.flags & 0xfff, c->flags_defined);
    }
    if (memcmp(data_buf, data_native, DATA_SIZE)) {
        g_error("memory differs after %02x %02x %02x", c->bytes[0], c->bytes[1], c->bytes[2]);
    }
    run_count++;
}

/* register or [rbx+disp8] operand; never RSP (the stack is the harness's) */
static int random_reg(void)
{
    int r;
    do {
        r = g_rand_int_range(rng, 0, 16);
    } while (r == R_ESP);
    return r;
}

/* Emits prefixes (66 / REX) for size, opcode bytes, a ModRM. */
static void emit_op(Case *c, int size, const uint8_t *op, int oplen, int reg, bool mem,
                    int rm)
{
    uint8_t rex = 0x40;
    if (size == 2) {
        c->bytes[c->len++] = 0x66;
    }
    if (size == 8) {
        rex |= 8;
    }
    if (reg & 8) {
        rex |= 4;
    }
    if (!mem && (rm & 8)) {
        rex |= 1;
    }
    if (rex != 0x40 || g_rand_boolean(rng)) {
        c->bytes[c->len++] = rex;
    }
    memcpy(c->bytes + c->len, op, oplen);
    c->len += oplen;
    if (mem) {
        c->bytes[c->len++] = 0x40 | ((reg & 7) << 3) | R_EBX;     /* [rbx+disp8] */
        c->bytes[c->len++] = g_rand_int_range(rng, 0, 64);
    } else {
        c->bytes[c->len++] = 0xc0 | ((reg & 7) << 3) | (rm & 7);
    }
}

static int random_size(void)
{
    static const int sizes[] = { 1, 2, 4, 8 };
    return sizes[g_rand_int_range(rng, 0, 4)];
}

static void emit_imm(Case *c, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) {
        c->bytes[c->len++] = v >> (8 * i);
    }
}

static void test_alu(void)
{
    for (int n = 0; n < 8000; n++) {
        Case c = { CASE_INIT, .flags_defined = ARITH_FLAGS };
        int size = random_size();
        int aop = g_rand_int_range(rng, 0, 8);
        bool mem = g_rand_int_range(rng, 0, 4) == 0;
        int form = g_rand_int_range(rng, 0, 4);
        uint8_t op[1];
        if (form < 2) {
            op[0] = (aop << 3) | (form << 1) | (size > 1);
            emit_op(&c, size, op, 1, random_reg(), mem, random_reg());
        } else if (form == 2) {
            op[0] = size == 1 ? 0x80 : g_rand_boolean(rng) ? 0x83 : 0x81;
            emit_op(&c, size, op, 1, aop, mem, random_reg());
            emit_imm(&c, rnd64(), op[0] == 0x81 ? (size == 2 ? 2 : 4) : 1);
        } else {
            op[0] = 0x84 + (size > 1) + (g_rand_boolean(rng) ? 2 : 0);  /* TEST / XCHG */
            emit_op(&c, size, op, 1, random_reg(), mem, random_reg());
        }
        run_case(&c);
    }
}

static void test_unary(void)
{
    for (int n = 0; n < 4000; n++) {
        Case c = { CASE_INIT, .flags_defined = ARITH_FLAGS };
        int size = random_size();
        int sub = g_rand_int_range(rng, 0, 4);
        bool mem = g_rand_int_range(rng, 0, 4) == 0;
        uint8_t op[1];
        if (sub < 2) {      /* INC / DEC */
            op[0] = size == 1 ? 0xfe : 0xff;
            emit_op(&c, size, op, 1, sub, mem, random_reg());
        } else {            /* NOT / NEG */
            op[0] = size == 1 ? 0xf6 : 0xf7;
            emit_op(&c, size, op, 1, sub, mem, random_reg());
        }
        run_case(&c);
    }
}

static void test_shift(void)
{
    for (int n = 0; n < 12000; n++) {
        Case c = { CASE_INIT };
        int size = random_size(), bits = size * 8;
        int sop = g_rand_int_range(rng, 0, 8);
        int form = g_rand_int_range(rng, 0, 3);
        bool mem = g_rand_int_range(rng, 0, 4) == 0;
        unsigned count;
        uint8_t op[1];
        int rm = random_reg();
        if (sop == 6) {
            sop = 4;    /* SAL encoding /6 is an alias the SDM leaves reserved */
        }
        if (form == 0) {
            op[0] = size == 1 ? 0xd0 : 0xd1;
            count = 1;
        } else if (form == 1) {
            op[0] = size == 1 ? 0xc0 : 0xc1;
            count = g_rand_int_range(rng, 0, 70);
        } else {
            op[0] = size == 1 ? 0xd2 : 0xd3;
            count = g_rand_int_range(rng, 0, 256);
            while (rm == R_ECX) {
                rm = random_reg();
            }
        }
        emit_op(&c, size, op, 1, sop, mem, rm);
        if (form == 1) {
            emit_imm(&c, count, 1);
        }
        run_case(&c);
        (void)bits;
    }
}

/* SDM vol. 2 SAL/SAR/SHL/SHR and RCL/RCR/ROL/ROR "Flags Affected" */
static uint64_t shift_defined(int sop, unsigned count, int size)
{
    unsigned m = count & (size == 8 ? 63 : 31);
    unsigned bits = size * 8;
    uint64_t f;
    if (!m) {
        return ARITH_FLAGS;     /* nothing changes */
    }
    if (sop < 4) {              /* rotates leave SF, ZF, AF, PF alone */
        f = CC_S | CC_Z | CC_A | CC_P | CC_C;
    } else {
        f = CC_S | CC_Z | CC_P | (m < bits ? CC_C : 0);
    }
    return f | (m == 1 ? CC_O : 0);
}

static void test_shift_defined(void)
{
    for (int n = 0; n < 12000; n++) {
        Case c = { CASE_INIT };
        int size = random_size();
        int sop = g_rand_int_range(rng, 0, 8);
        bool mem = g_rand_int_range(rng, 0, 4) == 0;
        unsigned count = g_rand_int_range(rng, 0, 70);
        uint8_t op[1] = { size == 1 ? 0xc0 : 0xc1 };
        if (sop == 6) {
            sop = 7;
        }
        emit_op(&c, size, op, 1, sop, mem, random_reg());
        emit_imm(&c, count, 1);
        c.flags_defined = shift_defined(sop, count, size);
        run_case(&c);
    }
}

static void test_muldiv(void)
{
    for (int n = 0; n < 6000; n++) {
        Case c = { CASE_INIT };
        int size = random_size();
        int kind = g_rand_int_range(rng, 0, 5);
        int rm = random_reg();
        uint8_t op[2];
        if (kind < 2) {         /* MUL / IMUL one-operand */
            op[0] = size == 1 ? 0xf6 : 0xf7;
            emit_op(&c, size, op, 1, 4 + kind, false, rm);
            c.flags_defined = CC_C | CC_O;
        } else if (kind == 2) { /* IMUL r, r/m */
            if (size == 1) {
                size = 4;
            }
            op[0] = 0x0f;
            op[1] = 0xaf;
            emit_op(&c, size, op, 2, random_reg(), false, rm);
            c.flags_defined = CC_C | CC_O;
        } else if (kind == 3) { /* IMUL r, r/m, imm */
            if (size == 1) {
                size = 2;
            }
            op[0] = g_rand_boolean(rng) ? 0x6b : 0x69;
            emit_op(&c, size, op, 1, random_reg(), false, rm);
            emit_imm(&c, rnd64(), op[0] == 0x6b ? 1 : (size == 2 ? 2 : 4));
            c.flags_defined = CC_C | CC_O;
        } else {                /* DIV / IDIV with operands that cannot fault */
            static const int div8[] = { R_ECX, R_EBX, 8, 9, 10, 11, 12, 13, 14, 15 };
            bool sign = g_rand_boolean(rng);
            if (size == 1) {
                rm = div8[g_rand_int_range(rng, 0, 10)];
            }
            while (rm == R_EAX || rm == R_EDX) {
                rm = random_reg();
            }
            op[0] = size == 1 ? 0xf6 : 0xf7;
            emit_op(&c, size, op, 1, 6 + sign, false, rm);
            c.flags_defined = 0;
            c.div_rm = rm;
            c.div_size = size;
            c.div_signed = sign;
        }
        run_case(&c);
    }
}

static void test_bitops(void)
{
    for (int n = 0; n < 6000; n++) {
        Case c = { CASE_INIT };
        int size = g_rand_boolean(rng) ? 4 : g_rand_boolean(rng) ? 2 : 8;
        int kind = g_rand_int_range(rng, 0, 7);
        int rm = random_reg();
        uint8_t op[2] = { 0x0f, 0 };
        if (kind < 4) {         /* BT/BTS/BTR/BTC r/m, r */
            static const uint8_t bt[4] = { 0xa3, 0xab, 0xb3, 0xbb };
            op[1] = bt[kind];
            emit_op(&c, size, op, 2, random_reg(), false, rm);
            c.flags_defined = CC_C;
        } else if (kind == 4) { /* BT* r/m, imm8 */
            op[1] = 0xba;
            emit_op(&c, size, op, 2, 4 + g_rand_int_range(rng, 0, 4), false, rm);
            emit_imm(&c, g_rand_int_range(rng, 0, 256), 1);
            c.flags_defined = CC_C;
        } else {                /* BSF / BSR: compare only with a nonzero source */
            int dst = random_reg();
            op[1] = kind == 5 ? 0xbc : 0xbd;
            emit_op(&c, size, op, 2, dst, false, rm);
            c.nonzero_reg = rm;
            c.flags_defined = CC_Z;
        }
        run_case(&c);
    }
}

static void test_cond(void)
{
    for (int n = 0; n < 4000; n++) {
        Case c = { CASE_INIT, .flags_defined = ARITH_FLAGS };
        int cc = g_rand_int_range(rng, 0, 16);
        uint8_t op[2] = { 0x0f, 0 };
        if (g_rand_boolean(rng)) {
            op[1] = 0x90 | cc;  /* SETcc */
            emit_op(&c, 1, op, 2, 0, g_rand_int_range(rng, 0, 4) == 0, random_reg());
        } else {
            op[1] = 0x40 | cc;  /* CMOVcc */
            emit_op(&c, g_rand_boolean(rng) ? 4 : 8, op, 2, random_reg(),
                    g_rand_int_range(rng, 0, 4) == 0, random_reg());
        }
        run_case(&c);
    }
}

static void test_misc(void)
{
    for (int n = 0; n < 6000; n++) {
        Case c = { CASE_INIT, .flags_defined = ARITH_FLAGS };
        int size = random_size();
        int kind = g_rand_int_range(rng, 0, 9);
        uint8_t op[2] = { 0x0f, 0 };
        switch (kind) {
        case 0:     /* MOVZX / MOVSX */
            op[1] = 0xb6 + g_rand_int_range(rng, 0, 2) + (g_rand_boolean(rng) ? 8 : 0);
            emit_op(&c, size == 1 ? 4 : size, op, 2, random_reg(),
                    g_rand_int_range(rng, 0, 4) == 0, random_reg());
            break;
        case 1:     /* MOVSXD */
            op[0] = 0x63;
            emit_op(&c, 8, op, 1, random_reg(), false, random_reg());
            break;
        case 2:     /* XADD */
            op[1] = size == 1 ? 0xc0 : 0xc1;
            emit_op(&c, size, op, 2, random_reg(), g_rand_boolean(rng), random_reg());
            break;
        case 3:     /* CMPXCHG */
            op[1] = size == 1 ? 0xb0 : 0xb1;
            emit_op(&c, size, op, 2, random_reg(), g_rand_boolean(rng), random_reg());
            break;
        case 4: {   /* BSWAP */
            int r = random_reg();
            if (r & 8) {
                c.bytes[c.len++] = 0x41 | (g_rand_boolean(rng) ? 8 : 0);
            } else if (g_rand_boolean(rng)) {
                c.bytes[c.len++] = 0x48;
            }
            c.bytes[c.len++] = 0x0f;
            c.bytes[c.len++] = 0xc8 | (r & 7);
            break;
        }
        case 5: {   /* LEA with SIB */
            int base = random_reg(), index = random_reg();
            uint8_t rex = 0x40 | (size == 8 ? 8 : 0) | ((index & 8) ? 2 : 0) |
                          ((base & 8) ? 1 : 0);
            int dst = random_reg();
            if (size == 2) {
                c.bytes[c.len++] = 0x66;
            }
            rex |= (dst & 8) ? 4 : 0;
            c.bytes[c.len++] = rex;
            c.bytes[c.len++] = 0x8d;
            c.bytes[c.len++] = 0x84 | ((dst & 7) << 3);
            c.bytes[c.len++] = (g_rand_int_range(rng, 0, 4) << 6) | ((index & 7) << 3) |
                               (base & 7);
            emit_imm(&c, g_rand_int(rng), 4);
            break;
        }
        case 6: {   /* CBW family, CWD family */
            static const uint8_t pfx[3] = { 0x66, 0x00, 0x48 };
            int s = g_rand_int_range(rng, 0, 3);
            if (pfx[s]) {
                c.bytes[c.len++] = pfx[s];
            }
            c.bytes[c.len++] = g_rand_boolean(rng) ? 0x98 : 0x99;
            break;
        }
        case 7: {   /* flag instructions and LAHF/SAHF */
            static const uint8_t f[5] = { 0xf5, 0xf8, 0xf9, 0x9e, 0x9f };
            c.bytes[c.len++] = f[g_rand_int_range(rng, 0, 5)];
            break;
        }
        default: {  /* SHLD / SHRD, counts the SDM defines */
            int sz = g_rand_boolean(rng) ? 4 : 8;
            int rm = random_reg();
            unsigned cnt = g_rand_int_range(rng, 0, sz * 8);
            op[1] = g_rand_boolean(rng) ? 0xa4 : 0xac;
            emit_op(&c, sz, op, 2, random_reg(), false, rm);
            emit_imm(&c, cnt, 1);
            c.flags_defined = cnt == 0 ? ARITH_FLAGS : cnt == 1 ? (CC_C | CC_O | CC_S | CC_Z | CC_P)
                                                              : (CC_C | CC_S | CC_Z | CC_P);
            break;
        }
        }
        run_case(&c);
    }
}

static void test_string(void)
{
    static const uint8_t ops[] = { 0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf };
    for (int n = 0; n < 3000; n++) {
        Case c = { CASE_INIT, .flags_defined = ARITH_FLAGS };
        int op = ops[g_rand_int_range(rng, 0, sizeof(ops))];
        int rep = g_rand_int_range(rng, 0, 3);
        bool df = g_rand_boolean(rng);
        int size = (op & 1) ? (g_rand_boolean(rng) ? 4 : g_rand_boolean(rng) ? 2 : 8) : 1;
        c.small_rcx = true;
        if (df) {
            c.bytes[c.len++] = 0xfd;    /* STD; the harness clears DF afterwards */
        }
        if (rep == 1) {
            c.bytes[c.len++] = 0xf3;
        } else if (rep == 2) {
            c.bytes[c.len++] = 0xf2;
        }
        if (size == 2) {
            c.bytes[c.len++] = 0x66;
        } else if (size == 8) {
            c.bytes[c.len++] = 0x48;
        }
        c.bytes[c.len++] = op;
        if (df) {
            c.bytes[c.len++] = 0xfc;
        }
        run_case(&c);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    code_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g_assert(code_page != MAP_FAILED);
    data_buf = mmap(NULL, DATA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                    -1, 0);
    g_assert(data_buf != MAP_FAILED);
    data_native = g_malloc0(DATA_SIZE);
    data_init = g_malloc0(DATA_SIZE);
    x86_cpu_init(&cpu, &ident_ops, NULL);
    cpu_user64();
    rng = g_rand_new_with_seed(0x7e57c0de);

    g_test_add_func("/tcg/diff/alu", test_alu);
    g_test_add_func("/tcg/diff/unary", test_unary);
    g_test_add_func("/tcg/diff/shift-count-1-and-cl", test_shift);
    g_test_add_func("/tcg/diff/shift-defined-flags", test_shift_defined);
    g_test_add_func("/tcg/diff/muldiv", test_muldiv);
    g_test_add_func("/tcg/diff/bitops", test_bitops);
    g_test_add_func("/tcg/diff/cond", test_cond);
    g_test_add_func("/tcg/diff/misc", test_misc);
    g_test_add_func("/tcg/diff/string", test_string);
    {
        int r = g_test_run();
        x86_cpu_finalize(&cpu);
        g_rand_free(rng);
        munmap(data_buf, DATA_SIZE);
        g_free(data_native);
        g_free(data_init);
        munmap(code_page, 4096);
        g_test_message("%d cases", run_count);
        return r;
    }
}
