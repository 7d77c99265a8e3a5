/*
 * Intel 82093AA I/O APIC: indirect registers through IOREGSEL/IOWIN,
 * 24 redirection entries, edge and level (Remote IRR) semantics, and
 * delivery as an MSI-format message to the local APICs.
 */
#include <string.h>
#include <glib.h>

#include "exec/memory.h"
#include "hw/intc/ioapic.h"
#include "hw/intc/msi-route.h"
#include "sysemu/runstate.h"

#define IOAPIC_IOREGSEL         0x00
#define IOAPIC_IOWIN            0x10
#define IOAPIC_EOI              0x40
#define IOAPIC_REG_ID           0x00
#define IOAPIC_REG_VER          0x01
#define IOAPIC_REG_ARB          0x02
#define IOAPIC_REG_REDTBL_BASE  0x10
#define IOAPIC_VERSION          0x20

#define LVT_DEST_SHIFT          56
#define LVT_MASKED              (1 << 16)
#define LVT_TRIGGER_LEVEL       (1 << 15)
#define LVT_REMOTE_IRR          (1 << 14)
#define LVT_POLARITY            (1 << 13)
#define LVT_DELIV_STATUS        (1 << 12)
#define LVT_DEST_MODE           (1 << 11)
#define LVT_DELIV_MODE_SHIFT    8
#define LVT_RO_BITS             (LVT_REMOTE_IRR | LVT_DELIV_STATUS)

typedef struct IOAPICState {
    MemoryRegion io_memory;
    uint8_t id;
    uint8_t ioregsel;
    uint32_t irr;
    uint64_t ioredtbl[IOAPIC_NUM_PINS];
    qemu_irq *pins;
} IOAPICState;

static IOAPICState ioapic;

static void ioapic_service(IOAPICState *s)
{
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        uint32_t mask = 1u << i;
        uint64_t e = s->ioredtbl[i];
        uint64_t addr;
        uint32_t data;

        if (!(s->irr & mask) || (e & LVT_MASKED)) {
            continue;
        }
        if (e & LVT_TRIGGER_LEVEL) {
            if (e & LVT_REMOTE_IRR) {
                continue;       /* the CPU has not EOI'd the previous one */
            }
            s->ioredtbl[i] |= LVT_REMOTE_IRR;
        } else {
            s->irr &= ~mask;
        }
        addr = APIC_DEFAULT_ADDRESS | ((e >> LVT_DEST_SHIFT) << MSI_ADDR_DEST_ID_SHIFT) |
               (!!(e & LVT_DEST_MODE) << MSI_ADDR_DEST_MODE_SHIFT);
        data = (e & 0xff) | (((e >> LVT_DELIV_MODE_SHIFT) & 7) << MSI_DATA_DELIVERY_MODE_SHIFT) |
               (!!(e & LVT_TRIGGER_LEVEL) << MSI_DATA_TRIGGER_SHIFT);
        msi_route(addr, data, 0);
    }
}

static void ioapic_set_irq(void *opaque, int vector, int level)
{
    IOAPICState *s = opaque;
    uint32_t mask;
    uint64_t e;

    /* ISA IRQ0 (the PIT) is wired to pin 2, as the MADT override says. */
    if (vector == 0) {
        vector = 2;
    }
    if (vector < 0 || vector >= IOAPIC_NUM_PINS) {
        return;
    }
    mask = 1u << vector;
    e = s->ioredtbl[vector];
    if (e & LVT_TRIGGER_LEVEL) {
        if (level) {
            s->irr |= mask;
            if (!(e & LVT_REMOTE_IRR)) {
                ioapic_service(s);
            }
        } else {
            s->irr &= ~mask;
        }
    } else if (level && !(e & LVT_MASKED)) {
        /* 82093AA: edges on a masked pin are lost. */
        s->irr |= mask;
        ioapic_service(s);
    }
}

void ioapic_eoi_broadcast(int vector)
{
    IOAPICState *s = &ioapic;

    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        uint64_t e = s->ioredtbl[i];

        if ((e & 0xff) != (uint64_t)vector || !(e & LVT_REMOTE_IRR)) {
            continue;
        }
        s->ioredtbl[i] &= ~(uint64_t)LVT_REMOTE_IRR;
        if (!(e & LVT_MASKED) && (s->irr & (1u << i))) {
            ioapic_service(s);
        }
    }
}

static uint64_t ioapic_mem_read(void *opaque, hwaddr addr, unsigned size)
{
    IOAPICState *s = opaque;
    int index;

    switch (addr & 0xff) {
    case IOAPIC_IOREGSEL:
        return s->ioregsel;
    case IOAPIC_IOWIN:
        if (size != 4) {
            return 0;
        }
        switch (s->ioregsel) {
        case IOAPIC_REG_ID:
        case IOAPIC_REG_ARB:
            return (uint32_t)s->id << 24;
        case IOAPIC_REG_VER:
            return IOAPIC_VERSION | ((IOAPIC_NUM_PINS - 1) << 16);
        default:
            index = (s->ioregsel - IOAPIC_REG_REDTBL_BASE) >> 1;
            if (index >= 0 && index < IOAPIC_NUM_PINS) {
                return (s->ioregsel & 1) ? s->ioredtbl[index] >> 32
                                         : s->ioredtbl[index] & 0xffffffff;
            }
        }
    }
    return 0;
}

static void ioapic_mem_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    IOAPICState *s = opaque;
    int index;

    switch (addr & 0xff) {
    case IOAPIC_IOREGSEL:
        s->ioregsel = val;
        break;
    case IOAPIC_IOWIN:
        if (size != 4) {
            break;
        }
        switch (s->ioregsel) {
        case IOAPIC_REG_ID:
            s->id = (val >> 24) & 0xf;
            break;
        case IOAPIC_REG_VER:
        case IOAPIC_REG_ARB:
            break;
        default:
            index = (s->ioregsel - IOAPIC_REG_REDTBL_BASE) >> 1;
            if (index >= 0 && index < IOAPIC_NUM_PINS) {
                uint64_t ro = s->ioredtbl[index] & LVT_RO_BITS;

                if (s->ioregsel & 1) {
                    s->ioredtbl[index] &= 0xffffffff;
                    s->ioredtbl[index] |= val << 32;
                } else {
                    s->ioredtbl[index] &= ~0xffffffffULL;
                    s->ioredtbl[index] |= val & 0xffffffff;
                }
                s->ioredtbl[index] = (s->ioredtbl[index] & ~(uint64_t)LVT_RO_BITS) | ro;
                /* Switching to edge mode drops a stale Remote IRR. */
                if (!(s->ioredtbl[index] & LVT_TRIGGER_LEVEL)) {
                    s->ioredtbl[index] &= ~(uint64_t)LVT_REMOTE_IRR;
                }
                ioapic_service(s);
            }
        }
        break;
    case IOAPIC_EOI:
        ioapic_eoi_broadcast(val & 0xff);
        break;
    }
}

static const MemoryRegionOps ioapic_io_ops = {
    .read = ioapic_mem_read,
    .write = ioapic_mem_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static void ioapic_reset(void *opaque)
{
    IOAPICState *s = opaque;

    s->id = 0;
    s->ioregsel = 0;
    s->irr = 0;
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        s->ioredtbl[i] = LVT_MASKED;
    }
}

qemu_irq *ioapic_init(void)
{
    IOAPICState *s = &ioapic;

    memset(s, 0, sizeof(*s));
    memory_region_init_io(&s->io_memory, NULL, &ioapic_io_ops, s, "ioapic", 0x1000);
    memory_region_add_subregion(get_system_memory(), IO_APIC_DEFAULT_ADDRESS, &s->io_memory);
    s->pins = qemu_allocate_irqs(ioapic_set_irq, s, IOAPIC_NUM_PINS);
    qemu_irq_register_gpio_in("/machine/i440fx/ioapic", NULL, s->pins, IOAPIC_NUM_PINS);
    ioapic_reset(s);
    qemu_register_reset(ioapic_reset, s);
    return s->pins;
}
