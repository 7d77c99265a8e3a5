/*
 * A PCI function: config space with write masks, BARs, capabilities,
 * INTx, MSI-X state, and the device's view of memory for DMA.
 *
 * A device type registers like this (see hw/misc/pci-testdev.c):
 *
 *   static const PCIDeviceClass my_class = {
 *       .vendor_id = ..., .device_id = ..., .class_id = ..., .revision = 1,
 *       .realize = my_realize, .exit = my_exit, .reset = my_reset,
 *   };
 *   static const DeviceTypeInfo my_info = {
 *       .name = "my-dev", .parent = &pci_device_type_info, .category = ...,
 *       .user_creatable = true, .instance_size = sizeof(MyState),
 *       .props = my_props, .class_data = &my_class,
 *   };
 *   static void __attribute__((constructor)) my_register(void)
 *   { device_type_register(&my_info); }
 *
 * MyState starts with "PCIDevice parent_obj;".  The PCI core handles the
 * "addr", "multifunction" and "romfile" properties.
 */
#ifndef HW_PCI_PCI_DEVICE_H
#define HW_PCI_PCI_DEVICE_H

#include "hw/qdev-core.h"
#include "hw/pci/pci.h"

typedef uint32_t PCIConfigReadFunc(PCIDevice *pci_dev, uint32_t address, int len);
typedef void PCIConfigWriteFunc(PCIDevice *pci_dev, uint32_t address, uint32_t data,
                                int len);

typedef struct PCIDeviceClass {
    void (*realize)(PCIDevice *dev, Error **errp);
    void (*exit)(PCIDevice *dev);
    void (*reset)(PCIDevice *dev);          /* after the core reset the config space */
    PCIConfigReadFunc *config_read;         /* NULL: pci_default_read_config */
    PCIConfigWriteFunc *config_write;       /* NULL: pci_default_write_config */
    uint16_t vendor_id;
    uint16_t device_id;
    uint8_t revision;
    uint16_t class_id;                      /* base class << 8 | subclass */
    uint8_t prog_if;
    uint16_t subsystem_vendor_id;           /* 0: 1af4:1100 as QEMU does */
    uint16_t subsystem_id;
    bool is_bridge;
} PCIDeviceClass;

typedef struct PCIIORegion {
    pcibus_t addr;          /* current mapping, PCI_BAR_UNMAPPED if none */
    pcibus_t size;
    uint8_t type;           /* PCI_BASE_ADDRESS_SPACE_IO / MEM_TYPE_64 / MEM_PREFETCH */
    MemoryRegion *memory;
    MemoryRegion *address_space;
} PCIIORegion;

/* Delivery of MSI messages: a 32-bit write of @data to @addr, as PCI does. */
typedef struct MSIMessage {
    uint64_t address;
    uint32_t data;
} MSIMessage;

struct PCIDevice {
    DeviceState qdev;
    uint8_t config[PCI_CONFIG_SPACE_SIZE];
    uint8_t cmask[PCI_CONFIG_SPACE_SIZE];   /* bytes checked on load (unused) */
    uint8_t wmask[PCI_CONFIG_SPACE_SIZE];   /* guest-writable bits */
    uint8_t w1cmask[PCI_CONFIG_SPACE_SIZE]; /* write-1-to-clear bits */
    uint8_t used[PCI_CONFIG_SPACE_SIZE];    /* bytes owned by capabilities */
    PCIBus *bus;
    int32_t devfn;                          /* property "addr", -1 = first free */
    bool multifunction;                     /* property "multifunction" */
    char *romfile;                          /* property "romfile" (accepted, unused) */
    char name[64];
    const PCIDeviceClass *pc;
    PCIIORegion io_regions[PCI_NUM_REGIONS];
    AddressSpace *dma_as;                   /* where DMA goes (system memory) */
    PCIConfigReadFunc *config_read;
    PCIConfigWriteFunc *config_write;
    int irq_state;                          /* bit per pin */
    bool has_power;

    /* MSI-X (hw/pci/msix.c) */
    int msix_cap;
    unsigned msix_entries_nr;
    uint8_t *msix_table;
    uint8_t *msix_pba;
    unsigned *msix_entry_used;
    bool msix_function_masked;
    MemoryRegion msix_table_mmio;
    MemoryRegion msix_pba_mmio;
    MemoryRegion msix_exclusive_bar;
    void (*msix_vector_poll_notifier)(PCIDevice *dev, unsigned start, unsigned end);

    /* MSI (hw/pci/msi.c): capability offset or 0 */
    int msi_cap;

    PCIDevice *next_on_bus;
};

#define PCI_DEVICE(obj) ((PCIDevice *)(obj))

extern const DeviceTypeInfo pci_device_type_info;

static inline const PCIDeviceClass *PCI_DEVICE_GET_CLASS(const PCIDevice *d)
{
    return d->pc;
}

/* ---- config space accessors (little-endian) ---- */
static inline void pci_set_byte(uint8_t *c, uint8_t v)
{
    *c = v;
}
static inline uint8_t pci_get_byte(const uint8_t *c)
{
    return *c;
}
static inline void pci_set_word(uint8_t *c, uint16_t v)
{
    c[0] = v;
    c[1] = v >> 8;
}
static inline uint16_t pci_get_word(const uint8_t *c)
{
    return c[0] | (c[1] << 8);
}
static inline void pci_set_long(uint8_t *c, uint32_t v)
{
    pci_set_word(c, v);
    pci_set_word(c + 2, v >> 16);
}
static inline uint32_t pci_get_long(const uint8_t *c)
{
    return pci_get_word(c) | ((uint32_t)pci_get_word(c + 2) << 16);
}
static inline void pci_set_quad(uint8_t *c, uint64_t v)
{
    pci_set_long(c, v);
    pci_set_long(c + 4, v >> 32);
}
static inline uint64_t pci_get_quad(const uint8_t *c)
{
    return pci_get_long(c) | ((uint64_t)pci_get_long(c + 4) << 32);
}
static inline void pci_word_test_and_set_mask(uint8_t *c, uint16_t mask)
{
    pci_set_word(c, pci_get_word(c) | mask);
}
static inline void pci_word_test_and_clear_mask(uint8_t *c, uint16_t mask)
{
    pci_set_word(c, pci_get_word(c) & ~mask);
}
static inline void pci_config_set_vendor_id(uint8_t *c, uint16_t v)
{
    pci_set_word(c + PCI_VENDOR_ID, v);
}
static inline void pci_config_set_device_id(uint8_t *c, uint16_t v)
{
    pci_set_word(c + PCI_DEVICE_ID, v);
}
static inline void pci_config_set_class(uint8_t *c, uint16_t v)
{
    pci_set_word(c + PCI_CLASS_DEVICE, v);
}
static inline void pci_config_set_prog_interface(uint8_t *c, uint8_t v)
{
    c[PCI_CLASS_PROG] = v;
}
static inline void pci_config_set_interrupt_pin(uint8_t *c, uint8_t pin)
{
    c[PCI_INTERRUPT_PIN] = pin;     /* 1 = INTA# .. 4 = INTD# */
}
static inline void pci_config_set_revision(uint8_t *c, uint8_t v)
{
    c[PCI_REVISION_ID] = v;
}

/* ---- BARs ---- */
/*
 * @type: PCI_BASE_ADDRESS_SPACE_IO, or PCI_BASE_ADDRESS_SPACE_MEMORY
 * optionally | PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH.
 * The size of @memory must be a power of two.  The region is mapped when
 * the guest programs the BAR and enables decoding in the command register.
 */
void pci_register_bar(PCIDevice *pci_dev, int region_num, uint8_t type, MemoryRegion *memory);
pcibus_t pci_get_bar_addr(PCIDevice *pci_dev, int region_num);

/* ---- capabilities ---- */
/* Returns the offset (@offset if not 0, else the first free one) or -errno. */
int pci_add_capability(PCIDevice *pdev, uint8_t cap_id, uint8_t offset, uint8_t size,
                       Error **errp);
void pci_del_capability(PCIDevice *pci_dev, uint8_t cap_id, uint8_t cap_size);
uint8_t pci_find_capability(PCIDevice *pci_dev, uint8_t cap_id);

/* ---- config access ---- */
uint32_t pci_default_read_config(PCIDevice *d, uint32_t address, int len);
void pci_default_write_config(PCIDevice *d, uint32_t address, uint32_t val, int len);

/* ---- INTx ---- */
/* Assert/deassert the device's INTx pin (from config PCI_INTERRUPT_PIN). */
void pci_set_irq(PCIDevice *pci_dev, int level);
static inline void pci_irq_assert(PCIDevice *pci_dev)
{
    pci_set_irq(pci_dev, 1);
}
static inline void pci_irq_deassert(PCIDevice *pci_dev)
{
    pci_set_irq(pci_dev, 0);
}
static inline void pci_irq_pulse(PCIDevice *pci_dev)
{
    pci_set_irq(pci_dev, 1);
    pci_set_irq(pci_dev, 0);
}

/* ---- DMA: refused with MEMTX_ERROR unless bus mastering is on and it is RAM ---- */
AddressSpace *pci_get_address_space(PCIDevice *dev);
MemTxResult pci_dma_read(PCIDevice *dev, uint64_t addr, void *buf, uint64_t len);
MemTxResult pci_dma_write(PCIDevice *dev, uint64_t addr, const void *buf, uint64_t len);
void *pci_dma_map(PCIDevice *dev, uint64_t addr, uint64_t *plen, int dir);
void pci_dma_unmap(PCIDevice *dev, void *buffer, uint64_t len, int dir,
                   uint64_t access_len);
bool pci_bus_master_enabled(PCIDevice *dev);

/* Deliver an MSI/MSI-X message (through msi_route(), hw/intc/msi-route.h). */
void msi_send_message(PCIDevice *dev, MSIMessage msg);

/* Helpers for devices creating fixed functions (machine code). */
PCIDevice *pci_create_simple(PCIBus *bus, int devfn, const char *type_name, Error **errp);
static inline uint16_t pci_get_bdf(PCIDevice *dev)
{
    return dev->devfn;
}

#endif
