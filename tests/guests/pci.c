/*
 * PCI configuration access and BAR assignment for the test guests.
 */
#include "pci.h"

#define PCI_CONFIG_ADDR     0xcf8
#define PCI_CONFIG_DATA     0xcfc
#define PCI_COMMAND         0x04
#define PCI_COMMAND_IO      0x1
#define PCI_COMMAND_MEMORY  0x2
#define PCI_COMMAND_MASTER  0x4
#define PCI_BAR0            0x10
#define PCI_BAR_IO          0x1
#define PCI_BAR_MEM_64      0x4

/*
 * Where unassigned BARs go: inside the pc machine's PCI hole for any RAM
 * size up to 3 GiB and clear of the IOAPIC/LAPIC/BIOS ranges at the top.
 */
static uint32_t next_mmio = 0xe0000000u;

static void pci_select(PCIAddr a, uint8_t off)
{
    outl(PCI_CONFIG_ADDR, 0x80000000u | (uint32_t)a.bus << 16 |
         (uint32_t)a.dev << 11 | (uint32_t)a.fn << 8 | (off & 0xfc));
}

uint32_t pci_read32(PCIAddr a, uint8_t off)
{
    pci_select(a, off);
    return inl(PCI_CONFIG_DATA);
}

uint16_t pci_read16(PCIAddr a, uint8_t off)
{
    pci_select(a, off);
    return inw(PCI_CONFIG_DATA + (off & 2));
}

uint8_t pci_read8(PCIAddr a, uint8_t off)
{
    pci_select(a, off);
    return inb(PCI_CONFIG_DATA + (off & 3));
}

void pci_write32(PCIAddr a, uint8_t off, uint32_t v)
{
    pci_select(a, off);
    outl(PCI_CONFIG_DATA, v);
}

void pci_write16(PCIAddr a, uint8_t off, uint16_t v)
{
    pci_select(a, off);
    outw(PCI_CONFIG_DATA + (off & 2), v);
}

int pci_find(uint16_t vendor, const uint16_t *devices, int ndevices, PCIAddr *out)
{
    for (int dev = 0; dev < 32; dev++) {
        for (int fn = 0; fn < 8; fn++) {
            PCIAddr a = { 0, (uint8_t)dev, (uint8_t)fn };
            uint32_t id = pci_read32(a, 0);
            if ((id & 0xffff) == 0xffff) {
                if (fn == 0) {
                    break;
                }
                continue;
            }
            for (int i = 0; i < ndevices; i++) {
                if ((id & 0xffff) == vendor && (id >> 16) == devices[i]) {
                    *out = a;
                    return 1;
                }
            }
            /* Single-function devices answer for every fn on some chipsets. */
            if (fn == 0 && !(pci_read8(a, 0x0e) & 0x80)) {
                break;
            }
        }
    }
    return 0;
}

uint32_t pci_map_bar(PCIAddr a, int bar)
{
    uint8_t off = PCI_BAR0 + 4 * bar;
    uint32_t lo = pci_read32(a, off);
    if (lo & PCI_BAR_IO) {
        return 0;
    }
    int is64 = (lo & 0x6) == PCI_BAR_MEM_64;
    uint32_t hi = is64 ? pci_read32(a, off + 4) : 0;
    if ((lo & ~0xfu) && !hi) {
        return lo & ~0xfu;
    }

    /* Size it with all-ones with decoding off, then place it aligned. */
    uint16_t cmd = pci_read16(a, PCI_COMMAND);
    pci_write16(a, PCI_COMMAND, cmd & ~(PCI_COMMAND_MEMORY | PCI_COMMAND_IO));
    pci_write32(a, off, 0xffffffffu);
    uint32_t mask = pci_read32(a, off) & ~0xfu;
    if (!mask) {
        pci_write16(a, PCI_COMMAND, cmd);
        return 0;
    }
    uint32_t size = ~mask + 1;
    uint32_t base = (next_mmio + size - 1) & ~(size - 1);
    next_mmio = base + size;
    pci_write32(a, off, base);
    if (is64) {
        pci_write32(a, off + 4, 0);
    }
    pci_write16(a, PCI_COMMAND, cmd);
    return base;
}

void pci_enable(PCIAddr a)
{
    uint16_t cmd = pci_read16(a, PCI_COMMAND);
    pci_write16(a, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}
