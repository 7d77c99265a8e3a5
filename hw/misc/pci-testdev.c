/*
 * pci-testdev (1b36:0005): QEMU's PCI test device with its BAR layout
 * (BAR0 4 KiB memory, BAR1 256 ports, optional 64-bit prefetchable BAR2
 * of "membar" bytes).  QEMU's ioeventfd test protocol is not modelled.
 *
 * minivm extension for tests of the PCI core: with "msix-vectors=N" it
 * gets an MSI-X table in BAR4, and with "intx=on" an INTA# pin.  Writing
 * a vector number to BAR0 offset 0x800 sends it (msix_notify); writing
 * 1/0 to offset 0x804 asserts/deasserts INTx.
 */
#include <glib.h>

#include "hw/pci/pci.h"
#include "hw/pci/msix.h"

#define TESTDEV_MSIX_NOTIFY 0x800
#define TESTDEV_INTX_LEVEL  0x804

typedef struct PCITestDevState {
    PCIDevice parent_obj;
    MemoryRegion mmio;
    MemoryRegion portio;
    MemoryRegion membar;
    uint64_t membar_size;
    uint16_t msix_vectors;
    bool intx;
} PCITestDevState;

static uint64_t testdev_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void testdev_mmio_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PCITestDevState *d = opaque;
    PCIDevice *pd = &d->parent_obj;

    if (addr == TESTDEV_MSIX_NOTIFY && d->msix_vectors) {
        msix_notify(pd, val);
    } else if (addr == TESTDEV_INTX_LEVEL && d->intx) {
        pci_set_irq(pd, val & 1);
    }
}

static void testdev_pio_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
}

static const MemoryRegionOps testdev_mmio_ops = {
    .read = testdev_read,
    .write = testdev_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static const MemoryRegionOps testdev_pio_ops = {
    .read = testdev_read,
    .write = testdev_pio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static void testdev_realize(PCIDevice *pd, Error **errp)
{
    PCITestDevState *d = (PCITestDevState *)pd;

    pd->config[PCI_INTERRUPT_PIN] = d->intx ? 1 : 0;
    memory_region_init_io(&d->mmio, NULL, &testdev_mmio_ops, d, "pci-testdev-mmio", 0x1000);
    memory_region_init_io(&d->portio, NULL, &testdev_pio_ops, d, "pci-testdev-portio", 0x100);
    pci_register_bar(pd, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &d->mmio);
    pci_register_bar(pd, 1, PCI_BASE_ADDRESS_SPACE_IO, &d->portio);
    if (d->membar_size) {
        if (d->membar_size & (d->membar_size - 1)) {
            error_setg(errp, "pci-testdev: membar size must be a power of 2");
            return;
        }
        memory_region_init(&d->membar, NULL, "pci-testdev-membar", d->membar_size);
        pci_register_bar(pd, 2, PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_PREFETCH |
                         PCI_BASE_ADDRESS_MEM_TYPE_64, &d->membar);
    }
    if (d->msix_vectors && msix_init_exclusive_bar(pd, d->msix_vectors, 4, errp) < 0) {
        return;
    }
    for (unsigned v = 0; v < d->msix_vectors; v++) {
        msix_vector_use(pd, v);
    }
}

static void testdev_exit(PCIDevice *pd)
{
    PCITestDevState *d = (PCITestDevState *)pd;

    msix_uninit_exclusive_bar(pd);
    memory_region_finalize(&d->mmio);
    memory_region_finalize(&d->portio);
    if (d->membar_size) {
        memory_region_finalize(&d->membar);
    }
}

static const PCIDeviceClass testdev_class = {
    .realize = testdev_realize,
    .exit = testdev_exit,
    .vendor_id = PCI_VENDOR_ID_REDHAT,
    .device_id = PCI_DEVICE_ID_REDHAT_TEST,
    .revision = 0x00,
    .class_id = PCI_CLASS_OTHERS,
};

static const DeviceProp testdev_props[] = {
    DEFINE_PROP_SIZE("membar", PCITestDevState, membar_size, 0),
    DEFINE_PROP_UINT16("msix-vectors", PCITestDevState, msix_vectors, 0),
    DEFINE_PROP_BOOL("intx", PCITestDevState, intx, false),
    DEFINE_PROP_END_OF_LIST(),
};

static const DeviceTypeInfo testdev_info = {
    .name = "pci-testdev",
    .bus = "PCI",
    .desc = "PCI Test Device",
    .category = DEVICE_CATEGORY_MISC,
    .user_creatable = true,
    .parent = &pci_device_type_info,
    .instance_size = sizeof(PCITestDevState),
    .props = testdev_props,
    .class_data = &testdev_class,
};

static void __attribute__((constructor)) testdev_register(void)
{
    device_type_register(&testdev_info);
}
