/*
 * Table-driven x86 decoder (SDM vol. 2 §2.1, appendix A opcode maps) and
 * the per-physical-page cache of decoded instructions.
 */
#include <string.h>
#include <glib.h>
#include "internal.h"

/* Operand-shape flags per opcode */
#define F_MODRM 0x001
#define F_I8    0x002   /* imm8 */
#define F_IZ    0x004   /* imm16/32 by operand size (sign-extended for 64) */
#define F_IV    0x008   /* imm16/32/64 by operand size (MOV r, imm) */
#define F_I16   0x010   /* imm16 */
#define F_ENTER 0x020   /* imm16 + imm8 */
#define F_FAR   0x040   /* ptr16:16/32 */
#define F_MOFFS 0x080   /* moffs by address size */
#define F_D64   0x100   /* default operand size 64 in long mode */
#define F_F64   0x200   /* operand size forced to 64 in long mode */
#define F_GRP3  0x400   /* F6/F7: immediate only for /0 and /1 */
#define F_INV64 0x800   /* invalid in 64-bit mode */
#define F_VALID 0x1000

static uint16_t op1[256], op2[256];

static void set_range(uint16_t *t, int lo, int hi, uint16_t f)
{
    for (int i = lo; i <= hi; i++) {
        t[i] = f | F_VALID;
    }
}

void x86_decode_init(void)
{
    static bool done;
    if (done) {
        return;
    }
    done = true;

    for (int i = 0; i < 0x40; i += 8) {
        set_range(op1, i, i + 3, F_MODRM);
        op1[i + 4] = F_VALID | F_I8;
        op1[i + 5] = F_VALID | F_IZ;
    }
    op1[0x06] = op1[0x07] = op1[0x0e] = op1[0x16] = op1[0x17] = F_VALID | F_INV64;
    op1[0x1e] = op1[0x1f] = op1[0x27] = op1[0x2f] = op1[0x37] = op1[0x3f] = F_VALID | F_INV64;
    op1[0x0f] = 0;                          /* escape */
    op1[0x26] = op1[0x2e] = op1[0x36] = op1[0x3e] = 0;  /* prefixes */
    set_range(op1, 0x40, 0x4f, 0);
    set_range(op1, 0x50, 0x5f, F_D64);
    set_range(op1, 0x60, 0x61, F_INV64);
    op1[0x62] = F_VALID | F_MODRM | F_INV64;
    op1[0x63] = F_VALID | F_MODRM;
    op1[0x68] = F_VALID | F_IZ | F_D64;
    op1[0x69] = F_VALID | F_MODRM | F_IZ;
    op1[0x6a] = F_VALID | F_I8 | F_D64;
    op1[0x6b] = F_VALID | F_MODRM | F_I8;
    set_range(op1, 0x6c, 0x6f, 0);
    set_range(op1, 0x70, 0x7f, F_I8 | F_F64);
    set_range(op1, 0x80, 0x83, F_MODRM | F_I8);
    op1[0x81] = F_VALID | F_MODRM | F_IZ;
    op1[0x82] |= F_INV64;
    set_range(op1, 0x84, 0x8e, F_MODRM);
    op1[0x8f] = F_VALID | F_MODRM | F_D64;
    set_range(op1, 0x90, 0x99, 0);
    op1[0x9a] = F_VALID | F_FAR | F_INV64;
    op1[0x9b] = F_VALID;
    op1[0x9c] = op1[0x9d] = F_VALID | F_D64;
    op1[0x9e] = op1[0x9f] = F_VALID;
    set_range(op1, 0xa0, 0xa3, F_MOFFS);
    set_range(op1, 0xa4, 0xa7, 0);
    op1[0xa8] = F_VALID | F_I8;
    op1[0xa9] = F_VALID | F_IZ;
    set_range(op1, 0xaa, 0xaf, 0);
    set_range(op1, 0xb0, 0xb7, F_I8);
    set_range(op1, 0xb8, 0xbf, F_IV);
    op1[0xc0] = op1[0xc1] = F_VALID | F_MODRM | F_I8;
    op1[0xc2] = F_VALID | F_I16 | F_F64;
    op1[0xc3] = F_VALID | F_F64;
    op1[0xc4] = op1[0xc5] = F_VALID | F_MODRM | F_INV64;
    op1[0xc6] = F_VALID | F_MODRM | F_I8;
    op1[0xc7] = F_VALID | F_MODRM | F_IZ;
    op1[0xc8] = F_VALID | F_ENTER | F_D64;
    op1[0xc9] = F_VALID | F_D64;
    op1[0xca] = F_VALID | F_I16;
    op1[0xcb] = op1[0xcc] = F_VALID;
    op1[0xcd] = F_VALID | F_I8;
    op1[0xce] = F_VALID | F_INV64;
    op1[0xcf] = F_VALID;
    set_range(op1, 0xd0, 0xd3, F_MODRM);
    op1[0xd4] = op1[0xd5] = F_VALID | F_I8 | F_INV64;
    op1[0xd7] = F_VALID;
    set_range(op1, 0xd8, 0xdf, F_MODRM);
    set_range(op1, 0xe0, 0xe3, F_I8 | F_F64);
    set_range(op1, 0xe4, 0xe7, F_I8);
    op1[0xe8] = op1[0xe9] = F_VALID | F_IZ | F_F64;
    op1[0xea] = F_VALID | F_FAR | F_INV64;
    op1[0xeb] = F_VALID | F_I8 | F_F64;
    set_range(op1, 0xec, 0xef, 0);
    op1[0xf1] = op1[0xf4] = op1[0xf5] = F_VALID;
    op1[0xf6] = F_VALID | F_MODRM | F_GRP3;
    op1[0xf7] = F_VALID | F_MODRM | F_GRP3;
    set_range(op1, 0xf8, 0xfd, 0);
    op1[0xfe] = F_VALID | F_MODRM;
    op1[0xff] = F_VALID | F_MODRM;

    set_range(op2, 0x00, 0x03, F_MODRM);
    op2[0x05] = op2[0x06] = op2[0x07] = op2[0x08] = op2[0x09] = op2[0x0b] = F_VALID;
    op2[0x0d] = F_VALID | F_MODRM;
    set_range(op2, 0x18, 0x1f, F_MODRM);
    set_range(op2, 0x20, 0x23, F_MODRM);
    set_range(op2, 0x30, 0x33, 0);
    set_range(op2, 0x40, 0x4f, F_MODRM);
    set_range(op2, 0x80, 0x8f, F_IZ | F_F64);
    set_range(op2, 0x90, 0x9f, F_MODRM);
    op2[0xa0] = op2[0xa1] = op2[0xa8] = op2[0xa9] = F_VALID | F_D64;
    op2[0xa2] = F_VALID;
    op2[0xa3] = op2[0xa5] = op2[0xab] = op2[0xad] = op2[0xaf] = F_VALID | F_MODRM;
    op2[0xa4] = op2[0xac] = F_VALID | F_MODRM | F_I8;
    op2[0xae] = F_VALID | F_MODRM;
    set_range(op2, 0xb0, 0xb7, F_MODRM);
    op2[0xba] = F_VALID | F_MODRM | F_I8;
    set_range(op2, 0xbb, 0xbf, F_MODRM);
    op2[0xc0] = op2[0xc1] = op2[0xc7] = F_VALID | F_MODRM;
    set_range(op2, 0xc8, 0xcf, 0);
}

static bool get_bytes(const uint8_t *buf, int n, int *pos, int cnt, uint64_t *out)
{
    uint64_t v = 0;
    if (*pos + cnt > n) {
        return false;
    }
    for (int i = 0; i < cnt; i++) {
        v |= (uint64_t)buf[*pos + i] << (8 * i);
    }
    *pos += cnt;
    *out = v;
    return true;
}

bool x86_decode(CPUX86State *env, const uint8_t *buf, int n, X86Insn *insn, bool *ud)
{
    int pos = 0;
    uint16_t f;
    uint8_t b;
    bool mode64 = env->code64;
    uint64_t v;

    memset(insn, 0, sizeof(*insn));
    insn->seg = SEG_NONE;
    insn->base = insn->index = 0xff;
    *ud = false;

    for (;;) {
        if (pos >= n || pos >= X86_MAX_INSN_LEN) {
            *ud = pos >= X86_MAX_INSN_LEN;
            return false;
        }
        b = buf[pos++];
        switch (b) {
        case 0x26: insn->seg = R_ES; insn->rex = 0; continue;
        case 0x2e: insn->seg = R_CS; insn->rex = 0; continue;
        case 0x36: insn->seg = R_SS; insn->rex = 0; continue;
        case 0x3e: insn->seg = R_DS; insn->rex = 0; continue;
        case 0x64: insn->seg = R_FS; insn->rex = 0; continue;
        case 0x65: insn->seg = R_GS; insn->rex = 0; continue;
        case 0x66: insn->prefix |= PFX_OPSIZE; insn->rex = 0; continue;
        case 0x67: insn->prefix |= PFX_ADSIZE; insn->rex = 0; continue;
        case 0xf0: insn->prefix |= PFX_LOCK; insn->rex = 0; continue;
        case 0xf2: insn->prefix = (insn->prefix & ~PFX_REPZ) | PFX_REPNZ; insn->rex = 0; continue;
        case 0xf3: insn->prefix = (insn->prefix & ~PFX_REPNZ) | PFX_REPZ; insn->rex = 0; continue;
        }
        if (mode64 && (b & 0xf0) == 0x40) {
            /* REX counts only directly before the opcode; a later prefix clears it. */
            insn->rex = b;
            continue;
        }
        break;
    }
    if (mode64 && (insn->seg == R_ES || insn->seg == R_CS || insn->seg == R_SS ||
                   insn->seg == R_DS)) {
        insn->seg = SEG_NONE;
    }

    if (b == 0x0f) {
        if (pos >= n) {
            return false;
        }
        b = buf[pos++];
        insn->op = 0x100 | b;
        f = op2[b];
    } else {
        insn->op = b;
        f = op1[b];
    }
    if (!(f & F_VALID) || (mode64 && (f & F_INV64))) {
        *ud = true;
        return false;
    }

    /* operand and address size (SDM vol. 1 §3.6) */
    if (mode64) {
        insn->asize = (insn->prefix & PFX_ADSIZE) ? 4 : 8;
        if (insn->rex & 8) {
            insn->osize = 8;
        } else if (f & F_F64) {
            insn->osize = 8;
        } else if (insn->prefix & PFX_OPSIZE) {
            insn->osize = 2;
        } else {
            insn->osize = (f & F_D64) ? 8 : 4;
        }
    } else {
        bool d = env->code32;
        insn->osize = (d ^ !!(insn->prefix & PFX_OPSIZE)) ? 4 : 2;
        insn->asize = (d ^ !!(insn->prefix & PFX_ADSIZE)) ? 4 : 2;
    }

    if (f & F_MODRM) {
        uint8_t m;
        if (pos >= n) {
            return false;
        }
        m = buf[pos++];
        insn->has_modrm = true;
        insn->mod = m >> 6;
        insn->reg = ((m >> 3) & 7) | ((insn->rex & 4) << 1);
        insn->rm = (m & 7) | ((insn->rex & 1) << 3);
        insn->mem = insn->mod != 3;
        if (insn->mem && insn->asize == 2) {
            static const uint8_t b16[8] = { R_EBX, R_EBX, R_EBP, R_EBP, R_ESI, R_EDI, R_EBP, R_EBX };
            static const uint8_t i16[8] = { R_ESI, R_EDI, R_ESI, R_EDI, 0xff, 0xff, 0xff, 0xff };
            int r = m & 7;
            insn->base = b16[r];
            insn->index = i16[r];
            insn->scale = 0;
            if (insn->mod == 0 && r == 6) {
                insn->base = 0xff;
                if (!get_bytes(buf, n, &pos, 2, &v)) {
                    return false;
                }
                insn->disp = (int16_t)v;
            } else if (insn->mod == 1) {
                if (!get_bytes(buf, n, &pos, 1, &v)) {
                    return false;
                }
                insn->disp = (int8_t)v;
            } else if (insn->mod == 2) {
                if (!get_bytes(buf, n, &pos, 2, &v)) {
                    return false;
                }
                insn->disp = (int16_t)v;
            }
        } else if (insn->mem) {
            int r = m & 7;
            if (r == 4) {
                uint8_t sib;
                int idx, base;
                if (pos >= n) {
                    return false;
                }
                sib = buf[pos++];
                insn->scale = sib >> 6;
                idx = ((sib >> 3) & 7) | ((insn->rex & 2) << 2);
                base = (sib & 7) | ((insn->rex & 1) << 3);
                insn->index = idx == 4 ? 0xff : idx;
                if ((sib & 7) == 5 && insn->mod == 0) {
                    insn->base = 0xff;
                    if (!get_bytes(buf, n, &pos, 4, &v)) {
                        return false;
                    }
                    insn->disp = (int32_t)v;
                } else {
                    insn->base = base;
                }
            } else if (r == 5 && insn->mod == 0) {
                insn->riprel = mode64;
                if (!get_bytes(buf, n, &pos, 4, &v)) {
                    return false;
                }
                insn->disp = (int32_t)v;
            } else {
                insn->base = insn->rm;
            }
            if (insn->mod == 1) {
                if (!get_bytes(buf, n, &pos, 1, &v)) {
                    return false;
                }
                insn->disp = (int8_t)v;
            } else if (insn->mod == 2) {
                if (!get_bytes(buf, n, &pos, 4, &v)) {
                    return false;
                }
                insn->disp = (int32_t)v;
            }
        }
    }

    if ((f & F_GRP3) && (insn->reg & 7) < 2) {
        f |= (b & 1) ? F_IZ : F_I8;
    }
    if (f & F_I8) {
        if (!get_bytes(buf, n, &pos, 1, &insn->imm)) {
            return false;
        }
    } else if (f & F_IZ) {
        int sz = insn->osize == 2 ? 2 : 4;
        if (!get_bytes(buf, n, &pos, sz, &v)) {
            return false;
        }
        insn->imm = (uint64_t)sext(v, sz);
    } else if (f & F_IV) {
        if (!get_bytes(buf, n, &pos, insn->osize, &insn->imm)) {
            return false;
        }
    } else if (f & F_I16) {
        if (!get_bytes(buf, n, &pos, 2, &insn->imm)) {
            return false;
        }
    } else if (f & F_ENTER) {
        if (!get_bytes(buf, n, &pos, 2, &insn->imm) ||
            !get_bytes(buf, n, &pos, 1, &insn->imm2)) {
            return false;
        }
    } else if (f & F_FAR) {
        if (!get_bytes(buf, n, &pos, insn->osize, &insn->imm) ||
            !get_bytes(buf, n, &pos, 2, &insn->imm2)) {
            return false;
        }
    } else if (f & F_MOFFS) {
        if (!get_bytes(buf, n, &pos, insn->asize, &insn->imm)) {
            return false;
        }
    }
    if (pos > X86_MAX_INSN_LEN) {
        *ud = true;   /* #GP in hardware; reported by the caller */
        return false;
    }
    insn->len = pos;
    return true;
}

static void code_page_free(gpointer p)
{
    X86CodePage *cp = p;
    for (int i = 0; i < 4096; i++) {
        g_free(cp->slot[i]);
    }
    g_free(cp);
}

static X86DecodeCache *dcache_get(X86CPU *cpu)
{
    if (!cpu->dcache) {
        cpu->dcache = g_new0(X86DecodeCache, 1);
        cpu->dcache->pages = g_hash_table_new_full(g_int64_hash, g_int64_equal,
                                                   NULL, code_page_free);
        cpu->dcache->dead = g_ptr_array_new_with_free_func(code_page_free);
    }
    return cpu->dcache;
}

void x86_dcache_free(X86CPU *cpu)
{
    if (cpu->dcache) {
        g_hash_table_destroy(cpu->dcache->pages);
        g_ptr_array_free(cpu->dcache->dead, TRUE);
        g_free(cpu->dcache);
        cpu->dcache = NULL;
    }
}

static gboolean steal_to_dead(gpointer key, gpointer value, gpointer opaque)
{
    g_ptr_array_add(opaque, value);
    return TRUE;
}

bool x86_dcache_has_page(X86CPU *cpu, uint64_t ppage)
{
    return cpu->dcache && g_hash_table_contains(cpu->dcache->pages, &ppage);
}

void x86_dcache_invalidate_page(X86CPU *cpu, uint64_t ppage)
{
    X86DecodeCache *dc = cpu->dcache;
    X86CodePage *cp;

    if (!dc || !(cp = g_hash_table_lookup(dc->pages, &ppage))) {
        return;
    }
    if (dc->last == cp) {
        dc->last = NULL;
    }
    dc->fast_cp = NULL;
    g_hash_table_steal(dc->pages, &ppage);
    g_ptr_array_add(dc->dead, cp);
    /* TLB entries marked this page as code; let them be refilled. */
    for (int i = 0; i < X86_TLB_SIZE; i++) {
        if (cpu->tlb[i].ppage == ppage) {
            cpu->tlb[i].vpage = 0;
        }
    }
}

void x86_cpu_invalidate_code(X86CPU *cpu, uint64_t gpa, uint64_t len)
{
    for (uint64_t p = gpa & ~0xfffull; p < gpa + len; p += 4096) {
        x86_dcache_invalidate_page(cpu, p);
    }
}

void x86_cpu_flush_code(X86CPU *cpu)
{
    X86DecodeCache *dc = cpu->dcache;

    if (dc) {
        g_hash_table_foreach_steal(dc->pages, steal_to_dead, dc->dead);
        dc->last = NULL;
        dc->fast_cp = NULL;
    }
    x86_tlb_flush(cpu, true);
}

const X86Insn *x86_fetch_decode_slow(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    X86DecodeCache *dc = dcache_get(cpu);
    uint64_t la = env->segs[R_CS].base + env->rip;
    uint64_t pa, pa2;
    uint8_t *host, buf[X86_MAX_INSN_LEN];
    unsigned off, avail;
    X86CodePage *cp;
    X86Insn *insn;
    bool ud;
    int n;

    if (!env->code64) {
        la = (uint32_t)la;
        if (env->rip + 1 > (uint64_t)env->segs[R_CS].limit + 1) {
            x86_raise_gp(cpu, 0);
        }
    }
    if (dc->dead->len) {
        g_ptr_array_set_size(dc->dead, 0);  /* no instruction of theirs runs now */
    }
    host = x86_translate_exec(cpu, la, &pa);
    off = pa & 0xfff;
    cp = dc->last;
    if (!cp || cp->ppage != (pa & ~0xfffull)) {
        uint64_t key = pa & ~0xfffull;
        cp = g_hash_table_lookup(dc->pages, &key);
        dc->last = cp;
    }
    if (cp && cp->mode == mode_key(env) && cp->slot[off]) {
        if (host) {
            dc->fast_la = la;
            dc->fast_cp = cp;
            dc->fast_gen = cpu->tlb_gen;
            dc->fast_cpl = env->cpl;
        }
        return cp->slot[off];
    }

    avail = 4096 - off;
    n = avail < X86_MAX_INSN_LEN ? avail : X86_MAX_INSN_LEN;
    for (int i = 0; i < n; i++) {
        buf[i] = host ? host[i] : (uint8_t)cpu->ops->mmio_read(cpu->opaque, pa + i, 1);
    }
    if (x86_decode(env, buf, n, &dc->scratch, &ud)) {
        insn = &dc->scratch;
        if (!host) {
            return insn;    /* code in MMIO is never cached */
        }
        if (!cp || cp->mode != mode_key(env)) {
            if (cp) {
                x86_dcache_invalidate_page(cpu, cp->ppage);
            }
            cp = g_new0(X86CodePage, 1);
            cp->ppage = pa & ~0xfffull;
            cp->mode = mode_key(env);
            g_hash_table_insert(dc->pages, &cp->ppage, cp);
            dc->last = cp;
            /* Writes to this page must now take the slow path. */
            for (int i = 0; i < X86_TLB_SIZE; i++) {
                if (cpu->tlb[i].ppage == cp->ppage) {
                    cpu->tlb[i].vpage = 0;
                }
            }
        }
        cp->slot[off] = g_memdup2(insn, sizeof(*insn));
        return cp->slot[off];
    }
    if (ud || n == X86_MAX_INSN_LEN) {
        if (ud && n == X86_MAX_INSN_LEN && dc->scratch.op == 0) {
            x86_raise_gp(cpu, 0);
        }
        x86_raise_ud(cpu);
    }
    /* The instruction crosses into the next page: decode uncached. */
    host = x86_translate_exec(cpu, (la + n) & (env->code64 ? ~0ull : 0xffffffffull), &pa2);
    for (int i = n; i < X86_MAX_INSN_LEN; i++) {
        buf[i] = host ? host[i - n] : (uint8_t)cpu->ops->mmio_read(cpu->opaque, pa2 + i - n, 1);
    }
    if (!x86_decode(env, buf, X86_MAX_INSN_LEN, &dc->scratch, &ud)) {
        x86_raise_ud(cpu);
    }
    return &dc->scratch;
}
