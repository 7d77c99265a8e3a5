/*
 * BlockBackend: bounds checks against the node's length, the write-cache
 * setting (WCE off: every write is FUA), and the synchronous and
 * asynchronous request forms devices and tools call.
 */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "block/block_int.h"
#include "qemu/main-loop.h"
#include "qemu/memalign.h"
#include "sysemu/block-backend.h"

struct BlockBackend {
    BlockDriverState *root;
    bool enable_write_cache;
    int refcnt;
    int in_flight;
    uint64_t perm, shared_perm;
    /* What devices see: -drive id=, the claiming device, rerror=/werror=. */
    char *name;
    void *dev;
    BlockdevOnError on_read_error, on_write_error;
    BlockAcctStats stats;
};

static BlkIOErrorHandler *io_error_handler;

static GPtrArray *all_backends;

/* Permissions reach the protocol node, whose driver turns them into locks. */
static int bdrv_apply_perm(BlockDriverState *bs, uint64_t perm, uint64_t shared, Error **errp)
{
    /* force-share (-U) on any node of the chain lets everybody in below it */
    if (bs->force_share) {
        shared = BLK_PERM_ALL;
    }
    if (bs->drv && bs->drv->bdrv_set_perm) {
        return bs->drv->bdrv_set_perm(bs, perm, shared, errp);
    }
    if (bs->file) {
        if (bs->drv && bs->drv->file_has_metadata) {
            perm |= BLK_PERM_CONSISTENT_READ;
            shared &= ~(BLK_PERM_WRITE | BLK_PERM_RESIZE);
        }
        return bdrv_apply_perm(bs->file->bs, perm, shared, errp);
    }
    return 0;
}

BlockBackend *blk_new_with_bs(BlockDriverState *bs, uint64_t perm, uint64_t shared,
                              Error **errp)
{
    BlockBackend *blk;

    if (bs->force_share) {
        shared = BLK_PERM_ALL;
    }
    if (bdrv_apply_perm(bs, perm, shared, errp) < 0) {
        return NULL;
    }
    blk = g_new0(BlockBackend, 1);
    blk->root = bs;
    blk->refcnt = 1;
    blk->enable_write_cache = true;
    blk->perm = perm;
    blk->shared_perm = shared;
    blk->on_read_error = BLOCKDEV_ON_ERROR_REPORT;
    blk->on_write_error = BLOCKDEV_ON_ERROR_ENOSPC;
    block_acct_init(&blk->stats);
    if (!all_backends) {
        all_backends = g_ptr_array_new();
    }
    g_ptr_array_add(all_backends, blk);
    return blk;
}

BlockBackend *blk_new_open(const char *filename, const char *reference, json_t *options,
                           int flags, Error **errp)
{
    uint64_t perm = BLK_PERM_CONSISTENT_READ;
    BlockDriverState *bs;
    BlockBackend *blk;

    bs = bdrv_open(filename, options, flags, errp);
    if (!bs) {
        return NULL;
    }
    if (!bs->read_only) {
        perm |= BLK_PERM_WRITE;
    }
    if (flags & BDRV_O_RESIZE) {
        perm |= BLK_PERM_RESIZE;
    }
    if (flags & BDRV_O_NO_IO) {
        perm = 0;
    }
    blk = blk_new_with_bs(bs, perm, BLK_PERM_ALL, errp);
    if (!blk) {
        bdrv_unref(bs);
    }
    return blk;
}

void blk_ref(BlockBackend *blk)
{
    blk->refcnt++;
}

void blk_unref(BlockBackend *blk)
{
    if (!blk || --blk->refcnt > 0) {
        return;
    }
    blk_drain(blk);
    if (blk->root && !blk->root->read_only) {
        bdrv_flush(blk->root);
    }
    g_ptr_array_remove(all_backends, blk);
    bdrv_unref(blk->root);
    g_free(blk->name);
    g_free(blk);
}

BlockDriverState *blk_bs(BlockBackend *blk)
{
    return blk->root;
}

bool blk_enable_write_cache(BlockBackend *blk)
{
    return blk->enable_write_cache;
}

void blk_set_enable_write_cache(BlockBackend *blk, bool wce)
{
    blk->enable_write_cache = wce;
}

bool blk_is_read_only(BlockBackend *blk)
{
    return !blk->root || blk->root->read_only;
}

bool blk_is_writable(BlockBackend *blk)
{
    return !blk_is_read_only(blk);
}

int64_t blk_getlength(BlockBackend *blk)
{
    return blk->root ? bdrv_getlength(blk->root) : -ENOMEDIUM;
}

void *blk_blockalign(BlockBackend *blk, size_t size)
{
    return qemu_blockalign(blk ? blk->root : NULL, size);
}

static int blk_check_byte_request(BlockBackend *blk, int64_t offset, int64_t bytes)
{
    int64_t len;

    if (bytes < 0 || offset < 0) {
        return -EIO;
    }
    if (!blk->root) {
        return -ENOMEDIUM;
    }
    len = bdrv_getlength(blk->root);
    if (len < 0) {
        return len;
    }
    if (offset > len || len - offset < bytes) {
        return -EIO;
    }
    return 0;
}

/* ---- coroutine forms ---- */

int coroutine_fn blk_co_preadv(BlockBackend *blk, int64_t offset, int64_t bytes,
                               QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    int ret = blk_check_byte_request(blk, offset, bytes);

    if (ret < 0) {
        return ret;
    }
    blk->in_flight++;
    ret = bdrv_co_preadv(blk->root, offset, bytes, qiov, flags);
    blk->in_flight--;
    return ret;
}

int coroutine_fn blk_co_pwritev(BlockBackend *blk, int64_t offset, int64_t bytes,
                                QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    int ret = blk_check_byte_request(blk, offset, bytes);

    if (ret < 0) {
        return ret;
    }
    if (!blk->enable_write_cache) {
        flags |= BDRV_REQ_FUA;
    }
    blk->in_flight++;
    if (flags & BDRV_REQ_ZERO_WRITE) {
        ret = bdrv_co_pwrite_zeroes(blk->root, offset, bytes, flags & ~BDRV_REQ_ZERO_WRITE);
    } else {
        ret = bdrv_co_pwritev(blk->root, offset, bytes, qiov, flags);
    }
    blk->in_flight--;
    return ret;
}

int coroutine_fn blk_co_pwrite_zeroes(BlockBackend *blk, int64_t offset, int64_t bytes,
                                      BdrvRequestFlags flags)
{
    return blk_co_pwritev(blk, offset, bytes, NULL, flags | BDRV_REQ_ZERO_WRITE);
}

int coroutine_fn blk_co_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes)
{
    int ret = blk_check_byte_request(blk, offset, bytes);

    if (ret < 0) {
        return ret;
    }
    blk->in_flight++;
    ret = bdrv_co_pdiscard(blk->root, offset, bytes);
    blk->in_flight--;
    return ret;
}

int coroutine_fn blk_co_flush(BlockBackend *blk)
{
    int ret;

    if (!blk->root) {
        return -ENOMEDIUM;
    }
    blk->in_flight++;
    ret = bdrv_co_flush(blk->root);
    blk->in_flight--;
    return ret;
}

/* ---- one request as a coroutine, for the sync and aio forms ---- */

typedef enum { BLK_READ, BLK_WRITE, BLK_DISCARD, BLK_FLUSH, BLK_COMPRESSED } BlkOp;

struct BlockAIOCB {
    BlockBackend *blk;
    BlkOp op;
    int64_t offset, bytes;
    QEMUIOVector *qiov;
    BdrvRequestFlags flags;
    BlockCompletionFunc *cb;
    void *opaque;
    int ret;
    bool done;
    bool has_returned;      /* the aio call returned: the callback may run directly */
};

static int coroutine_fn blk_co_compressed(BlockBackend *blk, int64_t offset, int64_t bytes,
                                          QEMUIOVector *qiov)
{
    BlockDriverState *bs = blk->root;
    int ret = blk_check_byte_request(blk, offset, bytes);

    if (ret < 0) {
        return ret;
    }
    if (!bs->drv->bdrv_co_pwritev_compressed) {
        return -ENOTSUP;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    blk->in_flight++;
    bs->in_flight++;
    ret = bs->drv->bdrv_co_pwritev_compressed(bs, offset, bytes, qiov);
    bs->write_gen++;
    bs->in_flight--;
    blk->in_flight--;
    return ret;
}

static void blk_aio_complete(BlockAIOCB *acb)
{
    acb->blk->in_flight--;
    if (acb->cb) {
        acb->cb(acb->opaque, acb->ret);
        g_free(acb);
    }
}

static void blk_aio_complete_bh(void *opaque)
{
    blk_aio_complete(opaque);
}

static void coroutine_fn blk_request_entry(void *opaque)
{
    BlockAIOCB *acb = opaque;
    BlockBackend *blk = acb->blk;

    switch (acb->op) {
    case BLK_READ:
        acb->ret = blk_co_preadv(blk, acb->offset, acb->bytes, acb->qiov, acb->flags);
        break;
    case BLK_WRITE:
        acb->ret = blk_co_pwritev(blk, acb->offset, acb->bytes, acb->qiov, acb->flags);
        break;
    case BLK_DISCARD:
        acb->ret = blk_co_pdiscard(blk, acb->offset, acb->bytes);
        break;
    case BLK_FLUSH:
        acb->ret = blk_co_flush(blk);
        break;
    case BLK_COMPRESSED:
        acb->ret = blk_co_compressed(blk, acb->offset, acb->bytes, acb->qiov);
        break;
    }
    acb->done = true;
    if (!acb->cb) {
        return;
    }
    /* never call back before blk_aio_*() has returned to its caller */
    if (acb->has_returned) {
        blk_aio_complete(acb);
    } else {
        aio_bh_schedule_oneshot(qemu_get_aio_context(), blk_aio_complete_bh, acb);
    }
}

static BlockAIOCB *blk_aio_start(BlockBackend *blk, BlkOp op, int64_t offset, int64_t bytes,
                                 QEMUIOVector *qiov, BdrvRequestFlags flags,
                                 BlockCompletionFunc *cb, void *opaque)
{
    BlockAIOCB *acb = g_new0(BlockAIOCB, 1);

    *acb = (BlockAIOCB) {
        .blk = blk, .op = op, .offset = offset, .bytes = bytes, .qiov = qiov,
        .flags = flags, .cb = cb, .opaque = opaque,
    };
    blk->in_flight++;
    qemu_coroutine_enter(qemu_coroutine_create(blk_request_entry, acb));
    acb->has_returned = true;
    return acb;
}

static int blk_sync(BlockBackend *blk, BlkOp op, int64_t offset, int64_t bytes,
                    QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    BlockAIOCB acb = {
        .blk = blk, .op = op, .offset = offset, .bytes = bytes, .qiov = qiov, .flags = flags,
    };

    if (qemu_in_coroutine()) {
        blk_request_entry(&acb);
        return acb.ret;
    }
    qemu_coroutine_enter(qemu_coroutine_create(blk_request_entry, &acb));
    while (!acb.done) {
        aio_poll(qemu_get_aio_context(), true);
    }
    return acb.ret;
}

int blk_pread(BlockBackend *blk, int64_t offset, int64_t bytes, void *buf,
              BdrvRequestFlags flags)
{
    QEMUIOVector qiov;

    qemu_iovec_init_buf(&qiov, buf, bytes);
    return blk_sync(blk, BLK_READ, offset, bytes, &qiov, flags);
}

int blk_pwrite(BlockBackend *blk, int64_t offset, int64_t bytes, const void *buf,
               BdrvRequestFlags flags)
{
    QEMUIOVector qiov;

    qemu_iovec_init_buf(&qiov, (void *)buf, bytes);
    return blk_sync(blk, BLK_WRITE, offset, bytes, &qiov, flags);
}

int blk_pwrite_zeroes(BlockBackend *blk, int64_t offset, int64_t bytes, BdrvRequestFlags flags)
{
    return blk_sync(blk, BLK_WRITE, offset, bytes, NULL, flags | BDRV_REQ_ZERO_WRITE);
}

int blk_pwrite_compressed(BlockBackend *blk, int64_t offset, int64_t bytes, const void *buf)
{
    QEMUIOVector qiov;

    qemu_iovec_init_buf(&qiov, (void *)buf, bytes);
    return blk_sync(blk, BLK_COMPRESSED, offset, bytes, &qiov, 0);
}

int blk_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes)
{
    return blk_sync(blk, BLK_DISCARD, offset, bytes, NULL, 0);
}

int blk_flush(BlockBackend *blk)
{
    return blk_sync(blk, BLK_FLUSH, 0, 0, NULL, 0);
}

BlockAIOCB *blk_aio_preadv(BlockBackend *blk, int64_t offset, QEMUIOVector *qiov,
                           BdrvRequestFlags flags, BlockCompletionFunc *cb, void *opaque)
{
    return blk_aio_start(blk, BLK_READ, offset, qiov->size, qiov, flags, cb, opaque);
}

BlockAIOCB *blk_aio_pwritev(BlockBackend *blk, int64_t offset, QEMUIOVector *qiov,
                            BdrvRequestFlags flags, BlockCompletionFunc *cb, void *opaque)
{
    return blk_aio_start(blk, BLK_WRITE, offset, qiov->size, qiov, flags, cb, opaque);
}

BlockAIOCB *blk_aio_pwrite_zeroes(BlockBackend *blk, int64_t offset, int64_t bytes,
                                  BdrvRequestFlags flags, BlockCompletionFunc *cb, void *opaque)
{
    return blk_aio_start(blk, BLK_WRITE, offset, bytes, NULL, flags | BDRV_REQ_ZERO_WRITE, cb,
                         opaque);
}

BlockAIOCB *blk_aio_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes,
                             BlockCompletionFunc *cb, void *opaque)
{
    return blk_aio_start(blk, BLK_DISCARD, offset, bytes, NULL, 0, cb, opaque);
}

BlockAIOCB *blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb, void *opaque)
{
    return blk_aio_start(blk, BLK_FLUSH, 0, 0, NULL, 0, cb, opaque);
}

/* ---- truncate and drain ---- */

typedef struct TruncateCo {
    BlockBackend *blk;
    int64_t offset;
    bool exact;
    PreallocMode prealloc;
    BdrvRequestFlags flags;
    Error **errp;
    int ret;
    bool done;
} TruncateCo;

static void coroutine_fn truncate_entry(void *opaque)
{
    TruncateCo *t = opaque;

    t->ret = bdrv_co_truncate(t->blk->root, t->offset, t->exact, t->prealloc, t->flags,
                              t->errp);
    t->done = true;
}

int blk_truncate(BlockBackend *blk, int64_t offset, bool exact, PreallocMode prealloc,
                 BdrvRequestFlags flags, Error **errp)
{
    TruncateCo t = { blk, offset, exact, prealloc, flags, errp, 0, false };

    if (!blk->root) {
        error_setg(errp, "No medium inserted");
        return -ENOMEDIUM;
    }
    if (qemu_in_coroutine()) {
        truncate_entry(&t);
        return t.ret;
    }
    qemu_coroutine_enter(qemu_coroutine_create(truncate_entry, &t));
    while (!t.done) {
        aio_poll(qemu_get_aio_context(), true);
    }
    return t.ret;
}

void blk_drain(BlockBackend *blk)
{
    while (blk->in_flight > 0) {
        aio_poll(qemu_get_aio_context(), true);
    }
    if (blk->root) {
        bdrv_drain(blk->root);
    }
}

void blk_drain_all(void)
{
    guint i;

    for (i = 0; all_backends && i < all_backends->len; i++) {
        blk_drain(g_ptr_array_index(all_backends, i));
    }
}

/* ---- device frontends ---- */

bool blk_set_name(BlockBackend *blk, const char *name, Error **errp)
{
    if (blk_by_name(name)) {
        error_setg(errp, "Duplicate ID '%s' for drive", name);
        return false;
    }
    if (bdrv_find_node(name)) {
        error_setg(errp, "Device name '%s' conflicts with an existing node name", name);
        return false;
    }
    g_free(blk->name);
    blk->name = g_strdup(name);
    return true;
}

BlockBackend *blk_by_name(const char *name)
{
    for (guint i = 0; name && all_backends && i < all_backends->len; i++) {
        BlockBackend *blk = g_ptr_array_index(all_backends, i);
        if (blk->name && !strcmp(blk->name, name)) {
            return blk;
        }
    }
    return NULL;
}

BlockBackend *blk_for_device(const char *name, Error **errp)
{
    BlockBackend *blk = blk_by_name(name);
    BlockDriverState *bs;

    if (blk) {
        blk_ref(blk);
        return blk;
    }
    bs = bdrv_find_node(name);
    if (!bs) {
        return NULL;
    }
    /* a -blockdev node: the device gets an anonymous BlockBackend on it, as in QEMU */
    bdrv_ref(bs);
    blk = blk_new_with_bs(bs, BLK_PERM_CONSISTENT_READ | (bs->read_only ? 0 : BLK_PERM_WRITE),
                          BLK_PERM_ALL, errp);
    if (!blk) {
        bdrv_unref(bs);
    }
    return blk;
}

const char *blk_name(const BlockBackend *blk)
{
    return blk->name ? blk->name : "";
}

int blk_attach_dev(BlockBackend *blk, void *dev)
{
    if (blk->dev) {
        return -EBUSY;
    }
    blk->dev = dev;
    return 0;
}

void blk_detach_dev(BlockBackend *blk, void *dev)
{
    if (blk->dev == dev) {
        blk->dev = NULL;
    }
}

void *blk_get_attached_dev(BlockBackend *blk)
{
    return blk->dev;
}

bool blk_is_inserted(BlockBackend *blk)
{
    return blk->root != NULL;
}

void blk_get_geometry(BlockBackend *blk, uint64_t *nb_sectors_ptr)
{
    int64_t len = blk_getlength(blk);

    *nb_sectors_ptr = len < 0 ? 0 : (uint64_t)len >> BDRV_SECTOR_BITS;
}

void blk_set_on_error(BlockBackend *blk, BlockdevOnError on_read_error,
                      BlockdevOnError on_write_error)
{
    blk->on_read_error = on_read_error;
    blk->on_write_error = on_write_error;
}

BlockdevOnError blk_get_on_error(BlockBackend *blk, bool is_read)
{
    return is_read ? blk->on_read_error : blk->on_write_error;
}

BlockErrorAction blk_get_error_action(BlockBackend *blk, bool is_read, int error)
{
    switch (blk_get_on_error(blk, is_read)) {
    case BLOCKDEV_ON_ERROR_ENOSPC:
        return error == ENOSPC ? BLOCK_ERROR_ACTION_STOP : BLOCK_ERROR_ACTION_REPORT;
    case BLOCKDEV_ON_ERROR_STOP:
        return BLOCK_ERROR_ACTION_STOP;
    case BLOCKDEV_ON_ERROR_IGNORE:
        return BLOCK_ERROR_ACTION_IGNORE;
    default:
        return BLOCK_ERROR_ACTION_REPORT;
    }
}

void blk_set_io_error_handler(BlkIOErrorHandler *fn)
{
    io_error_handler = fn;
}

void blk_error_action(BlockBackend *blk, BlockErrorAction action, bool is_read, int error)
{
    if (io_error_handler) {
        io_error_handler(blk, action, is_read, error);
    }
}

BlockBackend *blk_next(BlockBackend *blk)
{
    bool found = blk == NULL;

    for (guint i = 0; all_backends && i < all_backends->len; i++) {
        BlockBackend *b = g_ptr_array_index(all_backends, i);
        /* the monitor's (named) ones and the anonymous ones devices use (-blockdev) */
        if (found && (b->name || b->dev)) {
            return b;
        }
        found |= b == blk;
    }
    return NULL;
}

BlockAcctStats *blk_get_stats(BlockBackend *blk)
{
    return &blk->stats;
}
