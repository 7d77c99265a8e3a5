/*
 * The request path every node shares: bounds, O_DIRECT alignment (padding
 * with read-modify-write, overlapping requests serialised), FUA (passed to
 * drivers that do it, else emulated with a flush), flush skipping, discard
 * policy, zero writes with a fallback, and block status.
 */
#include <errno.h>
#include <string.h>
#include <glib.h>

#include "block/block_int.h"
#include "qemu/main-loop.h"
#include "qemu/memalign.h"

#define MAX_ZERO_BOUNCE (16 << 20)

/* ---- tracked requests ---- */

static bool overlaps(BdrvTrackedRequest *a, BdrvTrackedRequest *b)
{
    return a->overlap_offset < b->overlap_offset + b->overlap_bytes &&
           b->overlap_offset < a->overlap_offset + a->overlap_bytes;
}

/*
 * Register a request over [offset, offset+bytes) widened to @align, then
 * wait for earlier overlapping requests when either side serialises (a
 * read-modify-write must not interleave with anything touching its blocks).
 */
static void coroutine_fn tracked_request_begin(BlockDriverState *bs, BdrvTrackedRequest *req,
                                               int64_t offset, int64_t bytes, uint32_t align,
                                               bool serialising)
{
    bool waited;

    req->overlap_offset = offset / align * align;
    req->overlap_bytes = ((offset + bytes + align - 1) / align * align) - req->overlap_offset;
    req->serialising = serialising;
    qemu_co_queue_init(&req->wait_queue);
    req->next = bs->tracked_requests;
    req->pprev = &bs->tracked_requests;
    if (req->next) {
        req->next->pprev = &req->next;
    }
    bs->tracked_requests = req;
    bs->serialising_in_flight += serialising;

    /* plain requests only wait for serialising ones, usually none */
    if (!bs->serialising_in_flight) {
        return;
    }
    do {
        BdrvTrackedRequest *other;

        waited = false;
        for (other = req->next; other; other = other->next) {
            if ((serialising || other->serialising) && overlaps(req, other)) {
                qemu_co_queue_wait(&other->wait_queue);
                waited = true;
                break;
            }
        }
    } while (waited);
}

static void tracked_request_end(BlockDriverState *bs, BdrvTrackedRequest *req)
{
    *req->pprev = req->next;
    if (req->next) {
        req->next->pprev = req->pprev;
    }
    bs->serialising_in_flight -= req->serialising;
    qemu_co_queue_restart_all(&req->wait_queue);
}

/* ---- reads ---- */

int coroutine_fn bdrv_co_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                                QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    uint32_t align = bs->bl.request_alignment;
    BdrvTrackedRequest req;
    int ret;

    if (!bs->drv) {
        return -ENOMEDIUM;
    }
    if (offset < 0 || bytes < 0 || bytes > BDRV_REQUEST_MAX_BYTES) {
        return -EIO;
    }
    bs->in_flight++;
    if (align > 1) {
        tracked_request_begin(bs, &req, offset, bytes, align, false);
    }
    if (align > 1 && (offset % align || bytes % align)) {
        int64_t a_off = offset / align * align;
        int64_t a_len = ((offset + bytes + align - 1) / align * align) - a_off;
        uint8_t *bounce = qemu_try_blockalign(bs, a_len);
        QEMUIOVector bq;

        if (!bounce) {
            ret = -ENOMEM;
            goto out;
        }
        qemu_iovec_init_buf(&bq, bounce, a_len);
        ret = bs->drv->bdrv_co_preadv(bs, a_off, a_len, &bq, flags);
        if (ret >= 0) {
            qemu_iovec_from_buf(qiov, 0, bounce + (offset - a_off), bytes);
        }
        qemu_vfree(bounce);
    } else {
        ret = bs->drv->bdrv_co_preadv(bs, offset, bytes, qiov, flags);
    }
out:
    if (align > 1) {
        tracked_request_end(bs, &req);
    }
    bs->in_flight--;
    return ret < 0 ? ret : 0;
}

/* ---- writes ---- */

/*
 * Unaligned write under O_DIRECT: read the partial head and tail blocks,
 * lay the caller's bytes over them and write whole blocks in one go.
 */
static int coroutine_fn write_padded(BlockDriverState *bs, int64_t offset, int64_t bytes,
                                     QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    uint32_t align = bs->bl.request_alignment;
    int64_t a_off = offset / align * align;
    int64_t a_end = (offset + bytes + align - 1) / align * align;
    int64_t a_len = a_end - a_off;
    uint8_t *bounce = qemu_try_blockalign(bs, a_len);
    QEMUIOVector bq;
    int ret = 0;

    if (!bounce) {
        return -ENOMEM;
    }
    bool head = offset != a_off, tail = (offset + bytes) % align != 0;

    if (head) {
        qemu_iovec_init_buf(&bq, bounce, align);
        ret = bs->drv->bdrv_co_preadv(bs, a_off, align, &bq, 0);
    }
    /* a request inside one block already has its tail from the head read */
    if (ret >= 0 && tail && !(head && a_len == align)) {
        qemu_iovec_init_buf(&bq, bounce + a_len - align, align);
        ret = bs->drv->bdrv_co_preadv(bs, a_end - align, align, &bq, 0);
    }
    if (ret >= 0) {
        qemu_iovec_to_buf(qiov, 0, bounce + (offset - a_off), bytes);
        qemu_iovec_init_buf(&bq, bounce, a_len);
        ret = bs->drv->bdrv_co_pwritev(bs, a_off, a_len, &bq, flags);
    }
    qemu_vfree(bounce);
    return ret;
}

/*
 * FUA the driver cannot do becomes a flush after the write; with
 * cache.no-flush nothing is made stable, so FUA is dropped.
 */
static BdrvRequestFlags fua_policy(BlockDriverState *bs, BdrvRequestFlags flags,
                                   unsigned supported, bool *emulate_fua)
{
    *emulate_fua = false;
    if (!(flags & BDRV_REQ_FUA)) {
        return flags;
    }
    if (bs->open_flags & BDRV_O_NO_FLUSH) {
        return flags & ~BDRV_REQ_FUA;
    }
    if (!(supported & BDRV_REQ_FUA)) {
        *emulate_fua = true;
        return flags & ~BDRV_REQ_FUA;
    }
    return flags;
}

int coroutine_fn bdrv_co_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                                 QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    uint32_t align = bs->bl.request_alignment;
    bool unaligned = align > 1 && (offset % align || bytes % align);
    BdrvTrackedRequest req;
    bool emulate_fua;
    int ret;

    if (!bs->drv) {
        return -ENOMEDIUM;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    if (offset < 0 || bytes < 0 || bytes > BDRV_REQUEST_MAX_BYTES) {
        return -EIO;
    }
    /* detect-zeroes: a buffer of zeroes becomes a zero write (that may unmap) */
    if (bs->detect_zeroes && !(flags & (BDRV_REQ_ZERO_WRITE | BDRV_REQ_WRITE_COMPRESSED)) &&
        qemu_iovec_is_zero(qiov, 0, bytes)) {
        if (bs->detect_zeroes == BLOCKDEV_DETECT_ZEROES_OPTIONS_UNMAP) {
            flags |= BDRV_REQ_MAY_UNMAP;
        }
        return bdrv_co_pwrite_zeroes(bs, offset, bytes, flags);
    }
    flags &= ~BDRV_REQ_ZERO_WRITE;
    flags = fua_policy(bs, flags, bs->supported_write_flags, &emulate_fua);
    bs->in_flight++;
    if (align > 1) {
        tracked_request_begin(bs, &req, offset, bytes, align, unaligned);
    }
    if (unaligned) {
        ret = write_padded(bs, offset, bytes, qiov, flags);
    } else {
        ret = bs->drv->bdrv_co_pwritev(bs, offset, bytes, qiov, flags);
    }
    /* a write the driver made stable itself leaves nothing for the next flush */
    if (!(flags & BDRV_REQ_FUA)) {
        bs->write_gen++;
    }
    if (align > 1) {
        tracked_request_end(bs, &req);
    }
    if (ret >= 0 && emulate_fua) {
        ret = bdrv_co_flush(bs);
    }
    bs->in_flight--;
    return ret < 0 ? ret : 0;
}

int coroutine_fn bdrv_co_pwrite_zeroes(BlockDriverState *bs, int64_t offset, int64_t bytes,
                                       BdrvRequestFlags flags)
{
    bool emulate_fua;
    int ret = -ENOTSUP;

    if (!bs->drv) {
        return -ENOMEDIUM;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    if (offset < 0 || bytes < 0) {
        return -EIO;
    }
    flags = fua_policy(bs, flags, bs->supported_zero_flags, &emulate_fua);
    bs->in_flight++;
    if (bs->drv->bdrv_co_pwrite_zeroes) {
        ret = bs->drv->bdrv_co_pwrite_zeroes(bs, offset, bytes, flags);
        bs->write_gen++;
    }
    if (ret == -ENOTSUP && !(flags & BDRV_REQ_NO_FALLBACK)) {
        int64_t chunk = MIN(bytes, MAX_ZERO_BOUNCE);
        uint8_t *buf = qemu_try_blockalign(bs, chunk ? chunk : 1);
        QEMUIOVector qiov;

        ret = buf ? 0 : -ENOMEM;
        if (buf) {
            memset(buf, 0, chunk);
        }
        while (ret >= 0 && bytes > 0) {
            int64_t n = MIN(bytes, chunk);

            qemu_iovec_init_buf(&qiov, buf, n);
            /* ZERO_WRITE: not to be detected as zeroes again */
            ret = bdrv_co_pwritev(bs, offset, n, &qiov,
                                  (flags & BDRV_REQ_FUA) | BDRV_REQ_ZERO_WRITE);
            offset += n;
            bytes -= n;
        }
        qemu_vfree(buf);
    }
    if (ret >= 0 && emulate_fua) {
        ret = bdrv_co_flush(bs);
    }
    bs->in_flight--;
    return ret < 0 ? ret : 0;
}

int coroutine_fn bdrv_co_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    int ret;

    if (!bs->drv) {
        return -ENOMEDIUM;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    /* discard=ignore: succeed without touching the image */
    if (!(bs->open_flags & BDRV_O_UNMAP) || !bs->drv->bdrv_co_pdiscard) {
        return 0;
    }
    bs->in_flight++;
    ret = bs->drv->bdrv_co_pdiscard(bs, offset, bytes);
    bs->write_gen++;
    bs->in_flight--;
    return ret == -ENOTSUP ? 0 : ret;
}

/* ---- flush ---- */

int coroutine_fn bdrv_co_flush(BlockDriverState *bs)
{
    uint64_t gen;
    int ret = 0;

    if (!bs->drv || bs->read_only) {
        return 0;
    }
    bs->in_flight++;
    while (bs->active_flush_req) {
        qemu_co_queue_wait(&bs->flush_queue);
    }
    bs->active_flush_req = true;
    gen = bs->write_gen;

    /* format metadata goes to the OS even with cache.no-flush */
    if (bs->drv->bdrv_co_flush_to_os) {
        ret = bs->drv->bdrv_co_flush_to_os(bs);
        if (ret < 0) {
            goto out;
        }
    }
    if (!(bs->open_flags & BDRV_O_NO_FLUSH) && bs->flushed_gen != gen &&
        bs->drv->bdrv_co_flush_to_disk) {
        ret = bs->drv->bdrv_co_flush_to_disk(bs);
        if (ret < 0) {
            goto out;
        }
    }
    if (bs->file) {
        ret = bdrv_co_flush(bs->file->bs);
    }
    if (ret >= 0 && bs->backing) {
        ret = bdrv_co_flush(bs->backing->bs);
    }
out:
    if (ret >= 0) {
        bs->flushed_gen = gen;
    }
    bs->active_flush_req = false;
    qemu_co_queue_next(&bs->flush_queue);
    bs->in_flight--;
    return ret;
}

/* ---- truncate, block status ---- */

void bdrv_invalidate_length(BlockDriverState *bs)
{
    bs->total_bytes = -1;
    if (bs->file) {
        bdrv_invalidate_length(bs->file->bs);
    }
}

int coroutine_fn bdrv_co_truncate(BlockDriverState *bs, int64_t offset, bool exact,
                                  PreallocMode prealloc, BdrvRequestFlags flags, Error **errp)
{
    int ret;

    if (!bs->drv) {
        error_setg(errp, "No medium inserted");
        return -ENOMEDIUM;
    }
    if (offset < 0) {
        error_setg(errp, "Image size cannot be negative");
        return -EINVAL;
    }
    if (bs->read_only) {
        error_setg(errp, "Image is read-only");
        return -EACCES;
    }
    if (!bs->drv->bdrv_co_truncate) {
        error_setg(errp, "Image format driver does not support resize");
        return -ENOTSUP;
    }
    bs->in_flight++;
    ret = bs->drv->bdrv_co_truncate(bs, offset, exact, prealloc, flags, errp);
    bs->write_gen++;
    bdrv_invalidate_length(bs);
    bs->in_flight--;
    return ret;
}

static int coroutine_fn block_status(BlockDriverState *bs, bool want_zero, int64_t offset,
                                     int64_t bytes, int64_t *pnum, int64_t *map,
                                     BlockDriverState **file);

int coroutine_fn bdrv_co_block_status(BlockDriverState *bs, int64_t offset, int64_t bytes,
                                      int64_t *pnum, int64_t *map, BlockDriverState **file)
{
    return block_status(bs, false, offset, bytes, pnum, map, file);
}

int coroutine_fn bdrv_co_block_status_want_zero(BlockDriverState *bs, int64_t offset,
                                                int64_t bytes, int64_t *pnum, int64_t *map,
                                                BlockDriverState **file)
{
    return block_status(bs, true, offset, bytes, pnum, map, file);
}

static int coroutine_fn block_status(BlockDriverState *bs, bool want_zero, int64_t offset,
                                     int64_t bytes, int64_t *pnum, int64_t *map,
                                     BlockDriverState **file)
{
    int64_t len = bdrv_getlength(bs);
    int64_t local_map = 0;
    BlockDriverState *local_file = NULL;
    int ret;

    *pnum = 0;
    if (len < 0) {
        return len;
    }
    if (offset >= len) {
        return BDRV_BLOCK_EOF;
    }
    bytes = MIN(bytes, len - offset);
    if (!bs->drv->bdrv_co_block_status) {
        *pnum = bytes;
        ret = BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID;
        local_map = offset;
        local_file = bs;
    } else {
        ret = bs->drv->bdrv_co_block_status(bs, offset, bytes, pnum, &local_map, &local_file);
        if (ret < 0) {
            return ret;
        }
    }
    if (ret & BDRV_BLOCK_RAW) {
        /* the answer lives in the node the data maps to */
        int64_t n = *pnum;

        ret = block_status(local_file, want_zero, local_map, n, pnum, &local_map,
                           &local_file);
        if (ret < 0) {
            return ret;
        }
        ret |= BDRV_BLOCK_ALLOCATED;
    } else if (ret & (BDRV_BLOCK_DATA | BDRV_BLOCK_ZERO)) {
        ret |= BDRV_BLOCK_ALLOCATED;
    } else if (bs->drv->supports_backing) {
        /* Unallocated with nothing below, or past the backing file's end: zeroes. */
        int64_t blen = bs->backing ? bdrv_getlength(bs->backing->bs) : -1;

        if (!bs->backing || (want_zero && blen >= 0 && offset >= blen)) {
            ret |= BDRV_BLOCK_ZERO;
        }
    }
    if (want_zero && (ret & BDRV_BLOCK_RECURSE) && local_file && local_file != bs &&
        (ret & BDRV_BLOCK_DATA) && !(ret & BDRV_BLOCK_ZERO) &&
        (ret & BDRV_BLOCK_OFFSET_VALID)) {
        /*
         * As QEMU: data that lies in a hole of the file (preallocated
         * metadata, or past the file's end) reads as zeroes.  Errors only
         * lose this extra precision.
         */
        int64_t fpnum = 0;
        int r2 = block_status(local_file, true, local_map, *pnum, &fpnum, NULL, NULL);

        if (r2 >= 0) {
            if ((r2 & BDRV_BLOCK_EOF) && (!fpnum || (r2 & BDRV_BLOCK_ZERO))) {
                ret |= BDRV_BLOCK_ZERO;
            } else {
                *pnum = fpnum;
                ret |= r2 & BDRV_BLOCK_ZERO;
            }
        }
    }
    ret &= ~BDRV_BLOCK_RECURSE;
    if (offset + *pnum == len) {
        ret |= BDRV_BLOCK_EOF;
    }
    if (map) {
        *map = local_map;
    }
    if (file) {
        *file = local_file;
    }
    return ret;
}

/* ---- synchronous wrappers ---- */

typedef struct NodeCo {
    BlockDriverState *bs;
    int64_t offset, bytes;
    QEMUIOVector *qiov;
    BdrvRequestFlags flags;
    int64_t *pnum;
    int ret;
    bool done;
} NodeCo;

static void run_node_co(CoroutineEntry *entry, NodeCo *c)
{
    if (qemu_in_coroutine()) {
        entry(c);
        return;
    }
    qemu_coroutine_enter(qemu_coroutine_create(entry, c));
    while (!c->done) {
        aio_poll(qemu_get_aio_context(), true);
    }
}

typedef struct CheckCo {
    NodeCo node;                /* first: run_node_co's */
    BdrvCheckResult *res;
    int fix;
} CheckCo;

static void coroutine_fn check_entry(void *opaque)
{
    CheckCo *c = opaque;

    c->node.ret = c->node.bs->drv->bdrv_co_check(c->node.bs, c->res, c->fix);
    c->node.done = true;
}

int bdrv_check(BlockDriverState *bs, BdrvCheckResult *res, int fix)
{
    CheckCo c = { .node = { .bs = bs }, .res = res, .fix = fix };

    memset(res, 0, sizeof(*res));
    if (!bs->drv || !bs->drv->bdrv_co_check) {
        return -ENOTSUP;
    }
    run_node_co(check_entry, &c.node);
    return c.node.ret;
}

static void coroutine_fn pread_entry(void *opaque)
{
    NodeCo *c = opaque;

    c->ret = bdrv_co_preadv(c->bs, c->offset, c->bytes, c->qiov, c->flags);
    c->done = true;
}

static void coroutine_fn pwrite_entry(void *opaque)
{
    NodeCo *c = opaque;

    c->ret = bdrv_co_pwritev(c->bs, c->offset, c->bytes, c->qiov, c->flags);
    c->done = true;
}

static void coroutine_fn flush_entry(void *opaque)
{
    NodeCo *c = opaque;

    c->ret = bdrv_co_flush(c->bs);
    c->done = true;
}

static void coroutine_fn is_allocated_entry(void *opaque)
{
    NodeCo *c = opaque;

    c->ret = bdrv_co_block_status(c->bs, c->offset, c->bytes, c->pnum, NULL, NULL);
    c->done = true;
}

int bdrv_pread(BlockDriverState *bs, int64_t offset, int64_t bytes, void *buf,
               BdrvRequestFlags flags)
{
    QEMUIOVector qiov;
    NodeCo c = { .bs = bs, .offset = offset, .bytes = bytes, .qiov = &qiov, .flags = flags };

    qemu_iovec_init_buf(&qiov, buf, bytes);
    run_node_co(pread_entry, &c);
    return c.ret;
}

int bdrv_pwrite(BlockDriverState *bs, int64_t offset, int64_t bytes, const void *buf,
                BdrvRequestFlags flags)
{
    QEMUIOVector qiov;
    NodeCo c = { .bs = bs, .offset = offset, .bytes = bytes, .qiov = &qiov, .flags = flags };

    qemu_iovec_init_buf(&qiov, (void *)buf, bytes);
    run_node_co(pwrite_entry, &c);
    return c.ret;
}

int bdrv_flush(BlockDriverState *bs)
{
    NodeCo c = { .bs = bs };

    run_node_co(flush_entry, &c);
    return c.ret;
}

typedef struct StatusCo {
    BlockDriverState *bs, **file;
    int64_t offset, bytes, *pnum, *map;
    int ret;
    bool done;
} StatusCo;

static void coroutine_fn status_entry(void *opaque)
{
    StatusCo *c = opaque;

    c->ret = bdrv_co_block_status_want_zero(c->bs, c->offset, c->bytes, c->pnum, c->map,
                                            c->file);
    c->done = true;
}

int bdrv_block_status(BlockDriverState *bs, int64_t offset, int64_t bytes, int64_t *pnum,
                      int64_t *map, BlockDriverState **file)
{
    StatusCo c = { .bs = bs, .offset = offset, .bytes = bytes, .pnum = pnum, .map = map,
                   .file = file };

    if (qemu_in_coroutine()) {
        status_entry(&c);
    } else {
        qemu_coroutine_enter(qemu_coroutine_create(status_entry, &c));
        while (!c.done) {
            aio_poll(qemu_get_aio_context(), true);
        }
    }
    return c.ret;
}

int bdrv_is_allocated(BlockDriverState *bs, int64_t offset, int64_t bytes, int64_t *pnum)
{
    NodeCo c = { .bs = bs, .offset = offset, .bytes = bytes, .pnum = pnum };

    run_node_co(is_allocated_entry, &c);
    if (c.ret < 0) {
        return c.ret;
    }
    return !!(c.ret & BDRV_BLOCK_ALLOCATED);
}

static bool node_busy(BlockDriverState *bs)
{
    return bs->in_flight > 0 || (bs->file && node_busy(bs->file->bs)) ||
           (bs->backing && node_busy(bs->backing->bs));
}

void bdrv_drain(BlockDriverState *bs)
{
    while (node_busy(bs)) {
        aio_poll(qemu_get_aio_context(), true);
    }
}
