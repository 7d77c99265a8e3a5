/*
 * The raw format: guest bytes are file bytes, optionally a window of the
 * file given by offset= and size=.  Everything passes through to the
 * "file" child, FUA included when the child does it.
 */
#include <errno.h>
#include <glib.h>

#include "block/block_int.h"
#include "qemu/cutils.h"

typedef struct BDRVRawFormatState {
    uint64_t offset;
    uint64_t size;
    bool has_size;
} BDRVRawFormatState;

static const char *const raw_format_opts[] = { "offset", "size", NULL };

static int raw_open(BlockDriverState *bs, json_t *options, int flags, Error **errp)
{
    BDRVRawFormatState *s = bs->opaque;
    BlockDriverState *file = bs->file->bs;
    const char *offset = bdrv_opt_str(options, "offset");
    const char *size = bdrv_opt_str(options, "size");
    int64_t file_len = bdrv_getlength(file);

    if (offset && !parse_option_size("offset", offset, &s->offset, errp)) {
        return -EINVAL;
    }
    if (size && !parse_option_size("size", size, &s->size, errp)) {
        return -EINVAL;
    }
    s->has_size = size != NULL;
    if (file_len < 0) {
        error_setg_errno(errp, -file_len, "Could not get image size");
        return file_len;
    }
    if (s->offset > (uint64_t)file_len) {
        error_setg(errp, "Offset (%" G_GUINT64_FORMAT ") cannot be greater than size of the "
                   "containing file (%" G_GINT64_FORMAT ")", s->offset, file_len);
        return -EINVAL;
    }
    if (s->has_size && (uint64_t)file_len - s->offset < s->size) {
        error_setg(errp, "The sum of offset (%" G_GUINT64_FORMAT ") and size (%" G_GUINT64_FORMAT
                   ") has to be smaller or equal to the  actual size of the containing file (%"
                   G_GINT64_FORMAT ")", s->offset, s->size, file_len);
        return -EINVAL;
    }
    /* the block layer rounds lengths up to sectors, which would reach past the window */
    if (s->has_size && s->size % BDRV_SECTOR_SIZE) {
        error_setg(errp, "Specified size is not multiple of %llu", BDRV_SECTOR_SIZE);
        return -EINVAL;
    }
    bs->supported_write_flags = file->supported_write_flags & BDRV_REQ_FUA;
    bs->supported_zero_flags = file->supported_zero_flags &
                               (BDRV_REQ_FUA | BDRV_REQ_MAY_UNMAP | BDRV_REQ_NO_FALLBACK);
    return 0;
}

static int raw_probe(const uint8_t *buf, int buf_size, const char *filename)
{
    return 1;   /* anything is raw, but any real format wins */
}

static int64_t raw_getlength(BlockDriverState *bs)
{
    BDRVRawFormatState *s = bs->opaque;
    int64_t len;

    if (s->has_size) {
        return s->size;
    }
    len = bdrv_getlength(bs->file->bs);
    return len < 0 ? len : len - (int64_t)s->offset;
}

static int coroutine_fn raw_co_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                                      QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    BDRVRawFormatState *s = bs->opaque;

    return bdrv_co_preadv(bs->file->bs, offset + s->offset, bytes, qiov, flags);
}

static int coroutine_fn raw_co_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                                       QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    BDRVRawFormatState *s = bs->opaque;

    /*
     * A guessed raw image must not be turned into something that probes as
     * another format (a guest writing a qcow2 header to its disk would get
     * host files opened next time).  request_alignment 512 makes block 0
     * writes whole, so the check sees the complete new sector.
     */
    if (bs->probed && offset < 512 && bytes) {
        uint8_t buf[512];

        qemu_iovec_to_buf(qiov, 0, buf, sizeof(buf));
        if (bdrv_probe_all(buf, sizeof(buf), NULL) != bs->drv) {
            return -EPERM;
        }
    }
    return bdrv_co_pwritev(bs->file->bs, offset + s->offset, bytes, qiov, flags);
}

static void raw_refresh_limits(BlockDriverState *bs, Error **errp)
{
    if (bs->probed) {
        bs->bl.request_alignment = MAX(bs->bl.request_alignment, 512);
    }
}

static int coroutine_fn raw_co_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                                             int64_t bytes, BdrvRequestFlags flags)
{
    BDRVRawFormatState *s = bs->opaque;

    return bdrv_co_pwrite_zeroes(bs->file->bs, offset + s->offset, bytes, flags);
}

static int coroutine_fn raw_co_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    BDRVRawFormatState *s = bs->opaque;

    return bdrv_co_pdiscard(bs->file->bs, offset + s->offset, bytes);
}

static int coroutine_fn raw_co_block_status(BlockDriverState *bs, int64_t offset,
                                            int64_t bytes, int64_t *pnum, int64_t *map,
                                            BlockDriverState **file)
{
    BDRVRawFormatState *s = bs->opaque;

    *pnum = bytes;
    *file = bs->file->bs;
    *map = offset + s->offset;
    return BDRV_BLOCK_RAW | BDRV_BLOCK_OFFSET_VALID;
}

static int coroutine_fn raw_co_truncate(BlockDriverState *bs, int64_t offset, bool exact,
                                        PreallocMode prealloc, BdrvRequestFlags flags,
                                        Error **errp)
{
    BDRVRawFormatState *s = bs->opaque;

    if (s->has_size) {
        error_setg(errp, "Cannot resize fixed-size raw disks");
        return -ENOTSUP;
    }
    return bdrv_co_truncate(bs->file->bs, offset + s->offset, exact, prealloc, flags, errp);
}

static int raw_get_info(BlockDriverState *bs, BlockDriverInfo *bdi)
{
    return 0;
}

static const QemuOptDesc raw_create_opts[] = {
    { "size", QEMU_OPT_SIZE, "Virtual disk size" },
    { NULL },
};

static int raw_create(BlockDriver *drv, const char *filename, QemuOpts *opts, Error **errp)
{
    return bdrv_file.bdrv_create(&bdrv_file, filename, opts, errp);
}

static BlockDriver bdrv_raw = {
    .format_name = "raw",
    .instance_size = sizeof(BDRVRawFormatState),
    .is_format = true,
    .runtime_opts = raw_format_opts,
    .bdrv_probe = raw_probe,
    .bdrv_open = raw_open,
    .bdrv_refresh_limits = raw_refresh_limits,
    .bdrv_co_preadv = raw_co_preadv,
    .bdrv_co_pwritev = raw_co_pwritev,
    .bdrv_co_pwrite_zeroes = raw_co_pwrite_zeroes,
    .bdrv_co_pdiscard = raw_co_pdiscard,
    .bdrv_co_block_status = raw_co_block_status,
    .bdrv_co_truncate = raw_co_truncate,
    .bdrv_getlength = raw_getlength,
    .bdrv_get_info = raw_get_info,
    .bdrv_create = raw_create,
    .create_opts = raw_create_opts,
    .create_uses_protocol = true,
};

block_init(bdrv_raw_init)
{
    bdrv_register(&bdrv_raw);
}
