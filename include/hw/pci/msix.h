/*
 * MSI-X: the capability, the vector table and the pending-bit array in a
 * BAR, per-vector and function masking, delivery through msi_send_message.
 */
#ifndef HW_PCI_MSIX_H
#define HW_PCI_MSIX_H

#include "hw/pci/pci.h"

#define PCI_MSIX_ENTRY_SIZE             16
#define PCI_MSIX_ENTRY_LOWER_ADDR       0x0
#define PCI_MSIX_ENTRY_UPPER_ADDR       0x4
#define PCI_MSIX_ENTRY_DATA             0x8
#define PCI_MSIX_ENTRY_VECTOR_CTRL      0xc
#define PCI_MSIX_ENTRY_CTRL_MASKVEC     0x1

/*
 * Table at @table_offset of BAR @table_bar_nr, PBA at @pba_offset of BAR
 * @pba_bar_nr (the caller registers the BARs with @table_bar/@pba_bar
 * containing our subregions).  @cap_pos 0 = first free config offset.
 * Returns 0 or -errno with *errp set.
 */
int msix_init(PCIDevice *dev, unsigned short nentries, MemoryRegion *table_bar,
              uint8_t table_bar_nr, unsigned table_offset, MemoryRegion *pba_bar,
              uint8_t pba_bar_nr, unsigned pba_offset, uint8_t cap_pos, Error **errp);
/* One BAR (@bar_nr, 32-bit memory) holding just the table and PBA, registered for you. */
int msix_init_exclusive_bar(PCIDevice *dev, unsigned short nentries, uint8_t bar_nr,
                            Error **errp);
void msix_uninit(PCIDevice *dev, MemoryRegion *table_bar, MemoryRegion *pba_bar);
void msix_uninit_exclusive_bar(PCIDevice *dev);

bool msix_present(PCIDevice *dev);
bool msix_enabled(PCIDevice *dev);
bool msix_is_masked(PCIDevice *dev, unsigned vector);
unsigned msix_nr_vectors_allocated(const PCIDevice *dev);

/* A device must "use" a vector before notifying it (QEMU's rule). */
void msix_vector_use(PCIDevice *dev, unsigned vector);
void msix_vector_unuse(PCIDevice *dev, unsigned vector);
void msix_unuse_all_vectors(PCIDevice *dev);

/* Send vector @vector, or set its pending bit while it is masked. */
void msix_notify(PCIDevice *dev, unsigned vector);
MSIMessage msix_get_message(PCIDevice *dev, unsigned vector);
void msix_clr_pending(PCIDevice *dev, int vector);

/* Called by pci_default_write_config (enable/function-mask changes). */
void msix_write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len);
/* Clear the table (all masked) and PBA, disable MSI-X. */
void msix_reset(PCIDevice *dev);

#endif
