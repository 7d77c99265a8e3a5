/*
 * MSI-X (PCI Local Bus 3.0 §6.8.2): a 12-byte capability, a table of
 * 16-byte entries {address lo, address hi, data, vector control} and a
 * pending-bit array, both in memory BARs.  A message to a masked vector
 * sets its pending bit and is sent when the vector is unmasked.
 */
#include <string.h>
#include <glib.h>

#include "hw/pci/msix.h"

#define MSIX_CAP_LENGTH 12
#define MSIX_CONTROL(dev) ((dev)->config + (dev)->msix_cap + PCI_MSIX_FLAGS)

bool msix_present(PCIDevice *dev)
{
    return dev->msix_cap != 0;
}

bool msix_enabled(PCIDevice *dev)
{
    return msix_present(dev) && (*(MSIX_CONTROL(dev) + 1) & (PCI_MSIX_FLAGS_ENABLE >> 8));
}

unsigned msix_nr_vectors_allocated(const PCIDevice *dev)
{
    return dev->msix_entries_nr;
}

static uint8_t *entry(PCIDevice *dev, unsigned vector)
{
    return dev->msix_table + vector * PCI_MSIX_ENTRY_SIZE;
}

static bool vector_masked(PCIDevice *dev, unsigned vector, bool fmask)
{
    return fmask || (entry(dev, vector)[PCI_MSIX_ENTRY_VECTOR_CTRL] &
                     PCI_MSIX_ENTRY_CTRL_MASKVEC);
}

bool msix_is_masked(PCIDevice *dev, unsigned vector)
{
    return vector_masked(dev, vector, dev->msix_function_masked);
}

static bool pending(PCIDevice *dev, unsigned vector)
{
    return dev->msix_pba[vector / 8] & (1 << (vector % 8));
}

static void set_pending(PCIDevice *dev, unsigned vector)
{
    dev->msix_pba[vector / 8] |= 1 << (vector % 8);
}

void msix_clr_pending(PCIDevice *dev, int vector)
{
    dev->msix_pba[vector / 8] &= ~(1 << (vector % 8));
}

MSIMessage msix_get_message(PCIDevice *dev, unsigned vector)
{
    const uint8_t *e = entry(dev, vector);
    MSIMessage m = {
        .address = pci_get_quad(e + PCI_MSIX_ENTRY_LOWER_ADDR),
        .data = pci_get_long(e + PCI_MSIX_ENTRY_DATA),
    };

    return m;
}

void msix_notify(PCIDevice *dev, unsigned vector)
{
    if (!msix_enabled(dev) || vector >= dev->msix_entries_nr) {
        return;
    }
    if (msix_is_masked(dev, vector)) {
        set_pending(dev, vector);
        return;
    }
    msi_send_message(dev, msix_get_message(dev, vector));
}

/* A vector went from masked to unmasked: deliver what waited. */
static void handle_mask_update(PCIDevice *dev, unsigned vector, bool was_masked)
{
    if (was_masked && !msix_is_masked(dev, vector) && pending(dev, vector)) {
        msix_clr_pending(dev, vector);
        msix_notify(dev, vector);
    }
}

static void update_function_masked(PCIDevice *dev)
{
    dev->msix_function_masked = !msix_enabled(dev) ||
        (*(MSIX_CONTROL(dev) + 1) & (PCI_MSIX_FLAGS_MASKALL >> 8));
}

void msix_write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len)
{
    unsigned flags = dev->msix_cap + PCI_MSIX_FLAGS;
    bool was_masked;

    if (!msix_present(dev) || !(addr < flags + 2 && flags < addr + len)) {
        return;
    }
    was_masked = dev->msix_function_masked;
    update_function_masked(dev);
    if (!msix_enabled(dev)) {
        return;
    }
    /* Enabling MSI-X turns INTx off (PCI 3.0 §6.8.2.3). */
    pci_set_irq(dev, 0);
    if (was_masked == dev->msix_function_masked) {
        return;
    }
    for (unsigned v = 0; v < dev->msix_entries_nr; v++) {
        bool vmasked = vector_masked(dev, v, was_masked);

        handle_mask_update(dev, v, vmasked);
    }
}

static uint64_t msix_table_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIDevice *dev = opaque;

    return pci_get_long(dev->msix_table + addr);
}

static void msix_table_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PCIDevice *dev = opaque;
    unsigned vector = addr / PCI_MSIX_ENTRY_SIZE;
    bool was_masked = msix_is_masked(dev, vector);

    pci_set_long(dev->msix_table + addr, val);
    handle_mask_update(dev, vector, was_masked);
}

static const MemoryRegionOps msix_table_mmio_ops = {
    .read = msix_table_read,
    .write = msix_table_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .max_access_size = 4 },
};

static uint64_t msix_pba_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIDevice *dev = opaque;

    if (dev->msix_vector_poll_notifier) {
        unsigned start = addr * 8;
        unsigned end = MIN((addr + size) * 8, dev->msix_entries_nr);

        dev->msix_vector_poll_notifier(dev, start, end);
    }
    return pci_get_long(dev->msix_pba + addr);
}

static void msix_pba_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
}

static const MemoryRegionOps msix_pba_mmio_ops = {
    .read = msix_pba_read,
    .write = msix_pba_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .max_access_size = 4 },
};

static void msix_mask_all(PCIDevice *dev)
{
    for (unsigned v = 0; v < dev->msix_entries_nr; v++) {
        entry(dev, v)[PCI_MSIX_ENTRY_VECTOR_CTRL] = PCI_MSIX_ENTRY_CTRL_MASKVEC;
    }
}

int msix_init(PCIDevice *dev, unsigned short nentries, MemoryRegion *table_bar,
              uint8_t table_bar_nr, unsigned table_offset, MemoryRegion *pba_bar,
              uint8_t pba_bar_nr, unsigned pba_offset, uint8_t cap_pos, Error **errp)
{
    unsigned table_size = nentries * PCI_MSIX_ENTRY_SIZE;
    unsigned pba_size = ((nentries + 63) / 64) * 8;
    uint8_t *config;
    int cap;

    if (nentries < 1 || nentries > PCI_MSIX_FLAGS_QSIZE + 1) {
        error_setg(errp, "The number of MSI-X vectors is invalid");
        return -EINVAL;
    }
    if (table_bar_nr > 5 || pba_bar_nr > 5 || (table_offset | pba_offset) & 7 ||
        table_offset + table_size > memory_region_size(table_bar) ||
        pba_offset + pba_size > memory_region_size(pba_bar)) {
        error_setg(errp, "table & pba overlap, or they don't fit in BARs, or don't align");
        return -EINVAL;
    }
    cap = pci_add_capability(dev, PCI_CAP_ID_MSIX, cap_pos, MSIX_CAP_LENGTH, errp);
    if (cap < 0) {
        return cap;
    }
    dev->msix_cap = cap;
    dev->msix_entries_nr = nentries;
    dev->msix_function_masked = true;
    config = dev->config + cap;
    pci_set_word(config + PCI_MSIX_FLAGS, nentries - 1);
    pci_set_long(config + PCI_MSIX_TABLE, table_offset | table_bar_nr);
    pci_set_long(config + PCI_MSIX_PBA, pba_offset | pba_bar_nr);
    /* Only the enable and function-mask bits are the guest's. */
    dev->wmask[cap + PCI_MSIX_FLAGS + 1] |= (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8;

    dev->msix_table = g_malloc0(table_size);
    dev->msix_pba = g_malloc0(pba_size);
    dev->msix_entry_used = g_new0(unsigned, nentries);
    msix_mask_all(dev);

    memory_region_init_io(&dev->msix_table_mmio, NULL, &msix_table_mmio_ops, dev,
                          "msix-table", table_size);
    memory_region_add_subregion(table_bar, table_offset, &dev->msix_table_mmio);
    memory_region_init_io(&dev->msix_pba_mmio, NULL, &msix_pba_mmio_ops, dev,
                          "msix-pba", pba_size);
    memory_region_add_subregion(pba_bar, pba_offset, &dev->msix_pba_mmio);
    return 0;
}

int msix_init_exclusive_bar(PCIDevice *dev, unsigned short nentries, uint8_t bar_nr,
                            Error **errp)
{
    unsigned table_size = nentries * PCI_MSIX_ENTRY_SIZE;
    unsigned pba_offset = table_size < 0x800 ? 0x800 : table_size;
    uint64_t bar_size = 0x1000;
    int ret;

    /* QEMU's layout: table at 0, PBA at half the BAR, BAR a power of two >= 4 KiB. */
    while (bar_size < 2 * (uint64_t)pba_offset) {
        bar_size *= 2;
    }
    pba_offset = bar_size / 2;
    memory_region_init(&dev->msix_exclusive_bar, NULL, "msix-bar", bar_size);
    ret = msix_init(dev, nentries, &dev->msix_exclusive_bar, bar_nr, 0,
                    &dev->msix_exclusive_bar, bar_nr, pba_offset, 0, errp);
    if (ret) {
        memory_region_finalize(&dev->msix_exclusive_bar);
        return ret;
    }
    pci_register_bar(dev, bar_nr, PCI_BASE_ADDRESS_SPACE_MEMORY, &dev->msix_exclusive_bar);
    return 0;
}

void msix_uninit(PCIDevice *dev, MemoryRegion *table_bar, MemoryRegion *pba_bar)
{
    if (!msix_present(dev)) {
        return;
    }
    pci_del_capability(dev, PCI_CAP_ID_MSIX, MSIX_CAP_LENGTH);
    dev->msix_cap = 0;
    memory_region_finalize(&dev->msix_table_mmio);
    memory_region_finalize(&dev->msix_pba_mmio);
    g_free(dev->msix_table);
    g_free(dev->msix_pba);
    g_free(dev->msix_entry_used);
    dev->msix_table = dev->msix_pba = NULL;
    dev->msix_entry_used = NULL;
    dev->msix_entries_nr = 0;
}

void msix_uninit_exclusive_bar(PCIDevice *dev)
{
    if (msix_present(dev)) {
        msix_uninit(dev, &dev->msix_exclusive_bar, &dev->msix_exclusive_bar);
        memory_region_finalize(&dev->msix_exclusive_bar);
    }
}

void msix_vector_use(PCIDevice *dev, unsigned vector)
{
    if (vector < dev->msix_entries_nr) {
        dev->msix_entry_used[vector]++;
    }
}

void msix_vector_unuse(PCIDevice *dev, unsigned vector)
{
    if (vector < dev->msix_entries_nr && dev->msix_entry_used[vector]) {
        if (--dev->msix_entry_used[vector] == 0) {
            msix_clr_pending(dev, vector);
        }
    }
}

void msix_unuse_all_vectors(PCIDevice *dev)
{
    for (unsigned v = 0; v < dev->msix_entries_nr; v++) {
        dev->msix_entry_used[v] = 0;
        msix_clr_pending(dev, v);
    }
}

void msix_reset(PCIDevice *dev)
{
    if (!msix_present(dev)) {
        return;
    }
    *(MSIX_CONTROL(dev) + 1) &= ~((PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8);
    memset(dev->msix_table, 0, dev->msix_entries_nr * PCI_MSIX_ENTRY_SIZE);
    memset(dev->msix_pba, 0, ((dev->msix_entries_nr + 63) / 64) * 8);
    msix_mask_all(dev);
    update_function_masked(dev);
}
