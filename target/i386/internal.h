/*
 * Declarations shared by the files of the interpreter; not for the outside.
 */
#ifndef TARGET_I386_INTERNAL_H
#define TARGET_I386_INTERNAL_H

#include <glib.h>
#include "cpu.h"

/* Prefix bits in X86Insn.prefix */
#define PFX_REPZ    0x01
#define PFX_REPNZ   0x02
#define PFX_LOCK    0x04
#define PFX_OPSIZE  0x08
#define PFX_ADSIZE  0x10

#define X86_MAX_INSN_LEN 15
#define SEG_NONE 0xff

/*
 * One decoded instruction.  Everything that depends only on the bytes and
 * the code size is here; effective addresses are formed at execution
 * because they need the registers.
 */
typedef struct X86Insn {
    uint16_t op;            /* 0x00-0xff one-byte map, 0x100-0x1ff 0F map */
    uint8_t len;
    uint8_t prefix;
    uint8_t seg;            /* segment override or SEG_NONE */
    uint8_t rex;
    uint8_t osize;          /* operand size in bytes: 2, 4, 8 */
    uint8_t asize;          /* address size in bytes: 2, 4, 8 */
    bool has_modrm;
    uint8_t mod, reg, rm;   /* reg and rm include REX.R / REX.B */
    bool mem;               /* ModRM names memory */
    bool riprel;
    uint8_t base, index, scale;     /* 0xff = none */
    int64_t disp;
    uint64_t imm, imm2;
} X86Insn;

/* decode.c */
void x86_decode_init(void);
/* Decodes from buf (n valid bytes).  Returns false if more bytes are needed
 * or the encoding is invalid (*ud set then). */
bool x86_decode(CPUX86State *env, const uint8_t *buf, int n, X86Insn *insn, bool *ud);
void x86_dcache_free(X86CPU *cpu);
/* The instruction at CS:RIP, decoded (or from the cache); may raise a fault. */
const X86Insn *x86_fetch_decode_slow(X86CPU *cpu);
void x86_dcache_invalidate_page(X86CPU *cpu, uint64_t ppage);
bool x86_dcache_has_page(X86CPU *cpu, uint64_t ppage);

/*
 * Decoded-instruction cache: one block per guest-physical 4 KiB page,
 * indexed by the page offset of the first byte.  Instructions that cross
 * a page are never cached, so a write to a page invalidates exactly the
 * entries that were decoded from it.
 */
typedef struct X86CodePage {
    uint64_t ppage;
    uint8_t mode;           /* code64 / code32 at decode time */
    X86Insn *slot[4096];
} X86CodePage;

typedef struct X86DecodeCache {
    GHashTable *pages;      /* ppage -> X86CodePage */
    X86CodePage *last;
    /*
     * Pages dropped while an instruction from them may still be running
     * (it wrote its own page, or the map changed under it): freed at the
     * next fetch, so the executing X86Insn stays valid without a copy.
     */
    GPtrArray *dead;
    /* The page the last fetch came from, while the TLB and CPL stay put. */
    uint64_t fast_la;
    X86CodePage *fast_cp;
    unsigned fast_gen;
    int fast_cpl;
    X86Insn scratch;
} X86DecodeCache;

static inline uint8_t mode_key(CPUX86State *env)
{
    return (env->code64 ? 2 : 0) | (env->code32 ? 1 : 0);
}

/*
 * The per-instruction path: the next instruction from the page the last
 * one came from, while the TLB, CPL and mode are unchanged; else the full
 * lookup (and decode) out of line.
 */
static inline const X86Insn *x86_fetch_decode(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    X86DecodeCache *dc = cpu->dcache;
    uint64_t la = env->segs[R_CS].base + env->rip;
    X86Insn *insn;

    if (!env->code64) {
        la = (uint32_t)la;
        if (env->rip > env->segs[R_CS].limit) {
            return x86_fetch_decode_slow(cpu);      /* which raises #GP */
        }
    }
    if (dc && dc->fast_cp && !((la ^ dc->fast_la) & ~0xfffull) &&
        dc->fast_gen == cpu->tlb_gen && dc->fast_cpl == env->cpl &&
        dc->fast_cp->mode == mode_key(env) && (insn = dc->fast_cp->slot[la & 0xfff])) {
        return insn;
    }
    return x86_fetch_decode_slow(cpu);
}

/* excp.c */
void x86_raise(X86CPU *cpu, int vector, int error_code) __attribute__((noreturn));
#define x86_raise_ud(cpu) x86_raise(cpu, EXCP06_ILLOP, -1)
#define x86_raise_gp(cpu, e) x86_raise(cpu, EXCP0D_GPF, (e))
void x86_deliver(X86CPU *cpu, int vector, int error_code, bool is_int, uint64_t next_rip);

/* mmu.c: linear-address accesses; all may longjmp with a fault. */
#define ACC_READ  0
#define ACC_WRITE 1
#define ACC_EXEC  2
uint64_t x86_ld_lin(X86CPU *cpu, uint64_t la, int size, bool user);
void x86_st_lin(X86CPU *cpu, uint64_t la, uint64_t val, int size, bool user);
/* Translate for code fetch; returns host pointer or NULL (MMIO), sets *pa. */
uint8_t *x86_translate_exec(X86CPU *cpu, uint64_t la, uint64_t *pa);
uint64_t x86_translate(X86CPU *cpu, uint64_t la, int acc, bool user, X86TLBEntry **te);
void x86_tlb_flush_page(X86CPU *cpu, uint64_t la);

/* Little-endian host loads and stores of 1, 2, 4 or 8 bytes, without a memcpy call. */
static inline uint64_t x86_host_ld(const uint8_t *p, int size)
{
    switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; __builtin_memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; __builtin_memcpy(&v, p, 4); return v; }
    default: { uint64_t v; __builtin_memcpy(&v, p, 8); return v; }
    }
}

static inline void x86_host_st(uint8_t *p, uint64_t v, int size)
{
    switch (size) {
    case 1: *p = v; break;
    case 2: { uint16_t w = v; __builtin_memcpy(p, &w, 2); break; }
    case 4: { uint32_t w = v; __builtin_memcpy(p, &w, 4); break; }
    default: __builtin_memcpy(p, &v, 8); break;
    }
}

static inline X86TLBEntry *x86_tlb_hit(X86CPU *cpu, uint64_t la, uint8_t need)
{
    X86TLBEntry *te = &cpu->tlb[(la >> 12) & (X86_TLB_SIZE - 1)];
    if (te->vpage == ((la & ~0xfffull) | 1) && (te->prot & need) == need) {
        return te;
    }
    return NULL;
}

/* seg.c */
uint64_t x86_seg_addr(X86CPU *cpu, int seg, uint64_t off, int size, int acc);
void x86_load_seg(X86CPU *cpu, int seg, uint16_t sel);
void x86_load_seg_cache(CPUX86State *env, int seg, uint16_t sel, uint64_t base,
                        uint32_t limit, uint32_t flags);
bool x86_read_desc(X86CPU *cpu, uint16_t sel, uint32_t *lo, uint32_t *hi);
uint64_t x86_desc_base(uint32_t lo, uint32_t hi);
uint32_t x86_desc_limit(uint32_t lo, uint32_t hi);
void x86_far_jmp(X86CPU *cpu, uint16_t sel, uint64_t off, uint64_t next_rip);
void x86_far_call(X86CPU *cpu, uint16_t sel, uint64_t off, int osize, uint64_t next_rip);
void x86_far_ret(X86CPU *cpu, int osize, uint16_t imm);
void x86_iret(X86CPU *cpu, int osize);
void x86_lldt(X86CPU *cpu, uint16_t sel);
void x86_ltr(X86CPU *cpu, uint16_t sel);

/* exec.c helpers shared with the instruction files */
uint64_t x86_push_val(X86CPU *cpu, uint64_t v, int size);
uint64_t x86_pop_val(X86CPU *cpu, int size);
bool x86_check_io(X86CPU *cpu, uint16_t port, int size);

/* system.c */
uint64_t x86_rdmsr(X86CPU *cpu, uint32_t msr, bool *ok);
bool x86_wrmsr(X86CPU *cpu, uint32_t msr, uint64_t val);
void x86_set_cr(X86CPU *cpu, int n, uint64_t val);
void x86_syscall(X86CPU *cpu, uint64_t next_rip);
void x86_sysret(X86CPU *cpu, int osize);

static inline uint64_t size_mask(int size)
{
    return size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static inline int64_t sext(uint64_t v, int size)
{
    switch (size) {
    case 1: return (int8_t)v;
    case 2: return (int16_t)v;
    case 4: return (int32_t)v;
    default: return (int64_t)v;
    }
}

/* Bits 63..47 all equal (48-bit linear addresses).  Shifted unsigned: no UB. */
static inline bool x86_is_canonical(uint64_t v)
{
    return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

static inline int x86_cpl_user(CPUX86State *env)
{
    return env->cpl == 3;
}

#endif
