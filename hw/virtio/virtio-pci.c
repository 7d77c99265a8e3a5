/*
 * The virtio PCI transport: modern capabilities in BAR4, the transitional
 * legacy I/O BAR0, MSI-X in BAR1 and INTx with the ISR register
 * (virtio 1.x §4.1).  Register semantics follow QEMU 7.2's virtio-pci.
 */
#include <glib.h>
#include <string.h>

#include "hw/pci/msix.h"
#include "hw/virtio/virtio-pci.h"
#include "qemu/error-report.h"
#include "sysemu/dma.h"

/* struct virtio_pci_cap and its notify / pci_cfg variants (§4.1.4). */
#define VIRTIO_PCI_CAP_LEN          16
#define VIRTIO_PCI_NOTIFY_CAP_LEN   20
#define VIRTIO_PCI_CFG_CAP_LEN      20
#define CAP_CFG_TYPE                3
#define CAP_BAR                     4
#define CAP_OFFSET                  8
#define CAP_LENGTH                  12
#define CAP_NOTIFY_MULT             16
#define CAP_PCI_CFG_DATA            16

#define MODERN_MEM_BAR              4
#define MSIX_BAR                    1
#define LEGACY_IO_BAR               0

/* ---- guest memory and interrupts for the core ---- */

static int vpci_dma_read(void *opaque, uint64_t addr, void *buf, uint64_t len)
{
    return pci_dma_read(opaque, addr, buf, len) != MEMTX_OK;
}

static int vpci_dma_write(void *opaque, uint64_t addr, const void *buf, uint64_t len)
{
    return pci_dma_write(opaque, addr, buf, len) != MEMTX_OK;
}

static void *vpci_dma_map(void *opaque, uint64_t addr, uint64_t *len, bool is_write)
{
    return pci_dma_map(opaque, addr, len,
                       is_write ? DMA_DIRECTION_FROM_DEVICE : DMA_DIRECTION_TO_DEVICE);
}

static void vpci_dma_unmap(void *opaque, void *buf, uint64_t len, bool is_write,
                           uint64_t access_len)
{
    pci_dma_unmap(opaque, buf, len,
                  is_write ? DMA_DIRECTION_FROM_DEVICE : DMA_DIRECTION_TO_DEVICE, access_len);
}

static const VirtIODMAOps virtio_pci_dma_ops = {
    .read = vpci_dma_read, .write = vpci_dma_write,
    .map = vpci_dma_map, .unmap = vpci_dma_unmap,
};

static void virtio_pci_notify(void *opaque, uint16_t vector)
{
    VirtIOPCIProxy *proxy = opaque;

    if (msix_enabled(&proxy->pci_dev)) {
        if (vector != VIRTIO_NO_VECTOR) {
            msix_notify(&proxy->pci_dev, vector);
        }
    } else {
        pci_set_irq(&proxy->pci_dev, __atomic_load_n(&proxy->vdev->isr, __ATOMIC_SEQ_CST) & 1);
    }
}

static const VirtIOTransportOps virtio_pci_transport_ops = { .notify = virtio_pci_notify };

static uint8_t virtio_pci_isr_read_and_clear(VirtIOPCIProxy *proxy)
{
    uint8_t isr = __atomic_exchange_n(&proxy->vdev->isr, 0, __ATOMIC_SEQ_CST);

    pci_irq_deassert(&proxy->pci_dev);
    return isr;
}

/* ---- kicks ---- */

static void virtio_pci_kick_bh(void *opaque)
{
    VirtIOPCIProxy *proxy = opaque;

    for (unsigned w = 0; w < G_N_ELEMENTS(proxy->kick_pending); w++) {
        uint64_t bits = proxy->kick_pending[w];
        proxy->kick_pending[w] = 0;
        while (bits) {
            int bit = __builtin_ctzll(bits);
            bits &= bits - 1;
            virtio_queue_notify(proxy->vdev, w * 64 + bit);
        }
    }
}

static void virtio_pci_kick(VirtIOPCIProxy *proxy, uint32_t n)
{
    if (n >= VIRTIO_QUEUE_MAX || !virtio_queue_get_num(proxy->vdev, n)) {
        return;
    }
    proxy->kick_pending[n / 64] |= 1ULL << (n % 64);
    qemu_bh_schedule(proxy->kick_bh);
}

/* ---- vectors ---- */

static uint16_t virtio_pci_set_vector(VirtIOPCIProxy *proxy, uint16_t old, uint16_t val)
{
    PCIDevice *d = &proxy->pci_dev;

    if (!msix_present(d)) {
        return VIRTIO_NO_VECTOR;
    }
    if (old != VIRTIO_NO_VECTOR) {
        msix_vector_unuse(d, old);
    }
    /* An out-of-range vector reads back as NO_VECTOR: how a driver learns it failed. */
    if (val < msix_nr_vectors_allocated(d)) {
        msix_vector_use(d, val);
        return val;
    }
    return VIRTIO_NO_VECTOR;
}

static void virtio_pci_set_status(VirtIOPCIProxy *proxy, uint8_t val)
{
    virtio_set_status(proxy->vdev, val);
    if (proxy->vdev->status == 0) {
        virtio_pci_reset(proxy);
    }
}

/* ---- modern: common configuration (§4.1.4.3) ---- */

static uint64_t virtio_pci_common_read(void *opaque, hwaddr addr, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = proxy->vdev;
    uint16_t sel = vdev->queue_sel;
    uint32_t val = 0;

    switch (addr) {
    case VIRTIO_PCI_COMMON_DFSELECT:
        val = proxy->dfselect;
        break;
    case VIRTIO_PCI_COMMON_DF:
        if (proxy->dfselect <= 1) {
            val = (vdev->host_features & ~VIRTIO_LEGACY_FEATURES) >> (32 * proxy->dfselect);
        }
        break;
    case VIRTIO_PCI_COMMON_GFSELECT:
        val = proxy->gfselect;
        break;
    case VIRTIO_PCI_COMMON_GF:
        if (proxy->gfselect < 2) {
            val = proxy->guest_features[proxy->gfselect];
        }
        break;
    case VIRTIO_PCI_COMMON_MSIX:
        val = vdev->config_vector;
        break;
    case VIRTIO_PCI_COMMON_NUMQ:
        val = virtio_get_num_queues(vdev);
        break;
    case VIRTIO_PCI_COMMON_STATUS:
        val = vdev->status;
        break;
    case VIRTIO_PCI_COMMON_CFGGENERATION:
        val = vdev->generation & 0xff;
        break;
    case VIRTIO_PCI_COMMON_Q_SELECT:
        val = sel;
        break;
    case VIRTIO_PCI_COMMON_Q_SIZE:
        val = virtio_queue_get_num(vdev, sel);
        break;
    case VIRTIO_PCI_COMMON_Q_MSIX:
        val = virtio_queue_vector(vdev, sel);
        break;
    case VIRTIO_PCI_COMMON_Q_ENABLE:
        val = proxy->vqs[sel].enabled;
        break;
    case VIRTIO_PCI_COMMON_Q_NOFF:
        val = sel;
        break;
    case VIRTIO_PCI_COMMON_Q_DESCLO:
        val = proxy->vqs[sel].desc[0];
        break;
    case VIRTIO_PCI_COMMON_Q_DESCHI:
        val = proxy->vqs[sel].desc[1];
        break;
    case VIRTIO_PCI_COMMON_Q_AVAILLO:
        val = proxy->vqs[sel].avail[0];
        break;
    case VIRTIO_PCI_COMMON_Q_AVAILHI:
        val = proxy->vqs[sel].avail[1];
        break;
    case VIRTIO_PCI_COMMON_Q_USEDLO:
        val = proxy->vqs[sel].used[0];
        break;
    case VIRTIO_PCI_COMMON_Q_USEDHI:
        val = proxy->vqs[sel].used[1];
        break;
    default:
        break;
    }
    return val;
}

static void virtio_pci_common_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = proxy->vdev;
    uint16_t sel = vdev->queue_sel;
    VirtIOPCIQueue *q = &proxy->vqs[sel];

    switch (addr) {
    case VIRTIO_PCI_COMMON_DFSELECT:
        proxy->dfselect = val;
        break;
    case VIRTIO_PCI_COMMON_GFSELECT:
        proxy->gfselect = val;
        break;
    case VIRTIO_PCI_COMMON_GF:
        if (proxy->gfselect < 2) {
            proxy->guest_features[proxy->gfselect] = val;
            virtio_set_features(vdev, (uint64_t)proxy->guest_features[1] << 32 |
                                proxy->guest_features[0]);
        }
        break;
    case VIRTIO_PCI_COMMON_MSIX:
        vdev->config_vector = virtio_pci_set_vector(proxy, vdev->config_vector, val);
        break;
    case VIRTIO_PCI_COMMON_STATUS:
        virtio_pci_set_status(proxy, val & 0xff);
        break;
    case VIRTIO_PCI_COMMON_Q_SELECT:
        if (val < VIRTIO_QUEUE_MAX) {
            vdev->queue_sel = val;
        }
        break;
    case VIRTIO_PCI_COMMON_Q_SIZE:
        /* §4.1.4.3.2: only before the queue is enabled. */
        if (!q->enabled) {
            virtio_queue_set_num(vdev, sel, val);
            q->num = virtio_queue_get_num(vdev, sel);
        }
        break;
    case VIRTIO_PCI_COMMON_Q_MSIX:
        if (virtio_queue_get_num(vdev, sel)) {
            virtio_queue_set_vector(vdev, sel,
                                    virtio_pci_set_vector(proxy, virtio_queue_vector(vdev, sel),
                                                          val));
        }
        break;
    case VIRTIO_PCI_COMMON_Q_ENABLE:
        /* A driver may only write 1 (§4.1.4.3.2); 0 is ignored as in QEMU. */
        if (val == 1 && virtio_queue_get_num(vdev, sel)) {
            virtio_queue_set_rings(vdev, sel,
                                   (uint64_t)q->desc[1] << 32 | q->desc[0],
                                   (uint64_t)q->avail[1] << 32 | q->avail[0],
                                   (uint64_t)q->used[1] << 32 | q->used[0]);
            virtio_queue_enable(vdev, sel, true);
            q->enabled = true;
        }
        break;
    case VIRTIO_PCI_COMMON_Q_DESCLO:
        q->desc[0] = val;
        break;
    case VIRTIO_PCI_COMMON_Q_DESCHI:
        q->desc[1] = val;
        break;
    case VIRTIO_PCI_COMMON_Q_AVAILLO:
        q->avail[0] = val;
        break;
    case VIRTIO_PCI_COMMON_Q_AVAILHI:
        q->avail[1] = val;
        break;
    case VIRTIO_PCI_COMMON_Q_USEDLO:
        q->used[0] = val;
        break;
    case VIRTIO_PCI_COMMON_Q_USEDHI:
        q->used[1] = val;
        break;
    default:
        break;
    }
}

static const MemoryRegionOps virtio_pci_common_ops = {
    .read = virtio_pci_common_read,
    .write = virtio_pci_common_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

/* ---- modern: ISR, device config, notify ---- */

static uint64_t virtio_pci_isr_read(void *opaque, hwaddr addr, unsigned size)
{
    return addr == 0 ? virtio_pci_isr_read_and_clear(opaque) : 0;
}

static void virtio_pci_ignore_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
}

static const MemoryRegionOps virtio_pci_isr_ops = {
    .read = virtio_pci_isr_read,
    .write = virtio_pci_ignore_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static uint64_t virtio_pci_device_read(void *opaque, hwaddr addr, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    return virtio_config_modern_read(proxy->vdev, addr, size);
}

static void virtio_pci_device_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    virtio_config_modern_write(proxy->vdev, addr, val, size);
}

static const MemoryRegionOps virtio_pci_device_ops = {
    .read = virtio_pci_device_read,
    .write = virtio_pci_device_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static uint64_t virtio_pci_notify_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void virtio_pci_notify_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    virtio_pci_kick(opaque, addr / VIRTIO_PCI_QUEUE_MEM_MULT);
}

static const MemoryRegionOps virtio_pci_notify_ops = {
    .read = virtio_pci_notify_read,
    .write = virtio_pci_notify_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

/* Dispatch an access at @off of BAR4 (for the PCI_CFG window). */
static bool virtio_pci_modern_access(VirtIOPCIProxy *proxy, uint32_t off, uint32_t *val,
                                     unsigned len, bool is_write)
{
    static const struct {
        uint32_t base;
        const MemoryRegionOps *ops;
    } parts[] = {
        { 0x0000, &virtio_pci_common_ops },
        { 0x1000, &virtio_pci_isr_ops },
        { 0x2000, &virtio_pci_device_ops },
        { 0x3000, &virtio_pci_notify_ops },
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(parts); i++) {
        if (off >= parts[i].base && off + len <= parts[i].base + VIRTIO_PCI_REGION_SIZE) {
            if (is_write) {
                parts[i].ops->write(proxy, off - parts[i].base, *val, len);
            } else {
                *val = parts[i].ops->read(proxy, off - parts[i].base, len);
            }
            return true;
        }
    }
    return false;
}

/* ---- legacy I/O BAR (§4.1.4.8) ---- */

static uint64_t virtio_pci_legacy_read(void *opaque, hwaddr addr, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = proxy->vdev;
    uint32_t config = VIRTIO_PCI_CONFIG_OFF(msix_enabled(&proxy->pci_dev));

    if (addr >= config) {
        return virtio_config_modern_read(vdev, addr - config, size);
    }
    switch (addr) {
    case VIRTIO_PCI_HOST_FEATURES:
        return (uint32_t)vdev->host_features;
    case VIRTIO_PCI_GUEST_FEATURES:
        return (uint32_t)vdev->guest_features;
    case VIRTIO_PCI_QUEUE_PFN:
        return vdev->vq[vdev->queue_sel].desc >> VIRTIO_PCI_QUEUE_ADDR_SHIFT;
    case VIRTIO_PCI_QUEUE_NUM:
        return virtio_queue_get_num(vdev, vdev->queue_sel);
    case VIRTIO_PCI_QUEUE_SEL:
        return vdev->queue_sel;
    case VIRTIO_PCI_STATUS:
        return vdev->status;
    case VIRTIO_PCI_ISR:
        return virtio_pci_isr_read_and_clear(proxy);
    case VIRTIO_MSI_CONFIG_VECTOR:
        return vdev->config_vector;
    case VIRTIO_MSI_QUEUE_VECTOR:
        return virtio_queue_vector(vdev, vdev->queue_sel);
    default:
        return 0;
    }
}

static void virtio_pci_legacy_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = proxy->vdev;
    PCIDevice *d = &proxy->pci_dev;
    uint32_t config = VIRTIO_PCI_CONFIG_OFF(msix_enabled(d));

    if (addr >= config) {
        virtio_config_modern_write(vdev, addr - config, val, size);
        return;
    }
    switch (addr) {
    case VIRTIO_PCI_GUEST_FEATURES:
        virtio_set_features(vdev, (uint32_t)val);
        break;
    case VIRTIO_PCI_QUEUE_PFN:
        if (val == 0) {
            virtio_pci_reset(proxy);
        } else if (virtio_queue_get_num(vdev, vdev->queue_sel)) {
            virtio_queue_set_legacy_addr(vdev, vdev->queue_sel,
                                         (uint64_t)(uint32_t)val << VIRTIO_PCI_QUEUE_ADDR_SHIFT,
                                         VIRTIO_PCI_VRING_ALIGN);
        }
        break;
    case VIRTIO_PCI_QUEUE_SEL:
        if (val < VIRTIO_QUEUE_MAX) {
            vdev->queue_sel = val;
        }
        break;
    case VIRTIO_PCI_QUEUE_NOTIFY:
        virtio_pci_kick(proxy, val & 0xffff);
        break;
    case VIRTIO_PCI_STATUS:
        /* Old Linux drove the device without enabling bus mastering. */
        if ((val & VIRTIO_CONFIG_S_DRIVER_OK) && !pci_bus_master_enabled(d)) {
            pci_default_write_config(d, PCI_COMMAND,
                                     pci_get_word(d->config + PCI_COMMAND) | PCI_COMMAND_MASTER,
                                     2);
        }
        virtio_pci_set_status(proxy, val & 0xff);
        break;
    case VIRTIO_MSI_CONFIG_VECTOR:
        vdev->config_vector = virtio_pci_set_vector(proxy, vdev->config_vector, val);
        break;
    case VIRTIO_MSI_QUEUE_VECTOR:
        if (virtio_queue_get_num(vdev, vdev->queue_sel)) {
            virtio_queue_set_vector(vdev, vdev->queue_sel,
                                    virtio_pci_set_vector(proxy,
                                                          virtio_queue_vector(vdev, vdev->queue_sel),
                                                          val));
        }
        break;
    default:
        break;
    }
}

static const MemoryRegionOps virtio_pci_legacy_ops = {
    .read = virtio_pci_legacy_read,
    .write = virtio_pci_legacy_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

/* ---- PCI config space: the VIRTIO_PCI_CAP_PCI_CFG window (§4.1.4.7) ---- */

static bool virtio_pci_cfg_window(VirtIOPCIProxy *proxy, uint32_t addr, int len,
                                  uint32_t *off, uint32_t *wlen)
{
    uint8_t *cap = proxy->pci_dev.config + proxy->config_cap;

    if (!proxy->config_cap || addr < (uint32_t)proxy->config_cap + CAP_PCI_CFG_DATA ||
        addr + len > (uint32_t)proxy->config_cap + CAP_PCI_CFG_DATA + 4) {
        return false;
    }
    *off = pci_get_long(cap + CAP_OFFSET);
    *wlen = pci_get_long(cap + CAP_LENGTH);
    return cap[CAP_BAR] == MODERN_MEM_BAR && (*wlen == 1 || *wlen == 2 || *wlen == 4) &&
           !(*off % *wlen);
}

static void virtio_pci_write_config(PCIDevice *d, uint32_t addr, uint32_t val, int len)
{
    VirtIOPCIProxy *proxy = (VirtIOPCIProxy *)d;
    uint32_t off, wlen;

    pci_default_write_config(d, addr, val, len);
    if (virtio_pci_cfg_window(proxy, addr, len, &off, &wlen)) {
        uint32_t data = pci_get_long(d->config + proxy->config_cap + CAP_PCI_CFG_DATA);
        data &= wlen == 4 ? UINT32_MAX : (1u << (wlen * 8)) - 1;
        virtio_pci_modern_access(proxy, off, &data, wlen, true);
    }
}

static uint32_t virtio_pci_read_config(PCIDevice *d, uint32_t addr, int len)
{
    VirtIOPCIProxy *proxy = (VirtIOPCIProxy *)d;
    uint32_t off, wlen, data = 0;

    if (virtio_pci_cfg_window(proxy, addr, len, &off, &wlen) &&
        virtio_pci_modern_access(proxy, off, &data, wlen, false)) {
        pci_set_long(d->config + proxy->config_cap + CAP_PCI_CFG_DATA, data);
    }
    return pci_default_read_config(d, addr, len);
}

/* ---- plug, reset, unplug ---- */

static int virtio_pci_add_cap(VirtIOPCIProxy *proxy, uint8_t len, uint8_t type, uint8_t bar,
                              uint32_t offset, uint32_t length, Error **errp)
{
    int pos = pci_add_capability(&proxy->pci_dev, PCI_CAP_ID_VNDR, 0, len, errp);

    if (pos > 0) {
        uint8_t *c = proxy->pci_dev.config + pos;
        c[2] = len;
        c[CAP_CFG_TYPE] = type;
        c[CAP_BAR] = bar;
        pci_set_long(c + CAP_OFFSET, offset);
        pci_set_long(c + CAP_LENGTH, length);
    }
    return pos;
}

bool virtio_pci_plug(VirtIOPCIProxy *proxy, VirtIODevice *vdev, uint16_t legacy_device_id,
                     uint16_t class_code, Error **errp)
{
    PCIDevice *d = &proxy->pci_dev;
    uint8_t *config = d->config;
    uint64_t features;
    int pos;

    proxy->vdev = vdev;
    /* Conventional PCI (the only bus here): "auto" keeps the legacy interface, as QEMU 7.2. */
    proxy->legacy = proxy->disable_legacy != ON_OFF_AUTO_ON;
    proxy->modern = !proxy->disable_modern;
    if (!proxy->legacy && !proxy->modern) {
        error_setg(errp, "device cannot work as neither modern nor legacy mode is enabled");
        error_append_hint(errp, "Set either disable-modern or disable-legacy to off\n");
        return false;
    }
    if (proxy->nvectors == DEV_NVECTORS_UNSPECIFIED) {
        proxy->nvectors = virtio_get_num_queues(vdev) + 1;
    }

    virtio_set_dma_ops(vdev, &virtio_pci_dma_ops, d);
    virtio_set_transport(vdev, &virtio_pci_transport_ops, proxy);
    features = 1ULL << VIRTIO_F_NOTIFY_ON_EMPTY | 1ULL << VIRTIO_F_ANY_LAYOUT |
               1ULL << VIRTIO_RING_F_INDIRECT_DESC | 1ULL << VIRTIO_RING_F_EVENT_IDX |
               1ULL << VIRTIO_F_BAD_FEATURE;
    if (proxy->modern) {
        features |= 1ULL << VIRTIO_F_VERSION_1;
    }
    virtio_init_host_features(vdev, features);
    vdev->require_version_1 = !proxy->legacy;

    pci_config_set_vendor_id(config, PCI_VENDOR_ID_REDHAT_QUMRANET);
    pci_config_set_class(config, class_code);
    if (proxy->legacy) {
        pci_config_set_device_id(config, legacy_device_id);
        pci_config_set_revision(config, 0);
        pci_set_word(config + PCI_SUBSYSTEM_ID, vdev->device_id);
    } else {
        pci_config_set_device_id(config, PCI_DEVICE_ID_VIRTIO_10_BASE + vdev->device_id);
        pci_config_set_revision(config, 1);
    }
    pci_set_word(config + PCI_SUBSYSTEM_VENDOR_ID, PCI_SUBVENDOR_ID_REDHAT_QUMRANET);
    pci_config_set_interrupt_pin(config, 1);

    if (proxy->modern) {
        memory_region_init(&proxy->modern_bar, proxy, "virtio-pci", 4 * VIRTIO_PCI_REGION_SIZE);
        memory_region_init_io(&proxy->common, proxy, &virtio_pci_common_ops, proxy,
                              "virtio-pci-common", VIRTIO_PCI_REGION_SIZE);
        memory_region_init_io(&proxy->isr, proxy, &virtio_pci_isr_ops, proxy,
                              "virtio-pci-isr", VIRTIO_PCI_REGION_SIZE);
        memory_region_init_io(&proxy->device, proxy, &virtio_pci_device_ops, proxy,
                              "virtio-pci-device", VIRTIO_PCI_REGION_SIZE);
        memory_region_init_io(&proxy->notify, proxy, &virtio_pci_notify_ops, proxy,
                              "virtio-pci-notify", VIRTIO_PCI_REGION_SIZE);
        memory_region_add_subregion(&proxy->modern_bar, 0x0000, &proxy->common);
        memory_region_add_subregion(&proxy->modern_bar, 0x1000, &proxy->isr);
        memory_region_add_subregion(&proxy->modern_bar, 0x2000, &proxy->device);
        memory_region_add_subregion(&proxy->modern_bar, 0x3000, &proxy->notify);

        if (virtio_pci_add_cap(proxy, VIRTIO_PCI_CAP_LEN, VIRTIO_PCI_CAP_COMMON_CFG,
                               MODERN_MEM_BAR, 0x0000, VIRTIO_PCI_REGION_SIZE, errp) < 0 ||
            virtio_pci_add_cap(proxy, VIRTIO_PCI_CAP_LEN, VIRTIO_PCI_CAP_ISR_CFG,
                               MODERN_MEM_BAR, 0x1000, VIRTIO_PCI_REGION_SIZE, errp) < 0 ||
            virtio_pci_add_cap(proxy, VIRTIO_PCI_CAP_LEN, VIRTIO_PCI_CAP_DEVICE_CFG,
                               MODERN_MEM_BAR, 0x2000, VIRTIO_PCI_REGION_SIZE, errp) < 0) {
            return false;
        }
        pos = virtio_pci_add_cap(proxy, VIRTIO_PCI_NOTIFY_CAP_LEN, VIRTIO_PCI_CAP_NOTIFY_CFG,
                                 MODERN_MEM_BAR, 0x3000,
                                 VIRTIO_PCI_QUEUE_MEM_MULT * VIRTIO_QUEUE_MAX, errp);
        if (pos < 0) {
            return false;
        }
        pci_set_long(config + pos + CAP_NOTIFY_MULT, VIRTIO_PCI_QUEUE_MEM_MULT);
        pci_register_bar(d, MODERN_MEM_BAR,
                         PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_PREFETCH |
                         PCI_BASE_ADDRESS_MEM_TYPE_64, &proxy->modern_bar);

        pos = virtio_pci_add_cap(proxy, VIRTIO_PCI_CFG_CAP_LEN, VIRTIO_PCI_CAP_PCI_CFG,
                                 0, 0, 0, errp);
        if (pos < 0) {
            return false;
        }
        proxy->config_cap = pos;
        /* The driver programs bar/offset/length and moves data through the window. */
        d->wmask[pos + CAP_BAR] = 0xff;
        pci_set_long(d->wmask + pos + CAP_OFFSET, UINT32_MAX);
        pci_set_long(d->wmask + pos + CAP_LENGTH, UINT32_MAX);
        pci_set_long(d->wmask + pos + CAP_PCI_CFG_DATA, UINT32_MAX);
    }

    if (proxy->nvectors &&
        msix_init_exclusive_bar(d, proxy->nvectors, MSIX_BAR, NULL) < 0) {
        proxy->nvectors = 0;
    }
    d->config_write = virtio_pci_write_config;
    d->config_read = virtio_pci_read_config;

    if (proxy->legacy) {
        uint64_t size = VIRTIO_PCI_CONFIG_OFF(msix_present(d)) + vdev->config_len;
        size = size <= 1 ? 1 : 1ULL << (64 - __builtin_clzll(size - 1));
        memory_region_init_io(&proxy->legacy_bar, proxy, &virtio_pci_legacy_ops, proxy,
                              "virtio-pci", size);
        pci_register_bar(d, LEGACY_IO_BAR, PCI_BASE_ADDRESS_SPACE_IO, &proxy->legacy_bar);
    }
    proxy->kick_bh = qemu_bh_new(virtio_pci_kick_bh, proxy);
    return true;
}

void virtio_pci_reset(VirtIOPCIProxy *proxy)
{
    if (!proxy->vdev) {
        return;
    }
    virtio_reset(proxy->vdev);
    if (msix_present(&proxy->pci_dev)) {
        msix_unuse_all_vectors(&proxy->pci_dev);
    }
    pci_irq_deassert(&proxy->pci_dev);
    proxy->dfselect = proxy->gfselect = 0;
    proxy->guest_features[0] = proxy->guest_features[1] = 0;
    memset(proxy->kick_pending, 0, sizeof(proxy->kick_pending));
    for (int i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        memset(&proxy->vqs[i], 0, sizeof(proxy->vqs[i]));
        proxy->vqs[i].num = virtio_queue_get_num(proxy->vdev, i);
    }
}

void virtio_pci_unplug(VirtIOPCIProxy *proxy)
{
    if (proxy->kick_bh) {
        qemu_bh_delete(proxy->kick_bh);
        proxy->kick_bh = NULL;
    }
    if (msix_present(&proxy->pci_dev)) {
        msix_uninit_exclusive_bar(&proxy->pci_dev);
    }
}
