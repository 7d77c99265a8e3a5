/*
 * Paging (SDM vol. 3 ch. 4): 32-bit, PAE and 4-level walks, the TLB, and
 * linear-address loads and stores.
 */
#include <string.h>
#include "internal.h"

#define PG_P    (1ull << 0)
#define PG_RW   (1ull << 1)
#define PG_US   (1ull << 2)
#define PG_A    (1ull << 5)
#define PG_D    (1ull << 6)
#define PG_PS   (1ull << 7)
#define PG_G    (1ull << 8)
#define PG_NX   (1ull << 63)
#define PHYS_ADDR_BITS 40
#define PG_ADDR_MASK  (((1ull << PHYS_ADDR_BITS) - 1) & ~0xfffull)
/* bits above MAXPHYADDR, reserved in every PAE/4-level entry */
#define PG_HI_RSVD    (((1ull << 52) - 1) & ~((1ull << PHYS_ADDR_BITS) - 1))

void x86_tlb_flush(X86CPU *cpu, bool global)
{
    cpu->tlb_gen++;
    for (int i = 0; i < X86_TLB_SIZE; i++) {
        if (global || !cpu->tlb[i].global) {
            cpu->tlb[i].vpage = 0;
        }
    }
}

void x86_tlb_flush_page(X86CPU *cpu, uint64_t la)
{
    /* A large page may cover many TLB slots; INVLPG is rare, so flush them all. */
    (void)la;
    x86_tlb_flush(cpu, true);
}

static uint64_t phys_ld64(X86CPU *cpu, uint64_t pa)
{
    bool w;
    uint8_t *p = cpu->ops->ram_ptr(cpu->opaque, pa, &w);
    uint64_t v;
    if (!p) {
        return cpu->ops->mmio_read(cpu->opaque, pa, 8);
    }
    memcpy(&v, p, 8);
    return v;
}

static uint32_t phys_ld32(X86CPU *cpu, uint64_t pa)
{
    bool w;
    uint8_t *p = cpu->ops->ram_ptr(cpu->opaque, pa, &w);
    uint32_t v;
    if (!p) {
        return cpu->ops->mmio_read(cpu->opaque, pa, 4);
    }
    memcpy(&v, p, 4);
    return v;
}

static void phys_set_bits(X86CPU *cpu, uint64_t pa, uint32_t bits)
{
    bool writable = false;
    uint8_t *p = cpu->ops->ram_ptr(cpu->opaque, pa, &writable);
    uint32_t v;
    if (p && writable) {
        memcpy(&v, p, 4);
        if ((v & bits) != bits) {
            v |= bits;
            memcpy(p, &v, 4);
            if (cpu->dcache && x86_dcache_has_page(cpu, pa & ~0xfffull)) {
                x86_dcache_invalidate_page(cpu, pa & ~0xfffull);
            }
        }
    }
}

static void __attribute__((noreturn))
page_fault(X86CPU *cpu, uint64_t la, int acc, bool user, uint32_t err)
{
    CPUX86State *env = &cpu->env;
    if (acc == ACC_WRITE) {
        err |= PG_ERROR_W_MASK;
    }
    if (user) {
        err |= PG_ERROR_U_MASK;
    }
    if (acc == ACC_EXEC && (env->efer & EFER_NXE)) {
        err |= PG_ERROR_I_D_MASK;
    }
    env->cr[2] = la;
    x86_raise(cpu, EXCP0E_PAGE, err);
}

/*
 * Walks the tables for la, checks the access, sets A/D, fills the TLB and
 * returns the physical address.
 */
uint64_t x86_translate(X86CPU *cpu, uint64_t la, int acc, bool user, X86TLBEntry **tep)
{
    CPUX86State *env = &cpu->env;
    X86TLBEntry *te = &cpu->tlb[(la >> 12) & (X86_TLB_SIZE - 1)];
    uint64_t pa, pte_addr = 0, pte = 0, page_mask = 0xfff;
    bool rw = true, us = true, nx = false, global = false;
    uint64_t nx_rsvd = (env->efer & EFER_NXE) ? 0 : PG_NX;
    uint8_t prot;

    if (!(env->cr[0] & CR0_PG_MASK)) {
        pa = env->lma ? la : (uint32_t)la;
        pa &= ~0xfffull;
        prot = 0x7f;
        goto fill;
    }

    if (env->cr[4] & CR4_PAE_MASK) {
        uint64_t table, e;
        int levels, shift;
        if (env->lma) {
            table = env->cr[3] & PG_ADDR_MASK;
            levels = 4;
            shift = 39;
        } else {
            uint64_t pdpte_addr = (env->cr[3] & 0xffffffe0) + ((la >> 27) & 0x18);
            e = phys_ld64(cpu, pdpte_addr);
            if (!(e & PG_P)) {
                page_fault(cpu, la, acc, user, 0);
            }
            if (e & (PG_HI_RSVD | 0x1e6)) {
                page_fault(cpu, la, acc, user, PG_ERROR_P_MASK | PG_ERROR_RSVD_MASK);
            }
            table = e & PG_ADDR_MASK;
            levels = 2;
            shift = 21;
        }
        for (int l = levels; l > 0; l--, shift -= 9) {
            pte_addr = table + ((la >> shift) & 0x1ff) * 8;
            e = phys_ld64(cpu, pte_addr);
            if (!(e & PG_P)) {
                page_fault(cpu, la, acc, user, 0);
            }
            if ((e & (PG_HI_RSVD | nx_rsvd)) ||
                (l == 4 && (e & PG_PS)) ||
                ((e & PG_PS) && l == 3 && !env->lma)) {
                page_fault(cpu, la, acc, user, PG_ERROR_P_MASK | PG_ERROR_RSVD_MASK);
            }
            rw &= !!(e & PG_RW);
            us &= !!(e & PG_US);
            nx |= !!(e & PG_NX) && (env->efer & EFER_NXE);
            if (l == 1 || (e & PG_PS)) {
                if (l > 1) {
                    page_mask = (1ull << shift) - 1;
                    if (e & (page_mask & ~0x1fffull)) {
                        page_fault(cpu, la, acc, user,
                                   PG_ERROR_P_MASK | PG_ERROR_RSVD_MASK);
                    }
                }
                pte = e;
                break;
            }
            if (!(e & PG_A)) {
                phys_set_bits(cpu, pte_addr, PG_A);
            }
            table = e & PG_ADDR_MASK;
        }
        pa = (pte & PG_ADDR_MASK & ~page_mask) | (la & page_mask & ~0xfffull);
    } else {
        uint32_t pde, pte32;
        pte_addr = (env->cr[3] & 0xfffff000) + ((la >> 20) & 0xffc);
        pde = phys_ld32(cpu, pte_addr);
        if (!(pde & PG_P)) {
            page_fault(cpu, la, acc, user, 0);
        }
        rw = pde & PG_RW;
        us = pde & PG_US;
        if ((pde & PG_PS) && (env->cr[4] & CR4_PSE_MASK)) {
            /* 4 MiB page; PSE-36 bits 13..16 give physical bits 32..35 */
            pte = pde;
            page_mask = 0x3fffff;
            pa = (pde & 0xffc00000) | ((uint64_t)(pde & 0x1e000) << 19) |
                 (la & 0x3ff000);
        } else {
            if (!(pde & PG_A)) {
                phys_set_bits(cpu, pte_addr, PG_A);
            }
            pte_addr = (pde & 0xfffff000) + ((la >> 10) & 0xffc);
            pte32 = phys_ld32(cpu, pte_addr);
            if (!(pte32 & PG_P)) {
                page_fault(cpu, la, acc, user, 0);
            }
            rw &= !!(pte32 & PG_RW);
            us &= !!(pte32 & PG_US);
            pte = pte32;
            pa = pte32 & 0xfffff000;
        }
    }

    /* access rights (SDM vol. 3 §4.6) */
    if (user) {
        if (!us || (acc == ACC_WRITE && !rw) || (acc == ACC_EXEC && nx)) {
            page_fault(cpu, la, acc, user, PG_ERROR_P_MASK);
        }
    } else if ((acc == ACC_WRITE && !rw && (env->cr[0] & CR0_WP_MASK)) ||
               (acc == ACC_EXEC && nx)) {
        page_fault(cpu, la, acc, user, PG_ERROR_P_MASK);
    }

    {
        uint32_t bits = PG_A | (acc == ACC_WRITE ? PG_D : 0);
        if ((pte & bits) != bits) {
            phys_set_bits(cpu, pte_addr, bits);
            pte |= bits;
        }
    }
    global = (pte & PG_G) && (env->cr[4] & CR4_PGE_MASK);
    prot = X86_PROT_READ_SUP;
    if (rw || !(env->cr[0] & CR0_WP_MASK)) {
        prot |= X86_PROT_WRITE_SUP;
    }
    if (!nx) {
        prot |= X86_PROT_EXEC_SUP;
    }
    if (us) {
        prot |= X86_PROT_READ_USER | (rw ? X86_PROT_WRITE_USER : 0) |
                (nx ? 0 : X86_PROT_EXEC_USER);
    }
    if (pte & PG_D) {
        prot |= X86_PROT_DIRTY;
    }

fill:
    te->vpage = (la & ~0xfffull) | 1;
    te->ppage = pa;
    {
        bool writable = false;
        te->host = cpu->ops->ram_ptr(cpu->opaque, pa, &writable);
        te->rom = te->host && !writable;
    }
    te->prot = prot;
    te->global = global;
    te->code = te->host && x86_dcache_has_page(cpu, pa);
    if (tep) {
        *tep = te;
    }
    return pa | (la & 0xfff);
}

uint8_t *x86_translate_exec(X86CPU *cpu, uint64_t la, uint64_t *pa)
{
    bool user = cpu->env.cpl == 3;
    X86TLBEntry *te = x86_tlb_hit(cpu, la, user ? X86_PROT_EXEC_USER : X86_PROT_EXEC_SUP);
    if (!te) {
        x86_translate(cpu, la, ACC_EXEC, user, &te);
    }
    *pa = te->ppage | (la & 0xfff);
    return te->host ? te->host + (la & 0xfff) : NULL;
}

static uint64_t ld_page(X86CPU *cpu, uint64_t la, int size, bool user)
{
    X86TLBEntry *te = x86_tlb_hit(cpu, la, user ? X86_PROT_READ_USER : X86_PROT_READ_SUP);
    if (!te) {
        x86_translate(cpu, la, ACC_READ, user, &te);
    }
    if (te->host) {
        return x86_host_ld(te->host + (la & 0xfff), size);
    }
    return cpu->ops->mmio_read(cpu->opaque, te->ppage | (la & 0xfff), size);
}

static void st_page(X86CPU *cpu, uint64_t la, uint64_t val, int size, bool user)
{
    uint8_t need = (user ? X86_PROT_WRITE_USER : X86_PROT_WRITE_SUP) | X86_PROT_DIRTY;
    X86TLBEntry *te = x86_tlb_hit(cpu, la, need);
    if (!te || te->code) {
        x86_translate(cpu, la, ACC_WRITE, user, &te);
        if (te->code) {
            x86_dcache_invalidate_page(cpu, te->ppage);
        }
    }
    if (te->host && !te->rom) {
        x86_host_st(te->host + (la & 0xfff), val, size);
        return;
    }
    cpu->ops->mmio_write(cpu->opaque, te->ppage | (la & 0xfff), val, size);
}

static uint64_t la_mask(X86CPU *cpu, uint64_t la)
{
    return cpu->env.lma ? la : (uint32_t)la;
}

uint64_t x86_ld_lin(X86CPU *cpu, uint64_t la, int size, bool user)
{
    la = la_mask(cpu, la);
    if (((la & 0xfff) + size) <= 0x1000) {
        return ld_page(cpu, la, size, user);
    } else {
        uint64_t v = 0;
        for (int i = 0; i < size; i++) {
            v |= ld_page(cpu, la_mask(cpu, la + i), 1, user) << (8 * i);
        }
        return v;
    }
}

void x86_st_lin(X86CPU *cpu, uint64_t la, uint64_t val, int size, bool user)
{
    la = la_mask(cpu, la);
    if (((la & 0xfff) + size) <= 0x1000) {
        st_page(cpu, la, val, size, user);
    } else {
        /* Probe both pages first so a fault leaves memory untouched. */
        uint64_t la2 = la_mask(cpu, (la | 0xfff) + 1);
        X86TLBEntry *te;
        x86_translate(cpu, la, ACC_WRITE, user, &te);
        x86_translate(cpu, la2, ACC_WRITE, user, &te);
        for (int i = 0; i < size; i++) {
            st_page(cpu, la_mask(cpu, la + i), (val >> (8 * i)) & 0xff, 1, user);
        }
    }
}
