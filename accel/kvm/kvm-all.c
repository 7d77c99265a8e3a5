/*
 * The KVM accelerator over /dev/kvm (Documentation/virt/kvm/api.rst):
 * one VM, an in-kernel irqchip driven with KVM_IRQ_LINE, one thread per
 * vCPU running KVM_RUN and dispatching port and MMIO exits to the machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <glib.h>
#include "sysemu/accel-ops.h"

#define KVM_MAX_CPUID_ENTRIES 100
#define KVM_KICK_SIGNAL SIGUSR1

struct AccelState {
    int fd;                 /* /dev/kvm */
    int vm_fd;
    int run_size;           /* size of the kvm_run mapping */
    const AccelIOHandlers *io;
    struct kvm_cpuid2 *cpuid;
};

struct AccelVCPU {
    AccelState *s;
    int fd;
    int index;
    struct kvm_run *run;
    pthread_t thread;
    bool thread_known;
};

static int kvm_ioctl_retry(int fd, unsigned long req, void *arg)
{
    int r;
    do {
        r = ioctl(fd, req, arg);
    } while (r < 0 && errno == EINTR);
    return r;
}

static struct kvm_cpuid2 *kvm_get_supported_cpuid(int fd, Error **errp)
{
    int n = KVM_MAX_CPUID_ENTRIES;
    for (;;) {
        struct kvm_cpuid2 *c = g_malloc0(sizeof(*c) + n * sizeof(c->entries[0]));
        c->nent = n;
        if (ioctl(fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
            return c;
        }
        g_free(c);
        if (errno != E2BIG || n > 4096) {
            error_setg_errno(errp, errno, "KVM_GET_SUPPORTED_CPUID failed");
            return NULL;
        }
        n *= 2;
    }
}

static void kvm_destroy_machine(AccelState *s)
{
    if (s->vm_fd >= 0) {
        close(s->vm_fd);
    }
    if (s->fd >= 0) {
        close(s->fd);
    }
    g_free(s->cpuid);
    g_free(s);
}

static void kvm_kick_handler(int sig)
{
    /* Only interrupts KVM_RUN; immediate_exit is set by the kicker. */
}

static AccelState *kvm_init_machine(const AccelIOHandlers *io, Error **errp)
{
    AccelState *s = g_new0(AccelState, 1);
    struct sigaction sa = { .sa_handler = kvm_kick_handler };
    int ret;

    s->vm_fd = -1;
    s->io = io;
    s->fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (s->fd < 0) {
        /* QEMU's wording, which scripts grep for */
        error_setg_errno(errp, errno, "Could not access KVM kernel module");
        goto fail;
    }
    ret = ioctl(s->fd, KVM_GET_API_VERSION, 0);
    if (ret != KVM_API_VERSION) {
        error_setg(errp, ret < KVM_API_VERSION ? "kvm version too old"
                                               : "kvm version not supported");
        goto fail;
    }
    if (ioctl(s->fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0 ||
        ioctl(s->fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) <= 0 ||
        ioctl(s->fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) <= 0 ||
        ioctl(s->fd, KVM_CHECK_EXTENSION, KVM_CAP_SIGNAL_MSI) <= 0) {
        error_setg(errp, "kvm: the kernel lacks a required capability");
        goto fail;
    }
    s->run_size = ioctl(s->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (s->run_size <= 0) {
        error_setg_errno(errp, errno, "KVM_GET_VCPU_MMAP_SIZE failed");
        goto fail;
    }
    do {
        s->vm_fd = ioctl(s->fd, KVM_CREATE_VM, 0);
    } while (s->vm_fd < 0 && errno == EINTR);
    if (s->vm_fd < 0) {
        error_setg_errno(errp, errno, "ioctl(KVM_CREATE_VM) failed");
        goto fail;
    }
    /* x86 needs the TSS area below 4 GiB placed out of RAM's way (as QEMU does). */
    if (ioctl(s->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_TSS_ADDR failed");
        goto fail;
    }
    {
        uint64_t ident = 0xfeffc000;
        if (ioctl(s->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &ident) < 0) {
            error_setg_errno(errp, errno, "KVM_SET_IDENTITY_MAP_ADDR failed");
            goto fail;
        }
    }
    if (ioctl(s->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
        error_setg_errno(errp, errno, "Create kernel irqchip failed");
        goto fail;
    }
    s->cpuid = kvm_get_supported_cpuid(s->fd, errp);
    if (!s->cpuid) {
        goto fail;
    }
    sigaction(KVM_KICK_SIGNAL, &sa, NULL);
    return s;

fail:
    kvm_destroy_machine(s);
    return NULL;
}

static bool kvm_map_ram(AccelState *s, int slot, uint64_t gpa, uint64_t size, void *host,
                        bool readonly, Error **errp)
{
    struct kvm_userspace_memory_region r = {
        .slot = slot,
        .flags = readonly ? KVM_MEM_READONLY : 0,
        .guest_phys_addr = gpa,
        .memory_size = size,
        .userspace_addr = (uintptr_t)host,
    };
    if (ioctl(s->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_USER_MEMORY_REGION failed (slot %d, gpa 0x%"
                         PRIx64 ", size 0x%" PRIx64 ")", slot, gpa, size);
        return false;
    }
    return true;
}

static AccelVCPU *kvm_create_vcpu(AccelState *s, int index, Error **errp)
{
    AccelVCPU *cpu = g_new0(AccelVCPU, 1);
    cpu->s = s;
    cpu->index = index;
    cpu->fd = ioctl(s->vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
    if (cpu->fd < 0) {
        error_setg_errno(errp, errno, "kvm_init_vcpu: kvm_get_vcpu failed (%d)", index);
        g_free(cpu);
        return NULL;
    }
    cpu->run = mmap(NULL, s->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, cpu->fd, 0);
    if (cpu->run == MAP_FAILED) {
        error_setg_errno(errp, errno, "mmap'ing vcpu state failed");
        close(cpu->fd);
        g_free(cpu);
        return NULL;
    }
    /* The guest sees what the host CPU and KVM support, as with -cpu host. */
    for (uint32_t i = 0; i < s->cpuid->nent; i++) {
        struct kvm_cpuid_entry2 *e = &s->cpuid->entries[i];
        if (e->function == 1) {
            e->ebx = (e->ebx & 0x00ffffff) | ((uint32_t)index << 24);   /* APIC ID */
        }
    }
    if (ioctl(cpu->fd, KVM_SET_CPUID2, s->cpuid) < 0) {
        error_setg_errno(errp, errno, "KVM_SET_CPUID2 failed");
        munmap(cpu->run, s->run_size);
        close(cpu->fd);
        g_free(cpu);
        return NULL;
    }
    return cpu;
}

static void kvm_destroy_vcpu(AccelVCPU *cpu)
{
    munmap(cpu->run, cpu->s->run_size);
    close(cpu->fd);
    g_free(cpu);
}

/* KVM_EXIT_IO: data for count repetitions lives at run + data_offset. */
static void kvm_handle_io(AccelVCPU *cpu)
{
    const AccelIOHandlers *io = cpu->s->io;
    struct kvm_run *run = cpu->run;
    uint8_t *p = (uint8_t *)run + run->io.data_offset;
    for (uint32_t i = 0; i < run->io.count; i++, p += run->io.size) {
        uint32_t v = 0;
        if (run->io.direction == KVM_EXIT_IO_OUT) {
            memcpy(&v, p, run->io.size);
            io->pio_write(io->opaque, run->io.port, v, run->io.size);
        } else {
            v = io->pio_read(io->opaque, run->io.port, run->io.size);
            memcpy(p, &v, run->io.size);
        }
    }
}

static void kvm_handle_mmio(AccelVCPU *cpu)
{
    const AccelIOHandlers *io = cpu->s->io;
    struct kvm_run *run = cpu->run;
    uint64_t v = 0;
    unsigned len = run->mmio.len;
    if (len > 8) {
        return;
    }
    if (run->mmio.is_write) {
        memcpy(&v, run->mmio.data, len);
        io->mmio_write(io->opaque, run->mmio.phys_addr, v, len);
    } else {
        v = io->mmio_read(io->opaque, run->mmio.phys_addr, len);
        memcpy(run->mmio.data, &v, len);
    }
}

static AccelExit kvm_run_vcpu(AccelVCPU *cpu)
{
    struct kvm_run *run = cpu->run;

    if (!cpu->thread_known) {
        cpu->thread = pthread_self();
        cpu->thread_known = true;
    }
    for (;;) {
        int r;
        if (__atomic_load_n(&run->immediate_exit, __ATOMIC_ACQUIRE)) {
            run->immediate_exit = 0;
            return ACCEL_EXIT_KICKED;
        }
        r = ioctl(cpu->fd, KVM_RUN, 0);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                run->immediate_exit = 0;
                return ACCEL_EXIT_KICKED;
            }
            g_printerr("error: kvm run failed %s\n", g_strerror(errno));
            return ACCEL_EXIT_ERROR;
        }
        switch (run->exit_reason) {
        case KVM_EXIT_IO:
            kvm_handle_io(cpu);
            break;
        case KVM_EXIT_MMIO:
            kvm_handle_mmio(cpu);
            break;
        case KVM_EXIT_HLT:
            return ACCEL_EXIT_HLT;
        case KVM_EXIT_SHUTDOWN:
            return ACCEL_EXIT_SHUTDOWN;
        case KVM_EXIT_IRQ_WINDOW_OPEN:
        case KVM_EXIT_INTR:
            return ACCEL_EXIT_KICKED;
        case KVM_EXIT_FAIL_ENTRY:
            g_printerr("KVM: entry failed, hardware error 0x%" PRIx64 "\n",
                       (uint64_t)run->fail_entry.hardware_entry_failure_reason);
            return ACCEL_EXIT_ERROR;
        case KVM_EXIT_INTERNAL_ERROR:
            g_printerr("KVM internal error. Suberror: %u\n", run->internal.suberror);
            return ACCEL_EXIT_ERROR;
        case KVM_EXIT_SYSTEM_EVENT:
            return run->system_event.type == KVM_SYSTEM_EVENT_RESET ||
                   run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN
                   ? ACCEL_EXIT_SHUTDOWN : ACCEL_EXIT_KICKED;
        default:
            g_printerr("KVM: unhandled exit %u\n", run->exit_reason);
            return ACCEL_EXIT_ERROR;
        }
    }
}

static void kvm_kick_vcpu(AccelVCPU *cpu)
{
    __atomic_store_n(&cpu->run->immediate_exit, 1, __ATOMIC_RELEASE);
    if (cpu->thread_known && !pthread_equal(cpu->thread, pthread_self())) {
        pthread_kill(cpu->thread, KVM_KICK_SIGNAL);
    }
}

static void kvm_set_irq(AccelState *s, int gsi, int level)
{
    struct kvm_irq_level l = { .irq = gsi, .level = level };
    if (kvm_ioctl_retry(s->vm_fd, KVM_IRQ_LINE, &l) < 0) {
        g_printerr("kvm: KVM_IRQ_LINE failed: %s\n", g_strerror(errno));
    }
}

/* Device MSI/MSI-X messages go to the in-kernel local APICs. */
static void kvm_signal_msi(AccelState *s, uint64_t addr, uint32_t data)
{
    struct kvm_msi msi = {
        .address_lo = (uint32_t)addr,
        .address_hi = (uint32_t)(addr >> 32),
        .data = data,
    };

    if (kvm_ioctl_retry(s->vm_fd, KVM_SIGNAL_MSI, &msi) < 0) {
        g_printerr("kvm: KVM_SIGNAL_MSI failed: %s\n", g_strerror(errno));
    }
}

static void seg_to_kvm(struct kvm_segment *k, const AccelSegment *a)
{
    k->base = a->base;
    k->limit = a->limit;
    k->selector = a->selector;
    k->type = a->type;
    k->present = a->present;
    k->dpl = a->dpl;
    k->db = a->db;
    k->s = a->s;
    k->l = a->l;
    k->g = a->g;
    k->avl = a->avl;
    k->unusable = a->unusable;
}

static void seg_from_kvm(AccelSegment *a, const struct kvm_segment *k)
{
    a->base = k->base;
    a->limit = k->limit;
    a->selector = k->selector;
    a->type = k->type;
    a->present = k->present;
    a->dpl = k->dpl;
    a->db = k->db;
    a->s = k->s;
    a->l = k->l;
    a->g = k->g;
    a->avl = k->avl;
    a->unusable = k->unusable;
}

static bool kvm_get_regs(AccelVCPU *cpu, AccelRegs *r, Error **errp)
{
    struct kvm_regs kr;
    struct kvm_sregs ks;
    if (ioctl(cpu->fd, KVM_GET_REGS, &kr) < 0 || ioctl(cpu->fd, KVM_GET_SREGS, &ks) < 0) {
        error_setg_errno(errp, errno, "kvm: reading registers failed");
        return false;
    }
    r->gpr[0] = kr.rax; r->gpr[1] = kr.rcx; r->gpr[2] = kr.rdx; r->gpr[3] = kr.rbx;
    r->gpr[4] = kr.rsp; r->gpr[5] = kr.rbp; r->gpr[6] = kr.rsi; r->gpr[7] = kr.rdi;
    r->gpr[8] = kr.r8; r->gpr[9] = kr.r9; r->gpr[10] = kr.r10; r->gpr[11] = kr.r11;
    r->gpr[12] = kr.r12; r->gpr[13] = kr.r13; r->gpr[14] = kr.r14; r->gpr[15] = kr.r15;
    r->rip = kr.rip;
    r->rflags = kr.rflags;
    seg_from_kvm(&r->es, &ks.es);
    seg_from_kvm(&r->cs, &ks.cs);
    seg_from_kvm(&r->ss, &ks.ss);
    seg_from_kvm(&r->ds, &ks.ds);
    seg_from_kvm(&r->fs, &ks.fs);
    seg_from_kvm(&r->gs, &ks.gs);
    seg_from_kvm(&r->tr, &ks.tr);
    seg_from_kvm(&r->ldt, &ks.ldt);
    r->gdt_base = ks.gdt.base;
    r->gdt_limit = ks.gdt.limit;
    r->idt_base = ks.idt.base;
    r->idt_limit = ks.idt.limit;
    r->cr0 = ks.cr0; r->cr2 = ks.cr2; r->cr3 = ks.cr3; r->cr4 = ks.cr4; r->cr8 = ks.cr8;
    r->efer = ks.efer;
    r->apic_base = ks.apic_base;
    return true;
}

static bool kvm_set_regs(AccelVCPU *cpu, const AccelRegs *r, Error **errp)
{
    struct kvm_regs kr = {
        .rax = r->gpr[0], .rcx = r->gpr[1], .rdx = r->gpr[2], .rbx = r->gpr[3],
        .rsp = r->gpr[4], .rbp = r->gpr[5], .rsi = r->gpr[6], .rdi = r->gpr[7],
        .r8 = r->gpr[8], .r9 = r->gpr[9], .r10 = r->gpr[10], .r11 = r->gpr[11],
        .r12 = r->gpr[12], .r13 = r->gpr[13], .r14 = r->gpr[14], .r15 = r->gpr[15],
        .rip = r->rip, .rflags = r->rflags,
    };
    struct kvm_sregs ks;
    /* keep the interrupt bitmap and anything else KVM tracks */
    if (ioctl(cpu->fd, KVM_GET_SREGS, &ks) < 0) {
        error_setg_errno(errp, errno, "kvm: reading special registers failed");
        return false;
    }
    seg_to_kvm(&ks.es, &r->es);
    seg_to_kvm(&ks.cs, &r->cs);
    seg_to_kvm(&ks.ss, &r->ss);
    seg_to_kvm(&ks.ds, &r->ds);
    seg_to_kvm(&ks.fs, &r->fs);
    seg_to_kvm(&ks.gs, &r->gs);
    seg_to_kvm(&ks.tr, &r->tr);
    seg_to_kvm(&ks.ldt, &r->ldt);
    ks.gdt.base = r->gdt_base;
    ks.gdt.limit = r->gdt_limit;
    ks.idt.base = r->idt_base;
    ks.idt.limit = r->idt_limit;
    ks.cr0 = r->cr0; ks.cr2 = r->cr2; ks.cr3 = r->cr3; ks.cr4 = r->cr4; ks.cr8 = r->cr8;
    ks.efer = r->efer;
    ks.apic_base = r->apic_base;
    if (ioctl(cpu->fd, KVM_SET_SREGS, &ks) < 0 || ioctl(cpu->fd, KVM_SET_REGS, &kr) < 0) {
        error_setg_errno(errp, errno, "kvm: writing registers failed");
        return false;
    }
    return true;
}

/* SDM vol. 3 §9.1.1 power-on state: real mode at F000:FFF0. */
static void kvm_reset_vcpu(AccelVCPU *cpu)
{
    AccelRegs r = { .rip = 0xfff0, .rflags = 2, .cr0 = 0x60000010,
                    .apic_base = 0xfee00000 | (cpu->index == 0 ? 0x100 : 0) | 0x800 };
    AccelSegment *segs[] = { &r.es, &r.ss, &r.ds, &r.fs, &r.gs };
    Error *err = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(segs); i++) {
        *segs[i] = (AccelSegment){ .limit = 0xffff, .type = 3, .present = 1, .s = 1 };
    }
    r.cs = (AccelSegment){ .base = 0xffff0000, .limit = 0xffff, .selector = 0xf000,
                           .type = 11, .present = 1, .s = 1 };
    r.tr = (AccelSegment){ .limit = 0xffff, .type = 11, .present = 1 };
    r.ldt = (AccelSegment){ .limit = 0xffff, .type = 2, .present = 1 };
    r.gdt_limit = r.idt_limit = 0xffff;
    r.gpr[2] = 0x600;
    if (!kvm_set_regs(cpu, &r, &err)) {
        error_report_err(err);
    }
}

const AccelOps kvm_accel_ops = {
    .name = "kvm",
    .init_machine = kvm_init_machine,
    .map_ram = kvm_map_ram,
    .create_vcpu = kvm_create_vcpu,
    .run_vcpu = kvm_run_vcpu,
    .kick_vcpu = kvm_kick_vcpu,
    .set_irq = kvm_set_irq,
    .signal_msi = kvm_signal_msi,
    .get_regs = kvm_get_regs,
    .set_regs = kvm_set_regs,
    .reset_vcpu = kvm_reset_vcpu,
    .destroy_vcpu = kvm_destroy_vcpu,
    .destroy_machine = kvm_destroy_machine,
};
