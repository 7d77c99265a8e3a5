/*
 * Modern virtio-pci transport and split virtqueue, polled.
 */
#include "virtio.h"

#define PCI_STATUS              0x06
#define PCI_STATUS_CAP_LIST     0x10
#define PCI_CAPABILITY_LIST     0x34
#define PCI_CAP_ID_VNDR         0x09

#define VIRTIO_PCI_CAP_COMMON_CFG   1
#define VIRTIO_PCI_CAP_NOTIFY_CFG   2
#define VIRTIO_PCI_CAP_ISR_CFG      3
#define VIRTIO_PCI_CAP_DEVICE_CFG   4

/* struct virtio_pci_common_cfg offsets */
#define VCOM_DFSELECT       0x00
#define VCOM_DF             0x04
#define VCOM_GFSELECT       0x08
#define VCOM_GF             0x0c
#define VCOM_MSIX           0x10
#define VCOM_NUMQ           0x12
#define VCOM_STATUS         0x14
#define VCOM_Q_SELECT       0x16
#define VCOM_Q_SIZE         0x18
#define VCOM_Q_MSIX         0x1a
#define VCOM_Q_ENABLE       0x1c
#define VCOM_Q_NOFF         0x1e
#define VCOM_Q_DESCLO       0x20
#define VCOM_Q_DESCHI       0x24
#define VCOM_Q_AVAILLO      0x28
#define VCOM_Q_AVAILHI      0x2c
#define VCOM_Q_USEDLO       0x30
#define VCOM_Q_USEDHI       0x34

#define VIRTIO_MSI_NO_VECTOR 0xffff

/* Polls before a request counts as lost; generous for slow interpreters. */
#define POLL_LIMIT          200000000u

static struct vring_desc vq_desc[VQ_SIZE] __attribute__((aligned(16)));
static struct vring_avail vq_avail __attribute__((aligned(2)));
static struct vring_used vq_used __attribute__((aligned(4)));

static inline void w8(volatile uint8_t *b, int off, uint8_t v)
{
    *(volatile uint8_t *)(b + off) = v;
}

static inline void w16(volatile uint8_t *b, int off, uint16_t v)
{
    *(volatile uint16_t *)(b + off) = v;
}

static inline void w32(volatile uint8_t *b, int off, uint32_t v)
{
    *(volatile uint32_t *)(b + off) = v;
}

static inline uint8_t r8(volatile uint8_t *b, int off)
{
    return *(volatile uint8_t *)(b + off);
}

static inline uint16_t r16(volatile uint8_t *b, int off)
{
    return *(volatile uint16_t *)(b + off);
}

static inline uint32_t r32(volatile uint8_t *b, int off)
{
    return *(volatile uint32_t *)(b + off);
}

const char *virtio_pci_probe(VirtioDev *d, PCIAddr a)
{
    int notify_bar = -1;

    memset(d, 0, sizeof(*d));
    d->pci = a;
    if (!(pci_read16(a, PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
        return "no capability list";
    }
    uint8_t pos = pci_read8(a, PCI_CAPABILITY_LIST) & 0xfc;
    for (int guard = 0; pos && guard < 48; guard++) {
        if (pci_read8(a, pos) == PCI_CAP_ID_VNDR) {
            uint8_t type = pci_read8(a, pos + 3);
            uint8_t bar = pci_read8(a, pos + 4);
            uint32_t off = pci_read32(a, pos + 8);
            if (bar <= 5 && type >= VIRTIO_PCI_CAP_COMMON_CFG &&
                type <= VIRTIO_PCI_CAP_DEVICE_CFG) {
                uint32_t base = pci_map_bar(a, bar);
                if (!base) {
                    return "cannot map a capability's BAR";
                }
                volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)(base + off);
                switch (type) {
                case VIRTIO_PCI_CAP_COMMON_CFG:
                    if (!d->common) {
                        d->common = p;
                    }
                    break;
                case VIRTIO_PCI_CAP_NOTIFY_CFG:
                    if (notify_bar < 0) {
                        d->notify_base = p;
                        notify_bar = bar;
                        d->notify_mult = pci_read32(a, pos + 16);
                    }
                    break;
                case VIRTIO_PCI_CAP_ISR_CFG:
                    if (!d->isr) {
                        d->isr = p;
                    }
                    break;
                case VIRTIO_PCI_CAP_DEVICE_CFG:
                    if (!d->device) {
                        d->device = p;
                    }
                    break;
                }
            }
        }
        pos = pci_read8(a, pos + 1) & 0xfc;
    }
    if (!d->common || !d->notify_base || !d->device) {
        return "missing modern virtio capabilities (common/notify/device)";
    }
    pci_enable(a);
    return NULL;
}

uint64_t virtio_device_features(VirtioDev *d)
{
    w32(d->common, VCOM_DFSELECT, 0);
    uint32_t lo = r32(d->common, VCOM_DF);
    w32(d->common, VCOM_DFSELECT, 1);
    uint32_t hi = r32(d->common, VCOM_DF);
    return (uint64_t)hi << 32 | lo;
}

const char *virtio_init(VirtioDev *d, uint64_t wanted)
{
    w8(d->common, VCOM_STATUS, 0);
    for (int i = 0; r8(d->common, VCOM_STATUS) != 0; i++) {
        if (i > 1000000) {
            return "device does not finish reset";
        }
    }
    w8(d->common, VCOM_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
    w8(d->common, VCOM_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);

    uint64_t offered = virtio_device_features(d);
    if (!((offered >> VIRTIO_F_VERSION_1) & 1)) {
        return "device does not offer VIRTIO_F_VERSION_1";
    }
    d->features = offered & (wanted | 1ull << VIRTIO_F_VERSION_1);
    w32(d->common, VCOM_GFSELECT, 0);
    w32(d->common, VCOM_GF, (uint32_t)d->features);
    w32(d->common, VCOM_GFSELECT, 1);
    w32(d->common, VCOM_GF, (uint32_t)(d->features >> 32));
    w8(d->common, VCOM_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
       VIRTIO_STATUS_FEATURES_OK);
    if (!(r8(d->common, VCOM_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
        return "device refused FEATURES_OK";
    }

    if (r16(d->common, VCOM_NUMQ) < 1) {
        return "device has no queues";
    }
    w16(d->common, VCOM_MSIX, VIRTIO_MSI_NO_VECTOR);
    w16(d->common, VCOM_Q_SELECT, 0);
    uint16_t max = r16(d->common, VCOM_Q_SIZE);
    if (max < VQ_SIZE) {
        return "queue 0 is smaller than the driver's ring";
    }
    /* Our rings are laid out for VQ_SIZE entries; tell the device. */
    w16(d->common, VCOM_Q_SIZE, VQ_SIZE);
    w16(d->common, VCOM_Q_MSIX, VIRTIO_MSI_NO_VECTOR);
    memset(vq_desc, 0, sizeof(vq_desc));
    memset(&vq_avail, 0, sizeof(vq_avail));
    memset(&vq_used, 0, sizeof(vq_used));
    d->desc = vq_desc;
    d->avail = &vq_avail;
    d->used = &vq_used;
    d->qsize = VQ_SIZE;
    d->avail_idx = 0;
    d->used_idx = 0;
    w32(d->common, VCOM_Q_DESCLO, (uint32_t)(uintptr_t)vq_desc);
    w32(d->common, VCOM_Q_DESCHI, 0);
    w32(d->common, VCOM_Q_AVAILLO, (uint32_t)(uintptr_t)&vq_avail);
    w32(d->common, VCOM_Q_AVAILHI, 0);
    w32(d->common, VCOM_Q_USEDLO, (uint32_t)(uintptr_t)&vq_used);
    w32(d->common, VCOM_Q_USEDHI, 0);
    uint16_t noff = r16(d->common, VCOM_Q_NOFF);
    d->notify = d->notify_base + (uint32_t)noff * d->notify_mult;
    w16(d->common, VCOM_Q_ENABLE, 1);
    if (r16(d->common, VCOM_Q_ENABLE) != 1) {
        return "queue_enable does not read back 1";
    }

    w8(d->common, VCOM_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
       VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
    if (r8(d->common, VCOM_STATUS) & VIRTIO_STATUS_FAILED) {
        return "device reports FAILED";
    }
    return NULL;
}

const char *virtio_submit(VirtioDev *d, const VirtioBuf *bufs, int n, uint32_t *used_len)
{
    if (n < 1 || n > d->qsize) {
        return "bad chain length";
    }
    /* One request in flight at a time, so the chain always starts at 0. */
    for (int i = 0; i < n; i++) {
        d->desc[i].addr = (uint32_t)(uintptr_t)bufs[i].addr;
        d->desc[i].len = bufs[i].len;
        d->desc[i].flags = (bufs[i].write ? VRING_DESC_F_WRITE : 0) |
                           (i + 1 < n ? VRING_DESC_F_NEXT : 0);
        d->desc[i].next = (uint16_t)(i + 1 < n ? i + 1 : 0);
    }
    d->avail->ring[d->avail_idx % d->qsize] = 0;
    barrier();
    d->avail_idx++;
    *(volatile uint16_t *)&d->avail->idx = d->avail_idx;
    barrier();
    w16(d->notify, 0, 0);

    for (uint32_t i = 0; *(volatile uint16_t *)&d->used->idx == d->used_idx; i++) {
        if (i > POLL_LIMIT) {
            return "timed out waiting for the used ring";
        }
        __asm__ volatile("pause");
    }
    barrier();
    struct vring_used_elem *e = &d->used->ring[d->used_idx % d->qsize];
    d->used_idx++;
    if (e->id != 0) {
        return "used ring returned an unknown descriptor head";
    }
    if (used_len) {
        *used_len = e->len;
    }
    if (d->isr) {
        (void)r8(d->isr, 0);    /* acknowledge INTx so the line drops */
    }
    return NULL;
}
