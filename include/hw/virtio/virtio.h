/*
 * The virtio device core: feature negotiation, device status, config
 * space and split virtqueues, shared by every virtio device model
 * (virtio-blk now; virtio-scsi, virtio-net later) and every transport
 * (virtio-pci).  Virtio 1.x specification, sections 2 and 4.1.
 *
 * The core touches guest memory only through a VirtIODMAOps accessor that
 * the transport installs (guest RAM through the DMA helpers); anything the
 * guest points outside RAM is a guest error that marks the device broken
 * (NEEDS_RESET), never a host access.
 *
 * Locking: everything here runs under the big lock.
 */
#ifndef HW_VIRTIO_VIRTIO_H
#define HW_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* Device status bits (virtio 1.x §2.1). */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE     1
#define VIRTIO_CONFIG_S_DRIVER          2
#define VIRTIO_CONFIG_S_DRIVER_OK       4
#define VIRTIO_CONFIG_S_FEATURES_OK     8
#define VIRTIO_CONFIG_S_NEEDS_RESET     0x40
#define VIRTIO_CONFIG_S_FAILED          0x80

/* Transport-independent feature bits (§6). */
#define VIRTIO_F_NOTIFY_ON_EMPTY        24
#define VIRTIO_F_ANY_LAYOUT             27
#define VIRTIO_RING_F_INDIRECT_DESC     28
#define VIRTIO_RING_F_EVENT_IDX         29
#define VIRTIO_F_BAD_FEATURE            30
#define VIRTIO_F_VERSION_1              32
#define VIRTIO_F_IOMMU_PLATFORM         33

/* Offered to legacy drivers only (QEMU's VIRTIO_LEGACY_FEATURES). */
#define VIRTIO_LEGACY_FEATURES \
    ((1ULL << VIRTIO_F_BAD_FEATURE) | (1ULL << VIRTIO_F_NOTIFY_ON_EMPTY) | \
     (1ULL << VIRTIO_F_ANY_LAYOUT))

/* Split virtqueue layout (§2.6). */
#define VRING_DESC_F_NEXT               1
#define VRING_DESC_F_WRITE              2
#define VRING_DESC_F_INDIRECT           4
#define VRING_USED_F_NO_NOTIFY          1
#define VRING_AVAIL_F_NO_INTERRUPT      1

#define VRING_DESC_SIZE                 16
#define VRING_USED_ELEM_SIZE            8

/* Interrupt status register bits (ISR, §4.1.4.5). */
#define VIRTIO_ISR_QUEUE                1
#define VIRTIO_ISR_CONFIG               2

#define VIRTIO_NO_VECTOR                0xffff
#define VIRTQUEUE_MAX_SIZE              1024    /* ring entries and mapped segments */
#define VIRTIO_QUEUE_MAX                1024

/* Device IDs (§5). */
#define VIRTIO_ID_NET                   1
#define VIRTIO_ID_BLOCK                 2
#define VIRTIO_ID_SCSI                  8

typedef struct VirtIODevice VirtIODevice;
typedef struct VirtQueue VirtQueue;

/*
 * Guest memory as the device sees it.  read/write copy and fail (nonzero)
 * unless every byte is RAM; map returns a host pointer to guest RAM at
 * @addr with *len clipped to the contiguous RAM there, or NULL.
 */
typedef struct VirtIODMAOps {
    int (*read)(void *opaque, uint64_t addr, void *buf, uint64_t len);
    int (*write)(void *opaque, uint64_t addr, const void *buf, uint64_t len);
    void *(*map)(void *opaque, uint64_t addr, uint64_t *len, bool is_write);
    void (*unmap)(void *opaque, void *buf, uint64_t len, bool is_write, uint64_t access_len);
} VirtIODMAOps;

/* What the transport does for the core: deliver an interrupt for a vector. */
typedef struct VirtIOTransportOps {
    void (*notify)(void *opaque, uint16_t vector);
} VirtIOTransportOps;

/* The device model's hooks (QEMU's VirtioDeviceClass). */
typedef struct VirtioDeviceClass {
    /* Offered features given the transport's (@features); returns the set. */
    uint64_t (*get_features)(VirtIODevice *vdev, uint64_t features);
    void (*set_features)(VirtIODevice *vdev, uint64_t val);
    /* Nonzero refuses FEATURES_OK. */
    int (*validate_features)(VirtIODevice *vdev);
    void (*get_config)(VirtIODevice *vdev, uint8_t *config);
    void (*set_config)(VirtIODevice *vdev, const uint8_t *config);
    void (*set_status)(VirtIODevice *vdev, uint8_t val);
    void (*reset)(VirtIODevice *vdev);
    /* Features only a legacy driver may see. */
    uint64_t legacy_features;
} VirtioDeviceClass;

typedef void (*VirtIOHandleOutput)(VirtIODevice *vdev, VirtQueue *vq);

/*
 * A request popped from a queue: out_sg the buffers the device reads,
 * in_sg those it writes, already mapped to host memory.  Devices embed it
 * first in their own request type (virtqueue_pop's @sz).
 */
typedef struct VirtQueueElement {
    unsigned int index;         /* head descriptor, returned in the used ring */
    unsigned int out_num;
    unsigned int in_num;
    uint64_t *in_addr;
    uint64_t *out_addr;
    struct iovec *in_sg;
    struct iovec *out_sg;
} VirtQueueElement;

struct VirtQueue {
    VirtIODevice *vdev;
    uint16_t queue_index;
    unsigned int num;           /* ring size the driver uses; 0 = queue absent */
    unsigned int num_default;   /* the device's maximum */
    uint64_t desc, avail, used; /* guest-physical ring addresses */
    bool enabled;               /* modern queue_enable */
    uint16_t last_avail_idx;
    uint16_t shadow_avail_idx;
    uint16_t used_idx;
    uint16_t signalled_used;
    bool signalled_used_valid;
    bool notification;
    unsigned int inuse;
    uint16_t vector;
    VirtIOHandleOutput handle_output;
};

struct VirtIODevice {
    const char *name;
    uint16_t device_id;
    const VirtioDeviceClass *vdc;
    uint8_t status;
    uint8_t isr;
    uint16_t queue_sel;
    uint64_t host_features;
    uint64_t guest_features;
    size_t config_len;
    uint8_t *config;
    uint16_t config_vector;
    uint32_t generation;
    VirtQueue *vq;              /* VIRTIO_QUEUE_MAX entries */
    bool broken;                /* a guest error stopped the device until reset */
    bool started;               /* DRIVER_OK seen */
    /* Set by a modern-only transport: FEATURES_OK needs VERSION_1. */
    bool require_version_1;

    const VirtIODMAOps *dma_ops;
    void *dma_opaque;
    const VirtIOTransportOps *transport;
    void *transport_opaque;
};

void virtio_init(VirtIODevice *vdev, const char *name, uint16_t device_id,
                 const VirtioDeviceClass *vdc, size_t config_size);
void virtio_cleanup(VirtIODevice *vdev);
void virtio_set_dma_ops(VirtIODevice *vdev, const VirtIODMAOps *ops, void *opaque);
void virtio_set_transport(VirtIODevice *vdev, const VirtIOTransportOps *ops, void *opaque);

VirtQueue *virtio_add_queue(VirtIODevice *vdev, int queue_size, VirtIOHandleOutput handle_output);
void virtio_del_queue(VirtIODevice *vdev, int n);
VirtQueue *virtio_get_queue(VirtIODevice *vdev, int n);
int virtio_get_num_queues(VirtIODevice *vdev);

/*
 * A guest broke the protocol: log it (rate-limited), mark the device
 * broken and, for a virtio 1.x driver, set NEEDS_RESET and raise a config
 * interrupt.  Only a reset brings the device back.
 */
void virtio_error(VirtIODevice *vdev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline bool virtio_has_feature(uint64_t features, unsigned int fbit)
{
    return !!(features & (1ULL << fbit));
}
static inline bool virtio_vdev_has_feature(const VirtIODevice *vdev, unsigned int fbit)
{
    return virtio_has_feature(vdev->guest_features, fbit);
}
static inline bool virtio_host_has_feature(const VirtIODevice *vdev, unsigned int fbit)
{
    return virtio_has_feature(vdev->host_features, fbit);
}
static inline void virtio_add_feature(uint64_t *features, unsigned int fbit)
{
    *features |= 1ULL << fbit;
}
static inline void virtio_clear_feature(uint64_t *features, unsigned int fbit)
{
    *features &= ~(1ULL << fbit);
}

/* ---- negotiation, status, reset ---- */
/* Recompute host_features from the device model (call once at realize). */
void virtio_init_host_features(VirtIODevice *vdev, uint64_t transport_features);
/* Driver features; bits the device did not offer are dropped (returns -1). */
int virtio_set_features(VirtIODevice *vdev, uint64_t val);
/* Returns <0 (status unchanged) if FEATURES_OK is refused. */
int virtio_set_status(VirtIODevice *vdev, uint8_t val);
void virtio_reset(VirtIODevice *vdev);

/* ---- device configuration space (little-endian in virtio 1.x) ---- */
uint32_t virtio_config_modern_read(VirtIODevice *vdev, uint32_t addr, unsigned size);
void virtio_config_modern_write(VirtIODevice *vdev, uint32_t addr, uint32_t val, unsigned size);

/* ---- queue setup from the transport ---- */
void virtio_queue_set_num(VirtIODevice *vdev, int n, int num);
int virtio_queue_get_num(VirtIODevice *vdev, int n);
int virtio_queue_get_max_num(VirtIODevice *vdev, int n);
void virtio_queue_set_rings(VirtIODevice *vdev, int n, uint64_t desc, uint64_t avail,
                            uint64_t used);
void virtio_queue_set_vector(VirtIODevice *vdev, int n, uint16_t vector);
uint16_t virtio_queue_vector(VirtIODevice *vdev, int n);
void virtio_queue_enable(VirtIODevice *vdev, int n, bool enable);
/* The driver kicked queue @n. */
void virtio_queue_notify(VirtIODevice *vdev, int n);
/* Legacy PFN-style layout: avail after desc, used aligned to @align. */
void virtio_queue_set_legacy_addr(VirtIODevice *vdev, int n, uint64_t desc, unsigned align);
/* Bytes a split ring of @num entries needs for each part. */
uint64_t virtio_queue_desc_size(unsigned int num);
uint64_t virtio_queue_avail_size(unsigned int num);
uint64_t virtio_queue_used_size(unsigned int num);

/* ---- the device side of a virtqueue ---- */
bool virtio_queue_ready(VirtQueue *vq);
bool virtio_queue_empty(VirtQueue *vq);
/*
 * Next available request, validated and mapped, as a g_malloc'ed object of
 * @sz bytes starting with a VirtQueueElement; NULL when the queue is empty
 * or the device is broken (a bad chain breaks it).
 */
void *virtqueue_pop(VirtQueue *vq, size_t sz);
/* Give a popped element back unused (it will be popped again). */
void virtqueue_unpop(VirtQueue *vq, const VirtQueueElement *elem, unsigned int len);
/* Return @elem to the driver with @len bytes written; does not notify. */
void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem, unsigned int len);
void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem, unsigned int len,
                    unsigned int idx);
void virtqueue_flush(VirtQueue *vq, unsigned int count);
/* Drop an element without returning it (device reset / broken device). */
void virtqueue_detach_element(VirtQueue *vq, const VirtQueueElement *elem, unsigned int len);

/* Enable or suppress driver kicks (VRING_USED_F_NO_NOTIFY or avail_event). */
void virtio_queue_set_notification(VirtQueue *vq, int enable);
/* Interrupt the driver about used buffers, unless it asked not to be. */
bool virtio_should_notify(VirtIODevice *vdev, VirtQueue *vq);
void virtio_notify(VirtIODevice *vdev, VirtQueue *vq);
void virtio_notify_config(VirtIODevice *vdev);

#endif
