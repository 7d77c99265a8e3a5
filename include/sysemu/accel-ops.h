/*
 * The accelerator interface: what the machine asks of kvm, tcg (the
 * interpreter) and qtest.  Devices never see which one runs; the machine
 * hands the accelerator its RAM and the handlers below, and each vCPU
 * thread calls run_vcpu until it returns an exit the machine must act on.
 */
#ifndef SYSEMU_ACCEL_OPS_H
#define SYSEMU_ACCEL_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "qemu/error.h"

typedef struct AccelState AccelState;
typedef struct AccelVCPU AccelVCPU;

/*
 * Machine side, called from the vCPU thread during run_vcpu.  Port and MMIO
 * accesses are dispatched to devices; intr_pending/intr_ack model the INTR
 * line of the interrupt controller (used by accelerators whose CPU has no
 * in-kernel controller; KVM with an irqchip uses set_irq instead).
 */
typedef struct AccelIOHandlers {
    void *opaque;
    uint32_t (*pio_read)(void *opaque, uint16_t port, unsigned size);
    void (*pio_write)(void *opaque, uint16_t port, uint32_t val, unsigned size);
    uint64_t (*mmio_read)(void *opaque, uint64_t gpa, unsigned size);
    void (*mmio_write)(void *opaque, uint64_t gpa, uint64_t val, unsigned size);
    bool (*intr_pending)(void *opaque);
    int (*intr_ack)(void *opaque);
} AccelIOHandlers;

typedef enum AccelExit {
    ACCEL_EXIT_HLT,         /* halted, interrupts enabled: run again once INTR is raised */
    ACCEL_EXIT_HLT_NOIRQ,   /* halted with interrupts disabled: only a reset wakes it */
    ACCEL_EXIT_SHUTDOWN,    /* triple fault: reset (or quit with -no-reboot) */
    ACCEL_EXIT_KICKED,      /* kick() or the time slice ended: check for requests */
    ACCEL_EXIT_ERROR,       /* the accelerator failed; already reported */
} AccelExit;

/* x86 segment as both KVM and the interpreter can express it */
typedef struct AccelSegment {
    uint64_t base;
    uint32_t limit;         /* byte granular */
    uint16_t selector;
    uint8_t type, present, dpl, db, s, l, g, avl;
    bool unusable;
} AccelSegment;

typedef struct AccelRegs {
    uint64_t gpr[16];       /* RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8..R15 */
    uint64_t rip, rflags;
    AccelSegment es, cs, ss, ds, fs, gs, tr, ldt;
    uint64_t gdt_base, idt_base;
    uint16_t gdt_limit, idt_limit;
    uint64_t cr0, cr2, cr3, cr4, cr8, efer, apic_base;
} AccelRegs;

typedef struct AccelOps {
    const char *name;
    /* Create the VM.  kvm fails here when /dev/kvm cannot be opened. */
    AccelState *(*init_machine)(const AccelIOHandlers *io, Error **errp);
    /* Give the guest RAM at gpa backed by host memory (page aligned). */
    bool (*map_ram)(AccelState *as, int slot, uint64_t gpa, uint64_t size, void *host,
                    bool readonly, Error **errp);
    AccelVCPU *(*create_vcpu)(AccelState *as, int index, Error **errp);
    /* Run until an exit the machine must handle; I/O is dispatched inside. */
    AccelExit (*run_vcpu)(AccelVCPU *cpu);
    /* Make a running run_vcpu return ACCEL_EXIT_KICKED soon (any thread). */
    void (*kick_vcpu)(AccelVCPU *cpu);
    /* Drive an interrupt-controller input (GSI) when the accelerator owns one. */
    void (*set_irq)(AccelState *as, int gsi, int level);
    /*
     * A device wrote guest RAM at @host (from any thread): an accelerator
     * that caches decoded guest code drops what came from there.  NULL
     * where the hardware runs guest code itself.
     */
    void (*ram_written)(AccelState *as, void *host, size_t len);
    /* Deliver an MSI (address/data pair) when the accelerator owns the local APICs. */
    void (*signal_msi)(AccelState *as, uint64_t addr, uint32_t data);
    bool (*get_regs)(AccelVCPU *cpu, AccelRegs *regs, Error **errp);
    bool (*set_regs)(AccelVCPU *cpu, const AccelRegs *regs, Error **errp);
    /* Put the vCPU in its power-on state. */
    void (*reset_vcpu)(AccelVCPU *cpu);
    void (*destroy_vcpu)(AccelVCPU *cpu);
    void (*destroy_machine)(AccelState *as);
} AccelOps;

/* defined in builds with CONFIG_KVM */
extern const AccelOps kvm_accel_ops;
/* the interpreter (target/i386), always built */
extern const AccelOps tcg_accel_ops;

/* NULL when this build has no such accelerator. */
const AccelOps *accel_find(const char *name);

#endif
