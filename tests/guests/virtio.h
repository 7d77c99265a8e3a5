/*
 * A polling driver for a modern (virtio 1.x) PCI device with one split
 * virtqueue, enough for the test guests.  Layouts from the virtio 1.1 spec.
 */
#ifndef TESTS_GUESTS_VIRTIO_H
#define TESTS_GUESTS_VIRTIO_H

#include "pci.h"

#define VIRTIO_F_VERSION_1          32

#define VIRTIO_STATUS_ACKNOWLEDGE   1
#define VIRTIO_STATUS_DRIVER        2
#define VIRTIO_STATUS_DRIVER_OK     4
#define VIRTIO_STATUS_FEATURES_OK   8
#define VIRTIO_STATUS_FAILED        128

#define VRING_DESC_F_NEXT           1
#define VRING_DESC_F_WRITE          2

#define VQ_SIZE                     16

struct vring_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct vring_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[VQ_SIZE];
    uint16_t used_event;
};

struct vring_used_elem {
    uint32_t id;
    uint32_t len;
};

struct vring_used {
    uint16_t flags;
    uint16_t idx;
    struct vring_used_elem ring[VQ_SIZE];
    uint16_t avail_event;
};

typedef struct VirtioDev {
    PCIAddr pci;
    volatile uint8_t *common;
    volatile uint8_t *isr;
    volatile uint8_t *device;
    volatile uint8_t *notify;       /* queue 0's doorbell once initialised */
    volatile uint8_t *notify_base;  /* from the notify capability */
    uint32_t notify_mult;           /* notify_off_multiplier */
    uint64_t features;              /* negotiated */
    uint16_t qsize;
    uint16_t avail_idx;
    uint16_t used_idx;
    struct vring_desc *desc;
    struct vring_avail *avail;
    struct vring_used *used;
} VirtioDev;

/* One buffer of a request; @write means the device writes it. */
typedef struct VirtioBuf {
    void *addr;
    uint32_t len;
    int write;
} VirtioBuf;

/*
 * Find the capabilities and map their BARs.  Returns NULL on success or a
 * reason for failure.
 */
const char *virtio_pci_probe(VirtioDev *d, PCIAddr a);
/*
 * Reset and negotiate: VERSION_1 plus whatever of @wanted the device offers.
 * Sets up queue 0 and DRIVER_OK.  NULL on success or the reason.
 */
const char *virtio_init(VirtioDev *d, uint64_t wanted);
uint64_t virtio_device_features(VirtioDev *d);
/*
 * Submit one chain and poll for its completion.  Returns NULL or a reason;
 * *used_len gets what the device reports it wrote.
 */
const char *virtio_submit(VirtioDev *d, const VirtioBuf *bufs, int n, uint32_t *used_len);

static inline int virtio_has(VirtioDev *d, int bit)
{
    return (d->features >> bit) & 1;
}

#endif
