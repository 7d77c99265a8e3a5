/*
 * i440FX PMC host bridge: PCI configuration mechanism #1 and the
 * 8086:1237 function at 00:00.0, with the Programmable Attribute Map
 * (config 0x59-0x5f) that lets firmware shadow 0xc0000-0xfffff in RAM,
 * and the SMRAM register's legacy VGA window (0xa0000-0xbffff goes to
 * PCI unless D_OPEN is set).  SMM itself is not modelled.
 */
#include <glib.h>

#include "hw/pci-host/i440fx.h"

#define PAM_REGIONS 13
#define SMRAM_D_OPEN 0x40

/* One PAM segment: which of the four views is enabled decides the mode. */
typedef struct PAMRegion {
    MemoryRegion alias[4];      /* 0 PCI, 1 RAM read-only, 2 write-only (as RAM), 3 RAM */
    int current;
} PAMRegion;

typedef struct PCIHostState {
    MemoryRegion conf_mem;
    MemoryRegion data_mem;
    uint32_t config_reg;
    PCIBus *bus;
    PAMRegion pam[PAM_REGIONS];
    MemoryRegion smram_region;
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
        pci_data_write(s->bus, s->config_reg | addr, val, len);
    }
}

static uint64_t data_read(void *opaque, hwaddr addr, unsigned len)
{
    PCIHostState *s = opaque;

    if (!(s->config_reg & (1u << 31))) {
        return 0xffffffff;
    }
    /* As QEMU: the address's low bits count too (0x80000001 reads from byte 1). */
    return pci_data_read(s->bus, s->config_reg | addr, len);
}

static const MemoryRegionOps data_ops = {
    .read = data_read,
    .write = data_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static void pam_init(PAMRegion *p, MemoryRegion *ram, MemoryRegion *sysmem,
                     MemoryRegion *pci, uint32_t start, uint32_t size)
{
    /* QEMU approximates write-only (mode 2) with RAM, and so do we. */
    memory_region_init_alias(&p->alias[3], NULL, "pam-ram", ram, start, size);
    memory_region_init_alias(&p->alias[1], NULL, "pam-rom", ram, start, size);
    memory_region_set_readonly(&p->alias[1], true);
    memory_region_init_alias(&p->alias[0], NULL, "pam-pci", pci, start, size);
    memory_region_init_alias(&p->alias[2], NULL, "pam-pci", ram, start, size);
    for (int i = 0; i < 4; i++) {
        p->alias[i].enabled = i == 0;
        memory_region_add_subregion_overlap(sysmem, start, &p->alias[i], 1);
    }
    p->current = 0;
}

/* Segment 0 is 0xf0000 (high nibble of 0x59), then 16 KiB pieces from 0xc0000. */
static void i440fx_update_memory_mappings(PCIDevice *dev)
{
    memory_region_transaction_begin();
    for (int i = 0; i < PAM_REGIONS; i++) {
        PAMRegion *p = &host.pam[i];
        uint8_t reg = dev->config[I440FX_PAM + (i + 1) / 2];
        int mode = (reg >> ((i & 1) ? 0 : 4)) & 3;

        memory_region_set_enabled(&p->alias[p->current], false);
        p->current = mode;
        memory_region_set_enabled(&p->alias[p->current], true);
    }
    memory_region_set_enabled(&host.smram_region,
                              !(dev->config[I440FX_SMRAM] & SMRAM_D_OPEN));
    memory_region_transaction_commit();
}

static void i440fx_write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len)
{
    pci_default_write_config(dev, addr, val, len);
    if (addr < I440FX_PAM + I440FX_PAM_SIZE && I440FX_PAM < addr + len) {
        i440fx_update_memory_mappings(dev);
    } else if (addr <= I440FX_SMRAM && I440FX_SMRAM < addr + len) {
        i440fx_update_memory_mappings(dev);
    }
}

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
    i440fx_update_memory_mappings(dev);
}

static const PCIDeviceClass i440fx_class = {
    .realize = i440fx_realize,
    .reset = i440fx_reset,
    .config_write = i440fx_write_config,
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

PCIBus *i440fx_init(MemoryRegion *sysmem, MemoryRegion *ram, MemoryRegion *pci_memory,
                    MemoryRegion *io, Error **errp)
{
    host.bus = pci_root_bus_new("pci.0", pci_memory, io, 0);
    memory_region_init_io(&host.conf_mem, NULL, &conf_ops, &host, "pci-conf-idx", 4);
    memory_region_add_subregion(io, 0xcf8, &host.conf_mem);
    memory_region_init_io(&host.data_mem, NULL, &data_ops, &host, "pci-conf-data", 4);
    memory_region_add_subregion(io, 0xcfc, &host.data_mem);

    memory_region_transaction_begin();
    pam_init(&host.pam[0], ram, sysmem, pci_memory, 0xf0000, 0x10000);
    for (int i = 0; i < 12; i++) {
        pam_init(&host.pam[i + 1], ram, sysmem, pci_memory, 0xc0000 + i * 0x4000, 0x4000);
    }
    memory_region_init_alias(&host.smram_region, NULL, "smram-region", pci_memory,
                             0xa0000, 0x20000);
    memory_region_add_subregion_overlap(sysmem, 0xa0000, &host.smram_region, 1);
    memory_region_transaction_commit();

    if (!pci_create_simple(host.bus, PCI_DEVFN(0, 0), "i440FX", errp)) {
        return NULL;
    }
    return host.bus;
}
