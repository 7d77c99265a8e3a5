/*
 * The virtio device core: negotiation, status, config space and split
 * virtqueues (virtio 1.x §2.1-§2.7, §3.1).
 *
 * Every ring access goes through the device's VirtIODMAOps and is
 * checked: the guest owns the rings and may change them under us at any
 * time, so each index read from guest memory is bounded before use and a
 * descriptor chain is walked at most once per entry of its table.
 */
#include <endian.h>
#include <glib.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "hw/virtio/virtio.h"
#include "qemu/error-report.h"

#define smp_mb()    __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb()   __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()   __atomic_thread_fence(__ATOMIC_RELEASE)

#define ALIGN_UP(n, a) (((n) + (a) - 1) / (a) * (a))

typedef struct VRingDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} VRingDesc;

/* ---- guest memory ---- */

static bool vdev_read(VirtIODevice *vdev, uint64_t addr, void *buf, uint64_t len)
{
    return vdev->dma_ops && vdev->dma_ops->read(vdev->dma_opaque, addr, buf, len) == 0;
}

static bool vdev_write(VirtIODevice *vdev, uint64_t addr, const void *buf, uint64_t len)
{
    return vdev->dma_ops && vdev->dma_ops->write(vdev->dma_opaque, addr, buf, len) == 0;
}

static bool vring_read16(VirtQueue *vq, uint64_t addr, uint16_t *val)
{
    uint16_t le;

    if (!vdev_read(vq->vdev, addr, &le, sizeof(le))) {
        virtio_error(vq->vdev, "Cannot read virtqueue %u ring at 0x%" PRIx64,
                     vq->queue_index, addr);
        return false;
    }
    *val = le16toh(le);
    return true;
}

static bool vring_write16(VirtQueue *vq, uint64_t addr, uint16_t val)
{
    uint16_t le = htole16(val);

    if (!vdev_write(vq->vdev, addr, &le, sizeof(le))) {
        virtio_error(vq->vdev, "Cannot write virtqueue %u ring at 0x%" PRIx64,
                     vq->queue_index, addr);
        return false;
    }
    return true;
}

/* Field addresses of a split ring of vq->num entries (§2.6). */
static uint64_t avail_flags_pa(VirtQueue *vq) { return vq->avail; }
static uint64_t avail_idx_pa(VirtQueue *vq) { return vq->avail + 2; }
static uint64_t avail_ring_pa(VirtQueue *vq, unsigned i) { return vq->avail + 4 + 2 * i; }
static uint64_t used_event_pa(VirtQueue *vq) { return vq->avail + 4 + 2 * vq->num; }
static uint64_t used_flags_pa(VirtQueue *vq) { return vq->used; }
static uint64_t used_idx_pa(VirtQueue *vq) { return vq->used + 2; }
static uint64_t used_ring_pa(VirtQueue *vq, unsigned i) { return vq->used + 4 + 8 * i; }
static uint64_t avail_event_pa(VirtQueue *vq) { return vq->used + 4 + 8 * vq->num; }

uint64_t virtio_queue_desc_size(unsigned int num)
{
    return (uint64_t)VRING_DESC_SIZE * num;
}

uint64_t virtio_queue_avail_size(unsigned int num)
{
    return 6 + 2 * (uint64_t)num;
}

uint64_t virtio_queue_used_size(unsigned int num)
{
    return 6 + (uint64_t)VRING_USED_ELEM_SIZE * num;
}

static bool vring_desc_read(VirtIODevice *vdev, uint64_t table, unsigned i, VRingDesc *desc)
{
    uint8_t raw[VRING_DESC_SIZE];

    if (!vdev_read(vdev, table + (uint64_t)i * VRING_DESC_SIZE, raw, sizeof(raw))) {
        virtio_error(vdev, "Cannot map descriptor ring");
        return false;
    }
    memcpy(&desc->addr, raw, 8);
    memcpy(&desc->len, raw + 8, 4);
    memcpy(&desc->flags, raw + 12, 2);
    memcpy(&desc->next, raw + 14, 2);
    desc->addr = le64toh(desc->addr);
    desc->len = le32toh(desc->len);
    desc->flags = le16toh(desc->flags);
    desc->next = le16toh(desc->next);
    return true;
}

/* ---- device lifecycle ---- */

void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    guest_error_report("%s: %s", vdev->name, msg);
    g_free(msg);

    if (vdev->broken) {
        return;
    }
    vdev->broken = true;
    if (virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1)) {
        vdev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
        virtio_notify_config(vdev);
    }
}

void virtio_init(VirtIODevice *vdev, const char *name, uint16_t device_id,
                 const VirtioDeviceClass *vdc, size_t config_size)
{
    memset(vdev, 0, sizeof(*vdev));
    vdev->name = name;
    vdev->device_id = device_id;
    vdev->vdc = vdc;
    vdev->config_len = config_size;
    vdev->config = config_size ? g_malloc0(config_size) : NULL;
    vdev->config_vector = VIRTIO_NO_VECTOR;
    vdev->vq = g_new0(VirtQueue, VIRTIO_QUEUE_MAX);
    for (int i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        vdev->vq[i].vdev = vdev;
        vdev->vq[i].queue_index = i;
        vdev->vq[i].vector = VIRTIO_NO_VECTOR;
        vdev->vq[i].notification = true;
    }
}

void virtio_cleanup(VirtIODevice *vdev)
{
    g_free(vdev->config);
    g_free(vdev->vq);
    vdev->config = NULL;
    vdev->vq = NULL;
}

void virtio_set_dma_ops(VirtIODevice *vdev, const VirtIODMAOps *ops, void *opaque)
{
    vdev->dma_ops = ops;
    vdev->dma_opaque = opaque;
}

void virtio_set_transport(VirtIODevice *vdev, const VirtIOTransportOps *ops, void *opaque)
{
    vdev->transport = ops;
    vdev->transport_opaque = opaque;
}

VirtQueue *virtio_add_queue(VirtIODevice *vdev, int queue_size, VirtIOHandleOutput handle_output)
{
    int i;

    for (i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        if (vdev->vq[i].num_default == 0) {
            break;
        }
    }
    g_assert(i < VIRTIO_QUEUE_MAX);
    g_assert(queue_size > 0 && queue_size <= VIRTQUEUE_MAX_SIZE);
    vdev->vq[i].num = vdev->vq[i].num_default = queue_size;
    vdev->vq[i].handle_output = handle_output;
    return &vdev->vq[i];
}

void virtio_del_queue(VirtIODevice *vdev, int n)
{
    g_assert(n >= 0 && n < VIRTIO_QUEUE_MAX);
    VirtQueue *vq = &vdev->vq[n];
    memset(vq, 0, sizeof(*vq));
    vq->vdev = vdev;
    vq->queue_index = n;
    vq->vector = VIRTIO_NO_VECTOR;
    vq->notification = true;
}

VirtQueue *virtio_get_queue(VirtIODevice *vdev, int n)
{
    return &vdev->vq[n];
}

int virtio_get_num_queues(VirtIODevice *vdev)
{
    int i;

    for (i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        if (vdev->vq[i].num_default == 0) {
            break;
        }
    }
    return i;
}

void virtio_init_host_features(VirtIODevice *vdev, uint64_t transport_features)
{
    uint64_t f = transport_features;

    if (vdev->vdc && vdev->vdc->get_features) {
        f = vdev->vdc->get_features(vdev, f);
    }
    vdev->host_features = f;
}

int virtio_set_features(VirtIODevice *vdev, uint64_t val)
{
    /* §2.2: features are fixed once FEATURES_OK is accepted. */
    if (vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) {
        return -1;
    }
    uint64_t bad = val & ~vdev->host_features;
    vdev->guest_features = val & vdev->host_features;
    if (vdev->vdc && vdev->vdc->set_features) {
        vdev->vdc->set_features(vdev, vdev->guest_features);
    }
    return bad ? -1 : 0;
}

int virtio_set_status(VirtIODevice *vdev, uint8_t val)
{
    if (!(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) &&
        (val & VIRTIO_CONFIG_S_FEATURES_OK)) {
        /* §4.1.2.1 / §6.1: a modern-only device needs a modern driver. */
        if (vdev->require_version_1 && !virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1)) {
            return -1;
        }
        if (vdev->vdc && vdev->vdc->validate_features &&
            vdev->vdc->validate_features(vdev) != 0) {
            return -1;
        }
    }
    if ((vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) != (val & VIRTIO_CONFIG_S_DRIVER_OK)) {
        vdev->started = val & VIRTIO_CONFIG_S_DRIVER_OK;
    }
    if (vdev->vdc && vdev->vdc->set_status) {
        vdev->vdc->set_status(vdev, val);
    }
    vdev->status = val;
    return 0;
}

void virtio_reset(VirtIODevice *vdev)
{
    if (vdev->vdc && vdev->vdc->reset) {
        vdev->vdc->reset(vdev);
    }
    vdev->status = 0;
    vdev->started = false;
    vdev->broken = false;
    vdev->guest_features = 0;
    vdev->queue_sel = 0;
    vdev->isr = 0;
    vdev->config_vector = VIRTIO_NO_VECTOR;
    for (int i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        VirtQueue *vq = &vdev->vq[i];
        vq->desc = vq->avail = vq->used = 0;
        vq->enabled = false;
        vq->last_avail_idx = vq->shadow_avail_idx = vq->used_idx = 0;
        vq->signalled_used = 0;
        vq->signalled_used_valid = false;
        vq->notification = true;
        vq->inuse = 0;
        vq->vector = VIRTIO_NO_VECTOR;
        vq->num = vq->num_default;
    }
}

/* ---- config space ---- */

uint32_t virtio_config_modern_read(VirtIODevice *vdev, uint32_t addr, unsigned size)
{
    uint8_t buf[4] = { 0 };

    if (size > 4 || addr > vdev->config_len || size > vdev->config_len - addr) {
        return UINT32_MAX;
    }
    if (vdev->vdc && vdev->vdc->get_config) {
        vdev->vdc->get_config(vdev, vdev->config);
    }
    memcpy(buf, vdev->config + addr, size);
    return buf[0] | buf[1] << 8 | buf[2] << 16 | (uint32_t)buf[3] << 24;
}

void virtio_config_modern_write(VirtIODevice *vdev, uint32_t addr, uint32_t val, unsigned size)
{
    uint8_t buf[4] = { val, val >> 8, val >> 16, val >> 24 };

    if (size > 4 || addr > vdev->config_len || size > vdev->config_len - addr) {
        return;
    }
    memcpy(vdev->config + addr, buf, size);
    if (vdev->vdc && vdev->vdc->set_config) {
        vdev->vdc->set_config(vdev, vdev->config);
    }
}

/* ---- queue setup ---- */

void virtio_queue_set_num(VirtIODevice *vdev, int n, int num)
{
    VirtQueue *vq = &vdev->vq[n];

    /*
     * A queue the device does not have stays absent; a size must be a
     * power of two (§2.6: split rings wrap at 2^16) within the maximum.
     */
    if (!vq->num_default || num <= 0 || num > (int)vq->num_default || (num & (num - 1))) {
        return;
    }
    vq->num = num;
}

int virtio_queue_get_num(VirtIODevice *vdev, int n)
{
    return vdev->vq[n].num;
}

int virtio_queue_get_max_num(VirtIODevice *vdev, int n)
{
    return vdev->vq[n].num_default;
}

void virtio_queue_set_rings(VirtIODevice *vdev, int n, uint64_t desc, uint64_t avail,
                            uint64_t used)
{
    VirtQueue *vq = &vdev->vq[n];

    vq->desc = desc;
    vq->avail = avail;
    vq->used = used;
}

void virtio_queue_set_legacy_addr(VirtIODevice *vdev, int n, uint64_t desc, unsigned align)
{
    VirtQueue *vq = &vdev->vq[n];

    vq->desc = desc;
    vq->avail = desc + virtio_queue_desc_size(vq->num);
    vq->used = (vq->avail + virtio_queue_avail_size(vq->num) + align - 1) & ~(uint64_t)(align - 1);
    vq->enabled = desc != 0;
}

void virtio_queue_set_vector(VirtIODevice *vdev, int n, uint16_t vector)
{
    vdev->vq[n].vector = vector;
}

uint16_t virtio_queue_vector(VirtIODevice *vdev, int n)
{
    return vdev->vq[n].vector;
}

void virtio_queue_enable(VirtIODevice *vdev, int n, bool enable)
{
    vdev->vq[n].enabled = enable && vdev->vq[n].num;
}

bool virtio_queue_ready(VirtQueue *vq)
{
    return vq->enabled && vq->num;
}

void virtio_queue_notify(VirtIODevice *vdev, int n)
{
    if (n < 0 || n >= VIRTIO_QUEUE_MAX) {
        return;
    }
    VirtQueue *vq = &vdev->vq[n];
    if (vdev->broken || !virtio_queue_ready(vq) || !vq->handle_output) {
        return;
    }
    vq->handle_output(vdev, vq);
}

/* ---- the device side of a split ring ---- */

/* Fetch avail->idx; false (device broken) if the guest's value is impossible. */
static bool virtqueue_fetch_avail(VirtQueue *vq, unsigned *num_heads)
{
    uint16_t idx;

    if (!vring_read16(vq, avail_idx_pa(vq), &idx)) {
        return false;
    }
    uint16_t heads = idx - vq->last_avail_idx;
    if (heads > vq->num) {
        virtio_error(vq->vdev, "Guest moved used index from %u to %u",
                     vq->last_avail_idx, idx);
        return false;
    }
    vq->shadow_avail_idx = idx;
    *num_heads = heads;
    return true;
}

bool virtio_queue_empty(VirtQueue *vq)
{
    unsigned heads;

    if (vq->vdev->broken || !virtio_queue_ready(vq)) {
        return true;
    }
    if (vq->shadow_avail_idx != vq->last_avail_idx) {
        return false;
    }
    return !virtqueue_fetch_avail(vq, &heads) || heads == 0;
}

/* Map one descriptor's buffer, maybe in several host pieces. */
static bool virtqueue_map_desc(VirtIODevice *vdev, unsigned *p_num, uint64_t *addrs,
                               struct iovec *iov, unsigned max, bool is_write,
                               uint64_t pa, uint32_t sz)
{
    unsigned num = *p_num;

    if (!sz) {
        virtio_error(vdev, "virtio: zero sized buffers are not allowed");
        return false;
    }
    while (sz) {
        uint64_t len = sz;
        void *p;

        if (num == max) {
            virtio_error(vdev, "virtio: too many write descriptors in indirect table");
            break;
        }
        p = vdev->dma_ops ? vdev->dma_ops->map(vdev->dma_opaque, pa, &len, is_write) : NULL;
        if (!p || len == 0) {
            virtio_error(vdev, "virtio: bogus descriptor or out of resources");
            break;
        }
        if (len > sz) {
            len = sz;
        }
        iov[num].iov_base = p;
        iov[num].iov_len = len;
        addrs[num] = pa;
        sz -= len;
        pa += len;
        num++;
    }
    /* On failure too: the caller unmaps what was mapped. */
    *p_num = num;
    return sz == 0;
}

static void virtqueue_unmap_sg(VirtIODevice *vdev, struct iovec *iov, unsigned num,
                               bool is_write, size_t len)
{
    if (!vdev->dma_ops || !vdev->dma_ops->unmap) {
        return;
    }
    for (unsigned i = 0; i < num; i++) {
        size_t access = 0;
        if (is_write) {
            access = MIN(len, iov[i].iov_len);
            len -= access;
        }
        vdev->dma_ops->unmap(vdev->dma_opaque, iov[i].iov_base, iov[i].iov_len,
                             is_write, access);
    }
}

static void virtqueue_unmap_element(VirtIODevice *vdev, const VirtQueueElement *elem,
                                    unsigned int len)
{
    virtqueue_unmap_sg(vdev, elem->in_sg, elem->in_num, true, len);
    virtqueue_unmap_sg(vdev, elem->out_sg, elem->out_num, false, 0);
}

static void *virtqueue_alloc_element(size_t sz, unsigned out_num, unsigned in_num)
{
    size_t in_addr_ofs = ALIGN_UP(sz, __alignof__(uint64_t));
    size_t out_addr_ofs = in_addr_ofs + in_num * sizeof(uint64_t);
    size_t out_addr_end = out_addr_ofs + out_num * sizeof(uint64_t);
    size_t in_sg_ofs = ALIGN_UP(out_addr_end, __alignof__(struct iovec));
    size_t out_sg_ofs = in_sg_ofs + in_num * sizeof(struct iovec);
    size_t out_sg_end = out_sg_ofs + out_num * sizeof(struct iovec);
    VirtQueueElement *elem;

    g_assert(sz >= sizeof(VirtQueueElement));
    elem = g_malloc0(out_sg_end);
    elem->out_num = out_num;
    elem->in_num = in_num;
    elem->in_addr = (void *)((char *)elem + in_addr_ofs);
    elem->out_addr = (void *)((char *)elem + out_addr_ofs);
    elem->in_sg = (void *)((char *)elem + in_sg_ofs);
    elem->out_sg = (void *)((char *)elem + out_sg_ofs);
    return elem;
}

void *virtqueue_pop(VirtQueue *vq, size_t sz)
{
    VirtIODevice *vdev = vq->vdev;
    uint64_t addrs[VIRTQUEUE_MAX_SIZE];
    struct iovec iov[VIRTQUEUE_MAX_SIZE];
    unsigned out_num = 0, in_num = 0, entries = 0;
    uint64_t table;
    unsigned max, i;
    uint16_t head;
    VRingDesc desc;
    VirtQueueElement *elem;

    if (virtio_queue_empty(vq)) {
        return NULL;
    }
    /* Read the ring entries only after the index that published them. */
    smp_rmb();

    if (vq->inuse >= vq->num) {
        virtio_error(vdev, "Virtqueue size exceeded");
        return NULL;
    }
    if (!vring_read16(vq, avail_ring_pa(vq, vq->last_avail_idx % vq->num), &head)) {
        return NULL;
    }
    if (head >= vq->num) {
        virtio_error(vdev, "Guest says index %u is available", head);
        return NULL;
    }
    vq->last_avail_idx++;
    if (virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX) &&
        !vring_write16(vq, avail_event_pa(vq), vq->last_avail_idx)) {
        return NULL;
    }

    table = vq->desc;
    max = vq->num;
    i = head;
    if (!vring_desc_read(vdev, table, i, &desc)) {
        return NULL;
    }
    if (desc.flags & VRING_DESC_F_INDIRECT) {
        /* §2.7.5.3: one table, of whole descriptors, replacing the chain. */
        if (!desc.len || desc.len % VRING_DESC_SIZE) {
            virtio_error(vdev, "Invalid size for indirect buffer table");
            return NULL;
        }
        table = desc.addr;
        max = desc.len / VRING_DESC_SIZE;
        i = 0;
        if (!vring_desc_read(vdev, table, i, &desc)) {
            return NULL;
        }
        if (desc.flags & VRING_DESC_F_INDIRECT) {
            virtio_error(vdev, "Nested indirect descriptor");
            return NULL;
        }
    }

    for (;;) {
        bool ok;

        if (desc.flags & VRING_DESC_F_WRITE) {
            ok = virtqueue_map_desc(vdev, &in_num, addrs + out_num, iov + out_num,
                                    VIRTQUEUE_MAX_SIZE - out_num, true, desc.addr, desc.len);
        } else if (in_num) {
            virtio_error(vdev, "Incorrect order for descriptors");
            ok = false;
        } else {
            ok = virtqueue_map_desc(vdev, &out_num, addrs, iov, VIRTQUEUE_MAX_SIZE, false,
                                    desc.addr, desc.len);
        }
        if (!ok) {
            goto err_undo_map;
        }
        /* More entries than the table holds can only be a loop. */
        if (++entries > max) {
            virtio_error(vdev, "Looped descriptor");
            goto err_undo_map;
        }
        if (!(desc.flags & VRING_DESC_F_NEXT)) {
            break;
        }
        i = desc.next;
        if (i >= max) {
            virtio_error(vdev, "Desc next is %u", i);
            goto err_undo_map;
        }
        if (!vring_desc_read(vdev, table, i, &desc)) {
            goto err_undo_map;
        }
        if (table != vq->desc && (desc.flags & VRING_DESC_F_INDIRECT)) {
            virtio_error(vdev, "Nested indirect descriptor");
            goto err_undo_map;
        }
    }

    elem = virtqueue_alloc_element(sz, out_num, in_num);
    elem->index = head;
    memcpy(elem->out_addr, addrs, out_num * sizeof(uint64_t));
    memcpy(elem->out_sg, iov, out_num * sizeof(struct iovec));
    memcpy(elem->in_addr, addrs + out_num, in_num * sizeof(uint64_t));
    memcpy(elem->in_sg, iov + out_num, in_num * sizeof(struct iovec));
    vq->inuse++;
    return elem;

err_undo_map:
    virtqueue_unmap_sg(vdev, iov, out_num, false, 0);
    virtqueue_unmap_sg(vdev, iov + out_num, in_num, true, 0);
    return NULL;
}

void virtqueue_unpop(VirtQueue *vq, const VirtQueueElement *elem, unsigned int len)
{
    vq->last_avail_idx--;
    vq->inuse--;
    virtqueue_unmap_element(vq->vdev, elem, len);
}

void virtqueue_detach_element(VirtQueue *vq, const VirtQueueElement *elem, unsigned int len)
{
    vq->inuse--;
    virtqueue_unmap_element(vq->vdev, elem, len);
}

void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem, unsigned int len,
                    unsigned int idx)
{
    uint32_t le[2] = { htole32(elem->index), htole32(len) };

    virtqueue_unmap_element(vq->vdev, elem, len);
    if (vq->vdev->broken || !vq->num) {
        return;
    }
    idx = (vq->used_idx + idx) % vq->num;
    if (!vdev_write(vq->vdev, used_ring_pa(vq, idx), le, sizeof(le))) {
        virtio_error(vq->vdev, "Cannot write virtqueue %u used ring", vq->queue_index);
    }
}

void virtqueue_flush(VirtQueue *vq, unsigned int count)
{
    uint16_t old, new;

    if (vq->vdev->broken || !vq->num) {
        vq->inuse -= MIN(count, vq->inuse);
        return;
    }
    /* The used entries must be visible before the index that publishes them. */
    smp_wmb();
    old = vq->used_idx;
    new = old + count;
    vring_write16(vq, used_idx_pa(vq), new);
    vq->used_idx = new;
    vq->inuse -= MIN(count, vq->inuse);
    if ((uint16_t)(new - vq->signalled_used) < (uint16_t)(new - old)) {
        vq->signalled_used_valid = false;
    }
}

void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem, unsigned int len)
{
    virtqueue_fill(vq, elem, len, 0);
    virtqueue_flush(vq, 1);
}

/* ---- notifications ---- */

void virtio_queue_set_notification(VirtQueue *vq, int enable)
{
    vq->notification = enable;
    if (vq->vdev->broken || !virtio_queue_ready(vq)) {
        return;
    }
    if (virtio_vdev_has_feature(vq->vdev, VIRTIO_RING_F_EVENT_IDX)) {
        uint16_t idx;
        /* §2.7.10: kick me once the driver passes the index I have seen. */
        if (enable && vring_read16(vq, avail_idx_pa(vq), &idx)) {
            vring_write16(vq, avail_event_pa(vq), idx);
        }
    } else {
        vring_write16(vq, used_flags_pa(vq), enable ? 0 : VRING_USED_F_NO_NOTIFY);
    }
    if (enable) {
        /* Our flag must be visible before we look at the ring again. */
        smp_mb();
    }
}

static bool vring_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old)
{
    return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old);
}

bool virtio_should_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    uint16_t old, new, flags, event;
    bool valid;

    if (vdev->broken || !virtio_queue_ready(vq)) {
        return false;
    }
    /* Our used->idx write must be visible before we read the driver's wishes. */
    smp_mb();
    if (virtio_vdev_has_feature(vdev, VIRTIO_F_NOTIFY_ON_EMPTY) && !vq->inuse &&
        virtio_queue_empty(vq)) {
        return true;
    }
    if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        return vring_read16(vq, avail_flags_pa(vq), &flags) &&
               !(flags & VRING_AVAIL_F_NO_INTERRUPT);
    }
    valid = vq->signalled_used_valid;
    vq->signalled_used_valid = true;
    old = vq->signalled_used;
    new = vq->signalled_used = vq->used_idx;
    if (!vring_read16(vq, used_event_pa(vq), &event)) {
        return false;
    }
    return !valid || vring_need_event(event, new, old);
}

static void virtio_notify_vector(VirtIODevice *vdev, uint16_t vector)
{
    if (vdev->transport && vdev->transport->notify) {
        vdev->transport->notify(vdev->transport_opaque, vector);
    }
}

void virtio_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    if (!virtio_should_notify(vdev, vq)) {
        return;
    }
    __atomic_fetch_or(&vdev->isr, VIRTIO_ISR_QUEUE, __ATOMIC_SEQ_CST);
    virtio_notify_vector(vdev, vq->vector);
}

void virtio_notify_config(VirtIODevice *vdev)
{
    if (!(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        return;
    }
    /* As QEMU: both bits, so an INTx-driven driver also scans its queues. */
    __atomic_fetch_or(&vdev->isr, VIRTIO_ISR_QUEUE | VIRTIO_ISR_CONFIG, __ATOMIC_SEQ_CST);
    vdev->generation++;
    virtio_notify_vector(vdev, vdev->config_vector);
}
