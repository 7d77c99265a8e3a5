/*
 * The "pc" machine (i440FX + PIIX3): what it built, for the accelerators,
 * loaders and qtest.
 */
#ifndef HW_I386_PC_H
#define HW_I386_PC_H

#include "exec/memory.h"
#include "hw/irq.h"
#include "hw/pci/pci.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/char/serial.h"
#include "sysemu/accel-ops.h"

#define PC_MAX_SERIAL 4
#define PC_ROM_MIN_VGA 0xc0000
#define PC_ROM_SIZE 0x20000

typedef struct PCMachineConfig {
    uint64_t ram_size;
    unsigned smp_cpus;
    bool nographic;
    bool serial_defaults;       /* create COM1 even without -serial (QEMU's default) */
    int nb_serial;              /* UARTs to create (COM1..COMn) */
} PCMachineConfig;

typedef struct PCMachineState {
    uint64_t ram_size;
    uint64_t below_4g_mem_size;
    uint64_t above_4g_mem_size;
    unsigned smp_cpus;
    MemoryRegion ram;               /* "pc.ram", all of guest RAM */
    MemoryRegion ram_below_4g;      /* aliases of it */
    MemoryRegion ram_above_4g;
    /*
     * PCI memory space, under RAM.  Firmware ROMs go here (QEMU: "pc.bios"
     * at 4G - size, "isa-bios" at 1M - size with priority 1): the i440FX
     * PAM shows this space at 0xc0000-0xfffff until firmware shadows it.
     */
    MemoryRegion pci_memory;
    MemoryRegion option_rom;        /* "pc.rom", 0xc0000-0xdffff in pci_memory */
    PCIBus *bus;
    qemu_irq *gsi;                  /* 24 global system interrupts */
    qemu_irq *i8259;
    qemu_irq *ioapic;
    FWCfgState *fw_cfg;
    SerialState *serial[PC_MAX_SERIAL];
    int nb_serial;
} PCMachineState;

PCMachineState *pc_init1(const PCMachineConfig *cfg, Error **errp);
PCMachineState *pc_machine(void);

/*
 * The CPU's INTR pin (the master 8259's output): the accelerator installs
 * a handler and acknowledges with pic_read_irq().
 */
void pc_set_cpu_intr_handler(qemu_irq_handler handler, void *opaque);
/*
 * -kernel/-initrd/-append: load the kernel now (errors are start-up
 * errors) and again at every reset.  Without -kernel, -initrd and -append
 * are refused as in QEMU.
 */
bool pc_kernel_init(PCMachineState *pcms, const char *kernel, const char *initrd,
                    const char *append, Error **errp);
/* The boot CPU's state after a reset; false when no kernel was given. */
bool pc_kernel_boot_regs(AccelRegs *regs);

/* A20 gate (port 0x92 bit 1): the accelerator can follow it. */
bool pc_a20_enabled(void);

#endif
