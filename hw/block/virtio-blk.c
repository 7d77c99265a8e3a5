/*
 * virtio-blk: the block device model (virtio 1.x §5.2), behaving as QEMU
 * 7.2's hw/block/virtio-blk.c does towards the guest.
 *
 * Requests are parsed once, at the edge, into a VirtIOBlockReq (every
 * check on the guest's header, sizes and sector ranges happens there);
 * valid ones go to the block layer asynchronously and complete in a
 * callback.  Reads and writes that touch adjacent sectors are merged into
 * one block-layer request.
 */
#include <endian.h>
#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "hw/virtio/virtio-blk.h"
#include "qemu/error-report.h"

#define MAX_BLOCK_SIZE  (2 * 1024 * 1024)

typedef struct MultiReqBuffer {
    VirtIOBlockReq *reqs[VIRTIO_BLK_MAX_MERGE_REQS];
    unsigned int num_reqs;
    bool is_write;
} MultiReqBuffer;

static void stw_le_p(uint8_t *p, uint16_t v)
{
    v = htole16(v);
    memcpy(p, &v, 2);
}

static void stl_le_p(uint8_t *p, uint32_t v)
{
    v = htole32(v);
    memcpy(p, &v, 4);
}

static void stq_le_p(uint8_t *p, uint64_t v)
{
    v = htole64(v);
    memcpy(p, &v, 8);
}

/* Every realized device, for restarting held requests when the VM resumes. */
static GSList *all_devices;

static VirtIOBlock *to_blk(VirtIODevice *vdev)
{
    return (VirtIOBlock *)vdev;
}

/* ---- completion ---- */

static void virtio_blk_free_request(VirtIOBlockReq *req)
{
    if (req->qiov.nalloc != -1) {
        qemu_iovec_destroy(&req->qiov);
    }
    g_free(req->iov_copy);
    g_free(req);
}

static void virtio_blk_req_complete(VirtIOBlockReq *req, uint8_t status)
{
    VirtIODevice *vdev = &req->dev->parent_obj;

    *req->in = status;
    virtqueue_push(req->vq, &req->elem, req->in_len);
    virtio_notify(vdev, req->vq);
}

/*
 * rerror/werror: true if the policy took the request (held back for a
 * retry, or failed with IOERR); false means "ignore": complete it as OK.
 */
static bool virtio_blk_handle_rw_error(VirtIOBlockReq *req, int error, bool is_read)
{
    VirtIOBlock *s = req->dev;
    BlockErrorAction action = blk_get_error_action(s->blk, is_read, error);

    if (action == BLOCK_ERROR_ACTION_STOP) {
        req->mr_next = NULL;
        req->next = s->rq;
        s->rq = req;
    } else if (action == BLOCK_ERROR_ACTION_REPORT) {
        virtio_blk_req_complete(req, VIRTIO_BLK_S_IOERR);
        block_acct_failed(blk_get_stats(s->blk), &req->acct);
        virtio_blk_free_request(req);
    }
    blk_error_action(s->blk, action, is_read, error);
    return action != BLOCK_ERROR_ACTION_IGNORE;
}

static void virtio_blk_rw_complete(void *opaque, int ret)
{
    VirtIOBlockReq *next = opaque;

    while (next) {
        VirtIOBlockReq *req = next;
        next = req->mr_next;
        req->dev->in_flight--;
        if (ret && virtio_blk_handle_rw_error(req, -ret, !(req->type & VIRTIO_BLK_T_OUT))) {
            continue;
        }
        block_acct_done(blk_get_stats(req->dev->blk), &req->acct);
        virtio_blk_req_complete(req, VIRTIO_BLK_S_OK);
        virtio_blk_free_request(req);
    }
}

static void virtio_blk_flush_complete(void *opaque, int ret)
{
    VirtIOBlockReq *req = opaque;

    req->dev->in_flight--;
    if (ret && virtio_blk_handle_rw_error(req, -ret, false)) {
        return;
    }
    block_acct_done(blk_get_stats(req->dev->blk), &req->acct);
    virtio_blk_req_complete(req, VIRTIO_BLK_S_OK);
    virtio_blk_free_request(req);
}

/* ---- submission and merging ---- */

static void virtio_blk_submit(VirtIOBlock *s, MultiReqBuffer *mrb, unsigned start,
                              unsigned num, int niov)
{
    VirtIOBlockReq *head = mrb->reqs[start];
    QEMUIOVector *qiov = &head->qiov;
    int64_t offset = head->sector_num << BDRV_SECTOR_BITS;

    if (num > 1) {
        /* One vector for the whole run; the head owns it, the rest ride along. */
        QEMUIOVector merged;
        qemu_iovec_init(&merged, niov);
        for (unsigned i = start; i < start + num; i++) {
            qemu_iovec_concat(&merged, &mrb->reqs[i]->qiov, 0, mrb->reqs[i]->qiov.size);
            mrb->reqs[i]->mr_next = i + 1 < start + num ? mrb->reqs[i + 1] : NULL;
        }
        *qiov = merged;
        block_acct_merge_done(blk_get_stats(s->blk),
                              mrb->is_write ? BLOCK_ACCT_WRITE : BLOCK_ACCT_READ, num - 1);
    } else {
        head->mr_next = NULL;
    }
    s->in_flight += num;
    if (mrb->is_write) {
        block_acct_write_end(blk_get_stats(s->blk), offset + qiov->size);
        blk_aio_pwritev(s->blk, offset, qiov, 0, virtio_blk_rw_complete, head);
    } else {
        blk_aio_preadv(s->blk, offset, qiov, 0, virtio_blk_rw_complete, head);
    }
}

static int multireq_compare(const void *a, const void *b)
{
    const VirtIOBlockReq *ra = *(VirtIOBlockReq *const *)a;
    const VirtIOBlockReq *rb = *(VirtIOBlockReq *const *)b;

    return ra->sector_num < rb->sector_num ? -1 : ra->sector_num > rb->sector_num;
}

static void virtio_blk_submit_multireq(VirtIOBlock *s, MultiReqBuffer *mrb)
{
    unsigned start = 0, num = 0;
    int niov = 0;
    int64_t sector_num = 0;
    size_t nb_bytes = 0;

    if (mrb->num_reqs == 0) {
        return;
    }
    if (mrb->num_reqs > 1) {
        qsort(mrb->reqs, mrb->num_reqs, sizeof(mrb->reqs[0]), multireq_compare);
    }
    for (unsigned i = 0; i < mrb->num_reqs; i++) {
        VirtIOBlockReq *req = mrb->reqs[i];
        if (num > 0) {
            bool merge = sector_num + (int64_t)(nb_bytes >> BDRV_SECTOR_BITS) == req->sector_num &&
                         niov + req->qiov.niov <= VIRTQUEUE_MAX_SIZE &&
                         nb_bytes + req->qiov.size <= BDRV_REQUEST_MAX_BYTES;
            if (!merge) {
                virtio_blk_submit(s, mrb, start, num, niov);
                num = 0;
            }
        }
        if (num == 0) {
            start = i;
            sector_num = req->sector_num;
            nb_bytes = 0;
            niov = 0;
        }
        num++;
        niov += req->qiov.niov;
        nb_bytes += req->qiov.size;
    }
    virtio_blk_submit(s, mrb, start, num, niov);
    mrb->num_reqs = 0;
}

/* ---- parsing: guest buffers to a request, or a status ---- */

static bool virtio_blk_sect_range_ok(VirtIOBlock *s, uint64_t sector, size_t size)
{
    uint64_t nb_sectors = size >> BDRV_SECTOR_BITS;
    uint64_t total;

    if (nb_sectors > BDRV_REQUEST_MAX_SECTORS || (sector & s->sector_mask) ||
        size % s->conf.logical_block_size) {
        return false;
    }
    blk_get_geometry(s->blk, &total);
    return sector <= total && nb_sectors <= total - sector;
}

static uint8_t virtio_blk_discard_write_zeroes(VirtIOBlockReq *req, const uint8_t *hdr,
                                               bool is_write_zeroes)
{
    VirtIOBlock *s = req->dev;
    uint64_t sector;
    uint32_t num_sectors, flags, max;

    memcpy(&sector, hdr, 8);
    memcpy(&num_sectors, hdr + 8, 4);
    memcpy(&flags, hdr + 12, 4);
    sector = le64toh(sector);
    num_sectors = le32toh(num_sectors);
    flags = le32toh(flags);

    max = is_write_zeroes ? s->conf.max_write_zeroes_sectors : s->conf.max_discard_sectors;
    if (num_sectors > max ||
        !virtio_blk_sect_range_ok(s, sector, (size_t)num_sectors << BDRV_SECTOR_BITS)) {
        if (is_write_zeroes) {
            block_acct_invalid(blk_get_stats(s->blk), BLOCK_ACCT_WRITE);
        }
        return VIRTIO_BLK_S_IOERR;
    }
    /* §5.2.6.2: unknown flags, or UNMAP on a discard, are unsupported. */
    if (flags & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) {
        return VIRTIO_BLK_S_UNSUPP;
    }
    if (!blk_is_writable(s->blk)) {
        return VIRTIO_BLK_S_IOERR;
    }
    s->in_flight++;
    req->acct.type = BLOCK_ACCT_NONE;
    if (is_write_zeroes) {
        block_acct_start(blk_get_stats(s->blk), &req->acct,
                         (int64_t)num_sectors << BDRV_SECTOR_BITS, BLOCK_ACCT_WRITE);
        blk_aio_pwrite_zeroes(s->blk, sector << BDRV_SECTOR_BITS,
                              (int64_t)num_sectors << BDRV_SECTOR_BITS,
                              (flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) ? BDRV_REQ_MAY_UNMAP : 0,
                              virtio_blk_flush_complete, req);
    } else {
        if (flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) {
            s->in_flight--;
            return VIRTIO_BLK_S_UNSUPP;
        }
        blk_aio_pdiscard(s->blk, sector << BDRV_SECTOR_BITS,
                         (int64_t)num_sectors << BDRV_SECTOR_BITS,
                         virtio_blk_flush_complete, req);
    }
    return VIRTIO_BLK_S_OK;
}

/*
 * Parse one popped request.  Returns false if the guest broke the
 * protocol (the device is now broken and @req was not consumed).
 */
static bool virtio_blk_handle_request(VirtIOBlockReq *req, MultiReqBuffer *mrb)
{
    VirtIOBlock *s = req->dev;
    VirtIODevice *vdev = &s->parent_obj;
    VirtQueueElement *elem = &req->elem;
    unsigned out_num = elem->out_num, in_num = elem->in_num;
    struct iovec *out_iov, *in_iov;
    uint8_t outhdr[16];
    uint8_t status;

    if (out_num < 1 || in_num < 1) {
        virtio_error(vdev, "virtio-blk missing headers");
        return false;
    }
    if (iov_to_buf(elem->out_sg, out_num, 0, outhdr, sizeof(outhdr)) != sizeof(outhdr)) {
        virtio_error(vdev, "virtio-blk request outhdr too short");
        return false;
    }
    /* Work on a copy: the element's own vectors are what gets unmapped. */
    g_free(req->iov_copy);
    req->iov_copy = g_new(struct iovec, out_num + in_num);
    memcpy(req->iov_copy, elem->out_sg, out_num * sizeof(struct iovec));
    memcpy(req->iov_copy + out_num, elem->in_sg, in_num * sizeof(struct iovec));
    out_iov = req->iov_copy;
    in_iov = req->iov_copy + out_num;
    iov_discard_front(&out_iov, &out_num, sizeof(outhdr));

    req->in_len = iov_size(in_iov, in_num);
    req->in = (uint8_t *)in_iov[in_num - 1].iov_base + in_iov[in_num - 1].iov_len - 1;
    iov_discard_back(in_iov, &in_num, 1);

    memcpy(&req->type, outhdr, 4);
    req->type = le32toh(req->type);
    memcpy(&req->sector_num, outhdr + 8, 8);
    req->sector_num = le64toh(req->sector_num);
    req->mr_next = NULL;
    req->qiov.nalloc = -1;
    req->qiov.iov = NULL;
    req->qiov.niov = 0;
    req->qiov.size = 0;

    switch (req->type & ~VIRTIO_BLK_T_BARRIER) {
    case VIRTIO_BLK_T_IN:
    case VIRTIO_BLK_T_OUT: {
        bool is_write = req->type & VIRTIO_BLK_T_OUT;

        if (is_write) {
            qemu_iovec_init_external(&req->qiov, out_iov, out_num);
        } else {
            qemu_iovec_init_external(&req->qiov, in_iov, in_num);
        }
        if (!virtio_blk_sect_range_ok(s, req->sector_num, req->qiov.size) ||
            (is_write && !blk_is_writable(s->blk))) {
            block_acct_invalid(blk_get_stats(s->blk), is_write ? BLOCK_ACCT_WRITE : BLOCK_ACCT_READ);
            status = VIRTIO_BLK_S_IOERR;
            break;
        }
        block_acct_start(blk_get_stats(s->blk), &req->acct, req->qiov.size,
                         is_write ? BLOCK_ACCT_WRITE : BLOCK_ACCT_READ);
        if (req->qiov.size == 0) {
            status = VIRTIO_BLK_S_OK;
            break;
        }
        if (mrb->num_reqs > 0 && (mrb->num_reqs == VIRTIO_BLK_MAX_MERGE_REQS ||
                                  is_write != mrb->is_write || !s->conf.request_merging)) {
            virtio_blk_submit_multireq(s, mrb);
        }
        mrb->reqs[mrb->num_reqs++] = req;
        mrb->is_write = is_write;
        return true;
    }
    case VIRTIO_BLK_T_FLUSH:
        /* Writes merged so far go first: the flush must cover them. */
        virtio_blk_submit_multireq(s, mrb);
        block_acct_start(blk_get_stats(s->blk), &req->acct, 0, BLOCK_ACCT_FLUSH);
        s->in_flight++;
        blk_aio_flush(s->blk, virtio_blk_flush_complete, req);
        return true;
    case VIRTIO_BLK_T_GET_ID: {
        /* Per the serial-number convention, NUL-terminated only if shorter. */
        const char *serial = s->conf.serial ? s->conf.serial : "";
        size_t size = MIN(strlen(serial) + 1, MIN(iov_size(in_iov, in_num), VIRTIO_BLK_ID_BYTES));
        iov_from_buf(in_iov, in_num, 0, serial, size);
        status = VIRTIO_BLK_S_OK;
        break;
    }
    case VIRTIO_BLK_T_DISCARD:
    case VIRTIO_BLK_T_WRITE_ZEROES: {
        bool is_wz = (req->type & ~VIRTIO_BLK_T_BARRIER) == VIRTIO_BLK_T_WRITE_ZEROES;
        uint8_t hdr[16];

        if (!virtio_has_feature(s->host_features,
                                is_wz ? VIRTIO_BLK_F_WRITE_ZEROES : VIRTIO_BLK_F_DISCARD) ||
            !(req->type & VIRTIO_BLK_T_OUT) || iov_size(out_iov, out_num) > sizeof(hdr)) {
            /* One segment per request, as the config space says. */
            status = VIRTIO_BLK_S_UNSUPP;
            break;
        }
        if (iov_to_buf(out_iov, out_num, 0, hdr, sizeof(hdr)) != sizeof(hdr)) {
            virtio_error(vdev, "virtio-blk discard/write_zeroes header too short");
            return false;
        }
        status = virtio_blk_discard_write_zeroes(req, hdr, is_wz);
        if (status == VIRTIO_BLK_S_OK) {
            return true;
        }
        break;
    }
    default:
        status = VIRTIO_BLK_S_UNSUPP;
        break;
    }
    virtio_blk_req_complete(req, status);
    virtio_blk_free_request(req);
    return true;
}

static void virtio_blk_handle_output(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOBlock *s = to_blk(vdev);
    MultiReqBuffer mrb = { .num_reqs = 0 };
    VirtIOBlockReq *req;

    do {
        virtio_queue_set_notification(vq, 0);
        while ((req = virtqueue_pop(vq, sizeof(VirtIOBlockReq))) != NULL) {
            req->dev = s;
            req->vq = vq;
            req->qiov.nalloc = -1;
            if (!virtio_blk_handle_request(req, &mrb)) {
                virtqueue_detach_element(vq, &req->elem, 0);
                virtio_blk_free_request(req);
                break;
            }
        }
        virtio_queue_set_notification(vq, 1);
    } while (!vdev->broken && !virtio_queue_empty(vq));
    virtio_blk_submit_multireq(s, &mrb);
}

void virtio_blk_restart_all_held(void)
{
    for (GSList *l = all_devices; l; l = l->next) {
        virtio_blk_restart_held(l->data);
    }
}

void virtio_blk_restart_held(VirtIOBlock *s)
{
    VirtIOBlockReq *req = s->rq;
    MultiReqBuffer mrb = { .num_reqs = 0 };

    s->rq = NULL;
    while (req) {
        VirtIOBlockReq *next = req->next;
        req->next = NULL;
        if (req->qiov.nalloc != -1) {
            qemu_iovec_destroy(&req->qiov);
            req->qiov.nalloc = -1;
        }
        if (!virtio_blk_handle_request(req, &mrb)) {
            virtqueue_detach_element(req->vq, &req->elem, 0);
            virtio_blk_free_request(req);
        }
        req = next;
    }
    virtio_blk_submit_multireq(s, &mrb);
}

/* ---- config space, features, status ---- */

static void virtio_blk_update_config(VirtIODevice *vdev, uint8_t *config)
{
    VirtIOBlock *s = to_blk(vdev);
    uint32_t bs = s->conf.logical_block_size;
    uint8_t cfg[VIRTIO_BLK_CFG_MAX_SIZE] = { 0 };
    uint64_t capacity;

    blk_get_geometry(s->blk, &capacity);
    stq_le_p(cfg + VIRTIO_BLK_CFG_CAPACITY, capacity);
    stl_le_p(cfg + VIRTIO_BLK_CFG_SEG_MAX,
             s->conf.seg_max_adjust ? s->conf.queue_size - 2 : 128 - 2);
    stw_le_p(cfg + VIRTIO_BLK_CFG_CYLINDERS, s->conf.cyls);
    cfg[VIRTIO_BLK_CFG_HEADS] = s->conf.heads;
    cfg[VIRTIO_BLK_CFG_SECTORS] = s->conf.secs;
    stl_le_p(cfg + VIRTIO_BLK_CFG_BLK_SIZE, bs);
    cfg[VIRTIO_BLK_CFG_PHYS_BLOCK_EXP] = __builtin_ctz(s->conf.physical_block_size / bs);
    stw_le_p(cfg + VIRTIO_BLK_CFG_MIN_IO_SIZE, s->conf.min_io_size / bs);
    stl_le_p(cfg + VIRTIO_BLK_CFG_OPT_IO_SIZE, s->conf.opt_io_size / bs);
    cfg[VIRTIO_BLK_CFG_WCE] = blk_enable_write_cache(s->blk);
    stw_le_p(cfg + VIRTIO_BLK_CFG_NUM_QUEUES, s->conf.num_queues);
    if (virtio_has_feature(s->host_features, VIRTIO_BLK_F_DISCARD)) {
        stl_le_p(cfg + VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS, s->conf.max_discard_sectors);
        stl_le_p(cfg + VIRTIO_BLK_CFG_DISCARD_ALIGNMENT, bs >> BDRV_SECTOR_BITS);
        stl_le_p(cfg + VIRTIO_BLK_CFG_MAX_DISCARD_SEG, 1);
    }
    if (virtio_has_feature(s->host_features, VIRTIO_BLK_F_WRITE_ZEROES)) {
        stl_le_p(cfg + VIRTIO_BLK_CFG_MAX_WZ_SECTORS, s->conf.max_write_zeroes_sectors);
        stl_le_p(cfg + VIRTIO_BLK_CFG_MAX_WZ_SEG, 1);
        cfg[VIRTIO_BLK_CFG_WZ_MAY_UNMAP] = 1;
    }
    memcpy(config, cfg, s->config_size);
}

static void virtio_blk_set_config(VirtIODevice *vdev, const uint8_t *config)
{
    /* As QEMU: the writeback byte is the only writable field, and it goes straight to the backend. */
    blk_set_enable_write_cache(to_blk(vdev)->blk, config[VIRTIO_BLK_CFG_WCE] != 0);
}

static uint64_t virtio_blk_get_features(VirtIODevice *vdev, uint64_t features)
{
    VirtIOBlock *s = to_blk(vdev);

    features |= s->host_features;
    virtio_add_feature(&features, VIRTIO_BLK_F_SEG_MAX);
    virtio_add_feature(&features, VIRTIO_BLK_F_GEOMETRY);
    virtio_add_feature(&features, VIRTIO_BLK_F_TOPOLOGY);
    virtio_add_feature(&features, VIRTIO_BLK_F_BLK_SIZE);
    if (!virtio_has_feature(features, VIRTIO_F_VERSION_1)) {
        virtio_clear_feature(&features, VIRTIO_F_ANY_LAYOUT);
    }
    /* FLUSH is offered whenever the guest could turn the cache on. */
    if (blk_enable_write_cache(s->blk) ||
        (s->conf.x_enable_wce_if_config_wce &&
         virtio_has_feature(features, VIRTIO_BLK_F_CONFIG_WCE))) {
        virtio_add_feature(&features, VIRTIO_BLK_F_WCE);
    }
    if (!blk_is_writable(s->blk)) {
        virtio_add_feature(&features, VIRTIO_BLK_F_RO);
    }
    if (s->conf.num_queues > 1) {
        virtio_add_feature(&features, VIRTIO_BLK_F_MQ);
    }
    return features;
}

static void virtio_blk_set_status(VirtIODevice *vdev, uint8_t status)
{
    VirtIOBlock *s = to_blk(vdev);

    if (!(status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        return;
    }
    /*
     * A driver that cannot toggle the cache gets what it can live with:
     * writeback only if it can flush ("auto writethrough").  One that
     * negotiated CONFIG_WCE may already have chosen, so leave it alone.
     */
    if (!virtio_vdev_has_feature(vdev, VIRTIO_BLK_F_CONFIG_WCE)) {
        blk_set_enable_write_cache(s->blk, virtio_vdev_has_feature(vdev, VIRTIO_BLK_F_WCE));
    }
}

static void virtio_blk_reset(VirtIODevice *vdev)
{
    VirtIOBlock *s = to_blk(vdev);

    /* Requests in flight complete into the old rings before they vanish. */
    if (s->in_flight) {
        blk_drain(s->blk);
    }
    while (s->rq) {
        VirtIOBlockReq *req = s->rq;
        s->rq = req->next;
        virtqueue_detach_element(req->vq, &req->elem, 0);
        virtio_blk_free_request(req);
    }
    blk_set_enable_write_cache(s->blk, s->original_wce);
}

static const VirtioDeviceClass virtio_blk_class = {
    .get_features = virtio_blk_get_features,
    .get_config = virtio_blk_update_config,
    .set_config = virtio_blk_set_config,
    .set_status = virtio_blk_set_status,
    .reset = virtio_blk_reset,
};

/* ---- realize ---- */

static bool is_power_of_2(uint64_t v)
{
    return v && !(v & (v - 1));
}

/*
 * QEMU checks block sizes as it sets the property (set_blocksize): the
 * range first, then the power of 2.  Its message names the device by an
 * id that -device has not set yet at that point: ".logical_block_size".
 */
static bool virtio_blk_check_blocksize(const char *name, uint32_t value, Error **errp)
{
    if (value < 512 || value > MAX_BLOCK_SIZE) {
        error_setg(errp, "Property .%s doesn't take value %u (minimum: 512, maximum: %d)",
                   name, value, MAX_BLOCK_SIZE);
        return false;
    }
    if (!is_power_of_2(value)) {
        error_setg(errp, "Property .%s doesn't take value '%u', it's not a power of 2",
                   name, value);
        return false;
    }
    return true;
}

static bool virtio_blk_check_blocksizes(VirtIOBlkConf *conf, Error **errp)
{
    if (!conf->physical_block_size) {
        conf->physical_block_size = conf->logical_block_size;
    }
    if (!virtio_blk_check_blocksize("logical_block_size", conf->logical_block_size, errp) ||
        !virtio_blk_check_blocksize("physical_block_size", conf->physical_block_size, errp)) {
        return false;
    }
    if (conf->logical_block_size > conf->physical_block_size) {
        error_setg(errp, "logical_block_size > physical_block_size not supported");
        return false;
    }
    if (conf->min_io_size % conf->logical_block_size) {
        error_setg(errp, "min_io_size must be a multiple of logical_block_size");
        return false;
    }
    if (conf->min_io_size / conf->logical_block_size > UINT16_MAX) {
        error_setg(errp, "min_io_size must not exceed %u logical blocks", UINT16_MAX);
        return false;
    }
    if (conf->opt_io_size % conf->logical_block_size) {
        error_setg(errp, "opt_io_size must be a multiple of logical_block_size");
        return false;
    }
    return true;
}

static bool virtio_blk_check_geometry(VirtIOBlock *s, Error **errp)
{
    VirtIOBlkConf *conf = &s->conf;

    if (!conf->cyls && !conf->heads && !conf->secs) {
        /* The size-based guess QEMU makes for a disk without a partition table. */
        uint64_t nb;
        blk_get_geometry(s->blk, &nb);
        uint64_t cyls = nb / (16 * 63);
        conf->cyls = cyls > 16383 ? 16383 : cyls < 2 ? 2 : cyls;
        conf->heads = 16;
        conf->secs = 63;
    }
    if (conf->cyls > 65535) {
        error_setg(errp, "cyls must be between 1 and 65535");
        return false;
    }
    if (conf->heads > 255) {
        error_setg(errp, "heads must be between 1 and 255");
        return false;
    }
    if (conf->secs > 255) {
        error_setg(errp, "secs must be between 1 and 255");
        return false;
    }
    return true;
}

bool virtio_blk_device_realize(VirtIOBlock *s, Error **errp)
{
    VirtIOBlkConf *conf = &s->conf;
    size_t config_size;
    bool wce;

    if (!s->blk) {
        error_setg(errp, "drive property not set");
        return false;
    }
    if (!blk_is_inserted(s->blk)) {
        error_setg(errp, "Device needs media, but drive is empty");
        return false;
    }
    if (conf->num_queues == VIRTIO_BLK_AUTO_NUM_QUEUES) {
        conf->num_queues = 1;   /* QEMU picks one per vCPU; minivm's pc has one */
    }
    if (!conf->num_queues) {
        error_setg(errp, "num-queues property must be larger than 0");
        return false;
    }
    if (conf->num_queues > VIRTIO_QUEUE_MAX - 1) {
        error_setg(errp, "num-queues property must be at most %d", VIRTIO_QUEUE_MAX - 1);
        return false;
    }
    if (conf->queue_size <= 2) {
        error_setg(errp, "invalid queue-size property (%u), must be > 2", conf->queue_size);
        return false;
    }
    if (!is_power_of_2(conf->queue_size) || conf->queue_size > VIRTQUEUE_MAX_SIZE) {
        error_setg(errp, "invalid queue-size property (%u), must be a power of 2 (max %d)",
                   conf->queue_size, VIRTQUEUE_MAX_SIZE);
        return false;
    }
    if (!virtio_blk_check_blocksizes(conf, errp) || !virtio_blk_check_geometry(s, errp)) {
        return false;
    }
    if (conf->discard && (!conf->max_discard_sectors ||
                          conf->max_discard_sectors > BDRV_REQUEST_MAX_SECTORS)) {
        error_setg(errp, "invalid max-discard-sectors property (%u), must be between 1 and %d",
                   conf->max_discard_sectors, (int)BDRV_REQUEST_MAX_SECTORS);
        return false;
    }
    if (conf->write_zeroes && (!conf->max_write_zeroes_sectors ||
                               conf->max_write_zeroes_sectors > BDRV_REQUEST_MAX_SECTORS)) {
        error_setg(errp, "invalid max-write-zeroes-sectors property (%u), must be between 1 "
                   "and %d", conf->max_write_zeroes_sectors, (int)BDRV_REQUEST_MAX_SECTORS);
        return false;
    }

    /* write-cache=auto keeps the -drive cache mode's setting. */
    switch (conf->wce) {
    case ON_OFF_AUTO_ON:
        wce = true;
        break;
    case ON_OFF_AUTO_OFF:
        wce = false;
        break;
    default:
        wce = blk_enable_write_cache(s->blk);
        break;
    }
    blk_set_enable_write_cache(s->blk, wce);
    s->original_wce = wce;

    s->host_features = 0;
    if (conf->config_wce) {
        virtio_add_feature(&s->host_features, VIRTIO_BLK_F_CONFIG_WCE);
    }
    if (conf->discard) {
        virtio_add_feature(&s->host_features, VIRTIO_BLK_F_DISCARD);
    }
    if (conf->write_zeroes) {
        virtio_add_feature(&s->host_features, VIRTIO_BLK_F_WRITE_ZEROES);
    }
    /* Config space ends after the last field a feature guards (QEMU's sizes). */
    config_size = VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS;
    if (conf->discard) {
        config_size = VIRTIO_BLK_CFG_MAX_WZ_SECTORS;
    }
    if (conf->write_zeroes) {
        config_size = VIRTIO_BLK_CFG_WZ_MAY_UNMAP + 1;
    }
    s->config_size = config_size;
    s->sector_mask = (conf->logical_block_size / BDRV_SECTOR_SIZE) - 1;
    s->rq = NULL;
    s->in_flight = 0;

    virtio_init(&s->parent_obj, "virtio-blk", VIRTIO_ID_BLOCK, &virtio_blk_class, config_size);
    for (unsigned i = 0; i < conf->num_queues; i++) {
        virtio_add_queue(&s->parent_obj, conf->queue_size, virtio_blk_handle_output);
    }
    all_devices = g_slist_prepend(all_devices, s);
    return true;
}

void virtio_blk_device_unrealize(VirtIOBlock *s)
{
    all_devices = g_slist_remove(all_devices, s);
    virtio_blk_reset(&s->parent_obj);
    virtio_cleanup(&s->parent_obj);
}
