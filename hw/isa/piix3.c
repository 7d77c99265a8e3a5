/*
 * PIIX3 PCI-to-ISA bridge (8086:7000, function 0 of slot 1): the PIRQ
 * route control registers 0x60-0x63 steer PCI INTA#-INTD# to ISA IRQs
 * (bit 7 = disabled, low nibble = IRQ), and the reset control register
 * at port 0xcf9.
 */
#include <glib.h>

#include "hw/pci-host/i440fx.h"
#include "sysemu/runstate.h"

typedef struct PIIX3State {
    PCIDevice dev;
    qemu_irq *isa_irqs;
    uint64_t pic_levels;            /* 4 bits (one per PIRQ) per ISA IRQ */
    uint8_t rcr;
    MemoryRegion rcr_mem;
} PIIX3State;

/*
 * Slot-rotated INTx swizzle of the PIIX chipsets, as QEMU's i440FX board
 * wires it (and SeaBIOS's $PIR assumes): slot 1 INTA# is PIRQA.
 */
static int pci_slot_get_pirq(PCIDevice *dev, int pin)
{
    return (PCI_SLOT(dev->devfn) - 1 + pin) & 3;
}

static void piix3_set_irq_pic(PIIX3State *s, int pic_irq)
{
    uint64_t mask = ((1ULL << PIIX_NUM_PIRQS) - 1) << (pic_irq * PIIX_NUM_PIRQS);

    qemu_set_irq(s->isa_irqs[pic_irq], !!(s->pic_levels & mask));
}

static void piix3_set_irq_level_internal(PIIX3State *s, int pirq, int level)
{
    int pic_irq = s->dev.config[PIIX_PIRQCA + pirq];
    uint64_t bit;

    if (pic_irq >= 16) {
        return;
    }
    bit = 1ULL << (pic_irq * PIIX_NUM_PIRQS + pirq);
    s->pic_levels &= ~bit;
    s->pic_levels |= level ? bit : 0;
}

static void piix3_set_irq(void *opaque, int pirq, int level)
{
    PIIX3State *s = opaque;
    int pic_irq = s->dev.config[PIIX_PIRQCA + pirq];

    piix3_set_irq_level_internal(s, pirq, level);
    if (pic_irq < 16) {
        piix3_set_irq_pic(s, pic_irq);
    }
}

static void piix3_update_irq_levels(PIIX3State *s)
{
    uint64_t old = s->pic_levels;

    s->pic_levels = 0;
    for (int pirq = 0; pirq < PIIX_NUM_PIRQS; pirq++) {
        piix3_set_irq_level_internal(s, pirq, pci_bus_get_irq_level(s->dev.bus, pirq));
    }
    for (int irq = 0; irq < 16; irq++) {
        uint64_t mask = 0xfULL << (irq * PIIX_NUM_PIRQS);

        if ((old ^ s->pic_levels) & mask) {
            piix3_set_irq_pic(s, irq);
        }
    }
}

static void piix3_write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len)
{
    pci_default_write_config(dev, addr, val, len);
    if (addr < PIIX_PIRQCA + 4 && PIIX_PIRQCA < addr + len) {
        piix3_update_irq_levels((PIIX3State *)dev);
    }
}

static void rcr_write(void *opaque, hwaddr addr, uint64_t val, unsigned len)
{
    PIIX3State *s = opaque;

    if (val & 4) {
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        return;
    }
    s->rcr = val & 2;   /* keep the "hard reset" type bit only */
}

static uint64_t rcr_read(void *opaque, hwaddr addr, unsigned len)
{
    PIIX3State *s = opaque;

    return s->rcr;
}

static const MemoryRegionOps rcr_ops = {
    .read = rcr_read,
    .write = rcr_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static void piix3_reset(PCIDevice *dev)
{
    PIIX3State *s = (PIIX3State *)dev;
    uint8_t *c = dev->config;

    /* Power-on values of the PIIX3 data sheet, as QEMU sets them. */
    c[0x04] = 0x07;
    c[0x05] = 0x00;
    c[0x06] = 0x00;
    c[0x07] = 0x02;
    c[0x4c] = 0x4d;
    c[0x4e] = 0x03;
    c[0x4f] = 0x00;
    c[0x60] = c[0x61] = c[0x62] = c[0x63] = 0x80;
    c[0x69] = 0x02;
    c[0x70] = 0x80;
    c[0x76] = 0x0c;
    c[0x77] = 0x0c;
    c[0x78] = 0x02;
    c[0x79] = 0x00;
    c[0x80] = 0x00;
    c[0x82] = 0x00;
    c[0xa0] = 0x08;
    c[0xa2] = c[0xa3] = c[0xa4] = c[0xa5] = c[0xa6] = c[0xa7] = 0x00;
    c[0xa8] = 0x0f;
    c[0xaa] = c[0xab] = c[0xac] = c[0xae] = 0x00;
    s->pic_levels = 0;
    s->rcr = 0;
}

static void piix3_realize(PCIDevice *dev, Error **errp)
{
    PIIX3State *s = (PIIX3State *)dev;

    memory_region_init_io(&s->rcr_mem, NULL, &rcr_ops, s, "piix3-reset-control", 1);
    /* Over the 0xcf8 dword: a byte at 0xcf9 is ours. */
    memory_region_add_subregion_overlap(pci_address_space_io(dev), PIIX_RCR_IOPORT,
                                        &s->rcr_mem, 1);
    piix3_reset(dev);
}

static const PCIDeviceClass piix3_class = {
    .realize = piix3_realize,
    .reset = piix3_reset,
    .config_write = piix3_write_config,
    .vendor_id = PCI_VENDOR_ID_INTEL,
    .device_id = PCI_DEVICE_ID_INTEL_82371SB_0,
    .class_id = PCI_CLASS_BRIDGE_ISA,
};

static const DeviceTypeInfo piix3_info = {
    .name = "PIIX3",
    .bus = "PCI",
    .desc = "ISA bridge",
    .category = DEVICE_CATEGORY_BRIDGE,
    .parent = &pci_device_type_info,
    .instance_size = sizeof(PIIX3State),
    .class_data = &piix3_class,
};

static void __attribute__((constructor)) piix3_register(void)
{
    device_type_register(&piix3_info);
}

PCIDevice *piix3_create(PCIBus *bus, qemu_irq *isa_irqs, Error **errp)
{
    DeviceState *qdev = qdev_new("PIIX3");
    PIIX3State *s = (PIIX3State *)qdev;

    s->dev.devfn = PCI_DEVFN(1, 0);
    s->dev.multifunction = true;
    s->isa_irqs = isa_irqs;
    if (!qdev_realize(qdev, errp)) {
        qdev_unplug(qdev);
        return NULL;
    }
    pci_bus_irqs(bus, piix3_set_irq, pci_slot_get_pirq, s, PIIX_NUM_PIRQS);
    return &s->dev;
}
