/*
 * -kernel / -initrd / -append on the pc machine: the kernel is loaded into
 * guest RAM at every reset (a guest may have overwritten it), and the boot
 * CPU starts at its entry in the state the multiboot loader describes --
 * what QEMU's option ROM leaves behind on the same machine.
 */
#include <string.h>
#include <glib.h>

#include "exec/memory.h"
#include "hw/i386/multiboot.h"
#include "hw/i386/pc.h"
#include "qemu/error-report.h"
#include "sysemu/dma.h"
#include "sysemu/runstate.h"

typedef struct PCKernel {
    char *kernel, *initrd, *append;
    MultibootMemoryLayout mem;
    MultibootBootState st;
    bool loaded;            /* st describes what is in RAM now */
} PCKernel;

static PCKernel *pc_kernel;

static bool pc_kernel_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
    MemTxResult r = buf ? dma_memory_write(&address_space_memory, gpa, buf, len,
                                           MEMTXATTRS_UNSPECIFIED)
                        : dma_memory_set(&address_space_memory, gpa, 0, len,
                                         MEMTXATTRS_UNSPECIFIED);

    return r == MEMTX_OK;
}

static bool pc_kernel_load(PCKernel *k, Error **errp)
{
    k->loaded = multiboot_load(k->kernel, k->append, k->initrd, &k->mem, pc_kernel_write, k,
                               &k->st, errp);
    return k->loaded;
}

static void pc_kernel_reset(void *opaque)
{
    PCKernel *k = opaque;
    Error *err = NULL;

    if (!pc_kernel_load(k, &err)) {
        error_report_err(err);
        qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_ERROR);
    }
}

bool pc_kernel_init(PCMachineState *pcms, const char *kernel, const char *initrd,
                    const char *append, Error **errp)
{
    PCKernel *k = g_new0(PCKernel, 1);

    if (!kernel) {
        if (initrd) {
            error_setg(errp, "-initrd only allowed with -kernel option");
        } else if (append) {
            error_setg(errp, "-append only allowed with -kernel option");
        }
        g_free(k);
        return !initrd && !append;
    }
    k->kernel = g_strdup(kernel);
    k->initrd = g_strdup(initrd);
    k->append = g_strdup(append);
    k->mem.below_4g_mem_size = pcms->below_4g_mem_size;
    k->mem.above_4g_mem_size = pcms->above_4g_mem_size;
    /* Load once now, so that a bad kernel is a start-up error, not a guest crash. */
    if (!pc_kernel_load(k, errp)) {
        g_free(k->kernel);
        g_free(k->initrd);
        g_free(k->append);
        g_free(k);
        return false;
    }
    pc_kernel = k;
    qemu_register_reset(pc_kernel_reset, k);
    return true;
}

static void boot_segment(AccelSegment *a, const MultibootSegment *m)
{
    /* m->flags holds descriptor bits 40..55 */
    *a = (AccelSegment) {
        .base = m->base,
        .limit = m->limit,
        .selector = m->selector,
        .type = m->flags & 15,
        .s = (m->flags >> 4) & 1,
        .dpl = (m->flags >> 5) & 3,
        .present = (m->flags >> 7) & 1,
        .avl = (m->flags >> 12) & 1,
        .l = (m->flags >> 13) & 1,
        .db = (m->flags >> 14) & 1,
        .g = (m->flags >> 15) & 1,
    };
}

bool pc_kernel_boot_regs(AccelRegs *r)
{
    const MultibootBootState *st;

    if (!pc_kernel || !pc_kernel->loaded) {
        return false;
    }
    st = &pc_kernel->st;
    memset(r, 0, sizeof(*r));
    r->gpr[0] = st->eax;
    r->gpr[3] = st->ebx;
    r->rip = st->eip;
    r->rflags = st->eflags;
    r->cr0 = st->cr0;
    boot_segment(&r->cs, &st->cs);
    boot_segment(&r->ds, &st->ds);
    r->es = r->ss = r->fs = r->gs = r->ds;
    /* An empty LDT and a busy 32-bit TSS: what the CPU needs to be valid. */
    r->ldt = (AccelSegment) { .limit = 0xffff, .type = 2, .present = 1 };
    r->tr = (AccelSegment) { .limit = 0xffff, .type = 11, .present = 1 };
    r->gdt_base = st->gdt_base;
    r->gdt_limit = st->gdt_limit;
    r->idt_limit = 0x3ff;
    r->apic_base = 0xfee00000 | (1 << 11) | (1 << 8);
    return true;
}
