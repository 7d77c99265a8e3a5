/*
 * minivm-io data commands: read, readv, write, writev, aio_read, aio_write,
 * aio_flush.  Argument checks, messages and reports follow qemu-io 7.2.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <glib.h>

#include "block/block.h"
#include "qemu/iov.h"
#include "qemu/main-loop.h"
#include "qemu/memalign.h"
#include "sysemu/block-backend.h"
#include "tools/qemu-io.h"
#include "tools/qemu-io-report.h"

#define MISALIGN_OFFSET 16

bool qemuio_misalign;

static int aio_inflight;

/* ---- buffers ---- */

/* Aligned for O_DIRECT, or deliberately off by 16 bytes with -m. */
static void *qemu_io_alloc(BlockBackend *blk, size_t len, int pattern)
{
    size_t extra = qemuio_misalign ? MISALIGN_OFFSET : 0;
    uint8_t *buf = blk_blockalign(blk, len + extra);

    memset(buf, pattern, len + extra);
    return buf + extra;
}

static void qemu_io_free(void *p)
{
    if (p) {
        qemu_vfree((uint8_t *)p - (qemuio_misalign ? MISALIGN_OFFSET : 0));
    }
}

/* write -s: the file's bytes, repeated to fill @len. */
static void *qemu_io_alloc_from_file(BlockBackend *blk, size_t len, const char *file_name)
{
    FILE *f = fopen(file_name, "r");
    uint8_t *buf;
    size_t got, done;

    if (!f) {
        perror(file_name);
        return NULL;
    }
    buf = qemu_io_alloc(blk, len, 0);
    got = fread(buf, 1, len, f);
    if (ferror(f)) {
        perror(file_name);
        goto fail;
    }
    if (got == 0) {
        fprintf(stderr, "%s: file is empty\n", file_name);
        goto fail;
    }
    fclose(f);
    for (done = got; done < len; done += MIN(got, len - done)) {
        memcpy(buf + done, buf, MIN(got, len - done));
    }
    return buf;

fail:
    fclose(f);
    qemu_io_free(buf);
    return NULL;
}

/* readv/writev/aio_*: one buffer cut into the iovecs the lengths describe. */
static void *create_iovec(BlockBackend *blk, QEMUIOVector *qiov, char **argv, int nr_iov,
                          int pattern)
{
    size_t *sizes = g_new0(size_t, nr_iov);
    size_t count = 0;
    uint8_t *buf = NULL, *p;
    int i;

    for (i = 0; i < nr_iov; i++) {
        int64_t len = qemuio_cvtnum(argv[i]);

        if (len < 0) {
            qemuio_print_cvtnum_err(len, argv[i]);
            goto out;
        }
        if (len > QEMUIO_MAX_BYTES) {
            printf("Argument '%s' exceeds maximum size %" PRIu64 "\n", argv[i],
                   (uint64_t)QEMUIO_MAX_BYTES);
            goto out;
        }
        if (count > (size_t)(QEMUIO_MAX_BYTES - len)) {
            printf("The total number of bytes exceed the maximum size %" PRIu64 "\n",
                   (uint64_t)QEMUIO_MAX_BYTES);
            goto out;
        }
        sizes[i] = len;
        count += len;
    }
    qemu_iovec_init(qiov, nr_iov);
    buf = p = qemu_io_alloc(blk, count, pattern);
    for (i = 0; i < nr_iov; i++) {
        qemu_iovec_add(qiov, p, sizes[i]);
        p += sizes[i];
    }
out:
    g_free(sizes);
    return buf;
}

static bool verify_pattern(const uint8_t *buf, int pattern, int64_t len)
{
    int64_t i;

    for (i = 0; i < len; i++) {
        if (buf[i] != pattern) {
            return false;
        }
    }
    return true;
}

/* ---- synchronous helpers over the asynchronous API ---- */

#define NOT_DONE 0x7fffffff

static void rw_done(void *opaque, int ret)
{
    *(int *)opaque = ret;
}

static int wait_done(int *ret)
{
    while (*ret == NOT_DONE) {
        aio_poll(qemu_get_aio_context(), true);
    }
    return *ret;
}

static int do_readv(BlockBackend *blk, QEMUIOVector *qiov, int64_t offset)
{
    int ret = NOT_DONE;

    blk_aio_preadv(blk, offset, qiov, 0, rw_done, &ret);
    return wait_done(&ret);
}

static int do_writev(BlockBackend *blk, QEMUIOVector *qiov, int64_t offset, int flags)
{
    int ret = NOT_DONE;

    blk_aio_pwritev(blk, offset, qiov, flags, rw_done, &ret);
    return wait_done(&ret);
}

/* ---- read ---- */

static void read_help(void)
{
    printf("\n"
           " reads a range of bytes from the given offset\n"
           "\n"
           " Example:\n"
           " 'read -v 512 1k' - dumps 1 kilobyte read from 512 bytes into the file\n"
           "\n"
           " Reads a segment of the currently open file, optionally dumping it to the\n"
           " standard output stream (with -v option) for subsequent inspection.\n"
           " -b, -- read from the VM state rather than the virtual disk\n"
           " -C, -- report statistics in a machine parsable format\n"
           " -l, -- length for pattern verification (only with -P)\n"
           " -p, -- ignored for backwards compatibility\n"
           " -P, -- use a pattern to verify read data\n"
           " -q, -- quiet mode, do not show I/O statistics\n"
           " -s, -- start offset for pattern verification (only with -P)\n"
           " -v, -- dump buffer to standard output\n"
           "\n");
}

static int read_f(BlockBackend *blk, int argc, char **argv);

static const cmdinfo_t read_cmd = {
    .name = "read", .altname = "r", .cfunc = read_f, .argmin = 2, .argmax = -1,
    .args = "[-abCqv] [-P pattern [-s off] [-l len]] off len",
    .oneline = "reads a number of bytes at a specified offset", .help = read_help,
};

static int check_sector_aligned(int64_t offset, int64_t count)
{
    if (offset % 512) {
        printf("%" PRId64 " is not a sector-aligned value for 'offset'\n", offset);
        return -EINVAL;
    }
    if (count % 512) {
        printf("%" PRId64 " is not a sector-aligned value for 'count'\n", count);
        return -EINVAL;
    }
    return 0;
}

static int read_f(BlockBackend *blk, int argc, char **argv)
{
    bool Cflag = false, qflag = false, vflag = false;
    bool Pflag = false, sflag = false, lflag = false, bflag = false;
    int64_t offset, count, pattern_offset = 0, pattern_count = 0;
    struct timespec t1, t2;
    int c, ret, pattern = 0;
    uint8_t *buf;

    while ((c = getopt(argc, argv, "bCl:pP:qs:v")) != -1) {
        switch (c) {
        case 'b':
            bflag = true;
            break;
        case 'C':
            Cflag = true;
            break;
        case 'l':
            lflag = true;
            pattern_count = qemuio_cvtnum(optarg);
            if (pattern_count < 0) {
                qemuio_print_cvtnum_err(pattern_count, optarg);
                return pattern_count;
            }
            break;
        case 'p':
            break;
        case 'P':
            Pflag = true;
            pattern = qemuio_parse_pattern(optarg);
            if (pattern < 0) {
                return -EINVAL;
            }
            break;
        case 'q':
            qflag = true;
            break;
        case 's':
            sflag = true;
            pattern_offset = qemuio_cvtnum(optarg);
            if (pattern_offset < 0) {
                qemuio_print_cvtnum_err(pattern_offset, optarg);
                return pattern_offset;
            }
            break;
        case 'v':
            vflag = true;
            break;
        default:
            qemuio_command_usage(&read_cmd);
            return -EINVAL;
        }
    }
    if (optind != argc - 2) {
        qemuio_command_usage(&read_cmd);
        return -EINVAL;
    }
    ret = qemuio_parse_off_len(argv, &offset, &count);
    if (ret < 0) {
        return ret;
    }
    if (count > QEMUIO_MAX_BYTES) {
        printf("length cannot exceed %" PRIu64 ", given %s\n", (uint64_t)QEMUIO_MAX_BYTES,
               argv[optind]);
        return -EINVAL;
    }
    if (!Pflag && (lflag || sflag)) {
        qemuio_command_usage(&read_cmd);
        return -EINVAL;
    }
    if (!lflag) {
        pattern_count = count - pattern_offset;
    }
    if (pattern_count < 0 || pattern_count + pattern_offset > count) {
        printf("pattern verification range exceeds end of read data\n");
        return -EINVAL;
    }
    if (bflag && (ret = check_sector_aligned(offset, count)) < 0) {
        return ret;
    }

    buf = qemu_io_alloc(blk, count, 0xab);
    t1 = qemuio_now();
    /* No format here keeps a VM state area. */
    ret = bflag ? -ENOTSUP : blk_pread(blk, offset, count, buf, 0);
    t2 = qemuio_now();
    if (ret < 0) {
        printf("read failed: %s\n", strerror(-ret));
        goto out;
    }
    ret = 0;
    if (Pflag && !verify_pattern(buf + pattern_offset, pattern, pattern_count)) {
        printf("Pattern verification failed at offset %" PRId64 ", %" PRId64 " bytes\n",
               offset + pattern_offset, pattern_count);
        ret = -EINVAL;
    }
    if (qflag) {
        goto out;
    }
    if (vflag) {
        qemuio_dump_buffer(buf, offset, count);
    }
    t2 = qemuio_tsub(t2, t1);
    qemuio_print_report("read", &t2, offset, count, count, 1, Cflag);
out:
    qemu_io_free(buf);
    return ret;
}

/* ---- readv ---- */

static void readv_help(void)
{
    printf("\n"
           " reads a range of bytes from the given offset into multiple buffers\n"
           "\n"
           " Example:\n"
           " 'readv -v 512 1k 1k ' - dumps 2 kilobytes read from 512 bytes into the file\n"
           "\n"
           " Reads a segment of the currently open file, optionally dumping it to the\n"
           " standard output stream (with -v option) for subsequent inspection.\n"
           " Uses multiple iovec buffers if more than one byte range is specified.\n"
           " -C, -- report statistics in a machine parsable format\n"
           " -P, -- use a pattern to verify read data\n"
           " -v, -- dump buffer to standard output\n"
           " -q, -- quiet mode, do not show I/O statistics\n"
           "\n");
}

static int readv_f(BlockBackend *blk, int argc, char **argv);

static const cmdinfo_t readv_cmd = {
    .name = "readv", .cfunc = readv_f, .argmin = 2, .argmax = -1,
    .args = "[-Cqv] [-P pattern] off len [len..]",
    .oneline = "reads a number of bytes at a specified offset", .help = readv_help,
};

static int readv_f(BlockBackend *blk, int argc, char **argv)
{
    bool Cflag = false, qflag = false, vflag = false, Pflag = false;
    struct timespec t1, t2;
    int c, ret, pattern = 0;
    QEMUIOVector qiov;
    int64_t offset;
    uint8_t *buf;

    while ((c = getopt(argc, argv, "CP:qv")) != -1) {
        switch (c) {
        case 'C':
            Cflag = true;
            break;
        case 'P':
            Pflag = true;
            pattern = qemuio_parse_pattern(optarg);
            if (pattern < 0) {
                return -EINVAL;
            }
            break;
        case 'q':
            qflag = true;
            break;
        case 'v':
            vflag = true;
            break;
        default:
            qemuio_command_usage(&readv_cmd);
            return -EINVAL;
        }
    }
    if (optind > argc - 2) {
        qemuio_command_usage(&readv_cmd);
        return -EINVAL;
    }
    offset = qemuio_cvtnum(argv[optind]);
    if (offset < 0) {
        qemuio_print_cvtnum_err(offset, argv[optind]);
        return offset;
    }
    optind++;
    buf = create_iovec(blk, &qiov, &argv[optind], argc - optind, 0xab);
    if (!buf) {
        return -EINVAL;
    }
    t1 = qemuio_now();
    ret = do_readv(blk, &qiov, offset);
    t2 = qemuio_now();
    if (ret < 0) {
        printf("readv failed: %s\n", strerror(-ret));
        goto out;
    }
    ret = 0;
    if (Pflag && !verify_pattern(buf, pattern, qiov.size)) {
        printf("Pattern verification failed at offset %" PRId64 ", %zu bytes\n", offset,
               qiov.size);
        ret = -EINVAL;
    }
    if (qflag) {
        goto out;
    }
    if (vflag) {
        qemuio_dump_buffer(buf, offset, qiov.size);
    }
    t2 = qemuio_tsub(t2, t1);
    qemuio_print_report("read", &t2, offset, qiov.size, qiov.size, 1, Cflag);
out:
    qemu_iovec_destroy(&qiov);
    qemu_io_free(buf);
    return ret;
}

/* ---- write ---- */

static void write_help(void)
{
    printf("\n"
           " writes a range of bytes from the given offset\n"
           "\n"
           " Example:\n"
           " 'write 512 1k' - writes 1 kilobyte at 512 bytes into the open file\n"
           "\n"
           " Writes into a segment of the currently open file, using a buffer\n"
           " filled with a set pattern (0xcdcdcdcd).\n"
           " -b, -- write to the VM state rather than the virtual disk\n"
           " -c, -- write compressed data with blk_write_compressed\n"
           " -f, -- use Force Unit Access semantics\n"
           " -n, -- with -z, don't allow slow fallback\n"
           " -p, -- ignored for backwards compatibility\n"
           " -P, -- use different pattern to fill file\n"
           " -s, -- use a pattern file to fill the write buffer\n"
           " -C, -- report statistics in a machine parsable format\n"
           " -q, -- quiet mode, do not show I/O statistics\n"
           " -u, -- with -z, allow unmapping\n"
           " -z, -- write zeroes using blk_co_pwrite_zeroes\n"
           "\n");
}

static int write_f(BlockBackend *blk, int argc, char **argv);

static const cmdinfo_t write_cmd = {
    .name = "write", .altname = "w", .cfunc = write_f, .needs_write = true,
    .argmin = 2, .argmax = -1,
    .args = "[-bcCfnquz] [-P pattern | -s source_file] off len",
    .oneline = "writes a number of bytes at a specified offset", .help = write_help,
};

static int write_f(BlockBackend *blk, int argc, char **argv)
{
    bool Cflag = false, qflag = false, bflag = false;
    bool Pflag = false, zflag = false, cflag = false, sflag = false;
    const char *file_name = NULL;
    struct timespec t1, t2;
    int c, ret, flags = 0, pattern = 0xcd;
    int64_t offset, count;
    uint8_t *buf = NULL;

    while ((c = getopt(argc, argv, "bcCfnpP:qs:uz")) != -1) {
        switch (c) {
        case 'b':
            bflag = true;
            break;
        case 'c':
            cflag = true;
            break;
        case 'C':
            Cflag = true;
            break;
        case 'f':
            flags |= BDRV_REQ_FUA;
            break;
        case 'n':
            flags |= BDRV_REQ_NO_FALLBACK;
            break;
        case 'p':
            break;
        case 'P':
            Pflag = true;
            pattern = qemuio_parse_pattern(optarg);
            if (pattern < 0) {
                return -EINVAL;
            }
            break;
        case 'q':
            qflag = true;
            break;
        case 's':
            sflag = true;
            file_name = optarg;
            break;
        case 'u':
            flags |= BDRV_REQ_MAY_UNMAP;
            break;
        case 'z':
            zflag = true;
            break;
        default:
            qemuio_command_usage(&write_cmd);
            return -EINVAL;
        }
    }
    if (optind != argc - 2) {
        qemuio_command_usage(&write_cmd);
        return -EINVAL;
    }
    if (bflag && zflag) {
        printf("-b and -z cannot be specified at the same time\n");
        return -EINVAL;
    }
    if ((flags & BDRV_REQ_FUA) && (bflag || cflag)) {
        printf("-f and -b or -c cannot be specified at the same time\n");
        return -EINVAL;
    }
    if ((flags & BDRV_REQ_NO_FALLBACK) && !zflag) {
        printf("-n requires -z to be specified\n");
        return -EINVAL;
    }
    if ((flags & BDRV_REQ_MAY_UNMAP) && !zflag) {
        printf("-u requires -z to be specified\n");
        return -EINVAL;
    }
    if (zflag + Pflag + sflag > 1) {
        printf("Only one of -z, -P, and -s can be specified at the same time\n");
        return -EINVAL;
    }
    ret = qemuio_parse_off_len(argv, &offset, &count);
    if (ret < 0) {
        return ret;
    }
    if (count > QEMUIO_MAX_BYTES && !(flags & BDRV_REQ_NO_FALLBACK)) {
        printf("length cannot exceed %" PRIu64 " without -n, given %s\n",
               (uint64_t)QEMUIO_MAX_BYTES, argv[optind]);
        return -EINVAL;
    }
    if ((bflag || cflag) && (ret = check_sector_aligned(offset, count)) < 0) {
        return ret;
    }
    if (!zflag) {
        buf = sflag ? qemu_io_alloc_from_file(blk, count, file_name)
                    : qemu_io_alloc(blk, count, pattern);
        if (!buf) {
            return -EINVAL;
        }
    }

    t1 = qemuio_now();
    if (bflag) {
        ret = -ENOTSUP;
    } else if (zflag) {
        ret = blk_pwrite_zeroes(blk, offset, count, flags);
    } else if (cflag) {
        ret = blk_pwrite_compressed(blk, offset, count, buf);
    } else {
        ret = blk_pwrite(blk, offset, count, buf, flags);
    }
    t2 = qemuio_now();
    if (ret < 0) {
        printf("write failed: %s\n", strerror(-ret));
        goto out;
    }
    ret = 0;
    if (!qflag) {
        t2 = qemuio_tsub(t2, t1);
        qemuio_print_report("wrote", &t2, offset, count, count, 1, Cflag);
    }
out:
    qemu_io_free(buf);
    return ret;
}

/* ---- writev ---- */

static void writev_help(void)
{
    printf("\n"
           " writes a range of bytes from the given offset source from multiple buffers\n"
           "\n"
           " Example:\n"
           " 'writev 512 1k 1k' - writes 2 kilobytes at 512 bytes into the open file\n"
           "\n"
           " Writes into a segment of the currently open file, using a buffer\n"
           " filled with a set pattern (0xcdcdcdcd).\n"
           " -P, -- use different pattern to fill file\n"
           " -C, -- report statistics in a machine parsable format\n"
           " -f, -- use Force Unit Access semantics\n"
           " -q, -- quiet mode, do not show I/O statistics\n"
           "\n");
}

static int writev_f(BlockBackend *blk, int argc, char **argv);

static const cmdinfo_t writev_cmd = {
    .name = "writev", .cfunc = writev_f, .needs_write = true, .argmin = 2, .argmax = -1,
    .args = "[-Cfq] [-P pattern] off len [len..]",
    .oneline = "writes a number of bytes at a specified offset", .help = writev_help,
};

static int writev_f(BlockBackend *blk, int argc, char **argv)
{
    bool Cflag = false, qflag = false;
    int c, ret, flags = 0, pattern = 0xcd;
    struct timespec t1, t2;
    QEMUIOVector qiov;
    int64_t offset;
    uint8_t *buf;

    while ((c = getopt(argc, argv, "CfqP:")) != -1) {
        switch (c) {
        case 'C':
            Cflag = true;
            break;
        case 'f':
            flags |= BDRV_REQ_FUA;
            break;
        case 'q':
            qflag = true;
            break;
        case 'P':
            pattern = qemuio_parse_pattern(optarg);
            if (pattern < 0) {
                return -EINVAL;
            }
            break;
        default:
            qemuio_command_usage(&writev_cmd);
            return -EINVAL;
        }
    }
    if (optind > argc - 2) {
        qemuio_command_usage(&writev_cmd);
        return -EINVAL;
    }
    offset = qemuio_cvtnum(argv[optind]);
    if (offset < 0) {
        qemuio_print_cvtnum_err(offset, argv[optind]);
        return offset;
    }
    optind++;
    buf = create_iovec(blk, &qiov, &argv[optind], argc - optind, pattern);
    if (!buf) {
        return -EINVAL;
    }
    t1 = qemuio_now();
    ret = do_writev(blk, &qiov, offset, flags);
    t2 = qemuio_now();
    if (ret < 0) {
        printf("writev failed: %s\n", strerror(-ret));
        goto out;
    }
    ret = 0;
    if (!qflag) {
        t2 = qemuio_tsub(t2, t1);
        qemuio_print_report("wrote", &t2, offset, qiov.size, qiov.size, 1, Cflag);
    }
out:
    qemu_iovec_destroy(&qiov);
    qemu_io_free(buf);
    return ret;
}

/* ---- aio_read / aio_write / aio_flush ---- */

typedef struct AioCtx {
    QEMUIOVector qiov;
    int64_t offset;
    uint8_t *buf;
    bool qflag, vflag, Cflag, Pflag, zflag;
    int pattern;
    struct timespec t1;
} AioCtx;

static void aio_ctx_free(AioCtx *ctx)
{
    if (!ctx->zflag) {
        qemu_io_free(ctx->buf);
        qemu_iovec_destroy(&ctx->qiov);
    }
    g_free(ctx);
    aio_inflight--;
}

/* Completion prints the report, as qemu-io does, whenever it happens. */
static void aio_write_done(void *opaque, int ret)
{
    AioCtx *ctx = opaque;
    struct timespec t2 = qemuio_now();

    if (ret < 0) {
        printf("aio_write failed: %s\n", strerror(-ret));
    } else if (!ctx->qflag) {
        t2 = qemuio_tsub(t2, ctx->t1);
        qemuio_print_report("wrote", &t2, ctx->offset, ctx->qiov.size, ctx->qiov.size, 1,
                            ctx->Cflag);
    }
    aio_ctx_free(ctx);
}

static void aio_read_done(void *opaque, int ret)
{
    AioCtx *ctx = opaque;
    struct timespec t2 = qemuio_now();

    if (ret < 0) {
        printf("readv failed: %s\n", strerror(-ret));
        goto out;
    }
    if (ctx->Pflag && !verify_pattern(ctx->buf, ctx->pattern, ctx->qiov.size)) {
        printf("Pattern verification failed at offset %" PRId64 ", %zu bytes\n", ctx->offset,
               ctx->qiov.size);
    }
    if (ctx->qflag) {
        goto out;
    }
    if (ctx->vflag) {
        qemuio_dump_buffer(ctx->buf, ctx->offset, ctx->qiov.size);
    }
    t2 = qemuio_tsub(t2, ctx->t1);
    qemuio_print_report("read", &t2, ctx->offset, ctx->qiov.size, ctx->qiov.size, 1,
                        ctx->Cflag);
out:
    aio_ctx_free(ctx);
}

static void aio_read_help(void)
{
    printf("\n"
           " asynchronously reads a range of bytes from the given offset\n"
           "\n"
           " Example:\n"
           " 'aio_read -v 512 1k 1k ' - dumps 2 kilobytes read from 512 bytes into the file\n"
           "\n"
           " Reads a segment of the currently open file, optionally dumping it to the\n"
           " standard output stream (with -v option) for subsequent inspection.\n"
           " The read is performed asynchronously and the aio_flush command must be\n"
           " used to ensure all outstanding aio requests have been completed.\n"
           " Note that due to its asynchronous nature, this command will be\n"
           " considered successful once the request is submitted, independently\n"
           " of potential I/O errors or pattern mismatches.\n"
           " -C, -- report statistics in a machine parsable format\n"
           " -P, -- use a pattern to verify read data\n"
           " -i, -- treat request as invalid, for exercising stats\n"
           " -v, -- dump buffer to standard output\n"
           " -q, -- quiet mode, do not show I/O statistics\n"
           "\n");
}

static int aio_read_f(BlockBackend *blk, int argc, char **argv);

static const cmdinfo_t aio_read_cmd = {
    .name = "aio_read", .cfunc = aio_read_f, .argmin = 2, .argmax = -1,
    .args = "[-Ciqv] [-P pattern] off len [len..]",
    .oneline = "asynchronously reads a number of bytes", .help = aio_read_help,
};

static int aio_read_f(BlockBackend *blk, int argc, char **argv)
{
    AioCtx *ctx = g_new0(AioCtx, 1);
    int c;

    while ((c = getopt(argc, argv, "CP:iqv")) != -1) {
        switch (c) {
        case 'C':
            ctx->Cflag = true;
            break;
        case 'P':
            ctx->Pflag = true;
            ctx->pattern = qemuio_parse_pattern(optarg);
            if (ctx->pattern < 0) {
                g_free(ctx);
                return -EINVAL;
            }
            break;
        case 'i':
            printf("injecting invalid read request\n");
            g_free(ctx);
            return 0;
        case 'q':
            ctx->qflag = true;
            break;
        case 'v':
            ctx->vflag = true;
            break;
        default:
            g_free(ctx);
            qemuio_command_usage(&aio_read_cmd);
            return -EINVAL;
        }
    }
    if (optind > argc - 2) {
        g_free(ctx);
        qemuio_command_usage(&aio_read_cmd);
        return -EINVAL;
    }
    ctx->offset = qemuio_cvtnum(argv[optind]);
    if (ctx->offset < 0) {
        int ret = ctx->offset;

        qemuio_print_cvtnum_err(ret, argv[optind]);
        g_free(ctx);
        return ret;
    }
    optind++;
    ctx->buf = create_iovec(blk, &ctx->qiov, &argv[optind], argc - optind, 0xab);
    if (!ctx->buf) {
        g_free(ctx);
        return -EINVAL;
    }
    ctx->t1 = qemuio_now();
    aio_inflight++;
    blk_aio_preadv(blk, ctx->offset, &ctx->qiov, 0, aio_read_done, ctx);
    return 0;
}

static void aio_write_help(void)
{
    printf("\n"
           " asynchronously writes a range of bytes from the given offset source\n"
           " from multiple buffers\n"
           "\n"
           " Example:\n"
           " 'aio_write 512 1k 1k' - writes 2 kilobytes at 512 bytes into the open file\n"
           "\n"
           " Writes into a segment of the currently open file, using a buffer\n"
           " filled with a set pattern (0xcdcdcdcd).\n"
           " The write is performed asynchronously and the aio_flush command must be\n"
           " used to ensure all outstanding aio requests have been completed.\n"
           " Note that due to its asynchronous nature, this command will be\n"
           " considered successful once the request is submitted, independently\n"
           " of potential I/O errors or pattern mismatches.\n"
           " -P, -- use different pattern to fill file\n"
           " -C, -- report statistics in a machine parsable format\n"
           " -f, -- use Force Unit Access semantics\n"
           " -i, -- treat request as invalid, for exercising stats\n"
           " -q, -- quiet mode, do not show I/O statistics\n"
           " -u, -- with -z, allow unmapping\n"
           " -z, -- write zeroes using blk_aio_pwrite_zeroes\n"
           "\n");
}

static int aio_write_f(BlockBackend *blk, int argc, char **argv);

static const cmdinfo_t aio_write_cmd = {
    .name = "aio_write", .cfunc = aio_write_f, .needs_write = true, .argmin = 2, .argmax = -1,
    .args = "[-Cfiquz] [-P pattern] off len [len..]",
    .oneline = "asynchronously writes a number of bytes", .help = aio_write_help,
};

static int aio_write_f(BlockBackend *blk, int argc, char **argv)
{
    AioCtx *ctx = g_new0(AioCtx, 1);
    int c, flags = 0, pattern = 0xcd;

    while ((c = getopt(argc, argv, "CfiqP:uz")) != -1) {
        switch (c) {
        case 'C':
            ctx->Cflag = true;
            break;
        case 'f':
            flags |= BDRV_REQ_FUA;
            break;
        case 'q':
            ctx->qflag = true;
            break;
        case 'u':
            flags |= BDRV_REQ_MAY_UNMAP;
            break;
        case 'P':
            ctx->Pflag = true;
            pattern = qemuio_parse_pattern(optarg);
            if (pattern < 0) {
                g_free(ctx);
                return -EINVAL;
            }
            break;
        case 'i':
            printf("injecting invalid write request\n");
            g_free(ctx);
            return 0;
        case 'z':
            ctx->zflag = true;
            break;
        default:
            g_free(ctx);
            qemuio_command_usage(&aio_write_cmd);
            return -EINVAL;
        }
    }
    if (optind > argc - 2) {
        g_free(ctx);
        qemuio_command_usage(&aio_write_cmd);
        return -EINVAL;
    }
    if (ctx->zflag && optind != argc - 2) {
        printf("-z supports only a single length parameter\n");
        g_free(ctx);
        return -EINVAL;
    }
    if ((flags & BDRV_REQ_MAY_UNMAP) && !ctx->zflag) {
        printf("-u requires -z to be specified\n");
        g_free(ctx);
        return -EINVAL;
    }
    if (ctx->zflag && ctx->Pflag) {
        printf("-z and -P cannot be specified at the same time\n");
        g_free(ctx);
        return -EINVAL;
    }
    ctx->offset = qemuio_cvtnum(argv[optind]);
    if (ctx->offset < 0) {
        int ret = ctx->offset;

        qemuio_print_cvtnum_err(ret, argv[optind]);
        g_free(ctx);
        return ret;
    }
    optind++;
    if (ctx->zflag) {
        int64_t count = qemuio_cvtnum(argv[optind]);

        if (count < 0) {
            qemuio_print_cvtnum_err(count, argv[optind]);
            g_free(ctx);
            return count;
        }
        ctx->qiov.size = count;
        ctx->t1 = qemuio_now();
        aio_inflight++;
        blk_aio_pwrite_zeroes(blk, ctx->offset, count, flags, aio_write_done, ctx);
        return 0;
    }
    ctx->buf = create_iovec(blk, &ctx->qiov, &argv[optind], argc - optind, pattern);
    if (!ctx->buf) {
        g_free(ctx);
        return -EINVAL;
    }
    ctx->t1 = qemuio_now();
    aio_inflight++;
    blk_aio_pwritev(blk, ctx->offset, &ctx->qiov, flags, aio_write_done, ctx);
    return 0;
}

void qemuio_drain(void)
{
    while (aio_inflight > 0) {
        aio_poll(qemu_get_aio_context(), true);
    }
}

static int aio_flush_f(BlockBackend *blk, int argc, char **argv)
{
    qemuio_drain();
    return 0;
}

static const cmdinfo_t aio_flush_cmd = {
    .name = "aio_flush", .cfunc = aio_flush_f,
    .oneline = "completes all outstanding aio requests",
};

static void __attribute__((constructor)) qemuio_init_rw_commands(void)
{
    qemuio_add_command(&read_cmd);
    qemuio_add_command(&readv_cmd);
    qemuio_add_command(&write_cmd);
    qemuio_add_command(&writev_cmd);
    qemuio_add_command(&aio_read_cmd);
    qemuio_add_command(&aio_write_cmd);
    qemuio_add_command(&aio_flush_cmd);
}
