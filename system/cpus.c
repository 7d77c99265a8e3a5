/*
 * vCPUs: the accelerator named on the command line, guest RAM mapped into
 * it, and one thread per vCPU running guest code until an exit the machine
 * must act on.
 *
 * A vCPU thread takes the big lock only to dispatch a port, MMIO or
 * interrupt-controller access, and between its runs; guest RAM needs no
 * lock.  The main loop keeps the vCPUs out of guest code while the VM is
 * stopped and while it resets the machine.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <glib.h>

#include "exec/memory.h"
#include "hw/i386/pc.h"
#include "hw/intc/i8259.h"
#include "hw/intc/msi-route.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "sysemu/cpus.h"
#include "sysemu/dma.h"
#include "sysemu/runstate.h"
#include "sysemu/sysemu.h"

#define MAX_RAM_SLOTS 32

typedef enum CPUWait {
    CPU_RUNNABLE,
    CPU_HALTED,             /* HLT with interrupts enabled: until INTR rises */
    CPU_HALTED_NOIRQ,       /* HLT with interrupts disabled: until a reset */
    CPU_STOPPED,            /* it asked for a reset or shutdown, or failed: until a reset */
} CPUWait;

typedef struct CPUState {
    unsigned index;
    AccelVCPU *vcpu;
    GThread *thread;
    long tid;
    CPUWait wait;
    bool in_guest;          /* inside run_vcpu, the BQL released */
} CPUState;

static const AccelOps *accel;
static AccelState *accel_state;
static CPUState *cpus;
static unsigned nr_cpus;

/* All below under the BQL. */
static GCond cpu_cond;      /* a vCPU left the guest, or what a waiting one waits for changed */
static unsigned pause_depth;
static int intr_level;      /* the INTR pin (the master 8259's output); read atomically */
static __thread CPUState *current_cpu;

/* What the accelerator has mapped, by slot. */
static RAMSection ram_slots[MAX_RAM_SLOTS];
static unsigned ram_generation;
static bool ram_synced;

/* ---- guest RAM into the accelerator ---- */

static bool ram_section_equal(const RAMSection *a, const RAMSection *b)
{
    return a->gpa == b->gpa && a->size == b->size && a->host == b->host &&
           a->readonly == b->readonly;
}

/*
 * Follow the memory map: slots that left it are removed first, then new
 * ones added, so no two ever overlap.  BQL held, from the vCPU thread or
 * before it runs (the interpreter reads its slots without a lock).
 */
static bool cpus_sync_ram(Error **errp)
{
    unsigned gen = memory_topology_generation();
    g_autofree RAMSection *now = NULL;
    size_t n;

    if (ram_synced && gen == ram_generation) {
        return true;
    }
    now = address_space_get_ram_sections(&address_space_memory, &n);
    for (int s = 0; s < MAX_RAM_SLOTS; s++) {
        bool keep = false;

        if (!ram_slots[s].size) {
            continue;
        }
        for (size_t i = 0; i < n && !keep; i++) {
            keep = ram_section_equal(&ram_slots[s], &now[i]);
        }
        if (!keep) {
            if (!accel->map_ram(accel_state, s, ram_slots[s].gpa, 0, ram_slots[s].host,
                                ram_slots[s].readonly, errp)) {
                return false;
            }
            ram_slots[s].size = 0;
        }
    }
    for (size_t i = 0; i < n; i++) {
        int s, free_slot = -1;

        for (s = 0; s < MAX_RAM_SLOTS; s++) {
            if (ram_slots[s].size && ram_section_equal(&ram_slots[s], &now[i])) {
                break;
            }
            if (!ram_slots[s].size && free_slot < 0) {
                free_slot = s;
            }
        }
        if (s < MAX_RAM_SLOTS) {
            continue;
        }
        if (free_slot < 0) {
            error_setg(errp, "guest memory map has more than %d RAM pieces", MAX_RAM_SLOTS);
            return false;
        }
        if (!accel->map_ram(accel_state, free_slot, now[i].gpa, now[i].size, now[i].host,
                            now[i].readonly, errp)) {
            return false;
        }
        ram_slots[free_slot] = now[i];
    }
    ram_generation = gen;
    ram_synced = true;
    return true;
}

/* A failure to follow the map at run time: the guest cannot go on. */
static void cpus_sync_ram_or_stop(void)
{
    Error *err = NULL;

    if (!cpus_sync_ram(&err)) {
        error_report_err(err);
        qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_ERROR);
        cpu_stop_current();
    }
}

static void cpus_ram_written(void *opaque, void *host, size_t len)
{
    accel->ram_written(accel_state, host, len);
}

/* ---- what the accelerator calls back, from a vCPU thread ---- */

static uint32_t cpus_pio_read(void *opaque, uint16_t port, unsigned size)
{
    uint32_t val;

    qemu_mutex_lock_iothread();
    val = size == 1 ? cpu_inb(port) : size == 2 ? cpu_inw(port) : cpu_inl(port);
    cpus_sync_ram_or_stop();
    qemu_mutex_unlock_iothread();
    return val;
}

static void cpus_pio_write(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    qemu_mutex_lock_iothread();
    if (size == 1) {
        cpu_outb(port, val);
    } else if (size == 2) {
        cpu_outw(port, val);
    } else {
        cpu_outl(port, val);
    }
    cpus_sync_ram_or_stop();
    qemu_mutex_unlock_iothread();
}

static uint64_t cpus_mmio_read(void *opaque, uint64_t gpa, unsigned size)
{
    uint64_t val = 0;

    qemu_mutex_lock_iothread();
    address_space_read_sized(&address_space_memory, gpa, &val, size, MEMTXATTRS_UNSPECIFIED);
    cpus_sync_ram_or_stop();
    qemu_mutex_unlock_iothread();
    return val;
}

static void cpus_mmio_write(void *opaque, uint64_t gpa, uint64_t val, unsigned size)
{
    qemu_mutex_lock_iothread();
    address_space_write_sized(&address_space_memory, gpa, val, size, MEMTXATTRS_UNSPECIFIED);
    cpus_sync_ram_or_stop();
    qemu_mutex_unlock_iothread();
}

static bool cpus_intr_pending(void *opaque)
{
    return __atomic_load_n(&intr_level, __ATOMIC_ACQUIRE);
}

static int cpus_intr_ack(void *opaque)
{
    int vec;

    qemu_mutex_lock_iothread();
    vec = pic_read_irq();
    qemu_mutex_unlock_iothread();
    return vec;
}

static const AccelIOHandlers cpus_io = {
    .pio_read = cpus_pio_read,
    .pio_write = cpus_pio_write,
    .mmio_read = cpus_mmio_read,
    .mmio_write = cpus_mmio_write,
    .intr_pending = cpus_intr_pending,
    .intr_ack = cpus_intr_ack,
};

/* The 8259's output moved (BQL held, by whichever thread ran the device). */
static void cpus_intr_changed(void *opaque, int n, int level)
{
    __atomic_store_n(&intr_level, level, __ATOMIC_RELEASE);
    if (level) {
        g_cond_broadcast(&cpu_cond);
    }
}

static void cpus_msi(void *opaque, uint64_t addr, uint32_t data, uint16_t requester)
{
    accel->signal_msi(accel_state, addr, data);
}

/* ---- the vCPU thread ---- */

static bool cpu_can_run(CPUState *cpu)
{
    if (pause_depth || !runstate_is_running()) {
        return false;
    }
    if (cpu->wait == CPU_HALTED && __atomic_load_n(&intr_level, __ATOMIC_ACQUIRE)) {
        cpu->wait = CPU_RUNNABLE;
    }
    return cpu->wait == CPU_RUNNABLE;
}

static void cpu_handle_exit(CPUState *cpu, AccelExit exit)
{
    switch (exit) {
    case ACCEL_EXIT_KICKED:
        break;
    case ACCEL_EXIT_HLT:
        if (cpu->wait == CPU_RUNNABLE) {
            cpu->wait = CPU_HALTED;
        }
        break;
    case ACCEL_EXIT_HLT_NOIRQ:
        if (cpu->wait == CPU_RUNNABLE) {
            cpu->wait = CPU_HALTED_NOIRQ;
        }
        break;
    case ACCEL_EXIT_SHUTDOWN:
        /* A triple fault resets the machine (or ends it, with -no-reboot). */
        cpu->wait = CPU_STOPPED;
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        break;
    case ACCEL_EXIT_ERROR:
    default:
        /* Already reported by the accelerator; QEMU stops the VM the same way. */
        cpu->wait = CPU_STOPPED;
        vm_stop(RUN_STATE_INTERNAL_ERROR);
        qemu_notify_event();
        break;
    }
}

static gpointer cpu_thread_fn(gpointer opaque)
{
    CPUState *cpu = opaque;

    current_cpu = cpu;
    qemu_mutex_lock_iothread();
    cpu->tid = syscall(SYS_gettid);
    for (;;) {
        AccelExit exit;

        if (!cpu_can_run(cpu)) {
            qemu_cond_wait_iothread(&cpu_cond);
            continue;
        }
        cpus_sync_ram_or_stop();
        if (cpu->wait != CPU_RUNNABLE) {
            continue;
        }
        cpu->in_guest = true;
        qemu_mutex_unlock_iothread();
        exit = accel->run_vcpu(cpu->vcpu);
        qemu_mutex_lock_iothread();
        cpu->in_guest = false;
        g_cond_broadcast(&cpu_cond);
        cpu_handle_exit(cpu, exit);
    }
    return NULL;
}

/* ---- pausing and resetting ---- */

static void kick_all(void)
{
    for (unsigned i = 0; i < nr_cpus; i++) {
        accel->kick_vcpu(cpus[i].vcpu);
    }
}

void pause_all_vcpus(void)
{
    bool busy;

    if (!nr_cpus) {
        return;
    }
    pause_depth++;
    do {
        busy = false;
        kick_all();
        for (unsigned i = 0; i < nr_cpus; i++) {
            busy |= cpus[i].in_guest && &cpus[i] != current_cpu;
        }
        if (busy) {
            qemu_cond_wait_iothread(&cpu_cond);
        }
    } while (busy);
}

void resume_all_vcpus(void)
{
    if (!nr_cpus) {
        return;
    }
    g_assert(pause_depth > 0);
    pause_depth--;
    g_cond_broadcast(&cpu_cond);
}

void cpu_stop_current(void)
{
    if (current_cpu) {
        current_cpu->wait = CPU_STOPPED;
        accel->kick_vcpu(current_cpu->vcpu);
    }
}

/* vm_stop leaves no vCPU in guest code once it returns; vm_start wakes them. */
static void cpus_vm_state_changed(void *opaque, bool running, RunState state)
{
    if (running) {
        g_cond_broadcast(&cpu_cond);
    } else {
        pause_all_vcpus();
        resume_all_vcpus();
    }
}

/*
 * After the devices: every vCPU back to its power-on state, the boot CPU
 * at the loaded kernel's entry point when there is one.
 */
static void cpus_reset(void *opaque)
{
    AccelRegs regs;
    Error *err = NULL;

    for (unsigned i = 0; i < nr_cpus; i++) {
        accel->reset_vcpu(cpus[i].vcpu);
        cpus[i].wait = CPU_RUNNABLE;
    }
    if (pc_kernel_boot_regs(&regs) && !accel->set_regs(cpus[0].vcpu, &regs, &err)) {
        error_report_err(err);
        cpus[0].wait = CPU_STOPPED;
        qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_ERROR);
    }
}

/* ---- choosing the accelerator ---- */

typedef struct AccelChoice {
    char *name;
    const CmdlineOpt *opt;      /* the -accel that named it, for error locations */
} AccelChoice;

/* -accel options in order, else "-machine accel=a:b", else the default kvm:tcg. */
static GArray *accel_candidates(bool *explicit, Error **errp)
{
    GArray *list = g_array_new(FALSE, FALSE, sizeof(AccelChoice));
    const char *machine_accel = vm_config.machine ? qemu_opt_get(vm_config.machine, "accel")
                                                  : NULL;
    gchar **names;

    if (vm_config.accels && vm_config.accels->len && machine_accel) {
        error_setg(errp, "The -accel and \"-machine accel=\" options are incompatible");
        g_array_free(list, TRUE);
        return NULL;
    }
    *explicit = true;
    for (guint i = 0; vm_config.accels && i < vm_config.accels->len; i++) {
        const CmdlineOpt *o = g_ptr_array_index(vm_config.accels, i);
        /* -enable-kvm is "-accel kvm" without a location of its own, as in QEMU. */
        AccelChoice c = { g_strdup(qemu_opt_get(o->opts, "accel")),
                          strcmp(o->opt, "-enable-kvm") ? o : NULL };

        g_array_append_val(list, c);
    }
    if (list->len) {
        return list;
    }
    *explicit = machine_accel != NULL;
    names = g_strsplit(machine_accel ? machine_accel : "kvm:tcg", ":", -1);
    for (int i = 0; names[i]; i++) {
        AccelChoice c = { g_strdup(names[i]), NULL };

        g_array_append_val(list, c);
    }
    g_strfreev(names);
    return list;
}

static bool accel_start(const AccelOps *ops, unsigned smp, Error **errp)
{
    AccelState *st = ops->init_machine(&cpus_io, errp);

    if (!st) {
        return false;
    }
    accel = ops;
    accel_state = st;
    if (!cpus_sync_ram(errp)) {
        goto fail;
    }
    cpus = g_new0(CPUState, smp);
    for (unsigned i = 0; i < smp; i++) {
        cpus[i].index = i;
        cpus[i].vcpu = ops->create_vcpu(st, i, errp);
        if (!cpus[i].vcpu) {
            while (i--) {
                ops->destroy_vcpu(cpus[i].vcpu);
            }
            g_free(cpus);
            cpus = NULL;
            goto fail;
        }
    }
    nr_cpus = smp;
    return true;

fail:
    memset(ram_slots, 0, sizeof(ram_slots));
    ram_synced = false;
    ops->destroy_machine(st);
    accel = NULL;
    accel_state = NULL;
    return false;
}

bool cpus_init(unsigned smp, Error **errp)
{
    bool explicit, failed = false;
    GArray *list = accel_candidates(&explicit, errp);
    bool ok = false;

    if (!list) {
        return false;
    }
    for (guint i = 0; i < list->len && !ok; i++) {
        AccelChoice *c = &g_array_index(list, AccelChoice, i);
        const AccelOps *ops = c->name ? accel_find(c->name) : NULL;
        Error *err = NULL;

        if (!ops && !explicit) {
            continue;       /* the default names kvm, which this build may lack */
        }
        if (c->opt) {
            cmdline_opt_loc_push(c->opt);
        }
        if (!ops) {
            error_report("invalid accelerator %s", c->name ? c->name : "");
        } else if (!strcmp(ops->name, "tcg") && smp > 1) {
            error_report("-smp %u: the tcg accelerator runs one vCPU in this version", smp);
        } else if (accel_start(ops, smp, &err)) {
            ok = true;
        } else if (!explicit) {
            /* The default: one line saying why KVM is not used. */
            info_report("KVM is not available (%s); using -accel tcg", error_get_pretty(err));
            error_free(err);
        } else {
            int e = error_get_errno(err);

            /* kvm prints its own reason bare, then the generic line (QEMU's two lines). */
            fprintf(stderr, "%s\n", error_get_pretty(err));
            error_report("failed to initialize %s: %s", ops->name, strerror(e ? e : EINVAL));
            error_free(err);
        }
        failed |= !ok;
        if (c->opt) {
            loc_pop();
        }
    }
    for (guint i = 0; i < list->len; i++) {
        g_free(g_array_index(list, AccelChoice, i).name);
    }
    g_array_free(list, TRUE);
    if (!ok) {
        /* As QEMU: only when no candidate has said why already. */
        if (!failed) {
            error_setg(errp, "no accelerator found");
        }
        return false;
    }
    if (failed && explicit) {
        error_report("falling back to %s", accel->name);
    }

    pc_set_cpu_intr_handler(cpus_intr_changed, NULL);
    if (accel->ram_written) {
        dma_set_write_notifier(cpus_ram_written, NULL);
    }
    if (accel->signal_msi) {
        msi_set_delivery(cpus_msi, NULL);
    }
    qemu_add_vm_change_state_handler(cpus_vm_state_changed, NULL);
    qemu_register_reset(cpus_reset, NULL);
    return true;
}

void cpus_start(void)
{
    sigset_t block, old;

    /*
     * Termination signals belong to the main loop (the handler only records
     * a request), so the vCPU threads are started with them blocked.
     */
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    for (unsigned i = 0; i < nr_cpus; i++) {
        g_autofree char *name = g_strdup_printf("CPU %u/%s", i, accel->name);

        cpus[i].thread = g_thread_new(name, cpu_thread_fn, &cpus[i]);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

const char *cpus_accel_name(void)
{
    return accel ? accel->name : NULL;
}

long cpus_thread_id(unsigned index)
{
    return index < nr_cpus ? cpus[index].tid : 0;
}

bool cpus_irqchip_in_kernel(void)
{
    return accel && accel->set_irq;
}

void cpus_set_irq(int gsi, int level)
{
    accel->set_irq(accel_state, gsi, level);
}
