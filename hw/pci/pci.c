/*
 * The PCI core: devices on a bus, their config space (write masks,
 * write-1-to-clear bits, capabilities list), BAR sizing and mapping when
 * the guest programs them, INTx through the bus's PIRQ map, and DMA
 * gated by the bus-master bit.
 */
#include <errno.h>
#include <string.h>
#include <glib.h>

#include "qemu/error-report.h"
#include "hw/pci/pci.h"
#include "hw/pci/msix.h"
#include "sysemu/dma.h"
#include "hw/intc/msi-route.h"

struct PCIBus {
    char *name;
    MemoryRegion *address_space_mem;
    MemoryRegion *address_space_io;
    uint8_t devfn_min;
    PCIDevice *devices[256];
    pci_set_irq_fn set_irq;
    pci_map_irq_fn map_irq;
    void *irq_opaque;
    int nirq;
    int *irq_count;
};

static PCIBus *default_bus;

PCIBus *pci_root_bus_new(const char *name, MemoryRegion *address_space_mem,
                         MemoryRegion *address_space_io, uint8_t devfn_min)
{
    PCIBus *bus = g_new0(PCIBus, 1);

    bus->name = g_strdup(name);
    bus->address_space_mem = address_space_mem;
    bus->address_space_io = address_space_io;
    bus->devfn_min = devfn_min;
    if (!default_bus) {
        default_bus = bus;
    }
    return bus;
}

void pci_bus_irqs(PCIBus *bus, pci_set_irq_fn set_irq, pci_map_irq_fn map_irq,
                  void *irq_opaque, int nirq)
{
    bus->set_irq = set_irq;
    bus->map_irq = map_irq;
    bus->irq_opaque = irq_opaque;
    bus->nirq = nirq;
    g_free(bus->irq_count);
    bus->irq_count = g_new0(int, nirq);
}

PCIBus *pci_get_bus_default(void)
{
    return default_bus;
}

const char *pci_bus_name(const PCIBus *bus)
{
    return bus->name;
}

PCIDevice *pci_find_device(PCIBus *bus, int bus_num, uint8_t devfn)
{
    return bus && bus_num == 0 ? bus->devices[devfn] : NULL;
}

void pci_for_each_device(PCIBus *bus, void (*fn)(PCIBus *b, PCIDevice *d, void *opaque),
                         void *opaque)
{
    for (int i = 0; bus && i < 256; i++) {
        if (bus->devices[i]) {
            fn(bus, bus->devices[i], opaque);
        }
    }
}

MemoryRegion *pci_address_space(PCIDevice *dev)
{
    return dev->bus->address_space_mem;
}

MemoryRegion *pci_address_space_io(PCIDevice *dev)
{
    return dev->bus->address_space_io;
}

int pci_bus_get_irq_level(PCIBus *bus, int irq_num)
{
    return irq_num >= 0 && irq_num < bus->nirq && bus->irq_count[irq_num] != 0;
}

/* ---- BARs ---- */

static uint32_t pci_bar_offset(int reg)
{
    return reg == PCI_ROM_SLOT ? PCI_ROM_ADDRESS : PCI_BASE_ADDRESS_0 + reg * 4;
}

void pci_register_bar(PCIDevice *pci_dev, int region_num, uint8_t type, MemoryRegion *memory)
{
    PCIIORegion *r = &pci_dev->io_regions[region_num];
    uint64_t size = memory_region_size(memory);
    uint32_t addr = pci_bar_offset(region_num);
    uint64_t wmask = ~(size - 1);

    g_assert(region_num >= 0 && region_num < PCI_NUM_REGIONS);
    g_assert(size && !(size & (size - 1)));
    r->size = size;
    r->type = type;
    r->memory = memory;
    r->addr = PCI_BAR_UNMAPPED;
    r->address_space = (type & PCI_BASE_ADDRESS_SPACE_IO) ? pci_dev->bus->address_space_io
                                                          : pci_dev->bus->address_space_mem;
    if (region_num == PCI_ROM_SLOT) {
        wmask |= PCI_ROM_ADDRESS_ENABLE;
    }
    pci_set_long(pci_dev->config + addr, type);
    if (!(type & PCI_BASE_ADDRESS_SPACE_IO) && (type & PCI_BASE_ADDRESS_MEM_TYPE_64)) {
        pci_set_quad(pci_dev->wmask + addr, wmask);
        pci_set_quad(pci_dev->cmask + addr, ~0ULL);
    } else {
        pci_set_long(pci_dev->wmask + addr, wmask & 0xffffffff);
        pci_set_long(pci_dev->cmask + addr, 0xffffffff);
    }
}

pcibus_t pci_get_bar_addr(PCIDevice *pci_dev, int region_num)
{
    return pci_dev->io_regions[region_num].addr;
}

/* Where the guest put BAR @reg, or PCI_BAR_UNMAPPED (QEMU's pci_bar_address rules). */
static pcibus_t pci_bar_address(PCIDevice *d, int reg, uint8_t type, pcibus_t size)
{
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);
    uint32_t off = pci_bar_offset(reg);
    pcibus_t new_addr, last_addr;

    if (type & PCI_BASE_ADDRESS_SPACE_IO) {
        if (!(cmd & PCI_COMMAND_IO)) {
            return PCI_BAR_UNMAPPED;
        }
        new_addr = pci_get_long(d->config + off) & ~(size - 1);
        last_addr = new_addr + size - 1;
        if (last_addr <= new_addr || last_addr >= UINT32_MAX || new_addr == 0) {
            return PCI_BAR_UNMAPPED;
        }
        return new_addr;
    }
    if (!(cmd & PCI_COMMAND_MEMORY)) {
        return PCI_BAR_UNMAPPED;
    }
    if (type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
        new_addr = pci_get_quad(d->config + off);
    } else {
        new_addr = pci_get_long(d->config + off);
    }
    if (reg == PCI_ROM_SLOT && !(new_addr & PCI_ROM_ADDRESS_ENABLE)) {
        return PCI_BAR_UNMAPPED;
    }
    new_addr &= ~(size - 1);
    last_addr = new_addr + size - 1;
    if (last_addr <= new_addr || last_addr == PCI_BAR_UNMAPPED || new_addr == 0) {
        return PCI_BAR_UNMAPPED;
    }
    if (!(type & PCI_BASE_ADDRESS_MEM_TYPE_64) && last_addr >= UINT32_MAX) {
        return PCI_BAR_UNMAPPED;
    }
    return new_addr;
}

static void pci_update_mappings(PCIDevice *d)
{
    memory_region_transaction_begin();
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &d->io_regions[i];
        pcibus_t new_addr;

        if (!r->size) {
            continue;
        }
        new_addr = pci_bar_address(d, i, r->type, r->size);
        if (new_addr == r->addr) {
            continue;
        }
        if (r->addr != PCI_BAR_UNMAPPED) {
            memory_region_del_subregion(r->address_space, r->memory);
        }
        r->addr = new_addr;
        if (r->addr != PCI_BAR_UNMAPPED) {
            /* Below RAM and fixed devices, as on real chipsets' decoding. */
            memory_region_add_subregion_overlap(r->address_space, r->addr, r->memory, 1);
        }
    }
    memory_region_transaction_commit();
}

/* ---- capabilities ---- */

static uint8_t pci_find_space(PCIDevice *pdev, uint8_t size)
{
    int run = 0;

    for (int off = PCI_CONFIG_HEADER_SIZE; off < PCI_CONFIG_SPACE_SIZE; off++) {
        if (pdev->used[off]) {
            run = 0;
            continue;
        }
        if (run == 0 && (off & 3)) {
            continue;       /* capabilities start dword-aligned */
        }
        if (++run == size) {
            return off - size + 1;
        }
    }
    return 0;
}

uint8_t pci_find_capability(PCIDevice *pdev, uint8_t cap_id)
{
    uint8_t next;
    int guard = 48;

    if (!(pci_get_word(pdev->config + PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
        return 0;
    }
    for (next = pdev->config[PCI_CAPABILITY_LIST]; next && guard--;
         next = pdev->config[next + PCI_CAP_LIST_NEXT]) {
        if (pdev->config[next + PCI_CAP_LIST_ID] == cap_id) {
            return next;
        }
    }
    return 0;
}

int pci_add_capability(PCIDevice *pdev, uint8_t cap_id, uint8_t offset, uint8_t size,
                       Error **errp)
{
    uint8_t *config;

    if (!offset) {
        offset = pci_find_space(pdev, size);
        if (!offset) {
            error_setg(errp, "%s: no space for PCI capability %#x", pdev->name, cap_id);
            return -ENOSPC;
        }
    } else {
        if (offset < PCI_CONFIG_HEADER_SIZE || offset + size > PCI_CONFIG_SPACE_SIZE) {
            error_setg(errp, "%s: PCI capability %#x at offset %#x is out of range",
                       pdev->name, cap_id, offset);
            return -EINVAL;
        }
        for (int i = offset; i < offset + size; i++) {
            if (pdev->used[i]) {
                error_setg(errp, "%s:%02x:%02x.%x Attempt to add PCI capability %x at "
                           "offset %x overlaps existing capability", pdev->name, 0,
                           PCI_SLOT(pdev->devfn), PCI_FUNC(pdev->devfn), cap_id, offset);
                return -EINVAL;
            }
        }
    }
    config = pdev->config + offset;
    config[PCI_CAP_LIST_ID] = cap_id;
    config[PCI_CAP_LIST_NEXT] = pdev->config[PCI_CAPABILITY_LIST];
    pdev->config[PCI_CAPABILITY_LIST] = offset;
    pci_word_test_and_set_mask(pdev->config + PCI_STATUS, PCI_STATUS_CAP_LIST);
    memset(pdev->used + offset, 0xff, size);
    /* Capabilities are read-only unless their owner opens bits up. */
    memset(pdev->wmask + offset, 0, size);
    memset(pdev->cmask + offset, 0xff, size);
    return offset;
}

void pci_del_capability(PCIDevice *pdev, uint8_t cap_id, uint8_t size)
{
    uint8_t prev = PCI_CAPABILITY_LIST, off = pdev->config[PCI_CAPABILITY_LIST];

    while (off && pdev->config[off + PCI_CAP_LIST_ID] != cap_id) {
        prev = off + PCI_CAP_LIST_NEXT;
        off = pdev->config[off + PCI_CAP_LIST_NEXT];
    }
    if (!off) {
        return;
    }
    pdev->config[prev] = pdev->config[off + PCI_CAP_LIST_NEXT];
    memset(pdev->wmask + off, 0xff, size);
    memset(pdev->cmask + off, 0, size);
    memset(pdev->used + off, 0, size);
    memset(pdev->config + off, 0, size);
    if (!pdev->config[PCI_CAPABILITY_LIST]) {
        pci_word_test_and_clear_mask(pdev->config + PCI_STATUS, PCI_STATUS_CAP_LIST);
    }
}

/* ---- INTx ---- */

static int pci_intx(PCIDevice *d)
{
    return d->config[PCI_INTERRUPT_PIN] - 1;
}

static bool pci_irq_disabled(PCIDevice *d)
{
    return pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE;
}

static void pci_change_irq_level(PCIDevice *d, int pin, int change)
{
    PCIBus *bus = d->bus;
    int irq;

    if (!bus->map_irq || !change) {
        return;
    }
    irq = bus->map_irq(d, pin);
    if (irq < 0 || irq >= bus->nirq) {
        return;
    }
    bus->irq_count[irq] += change;
    bus->set_irq(bus->irq_opaque, irq, bus->irq_count[irq] != 0);
}

void pci_set_irq(PCIDevice *d, int level)
{
    int pin = pci_intx(d);
    int old, change;

    if (pin < 0 || pin >= PCI_NUM_PINS) {
        return;
    }
    level = !!level;
    old = (d->irq_state >> pin) & 1;
    change = level - old;
    if (!change) {
        return;
    }
    d->irq_state ^= 1 << pin;
    if (d->irq_state) {
        pci_word_test_and_set_mask(d->config + PCI_STATUS, PCI_STATUS_INTERRUPT);
    } else {
        pci_word_test_and_clear_mask(d->config + PCI_STATUS, PCI_STATUS_INTERRUPT);
    }
    if (!pci_irq_disabled(d)) {
        pci_change_irq_level(d, pin, change);
    }
}

/* INTx Disable toggled: withdraw or re-present the asserted pins. */
static void pci_update_irq_disabled(PCIDevice *d, bool was_disabled)
{
    bool disabled = pci_irq_disabled(d);

    if (disabled == was_disabled) {
        return;
    }
    for (int pin = 0; pin < PCI_NUM_PINS; pin++) {
        if ((d->irq_state >> pin) & 1) {
            pci_change_irq_level(d, pin, disabled ? -1 : 1);
        }
    }
}

/* ---- config space ---- */

uint32_t pci_default_read_config(PCIDevice *d, uint32_t address, int len)
{
    uint32_t val = 0;

    g_assert(address + len <= PCI_CONFIG_SPACE_SIZE);
    memcpy(&val, d->config + address, len);
    return val;
}

static bool ranges_overlap(uint32_t a, int alen, uint32_t b, int blen)
{
    return a < b + blen && b < a + alen;
}

void pci_default_write_config(PCIDevice *d, uint32_t addr, uint32_t val_in, int l)
{
    bool was_irq_disabled = pci_irq_disabled(d);
    uint32_t val = val_in;

    g_assert(addr + l <= PCI_CONFIG_SPACE_SIZE);
    for (int i = 0; i < l; val >>= 8, i++) {
        uint8_t wmask = d->wmask[addr + i];
        uint8_t w1cmask = d->w1cmask[addr + i];

        d->config[addr + i] = (d->config[addr + i] & ~wmask) | (val & wmask);
        d->config[addr + i] &= ~(val & w1cmask);
    }
    if (ranges_overlap(addr, l, PCI_BASE_ADDRESS_0, 24) ||
        ranges_overlap(addr, l, PCI_ROM_ADDRESS, 4) ||
        ranges_overlap(addr, l, PCI_COMMAND, 2)) {
        pci_update_mappings(d);
    }
    if (ranges_overlap(addr, l, PCI_COMMAND, 2)) {
        pci_update_irq_disabled(d, was_irq_disabled);
    }
    msix_write_config(d, addr, val_in, l);
}

uint32_t pci_host_config_read_common(PCIDevice *d, uint32_t addr, uint32_t limit,
                                     unsigned len)
{
    if (addr + len > limit) {
        return ~0u;
    }
    return d->config_read(d, addr, len);
}

void pci_host_config_write_common(PCIDevice *d, uint32_t addr, uint32_t limit,
                                  uint32_t val, unsigned len)
{
    if (addr + len > limit) {
        return;
    }
    d->config_write(d, addr, val, len);
}

void pci_data_write(PCIBus *s, uint32_t addr, uint32_t val, unsigned len)
{
    PCIDevice *d = pci_find_device(s, (addr >> 16) & 0xff, (addr >> 8) & 0xff);

    if (d) {
        pci_host_config_write_common(d, addr & 0xff, PCI_CONFIG_SPACE_SIZE, val, len);
    }
}

uint32_t pci_data_read(PCIBus *s, uint32_t addr, unsigned len)
{
    PCIDevice *d = pci_find_device(s, (addr >> 16) & 0xff, (addr >> 8) & 0xff);

    if (!d) {
        return len == 4 ? ~0u : (1u << (len * 8)) - 1;
    }
    return pci_host_config_read_common(d, addr & 0xff, PCI_CONFIG_SPACE_SIZE, len);
}

/* ---- DMA ---- */

bool pci_bus_master_enabled(PCIDevice *dev)
{
    return pci_get_word(dev->config + PCI_COMMAND) & PCI_COMMAND_MASTER;
}

AddressSpace *pci_get_address_space(PCIDevice *dev)
{
    return dev->dma_as;
}

MemTxResult pci_dma_read(PCIDevice *dev, uint64_t addr, void *buf, uint64_t len)
{
    if (!pci_bus_master_enabled(dev)) {
        return MEMTX_ERROR;
    }
    return dma_memory_read(dev->dma_as, addr, buf, len, MEMTXATTRS_UNSPECIFIED);
}

MemTxResult pci_dma_write(PCIDevice *dev, uint64_t addr, const void *buf, uint64_t len)
{
    if (!pci_bus_master_enabled(dev)) {
        return MEMTX_ERROR;
    }
    return dma_memory_write(dev->dma_as, addr, buf, len, MEMTXATTRS_UNSPECIFIED);
}

void *pci_dma_map(PCIDevice *dev, uint64_t addr, uint64_t *plen, int dir)
{
    if (!pci_bus_master_enabled(dev)) {
        *plen = 0;
        return NULL;
    }
    return dma_memory_map(dev->dma_as, addr, plen, dir, MEMTXATTRS_UNSPECIFIED);
}

void pci_dma_unmap(PCIDevice *dev, void *buffer, uint64_t len, int dir, uint64_t access_len)
{
    dma_memory_unmap(dev->dma_as, buffer, len, dir, access_len);
}

/* ---- MSI delivery ---- */

void msi_send_message(PCIDevice *dev, MSIMessage msg)
{
    msi_route(msg.address, msg.data, pci_get_bdf(dev));
}

/* ---- device lifecycle ---- */

static void pci_init_config(PCIDevice *d)
{
    const PCIDeviceClass *pc = d->pc;

    pci_config_set_vendor_id(d->config, pc->vendor_id);
    pci_config_set_device_id(d->config, pc->device_id);
    pci_config_set_revision(d->config, pc->revision);
    pci_config_set_class(d->config, pc->class_id);
    pci_config_set_prog_interface(d->config, pc->prog_if);
    if (!pc->is_bridge) {
        pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID,
                     pc->subsystem_vendor_id ? pc->subsystem_vendor_id
                                             : PCI_SUBVENDOR_ID_REDHAT_QUMRANET);
        pci_set_word(d->config + PCI_SUBSYSTEM_ID,
                     pc->subsystem_vendor_id ? pc->subsystem_id : PCI_SUBDEVICE_ID_QEMU);
    }
    if (d->multifunction) {
        d->config[PCI_HEADER_TYPE] |= PCI_HEADER_TYPE_MULTI_FUNCTION;
    }
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
    pci_set_word(d->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                 PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE | PCI_COMMAND_SERR);
    memset(d->wmask + PCI_CONFIG_HEADER_SIZE, 0xff,
           PCI_CONFIG_SPACE_SIZE - PCI_CONFIG_HEADER_SIZE);
    pci_set_word(d->w1cmask + PCI_STATUS, PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |
                 PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT |
                 PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY);
    memset(d->used, 0xff, PCI_CONFIG_HEADER_SIZE);
}

static void pci_qdev_realize(DeviceState *qdev, Error **errp)
{
    PCIDevice *d = PCI_DEVICE(qdev);
    const PCIDeviceClass *pc = qdev->type->class_data;
    PCIBus *bus = default_bus;
    Error *err = NULL;
    int devfn = d->devfn;

    g_assert(pc);
    if (!bus) {
        error_setg(errp, "No 'PCI' bus found for device '%s'", qdev->type->name);
        return;
    }
    if (devfn < 0) {
        for (devfn = bus->devfn_min; devfn < 256; devfn += 8) {
            if (!bus->devices[devfn]) {
                break;
            }
        }
        if (devfn >= 256) {
            error_setg(errp, "PCI: no slot/function available for %s, all in use",
                       qdev->type->name);
            return;
        }
    } else if (bus->devices[devfn]) {
        const DeviceState *other = &bus->devices[devfn]->qdev;

        error_setg(errp, "PCI: slot %d function %d not available for %s, in use by %s,id=%s",
                   PCI_SLOT(devfn), PCI_FUNC(devfn), qdev->type->name,
                   bus->devices[devfn]->name, other->id ? other->id : "(null)");
        return;
    }
    d->devfn = devfn;
    d->bus = bus;
    d->pc = pc;
    d->dma_as = &address_space_memory;
    d->has_power = true;
    g_strlcpy(d->name, qdev->type->name, sizeof(d->name));
    d->config_read = pc->config_read ? pc->config_read : pci_default_read_config;
    d->config_write = pc->config_write ? pc->config_write : pci_default_write_config;
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        d->io_regions[i].addr = PCI_BAR_UNMAPPED;
    }
    pci_init_config(d);
    bus->devices[devfn] = d;
    if (pc->realize) {
        pc->realize(d, &err);
        if (err) {
            bus->devices[devfn] = NULL;
            error_propagate(errp, err);
            return;
        }
    }
}

static void pci_unmap_all(PCIDevice *d)
{
    memory_region_transaction_begin();
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &d->io_regions[i];

        if (r->size && r->addr != PCI_BAR_UNMAPPED) {
            memory_region_del_subregion(r->address_space, r->memory);
            r->addr = PCI_BAR_UNMAPPED;
        }
    }
    memory_region_transaction_commit();
}

static void pci_qdev_unrealize(DeviceState *qdev)
{
    PCIDevice *d = PCI_DEVICE(qdev);

    pci_set_irq(d, 0);
    pci_unmap_all(d);
    if (d->pc->exit) {
        d->pc->exit(d);
    }
    if (d->bus->devices[d->devfn] == d) {
        d->bus->devices[d->devfn] = NULL;
    }
}

/*
 * The device's own reset, then what a PCI reset (RST#) does to the
 * standard header -- in QEMU's order, so e.g. PIIX3 ends with command 0.
 */
static void pci_qdev_reset(DeviceState *qdev)
{
    PCIDevice *d = PCI_DEVICE(qdev);

    if (d->pc->reset) {
        d->pc->reset(d);
    }

    for (int pin = 0; pin < PCI_NUM_PINS; pin++) {
        if ((d->irq_state >> pin) & 1) {
            pci_set_irq(d, 0);
        }
    }
    d->irq_state = 0;
    pci_word_test_and_clear_mask(d->config + PCI_COMMAND,
                                 pci_get_word(d->wmask + PCI_COMMAND) |
                                 pci_get_word(d->w1cmask + PCI_COMMAND));
    pci_word_test_and_clear_mask(d->config + PCI_STATUS,
                                 pci_get_word(d->wmask + PCI_STATUS) |
                                 pci_get_word(d->w1cmask + PCI_STATUS));
    d->config[PCI_CACHE_LINE_SIZE] = 0;
    d->config[PCI_INTERRUPT_LINE] = 0;
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &d->io_regions[i];
        uint32_t off = pci_bar_offset(i);

        if (!r->size) {
            continue;
        }
        if (!(r->type & PCI_BASE_ADDRESS_SPACE_IO) && (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64)) {
            pci_set_quad(d->config + off, r->type);
        } else {
            pci_set_long(d->config + off, r->type);
        }
    }
    pci_update_mappings(d);
    msix_reset(d);
}

void pci_bus_reset(PCIBus *bus)
{
    for (int i = 0; bus && i < 256; i++) {
        if (bus->devices[i]) {
            pci_qdev_reset(&bus->devices[i]->qdev);
        }
    }
}

PCIDevice *pci_create_simple(PCIBus *bus, int devfn, const char *type_name, Error **errp)
{
    DeviceState *dev = qdev_new(type_name);

    PCI_DEVICE(dev)->devfn = devfn;
    if (!qdev_realize(dev, errp)) {
        qdev_unplug(dev);
        return NULL;
    }
    return PCI_DEVICE(dev);
}

static const DeviceProp pci_props[] = {
    { .name = "addr", .type = "int32", .kind = PROP_KIND_PCI_DEVFN,
      .offset = offsetof(PCIDevice, devfn), .defval = (uint64_t)-1,
      .help = "Slot and optional function number, example: 06.0 or 06 (default: -1)" },
    DEFINE_PROP_BOOL("multifunction", PCIDevice, multifunction, false),
    DEFINE_PROP_STRING("romfile", PCIDevice, romfile),
    DEFINE_PROP_END_OF_LIST(),
};

const DeviceTypeInfo pci_device_type_info = {
    .name = "pci-device",
    .bus = "PCI",
    .props = pci_props,
    .instance_size = sizeof(PCIDevice),
    .realize = pci_qdev_realize,
    .unrealize = pci_qdev_unrealize,
    .reset = pci_qdev_reset,
};
