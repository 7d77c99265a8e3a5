/*
 * The virtio PCI transport (virtio 1.x §4.1): a modern interface in a
 * 64-bit memory BAR (common, ISR, device and notify structures found
 * through vendor capabilities, plus the PCI-config access window), an
 * optional legacy I/O BAR for transitional devices, MSI-X in its own BAR
 * and INTx as the fallback.  Layout as QEMU 7.2: BAR0 legacy I/O, BAR1
 * MSI-X, BAR4 modern (common @0, ISR @0x1000, device @0x2000, notify
 * @0x3000 with a multiplier of 4).
 *
 * A device type embeds VirtIOPCIProxy first and its VirtIODevice after it,
 * adds DEFINE_VIRTIO_PCI_PROPS to its properties, and in realize calls
 * virtio_pci_plug() once the VirtIODevice is initialised.
 */
#ifndef HW_VIRTIO_VIRTIO_PCI_H
#define HW_VIRTIO_VIRTIO_PCI_H

#include "hw/pci/pci.h"
#include "hw/virtio/virtio.h"
#include "qemu/main-loop.h"

#define PCI_DEVICE_ID_VIRTIO_NET        0x1000
#define PCI_DEVICE_ID_VIRTIO_BLOCK      0x1001
#define PCI_DEVICE_ID_VIRTIO_SCSI       0x1004
#define PCI_DEVICE_ID_VIRTIO_10_BASE    0x1040

/* Vendor capability types (§4.1.4). */
#define VIRTIO_PCI_CAP_COMMON_CFG       1
#define VIRTIO_PCI_CAP_NOTIFY_CFG       2
#define VIRTIO_PCI_CAP_ISR_CFG          3
#define VIRTIO_PCI_CAP_DEVICE_CFG       4
#define VIRTIO_PCI_CAP_PCI_CFG          5

/* struct virtio_pci_common_cfg offsets (§4.1.4.3). */
#define VIRTIO_PCI_COMMON_DFSELECT      0
#define VIRTIO_PCI_COMMON_DF            4
#define VIRTIO_PCI_COMMON_GFSELECT      8
#define VIRTIO_PCI_COMMON_GF            12
#define VIRTIO_PCI_COMMON_MSIX          16
#define VIRTIO_PCI_COMMON_NUMQ          18
#define VIRTIO_PCI_COMMON_STATUS        20
#define VIRTIO_PCI_COMMON_CFGGENERATION 21
#define VIRTIO_PCI_COMMON_Q_SELECT      22
#define VIRTIO_PCI_COMMON_Q_SIZE        24
#define VIRTIO_PCI_COMMON_Q_MSIX        26
#define VIRTIO_PCI_COMMON_Q_ENABLE      28
#define VIRTIO_PCI_COMMON_Q_NOFF        30
#define VIRTIO_PCI_COMMON_Q_DESCLO      32
#define VIRTIO_PCI_COMMON_Q_DESCHI      36
#define VIRTIO_PCI_COMMON_Q_AVAILLO     40
#define VIRTIO_PCI_COMMON_Q_AVAILHI     44
#define VIRTIO_PCI_COMMON_Q_USEDLO      48
#define VIRTIO_PCI_COMMON_Q_USEDHI      52

/* Legacy I/O BAR registers (§4.1.4.8). */
#define VIRTIO_PCI_HOST_FEATURES        0
#define VIRTIO_PCI_GUEST_FEATURES       4
#define VIRTIO_PCI_QUEUE_PFN            8
#define VIRTIO_PCI_QUEUE_NUM            12
#define VIRTIO_PCI_QUEUE_SEL            14
#define VIRTIO_PCI_QUEUE_NOTIFY         16
#define VIRTIO_PCI_STATUS               18
#define VIRTIO_PCI_ISR                  19
#define VIRTIO_MSI_CONFIG_VECTOR        20
#define VIRTIO_MSI_QUEUE_VECTOR         22
#define VIRTIO_PCI_QUEUE_ADDR_SHIFT     12
#define VIRTIO_PCI_VRING_ALIGN          4096
#define VIRTIO_PCI_CONFIG_OFF(msix)     ((msix) ? 24 : 20)

#define VIRTIO_PCI_REGION_SIZE          0x1000
#define VIRTIO_PCI_QUEUE_MEM_MULT       4
#define DEV_NVECTORS_UNSPECIFIED        UINT32_MAX

typedef struct VirtIOPCIQueue {
    uint16_t num;
    bool enabled;
    uint32_t desc[2];
    uint32_t avail[2];
    uint32_t used[2];
} VirtIOPCIQueue;

typedef struct VirtIOPCIProxy {
    PCIDevice pci_dev;
    VirtIODevice *vdev;

    /* properties */
    OnOffAuto disable_legacy;
    bool disable_modern;
    uint32_t nvectors;

    bool legacy;            /* the I/O BAR exists */
    bool modern;            /* the capabilities and BAR4 exist */
    MemoryRegion legacy_bar;
    MemoryRegion modern_bar;
    MemoryRegion common, isr, device, notify;
    int config_cap;         /* offset of the PCI_CFG capability */

    uint32_t dfselect;
    uint32_t gfselect;
    uint32_t guest_features[2];
    VirtIOPCIQueue vqs[VIRTIO_QUEUE_MAX];

    /* Kicks are handled in the main loop, not in the vCPU's MMIO exit. */
    QEMUBH *kick_bh;
    uint64_t kick_pending[VIRTIO_QUEUE_MAX / 64];
} VirtIOPCIProxy;

#define DEFINE_VIRTIO_PCI_PROPS(st, f) \
    DEFINE_PROP_ON_OFF_AUTO("disable-legacy", st, f.disable_legacy, ON_OFF_AUTO_AUTO), \
    DEFINE_PROP_BOOL("disable-modern", st, f.disable_modern, false), \
    DEFINE_PROP_UINT32("vectors", st, f.nvectors, DEV_NVECTORS_UNSPECIFIED)

/*
 * Attach @vdev (initialised, queues added) to the transport: set the PCI
 * IDs (transitional @legacy_device_id or 0x1040 + device ID), class,
 * BARs, capabilities and MSI-X.  Call from the device's PCI realize.
 */
bool virtio_pci_plug(VirtIOPCIProxy *proxy, VirtIODevice *vdev, uint16_t legacy_device_id,
                     uint16_t class_code, Error **errp);
void virtio_pci_unplug(VirtIOPCIProxy *proxy);
/* Device reset (PCI reset, or the driver writing status 0). */
void virtio_pci_reset(VirtIOPCIProxy *proxy);

#endif
