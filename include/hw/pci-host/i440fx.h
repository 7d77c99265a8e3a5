/*
 * The i440FX host bridge (PCI config mechanism #1 at 0xcf8/0xcfc) and
 * the PIIX3 ISA bridge that routes PCI INTx to ISA IRQs.
 */
#ifndef HW_PCI_HOST_I440FX_H
#define HW_PCI_HOST_I440FX_H

#include "hw/pci/pci.h"

#define I440FX_PAM          0x59
#define I440FX_PAM_SIZE     7
#define I440FX_SMRAM        0x72

#define PIIX_NUM_PIRQS      4
#define PIIX_PIRQCA         0x60
#define PIIX_RCR_IOPORT     0xcf9

/*
 * Create pci.0 decoding @pci_memory (put under system memory by the
 * caller) and port I/O, the config ports, the 00:00.0 function, and the
 * PAM views of @ram over 0xc0000-0xfffff in @sysmem (at reset they show
 * @pci_memory, where the firmware's isa-bios ROM belongs).
 */
PCIBus *i440fx_init(MemoryRegion *sysmem, MemoryRegion *ram, MemoryRegion *pci_memory,
                    MemoryRegion *io, Error **errp);

/*
 * PIIX3 at 00:01.0: PIRQ routing to @isa_irqs[0..15] (the machine's GSI
 * lines) and the reset control register at 0xcf9.
 */
PCIDevice *piix3_create(PCIBus *bus, qemu_irq *isa_irqs, Error **errp);

#endif
