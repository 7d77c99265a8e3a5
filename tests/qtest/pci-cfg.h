/*
 * PCI configuration mechanism #1 through qtest (what libqos's pci-pc does).
 */
#ifndef TESTS_QTEST_PCI_CFG_H
#define TESTS_QTEST_PCI_CFG_H

#include "libqtest.h"

static inline uint32_t cfg_addr(int devfn, int off)
{
    return 0x80000000u | (devfn << 8) | (off & 0xfc);
}

static inline uint32_t pci_cfg_readl(QTestState *qts, int devfn, int off)
{
    qtest_outl(qts, 0xcf8, cfg_addr(devfn, off));
    return qtest_inl(qts, 0xcfc);
}

static inline uint16_t pci_cfg_readw(QTestState *qts, int devfn, int off)
{
    qtest_outl(qts, 0xcf8, cfg_addr(devfn, off));
    return qtest_inw(qts, 0xcfc + (off & 2));
}

static inline uint8_t pci_cfg_readb(QTestState *qts, int devfn, int off)
{
    qtest_outl(qts, 0xcf8, cfg_addr(devfn, off));
    return qtest_inb(qts, 0xcfc + (off & 3));
}

static inline void pci_cfg_writel(QTestState *qts, int devfn, int off, uint32_t v)
{
    qtest_outl(qts, 0xcf8, cfg_addr(devfn, off));
    qtest_outl(qts, 0xcfc, v);
}

static inline void pci_cfg_writew(QTestState *qts, int devfn, int off, uint16_t v)
{
    qtest_outl(qts, 0xcf8, cfg_addr(devfn, off));
    qtest_outw(qts, 0xcfc + (off & 2), v);
}

static inline void pci_cfg_writeb(QTestState *qts, int devfn, int off, uint8_t v)
{
    qtest_outl(qts, 0xcf8, cfg_addr(devfn, off));
    qtest_outb(qts, 0xcfc + (off & 3), v);
}

/* Walk the capability list; 0 if absent. */
static inline int pci_find_cap(QTestState *qts, int devfn, int id)
{
    int guard = 48;

    if (!(pci_cfg_readw(qts, devfn, 0x06) & 0x10)) {
        return 0;
    }
    for (int p = pci_cfg_readb(qts, devfn, 0x34); p && guard--;
         p = pci_cfg_readb(qts, devfn, p + 1)) {
        if (pci_cfg_readb(qts, devfn, p) == id) {
            return p;
        }
    }
    return 0;
}

#endif
