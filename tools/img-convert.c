/*
 * minivm-img convert: copy one or more images (concatenated) into a new or
 * existing one, in any format, as qemu-img convert does: ranges the source
 * chain reads as zeroes are skipped on a zero-initialised target, runs of at
 * least -S bytes of zeroes in the data are left sparse, -c writes every
 * cluster compressed, and -B leaves what the source does not allocate to
 * the target's backing file.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "block/block_int.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/memalign.h"
#include "sysemu/block-backend.h"
#include "tools/img-common.h"

#define SECTOR              512
#define IO_BUF_SIZE         (2 * 1024 * 1024)
#define MAX_SPARSE_SECTORS  32768

typedef enum ConvertStatus { CONVERT_DATA, CONVERT_ZERO, CONVERT_BACKING } ConvertStatus;

typedef struct Convert {
    BlockBackend **src;
    int64_t *src_len;
    int nsrc;
    int64_t total;
    BlockBackend *target;
    bool zero_init;             /* the target reads as zeroes where nothing is written */
    bool has_backing;
    bool compressed;
    int64_t cluster_size;
    int64_t min_sparse;         /* bytes; 0: write everything */
    bool progress;
    double last_shown;
    int64_t allocated, done;    /* bytes that need I/O, and those done */
} Convert;

/* "    (12.34/100%)" redrawn in place, as qemu-img's progress meter prints it. */
static void progress_show(Convert *c, double pct, bool force)
{
    if (!c->progress || (!force && pct - c->last_shown < 1.0)) {
        return;
    }
    c->last_shown = pct;
    printf("    (%3.2f/100%%)\r", pct);
    fflush(stdout);
}

/* Which source holds byte @pos of the concatenation, and where in it. */
static int source_at(Convert *c, int64_t pos, int64_t *local)
{
    int i = 0;

    while (pos >= c->src_len[i]) {
        pos -= c->src_len[i++];
    }
    *local = pos;
    return i;
}

/* The status of the next run at @pos (at most @max bytes); sets *len. */
static int run_status(Convert *c, int64_t pos, int64_t max, ConvertStatus *st, int64_t *len)
{
    int64_t local, pnum = 0;
    int i = source_at(c, pos, &local), depth, ret;
    BlockDriverState *bs = blk_bs(c->src[i]);
    BlockDriverState *base = c->has_backing && bs->backing ? bs->backing->bs : NULL;

    max = MIN(max, c->src_len[i] - local);
    ret = img_block_status_above(bs, base, local, max, &pnum, &depth, NULL, NULL);
    if (ret < 0) {
        error_report("error while reading block status at offset %" PRId64 ": %s", local,
                     strerror(-ret));
        return ret;
    }
    *len = pnum ? pnum : max;
    if (ret & BDRV_BLOCK_ZERO) {
        *st = CONVERT_ZERO;
    } else if (ret & BDRV_BLOCK_DATA) {
        *st = CONVERT_DATA;
    } else {
        *st = c->has_backing ? CONVERT_BACKING : CONVERT_DATA;
    }
    if (c->compressed) {
        /* clusters go out whole: a short run makes its cluster data */
        if (*len < c->cluster_size) {
            *len = MIN(c->cluster_size, c->total - pos);
            *st = CONVERT_DATA;
        } else {
            *len -= *len % c->cluster_size;
        }
    }
    if (*st == CONVERT_DATA) {
        *len = MIN(*len, c->compressed ? c->cluster_size : IO_BUF_SIZE);
    }
    return 0;
}

static int read_concat(Convert *c, int64_t pos, int64_t len, uint8_t *buf)
{
    while (len > 0) {
        int64_t local;
        int i = source_at(c, pos, &local);
        int64_t n = MIN(len, c->src_len[i] - local);
        int ret = blk_pread(c->src[i], local, n, buf, 0);

        if (ret < 0) {
            return ret;
        }
        pos += n;
        len -= n;
        buf += n;
    }
    return 0;
}

/* Length of the leading run of @buf that is zero (@zero) or not, in sectors. */
static int64_t sector_run(const uint8_t *buf, int64_t len, bool *zero)
{
    int64_t n = MIN(SECTOR, len), off;

    *zero = buffer_is_zero(buf, n);
    for (off = n; off < len; off += n) {
        n = MIN(SECTOR, len - off);
        if (buffer_is_zero(buf + off, n) != *zero) {
            break;
        }
    }
    return off;
}

static int write_zeroes(Convert *c, int64_t pos, int64_t len)
{
    return c->zero_init ? 0 : blk_pwrite_zeroes(c->target, pos, len, BDRV_REQ_MAY_UNMAP);
}

/*
 * Data: written, except runs of zeroes of at least min_sparse bytes
 * (shorter ones go along with the data around them); -S 0 writes all.
 */
static int write_data(Convert *c, int64_t pos, int64_t len, const uint8_t *buf)
{
    if (c->compressed) {
        if (buffer_is_zero(buf, len)) {
            return write_zeroes(c, pos, len);
        }
        return blk_pwrite_compressed(c->target, pos, len, buf);
    }
    if (!c->min_sparse) {
        return blk_pwrite(c->target, pos, len, buf, 0);
    }
    while (len > 0) {
        bool zero;
        int64_t n = sector_run(buf, len, &zero), ret;

        if (zero && n < c->min_sparse && n < len) {
            /* too short to skip: merge it into the data after it */
            bool z2;
            int64_t m = sector_run(buf + n, len - n, &z2);

            n += m;
            zero = false;
        }
        ret = zero ? write_zeroes(c, pos, n) : blk_pwrite(c->target, pos, n, buf, 0);
        if (ret < 0) {
            return ret;
        }
        pos += n;
        len -= n;
        buf += n;
    }
    return 0;
}

static int convert_copy(Convert *c)
{
    uint8_t *buf = blk_blockalign(c->target, c->compressed ? c->cluster_size : IO_BUF_SIZE);
    int64_t pos, len;
    ConvertStatus st;
    int ret = 0;

    /* a first pass counts the bytes to copy, for the progress meter */
    for (pos = 0; pos < c->total; pos += len) {
        if ((ret = run_status(c, pos, c->total - pos, &st, &len)) < 0) {
            goto out;
        }
        if (st == CONVERT_DATA || (!c->min_sparse && st == CONVERT_ZERO)) {
            c->allocated += len;
        }
    }
    for (pos = 0; pos < c->total; pos += len) {
        if ((ret = run_status(c, pos, c->total - pos, &st, &len)) < 0) {
            goto out;
        }
        if (!c->min_sparse && st == CONVERT_ZERO) {
            /* -S 0: zeroes are written as data, a buffer at a time */
            len = MIN(len, c->compressed ? c->cluster_size : IO_BUF_SIZE);
            memset(buf, 0, len);
            st = CONVERT_DATA;
        } else if (st == CONVERT_DATA && (ret = read_concat(c, pos, len, buf)) < 0) {
            error_report("error while reading at byte %" PRId64 ": %s", pos, strerror(-ret));
            goto out;
        }
        if (st == CONVERT_DATA) {
            c->done += len;
            progress_show(c, 100.0 * c->done / c->allocated, false);
            ret = write_data(c, pos, len, buf);
        } else if (st == CONVERT_ZERO) {
            ret = write_zeroes(c, pos, len);
        }
        if (ret < 0) {
            error_report("error while writing at byte %" PRId64 ": %s", pos, strerror(-ret));
            goto out;
        }
    }
    ret = blk_flush(c->target);
out:
    qemu_vfree(buf);
    return ret;
}

int img_convert(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { "target-image-opts", no_argument, NULL, OPTION_TARGET_IMAGE_OPTS },
        { "target-is-zero", no_argument, NULL, OPTION_TARGET_IS_ZERO },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 }
    };
    const char *fmt = NULL, *out_fmt = NULL, *cache = "unsafe", *src_cache = "writeback";
    const char *out_base = NULL, *base_fmt = NULL, *out_filename;
    g_autofree char *options = NULL;
    bool image_opts = false, tgt_image_opts = false, skip_create = false, quiet = false;
    bool force_share = false, target_is_zero = false, writethrough, src_writethrough;
    int flags, src_flags = 0, c, ret = 1;
    Convert cv = { .min_sparse = 8 * SECTOR };
    Error *err = NULL;

    while ((c = img_getopt(argc, argv, ":hf:O:B:CcF:o:l:S:pt:T:nm:WUr:q", long_options,
                            NULL)) != -1) {
        switch (c) {
        case 'f':
            fmt = optarg;
            break;
        case 'O':
            out_fmt = optarg;
            break;
        case 'B':
            out_base = optarg;
            break;
        case 'F':
            base_fmt = optarg;
            break;
        case 'c':
            cv.compressed = true;
            break;
        case 'o': {
            char *both = options ? g_strdup_printf("%s,%s", options, optarg) : g_strdup(optarg);

            g_free(options);
            options = both;
            break;
        }
        case 'l':
            error_report("Failed to load snapshot: this build cannot read internal snapshots");
            return 1;
        case 'S': {
            int64_t v = img_cvtnum("buffer size for sparse output", optarg);

            if (v < 0) {
                return 1;
            }
            if (v % SECTOR || v / SECTOR > MAX_SPARSE_SECTORS) {
                error_report("Invalid buffer size for sparse output specified. Valid sizes are "
                             "multiples of %d up to %d. Select 0 to disable sparse detection "
                             "(fully allocates output).", SECTOR, MAX_SPARSE_SECTORS * SECTOR);
                return 1;
            }
            cv.min_sparse = v;
            break;
        }
        case 'p':
            cv.progress = true;
            break;
        case 't':
            cache = optarg;
            break;
        case 'T':
            src_cache = optarg;
            break;
        case 'n':
            skip_create = true;
            break;
        case 'U':
            force_share = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'm':
        case 'r':
        case 'C':
        case 'W':
            /* parallelism, rate limit, copy offloading, write order: hints only here */
            break;
        case OPTION_IMAGE_OPTS:
            image_opts = true;
            break;
        case OPTION_TARGET_IMAGE_OPTS:
            tgt_image_opts = true;
            break;
        case OPTION_TARGET_IS_ZERO:
            target_is_zero = true;
            break;
        }
    }
    if (!out_fmt && !tgt_image_opts) {
        out_fmt = "raw";
    }
    if (tgt_image_opts && !skip_create) {
        error_report("--target-image-opts requires use of -n flag");
        return 1;
    }
    if (skip_create && options) {
        error_report("-o has no effect when skipping image creation");
        return 1;
    }
    if (target_is_zero && !skip_create) {
        error_report("--target-is-zero requires use of -n flag");
        return 1;
    }
    cv.nsrc = argc - optind - 1;
    if (cv.nsrc < 1) {
        error_report("Must specify image file name");
        return 1;
    }
    out_filename = argv[argc - 1];
    if (bdrv_parse_cache_mode(src_cache, &src_flags, &src_writethrough) < 0) {
        error_report("Invalid source cache option: %s", src_cache);
        return 1;
    }
    if (quiet) {
        cv.progress = false;
    }
    progress_show(&cv, 0, true);

    cv.src = g_new0(BlockBackend *, cv.nsrc);
    cv.src_len = g_new0(int64_t, cv.nsrc);
    for (int i = 0; i < cv.nsrc; i++) {
        cv.src[i] = img_open(image_opts, argv[optind + i], fmt, src_flags, src_writethrough,
                             quiet, force_share);
        if (!cv.src[i]) {
            goto out;
        }
        cv.src_len[i] = blk_getlength(cv.src[i]);
        if (cv.src_len[i] < 0) {
            error_report("Could not get size of %s: %s", argv[optind + i],
                         strerror(-cv.src_len[i]));
            goto out;
        }
        /* whole sectors, as qemu-img counts them */
        cv.src_len[i] = (cv.src_len[i] + SECTOR - 1) / SECTOR * SECTOR;
        cv.total += cv.src_len[i];
    }

    if (!skip_create) {
        if (!bdrv_img_create_check(out_fmt, out_base, base_fmt, options, &cv.has_backing,
                                   &err)) {
            error_report_err(err);
            goto out;
        }
    } else {
        cv.has_backing = out_base != NULL;
    }
    if (cv.has_backing && !base_fmt && !(options && strstr(options, "backing_fmt="))) {
        error_report("Use of backing file requires explicit backing format");
        goto out;
    }
    if (cv.nsrc > 1 && cv.has_backing) {
        error_report("Having a backing file for the target makes no sense when concatenating "
                     "multiple input images");
        goto out;
    }
    if (cv.compressed && out_fmt && strcmp(out_fmt, "qcow2")) {
        error_report("Compression not supported for this file format");
        goto out;
    }
    if (!skip_create) {
        bdrv_img_create(out_filename, out_fmt, out_base, base_fmt, options, cv.total, 0, true,
                        &err);
        if (err) {
            error_prepend(&err, "%s: error while converting %s: ", out_filename, out_fmt);
            error_report_err(err);
            goto out;
        }
    }

    flags = cv.min_sparse ? (BDRV_O_RDWR | BDRV_O_UNMAP) : BDRV_O_RDWR;
    if (bdrv_parse_cache_mode(cache, &flags, &writethrough) < 0) {
        error_report("Invalid cache option: %s", cache);
        goto out;
    }
    cv.target = img_open(tgt_image_opts, out_filename, tgt_image_opts ? NULL : out_fmt,
                         flags, writethrough, quiet, false);
    if (!cv.target) {
        goto out;
    }
    if (skip_create && blk_getlength(cv.target) < cv.total) {
        error_report("output file is smaller than input file");
        goto out;
    }
    {
        BlockDriverInfo bdi;

        if (bdrv_get_info(blk_bs(cv.target), &bdi) == 0) {
            cv.cluster_size = bdi.cluster_size;
        }
    }
    if (cv.compressed && cv.cluster_size <= 0) {
        error_report("could not get block driver info");
        goto out;
    }
    /* a new image without a backing file reads as zeroes (or the user says so) */
    cv.zero_init = target_is_zero ||
                   (!skip_create && cv.min_sparse && !blk_bs(cv.target)->backing);

    ret = convert_copy(&cv) < 0;
    if (!ret) {
        progress_show(&cv, 100, true);
    }
out:
    if (cv.progress) {
        printf("\n");
    }
    blk_unref(cv.target);
    for (int i = 0; cv.src && i < cv.nsrc; i++) {
        blk_unref(cv.src[i]);
    }
    g_free(cv.src);
    g_free(cv.src_len);
    return ret ? 1 : 0;
}
