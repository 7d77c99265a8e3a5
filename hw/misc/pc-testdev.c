/*
 * pc-testdev, the ISA test device kvm-unit-tests load (-device pc-testdev):
 * a 4-byte scratch register at 0xe0 (any width and offset) and byte-wise
 * at 0xe8, a "flush page" port at 0xe4, 24 interrupt lines driven by byte
 * writes to 0x2000-0x2017 (line N = GSI N), and 64 KiB of scratch MMIO
 * at 0xff000000.
 */
#include <string.h>
#include <glib.h>

#include "exec/memory.h"
#include "hw/i386/pc.h"
#include "hw/qdev-core.h"

#define IOMEM_LEN 0x10000

typedef struct PCTestdev {
    DeviceState parent_obj;
    MemoryRegion ioport, ioport_byte, flush, irq, iomem;
    uint32_t ioport_data;
    uint8_t iomem_buf[IOMEM_LEN];
} PCTestdev;

static uint64_t irq_line_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void irq_line_write(void *opaque, hwaddr addr, uint64_t data, unsigned len)
{
    PCMachineState *pcms = pc_machine();

    if (pcms && addr < 24) {
        qemu_set_irq(pcms->gsi[addr], !!data);
    }
}

static const MemoryRegionOps irq_ops = {
    .read = irq_line_read,
    .write = irq_line_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static uint32_t lane_mask(hwaddr addr, unsigned len)
{
    return ((uint32_t)-1 >> (32 - len * 8)) << ((addr & 3) * 8);
}

static void ioport_write(void *opaque, hwaddr addr, uint64_t data, unsigned len)
{
    PCTestdev *d = opaque;

    d->ioport_data &= ~lane_mask(addr, len);
    d->ioport_data |= (uint32_t)data << ((addr & 3) * 8);
}

static uint64_t ioport_read(void *opaque, hwaddr addr, unsigned len)
{
    PCTestdev *d = opaque;

    return (d->ioport_data & lane_mask(addr, len)) >> ((addr & 3) * 8);
}

static const MemoryRegionOps ioport_ops = {
    .read = ioport_read,
    .write = ioport_write,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

static const MemoryRegionOps ioport_byte_ops = {
    .read = ioport_read,
    .write = ioport_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* QEMU re-protects the page to flush KVM's view of it; no cached copies here. */
static uint64_t flush_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void flush_write(void *opaque, hwaddr addr, uint64_t data, unsigned len)
{
}

static const MemoryRegionOps flush_ops = {
    .read = flush_read,
    .write = flush_write,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

static uint64_t iomem_read(void *opaque, hwaddr addr, unsigned len)
{
    PCTestdev *d = opaque;
    uint64_t v = 0;

    memcpy(&v, d->iomem_buf + addr, len);
    return v;
}

static void iomem_write(void *opaque, hwaddr addr, uint64_t val, unsigned len)
{
    PCTestdev *d = opaque;

    memcpy(d->iomem_buf + addr, &val, len);
}

static const MemoryRegionOps iomem_ops = {
    .read = iomem_read,
    .write = iomem_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static void pc_testdev_realize(DeviceState *dev, Error **errp)
{
    PCTestdev *d = (PCTestdev *)dev;
    MemoryRegion *io = get_system_io();

    memory_region_init_io(&d->ioport, NULL, &ioport_ops, d, "pc-testdev-ioport", 4);
    memory_region_init_io(&d->ioport_byte, NULL, &ioport_byte_ops, d,
                          "pc-testdev-ioport-byte", 4);
    memory_region_init_io(&d->flush, NULL, &flush_ops, d, "pc-testdev-flush-page", 4);
    memory_region_init_io(&d->irq, NULL, &irq_ops, d, "pc-testdev-irq-line", 24);
    memory_region_init_io(&d->iomem, NULL, &iomem_ops, d, "pc-testdev-iomem", IOMEM_LEN);
    memory_region_add_subregion(io, 0xe0, &d->ioport);
    memory_region_add_subregion(io, 0xe4, &d->flush);
    memory_region_add_subregion(io, 0xe8, &d->ioport_byte);
    memory_region_add_subregion(io, 0x2000, &d->irq);
    memory_region_add_subregion(get_system_memory(), 0xff000000, &d->iomem);
}

static void pc_testdev_unrealize(DeviceState *dev)
{
    PCTestdev *d = (PCTestdev *)dev;

    memory_region_finalize(&d->ioport);
    memory_region_finalize(&d->ioport_byte);
    memory_region_finalize(&d->flush);
    memory_region_finalize(&d->irq);
    memory_region_finalize(&d->iomem);
}

static const DeviceTypeInfo pc_testdev_info = {
    .name = "pc-testdev",
    .bus = "ISA",
    .category = DEVICE_CATEGORY_MISC,
    .user_creatable = true,
    .instance_size = sizeof(PCTestdev),
    .realize = pc_testdev_realize,
    .unrealize = pc_testdev_unrealize,
};

static void __attribute__((constructor)) pc_testdev_register(void)
{
    device_type_register(&pc_testdev_info);
}
