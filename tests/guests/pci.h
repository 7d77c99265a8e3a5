/*
 * PCI configuration mechanism #1 (0xcf8/0xcfc) and BAR mapping for guests
 * that may boot without firmware: BARs left at 0 are assigned here.
 */
#ifndef TESTS_GUESTS_PCI_H
#define TESTS_GUESTS_PCI_H

#include "guest.h"

typedef struct PCIAddr {
    uint8_t bus, dev, fn;
} PCIAddr;

uint32_t pci_read32(PCIAddr a, uint8_t off);
uint16_t pci_read16(PCIAddr a, uint8_t off);
uint8_t pci_read8(PCIAddr a, uint8_t off);
void pci_write32(PCIAddr a, uint8_t off, uint32_t v);
void pci_write16(PCIAddr a, uint8_t off, uint16_t v);

/* Scan bus 0 for vendor:device; returns 1 and fills *a when found. */
int pci_find(uint16_t vendor, const uint16_t *devices, int ndevices, PCIAddr *a);
/*
 * Guest-physical address of memory BAR @bar, assigning one below 4 GiB if
 * the BAR is unassigned (or out of a 32-bit guest's reach).  0 on failure.
 */
uint32_t pci_map_bar(PCIAddr a, int bar);
/* Enable memory decoding and bus mastering. */
void pci_enable(PCIAddr a);

#endif
