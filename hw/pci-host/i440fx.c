/*
 * i440FX PMC host bridge: PCI configuration mechanism #1 and the
 * 8086:1237 function at 00:00.0.  The PAM and SMRAM registers are kept
 * (SeaBIOS programs them) but RAM shadowing is not modelled yet: the
 * 0xc0000-0xfffff window is plain RAM.
 */
#include <glib.h>

#include "hw/pci-host/i440fx.h"

typedef struct PCIHostState {
    MemoryRegion conf_mem;
    MemoryRegion data_mem;
    uint32_t config_reg;
    PCIBus *bus;
} PCIHostState;

static PCIHostState host;

static void conf_write(void *opaque, hwaddr addr, uint64_t val, unsigned len)
{
    PCIHostState *s = opaque;

    /* Only whole-dword writes select a register; 0xcf9 is PIIX3's byte. */
    if (addr == 0 && len == 4) {
        s->config_reg = val;
    }
}

static uint64_t conf_read(void *opaque, hwaddr addr, unsigned len)
{
    PCIHostState *s = opaque;

    return s->config_reg >> (addr * 8);
}

static const MemoryRegionOps conf_ops = {
    .read = conf_read,
    .write = conf_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static void data_write(void *opaque, hwaddr addr, uint64_t val, unsigned len)
{
    PCIHostState *s = opaque;

    if (s->config_reg & (1u << 31)) {
        pci_data_write(s->bus, (s->config_reg & ~3u) | addr, val, len);
    }
}

static uint64_t data_read(void *opaque, hwaddr addr, unsigned len)
{
    PCIHostState *s = opaque;

    if (!(s->config_reg & (1u << 31))) {
        return 0xffffffff;
    }
    return pci_data_read(s->bus, (s->config_reg & ~3u) | addr, len);
}

static const MemoryRegionOps data_ops = {
    .read = data_read,
    .write = data_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static void i440fx_realize(PCIDevice *dev, Error **errp)
{
    dev->config[I440FX_SMRAM] = 0x02;
}

static void i440fx_reset(PCIDevice *dev)
{
    dev->config[I440FX_SMRAM] = 0x02;
    for (int i = 0; i < I440FX_PAM_SIZE; i++) {
        dev->config[I440FX_PAM + i] = 0;
    }
}

static const PCIDeviceClass i440fx_class = {
    .realize = i440fx_realize,
    .reset = i440fx_reset,
    .vendor_id = PCI_VENDOR_ID_INTEL,
    .device_id = PCI_DEVICE_ID_INTEL_82441,
    .revision = 0x02,
    .class_id = PCI_CLASS_BRIDGE_HOST,
};

static const DeviceTypeInfo i440fx_info = {
    .name = "i440FX",
    .bus = "PCI",
    .desc = "Host bridge",
    .category = DEVICE_CATEGORY_BRIDGE,
    .parent = &pci_device_type_info,
    .instance_size = sizeof(PCIDevice),
    .class_data = &i440fx_class,
};

static void __attribute__((constructor)) i440fx_register(void)
{
    device_type_register(&i440fx_info);
}

PCIBus *i440fx_init(MemoryRegion *pci_memory, MemoryRegion *io, Error **errp)
{
    host.bus = pci_root_bus_new("pci.0", pci_memory, io, 0);
    memory_region_init_io(&host.conf_mem, NULL, &conf_ops, &host, "pci-conf-idx", 4);
    memory_region_add_subregion(io, 0xcf8, &host.conf_mem);
    memory_region_init_io(&host.data_mem, NULL, &data_ops, &host, "pci-conf-data", 4);
    memory_region_add_subregion(io, 0xcfc, &host.data_mem);
    if (!pci_create_simple(host.bus, PCI_DEVFN(0, 0), "i440FX", errp)) {
        return NULL;
    }
    return host.bus;
}
