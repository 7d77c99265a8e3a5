/*
 * qcow2 compressed cluster data: raw deflate with a 4 KiB window
 * (windowBits -12) for compression_type zlib, a zstd stream for zstd.
 * A compressed cluster always inflates to exactly one cluster; the
 * sector-rounded input may carry trailing bytes of the next cluster.
 */
#include <errno.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "block/qcow2.h"

static int zlib_decompress(void *dest, size_t dest_size, const void *src, size_t src_size)
{
    z_stream strm = { 0 };
    int ret;

    if (inflateInit2(&strm, -12) != Z_OK) {
        return -EIO;
    }
    strm.next_in = (Bytef *)src;
    strm.avail_in = src_size;
    strm.next_out = dest;
    strm.avail_out = dest_size;
    ret = inflate(&strm, Z_FINISH);
    /* Z_BUF_ERROR with a full output buffer: the stream simply goes on past the cluster. */
    if ((ret == Z_STREAM_END || ret == Z_BUF_ERROR) && strm.avail_out == 0) {
        ret = 0;
    } else {
        ret = -EIO;
    }
    inflateEnd(&strm);
    return ret;
}

static int zstd_decompress(void *dest, size_t dest_size, const void *src, size_t src_size)
{
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    ZSTD_outBuffer out = { dest, dest_size, 0 };
    ZSTD_inBuffer in = { src, src_size, 0 };
    int ret = 0;

    if (!dctx) {
        return -EIO;
    }
    while (out.pos < out.size) {
        size_t last_in = in.pos, last_out = out.pos;
        size_t r = ZSTD_decompressStream(dctx, &out, &in);

        if (ZSTD_isError(r) || (in.pos == last_in && out.pos == last_out)) {
            ret = -EIO;
            break;
        }
    }
    ZSTD_freeDCtx(dctx);
    return ret;
}

int qcow2_decompress(int compression_type, void *dest, size_t dest_size,
                     const void *src, size_t src_size)
{
    switch (compression_type) {
    case QCOW2_COMPRESSION_TYPE_ZLIB:
        return zlib_decompress(dest, dest_size, src, src_size);
    case QCOW2_COMPRESSION_TYPE_ZSTD:
        return zstd_decompress(dest, dest_size, src, src_size);
    default:
        return -ENOTSUP;
    }
}

static ssize_t zlib_compress(void *dest, size_t dest_size, const void *src, size_t src_size)
{
    z_stream strm = { 0 };
    ssize_t ret;

    if (deflateInit2(&strm, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -12, 9,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        return -EIO;
    }
    strm.next_in = (Bytef *)src;
    strm.avail_in = src_size;
    strm.next_out = dest;
    strm.avail_out = dest_size;
    ret = deflate(&strm, Z_FINISH);
    if (ret == Z_STREAM_END) {
        ret = dest_size - strm.avail_out;
    } else {
        ret = ret == Z_OK || ret == Z_BUF_ERROR ? -ENOSPC : -EIO;
    }
    deflateEnd(&strm);
    return ret;
}

static ssize_t zstd_compress(void *dest, size_t dest_size, const void *src, size_t src_size)
{
    size_t r = ZSTD_compress(dest, dest_size, src, src_size, ZSTD_CLEVEL_DEFAULT);

    if (ZSTD_isError(r)) {
        return ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall ? -ENOSPC : -EIO;
    }
    return r;
}

ssize_t qcow2_compress(int compression_type, void *dest, size_t dest_size,
                       const void *src, size_t src_size)
{
    switch (compression_type) {
    case QCOW2_COMPRESSION_TYPE_ZLIB:
        return zlib_compress(dest, dest_size, src, src_size);
    case QCOW2_COMPRESSION_TYPE_ZSTD:
        return zstd_compress(dest, dest_size, src, src_size);
    default:
        return -ENOTSUP;
    }
}
