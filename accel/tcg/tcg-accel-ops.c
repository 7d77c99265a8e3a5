/*
 * The tcg accelerator: minivm's x86 interpreter (target/i386) behind the
 * AccelOps interface.  QEMU's name is kept so that scripts passing
 * "-accel tcg" work, but nothing is translated: each vCPU decodes guest
 * code once per page and interprets it.
 *
 * RAM is reached through the slots the machine maps, without any lock;
 * ports, MMIO and the interrupt controller through the machine's
 * AccelIOHandlers, which take the big lock.
 */
#include <string.h>
#include <glib.h>

#include "sysemu/accel-ops.h"
#include "target/i386/cpu.h"

#define TCG_MAX_SLOTS   64
/* Instructions per run_vcpu call: the vCPU loop looks for requests in between. */
#define TCG_TIME_SLICE  (1u << 20)

typedef struct TCGSlot {
    uint64_t gpa, size;     /* size 0: unused */
    uint8_t *host;
    bool readonly;
} TCGSlot;

typedef struct TCGRange {
    uint64_t gpa, len;
} TCGRange;

struct AccelState {
    const AccelIOHandlers *io;
    /*
     * Written by the vCPU thread (or before it runs) under @lock; its own
     * lookups need no lock, other threads' do.
     */
    TCGSlot slots[TCG_MAX_SLOTS];
    GMutex lock;
    GArray *written;        /* TCGRange: RAM devices wrote since the vCPUs last looked */
    AccelVCPU *vcpus;
};

struct AccelVCPU {
    X86CPU cpu;
    AccelState *s;
    int index;
    int last_slot;          /* lookups hit the same slot nearly always */
    bool remapped;          /* slots changed: cached translations are stale */
    bool dma_pending;       /* s->written has ranges (atomic) */
    AccelVCPU *next;
};

/* ---- guest memory and I/O, as the interpreter asks for them ---- */

static uint8_t *tcg_ram_ptr(void *opaque, uint64_t gpa, bool *writable)
{
    AccelVCPU *v = opaque;
    TCGSlot *slots = v->s->slots;
    TCGSlot *sl = &slots[v->last_slot];

    if (gpa - sl->gpa >= sl->size) {
        int i;

        for (i = 0; i < TCG_MAX_SLOTS; i++) {
            if (gpa - slots[i].gpa < slots[i].size) {
                break;
            }
        }
        if (i == TCG_MAX_SLOTS) {
            return NULL;
        }
        v->last_slot = i;
        sl = &slots[i];
    }
    *writable = !sl->readonly;
    return sl->host + (gpa - sl->gpa);
}

/*
 * A device access may change the memory map (a BAR or PAM register write):
 * the TLB and the decoded pages must not keep pointers into the old one.
 */
static void tcg_check_remap(AccelVCPU *v)
{
    if (v->remapped) {
        v->remapped = false;
        x86_cpu_flush_code(&v->cpu);
    }
}

/* Code a device overwrote must be decoded again before it runs. */
static void tcg_check_dma(AccelVCPU *v)
{
    AccelState *s = v->s;
    GArray *w;

    if (!__atomic_load_n(&v->dma_pending, __ATOMIC_ACQUIRE)) {
        return;
    }
    g_mutex_lock(&s->lock);
    __atomic_store_n(&v->dma_pending, false, __ATOMIC_RELAXED);
    w = s->written;
    s->written = g_array_new(FALSE, FALSE, sizeof(TCGRange));
    g_mutex_unlock(&s->lock);
    for (guint i = 0; i < w->len; i++) {
        TCGRange *r = &g_array_index(w, TCGRange, i);

        x86_cpu_invalidate_code(&v->cpu, r->gpa, r->len);
    }
    g_array_free(w, TRUE);
}

static uint64_t tcg_mmio_read(void *opaque, uint64_t gpa, unsigned size)
{
    AccelVCPU *v = opaque;
    const AccelIOHandlers *io = v->s->io;
    uint64_t val = io->mmio_read(io->opaque, gpa, size);

    tcg_check_remap(v);
    return val;
}

static void tcg_mmio_write(void *opaque, uint64_t gpa, uint64_t val, unsigned size)
{
    AccelVCPU *v = opaque;
    const AccelIOHandlers *io = v->s->io;

    io->mmio_write(io->opaque, gpa, val, size);
    tcg_check_remap(v);
}

static uint32_t tcg_pio_read(void *opaque, uint16_t port, unsigned size)
{
    AccelVCPU *v = opaque;
    const AccelIOHandlers *io = v->s->io;
    uint32_t val = io->pio_read(io->opaque, port, size);

    tcg_check_remap(v);
    return val;
}

static void tcg_pio_write(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    AccelVCPU *v = opaque;
    const AccelIOHandlers *io = v->s->io;

    io->pio_write(io->opaque, port, val, size);
    tcg_check_remap(v);
}

static bool tcg_intr_pending(void *opaque)
{
    AccelVCPU *v = opaque;

    return v->s->io->intr_pending(v->s->io->opaque);
}

static int tcg_intr_ack(void *opaque)
{
    AccelVCPU *v = opaque;

    return v->s->io->intr_ack(v->s->io->opaque);
}

static const X86CPUOps tcg_cpu_ops = {
    .ram_ptr = tcg_ram_ptr,
    .mmio_read = tcg_mmio_read,
    .mmio_write = tcg_mmio_write,
    .pio_read = tcg_pio_read,
    .pio_write = tcg_pio_write,
    .intr_pending = tcg_intr_pending,
    .intr_ack = tcg_intr_ack,
};

/* ---- the machine ---- */

static AccelState *tcg_init_machine(const AccelIOHandlers *io, Error **errp)
{
    AccelState *s = g_new0(AccelState, 1);

    s->io = io;
    g_mutex_init(&s->lock);
    s->written = g_array_new(FALSE, FALSE, sizeof(TCGRange));
    return s;
}

static bool tcg_map_ram(AccelState *s, int slot, uint64_t gpa, uint64_t size, void *host,
                        bool readonly, Error **errp)
{
    if (slot < 0 || slot >= TCG_MAX_SLOTS) {
        error_setg(errp, "tcg: no memory slot %d (at most %d)", slot, TCG_MAX_SLOTS);
        return false;
    }
    g_mutex_lock(&s->lock);
    s->slots[slot] = (TCGSlot) { gpa, size, host, readonly };
    for (AccelVCPU *v = s->vcpus; v; v = v->next) {
        v->remapped = true;
    }
    g_mutex_unlock(&s->lock);
    return true;
}

static void tcg_ram_written(AccelState *s, void *host, size_t len)
{
    uint8_t *p = host;
    bool found = false;

    g_mutex_lock(&s->lock);
    for (int i = 0; i < TCG_MAX_SLOTS; i++) {
        TCGSlot *sl = &s->slots[i];

        if (sl->size && p >= sl->host && p < sl->host + sl->size) {
            uint64_t off = p - sl->host;
            TCGRange r = { sl->gpa + off, MIN(len, sl->size - off) };

            g_array_append_val(s->written, r);
            found = true;
        }
    }
    if (found) {
        for (AccelVCPU *v = s->vcpus; v; v = v->next) {
            __atomic_store_n(&v->dma_pending, true, __ATOMIC_RELEASE);
            x86_cpu_exit(&v->cpu);
        }
    }
    g_mutex_unlock(&s->lock);
}

static void tcg_destroy_machine(AccelState *s)
{
    g_array_free(s->written, TRUE);
    g_mutex_clear(&s->lock);
    g_free(s);
}

/* ---- vCPUs ---- */

static AccelVCPU *tcg_create_vcpu(AccelState *s, int index, Error **errp)
{
    AccelVCPU *v = g_new0(AccelVCPU, 1);

    v->s = s;
    v->index = index;
    x86_cpu_init(&v->cpu, &tcg_cpu_ops, v);
    g_mutex_lock(&s->lock);
    v->next = s->vcpus;
    s->vcpus = v;
    g_mutex_unlock(&s->lock);
    return v;
}

static void tcg_destroy_vcpu(AccelVCPU *v)
{
    g_mutex_lock(&v->s->lock);
    for (AccelVCPU **p = &v->s->vcpus; *p; p = &(*p)->next) {
        if (*p == v) {
            *p = v->next;
            break;
        }
    }
    g_mutex_unlock(&v->s->lock);
    x86_cpu_finalize(&v->cpu);
    g_free(v);
}

static AccelExit tcg_run_vcpu(AccelVCPU *v)
{
    tcg_check_remap(v);
    tcg_check_dma(v);
    switch (x86_cpu_exec(&v->cpu, TCG_TIME_SLICE)) {
    case X86_EXIT_HLT:
        return (v->cpu.env.eflags & IF_MASK) ? ACCEL_EXIT_HLT : ACCEL_EXIT_HLT_NOIRQ;
    case X86_EXIT_SHUTDOWN:
        return ACCEL_EXIT_SHUTDOWN;
    case X86_EXIT_BUDGET:
    case X86_EXIT_STOP:
    default:
        return ACCEL_EXIT_KICKED;
    }
}

static void tcg_kick_vcpu(AccelVCPU *v)
{
    x86_cpu_exit(&v->cpu);
}

static void tcg_reset_vcpu(AccelVCPU *v)
{
    x86_cpu_reset(&v->cpu);
    /* A pending kick belongs to the old run; the reset is what it asked for. */
    v->cpu.exit_request = false;
}

/* ---- registers: the descriptor cache in the AccelSegment form ---- */

static void seg_to_accel(AccelSegment *a, const SegmentCache *c)
{
    uint32_t f = c->flags;

    *a = (AccelSegment) {
        .base = c->base,
        .limit = c->limit,
        .selector = c->selector,
        .type = (f & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT,
        .present = !!(f & DESC_P_MASK),
        .dpl = (f & DESC_DPL_MASK) >> DESC_DPL_SHIFT,
        .db = !!(f & DESC_B_MASK),
        .s = !!(f & DESC_S_MASK),
        .l = !!(f & DESC_L_MASK),
        .g = !!(f & DESC_G_MASK),
        .avl = !!(f & (1u << 20)),
        .unusable = !(f & DESC_P_MASK),
    };
}

static void seg_from_accel(SegmentCache *c, const AccelSegment *a)
{
    c->selector = a->selector;
    c->base = a->base;
    c->limit = a->limit;
    c->flags = ((uint32_t)(a->type & 15) << DESC_TYPE_SHIFT) |
               (a->s ? DESC_S_MASK : 0) |
               ((uint32_t)(a->dpl & 3) << DESC_DPL_SHIFT) |
               (a->present && !a->unusable ? DESC_P_MASK : 0) |
               (a->avl ? 1u << 20 : 0) |
               (a->l ? DESC_L_MASK : 0) |
               (a->db ? DESC_B_MASK : 0) |
               (a->g ? DESC_G_MASK : 0);
}

static bool tcg_get_regs(AccelVCPU *v, AccelRegs *r, Error **errp)
{
    const CPUX86State *env = &v->cpu.env;
    AccelSegment *segs[6] = { &r->es, &r->cs, &r->ss, &r->ds, &r->fs, &r->gs };

    memcpy(r->gpr, env->regs, sizeof(r->gpr));
    r->rip = env->rip;
    r->rflags = env->eflags;
    for (int i = 0; i < 6; i++) {
        seg_to_accel(segs[i], &env->segs[i]);
    }
    seg_to_accel(&r->tr, &env->tr);
    seg_to_accel(&r->ldt, &env->ldt);
    r->gdt_base = env->gdt.base;
    r->gdt_limit = env->gdt.limit;
    r->idt_base = env->idt.base;
    r->idt_limit = env->idt.limit;
    r->cr0 = env->cr[0];
    r->cr2 = env->cr[2];
    r->cr3 = env->cr[3];
    r->cr4 = env->cr[4];
    r->cr8 = env->cr8;
    r->efer = env->efer;
    r->apic_base = env->apic_base;
    return true;
}

static bool tcg_set_regs(AccelVCPU *v, const AccelRegs *r, Error **errp)
{
    CPUX86State *env = &v->cpu.env;
    const AccelSegment *segs[6] = { &r->es, &r->cs, &r->ss, &r->ds, &r->fs, &r->gs };

    memcpy(env->regs, r->gpr, sizeof(env->regs));
    env->rip = r->rip;
    env->eflags = r->rflags | 2;
    for (int i = 0; i < 6; i++) {
        seg_from_accel(&env->segs[i], segs[i]);
    }
    seg_from_accel(&env->tr, &r->tr);
    seg_from_accel(&env->ldt, &r->ldt);
    env->gdt = (X86DescTable) { r->gdt_base, r->gdt_limit };
    env->idt = (X86DescTable) { r->idt_base, r->idt_limit };
    env->cr[0] = r->cr0;
    env->cr[2] = r->cr2;
    env->cr[3] = r->cr3;
    env->cr[4] = r->cr4;
    env->cr8 = r->cr8;
    env->efer = r->efer;
    env->apic_base = r->apic_base;
    env->halted = false;
    /* As KVM defines it: the privilege level is SS.DPL in protected mode. */
    env->cpl = (r->cr0 & CR0_PE_MASK) ? r->ss.dpl : 0;
    x86_update_hflags(env);
    x86_tlb_flush(&v->cpu, true);
    return true;
}

const AccelOps tcg_accel_ops = {
    .name = "tcg",
    .init_machine = tcg_init_machine,
    .map_ram = tcg_map_ram,
    .create_vcpu = tcg_create_vcpu,
    .run_vcpu = tcg_run_vcpu,
    .kick_vcpu = tcg_kick_vcpu,
    .ram_written = tcg_ram_written,
    .get_regs = tcg_get_regs,
    .set_regs = tcg_set_regs,
    .reset_vcpu = tcg_reset_vcpu,
    .destroy_vcpu = tcg_destroy_vcpu,
    .destroy_machine = tcg_destroy_machine,
};
