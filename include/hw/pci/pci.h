/*
 * The PCI bus: config space access, BARs, INTx routing, DMA for devices.
 * QEMU 7.2's names, one bus (pci.0) per machine, no bridges yet.
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/pci_regs.h>
#include <glib.h>
#include <jansson.h>
#include "exec/memory.h"
#include "hw/irq.h"

typedef uint64_t pcibus_t;
typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;

#define PCI_DEVFN(slot, func)   ((((slot) & 0x1f) << 3) | ((func) & 0x07))
#define PCI_SLOT(devfn)         (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)         ((devfn) & 0x07)
#define PCI_BUS_NUM(x)          (((x) >> 8) & 0xff)

#define PCI_NUM_PINS            4
#define PCI_ROM_SLOT            6
#define PCI_NUM_REGIONS         7
#define PCI_BAR_UNMAPPED        (~(pcibus_t)0)
#define PCI_CONFIG_SPACE_SIZE   0x100
#define PCIE_CONFIG_SPACE_SIZE  0x1000
#define PCI_CONFIG_HEADER_SIZE  0x40
#define PCI_HEADER_TYPE_MULTI_FUNCTION 0x80

#define PCI_VENDOR_ID_INTEL             0x8086
#define PCI_VENDOR_ID_REDHAT_QUMRANET   0x1af4
#define PCI_VENDOR_ID_REDHAT            0x1b36
#define PCI_SUBVENDOR_ID_REDHAT_QUMRANET 0x1af4
#define PCI_SUBDEVICE_ID_QEMU           0x1100
#define PCI_DEVICE_ID_INTEL_82441       0x1237
#define PCI_DEVICE_ID_INTEL_82371SB_0   0x7000
#define PCI_DEVICE_ID_INTEL_82371SB_1   0x7010
#define PCI_DEVICE_ID_REDHAT_TEST       0x0005

#define PCI_CLASS_STORAGE_IDE           0x0101
#define PCI_CLASS_STORAGE_SCSI          0x0100
#define PCI_CLASS_STORAGE_EXPRESS       0x0108
#define PCI_CLASS_BRIDGE_HOST           0x0600
#define PCI_CLASS_BRIDGE_ISA            0x0601
#define PCI_CLASS_OTHERS                0xff

/* INTx routing from device pin to bus IRQ line (PIRQ), and its delivery. */
typedef int (*pci_map_irq_fn)(PCIDevice *dev, int pin);
typedef void (*pci_set_irq_fn)(void *opaque, int pirq, int level);

PCIBus *pci_root_bus_new(const char *name, MemoryRegion *address_space_mem,
                         MemoryRegion *address_space_io, uint8_t devfn_min);
void pci_bus_irqs(PCIBus *bus, pci_set_irq_fn set_irq, pci_map_irq_fn map_irq,
                  void *irq_opaque, int nirq);
/* The machine's (only) PCI bus, or NULL before the machine is built. */
PCIBus *pci_get_bus_default(void);
const char *pci_bus_name(const PCIBus *bus);
PCIDevice *pci_find_device(PCIBus *bus, int bus_num, uint8_t devfn);
void pci_for_each_device(PCIBus *bus, void (*fn)(PCIBus *b, PCIDevice *d, void *opaque),
                         void *opaque);
MemoryRegion *pci_address_space(PCIDevice *dev);       /* memory BARs go here */
MemoryRegion *pci_address_space_io(PCIDevice *dev);    /* I/O BARs go here */
/* Reset every device on the bus (and unmap their BARs). */
void pci_bus_reset(PCIBus *bus);
int pci_bus_get_irq_level(PCIBus *bus, int irq_num);

/* Config mechanism #1 glue: @addr holds bus/devfn/register as in 0xcf8. */
void pci_data_write(PCIBus *s, uint32_t addr, uint32_t val, unsigned len);
uint32_t pci_data_read(PCIBus *s, uint32_t addr, unsigned len);
/* Host-side access to a device's config space (no bus decoding). */
uint32_t pci_host_config_read_common(PCIDevice *d, uint32_t addr, uint32_t limit,
                                     unsigned len);
void pci_host_config_write_common(PCIDevice *d, uint32_t addr, uint32_t limit,
                                  uint32_t val, unsigned len);

/* QMP query-pci: the list of buses as QEMU returns it. */
json_t *qmp_query_pci(json_t *args, Error **errp);
/* HMP "info pci" text. */
void hmp_info_pci(GString *out);
/* Register query-pci and "info pci" with the monitor (once). */
void pci_register_monitor_commands(void);

#include "hw/pci/pci_device.h"

#endif
