/*
 * minivm-img: shared option handling and image opening (tools/img-common.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "block/block.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/option.h"
#include "sysemu/block-backend.h"
#include "block/block_int.h"
#include "tools/img-common.h"
#include "config-host.h"

void img_error_exit(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vreport(fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try '%s --help' for more information\n", error_get_progname());
    exit(EXIT_FAILURE);
}

void img_missing_argument(const char *option)
{
    img_error_exit("missing argument for option '%s'", option);
}

void img_unrecognized_option(const char *option)
{
    img_error_exit("unrecognized option '%s'", option);
}

void img_help(void)
{
    printf("%s version " MINIVM_VERSION "\n"
           "usage: %s [standard options] command [command options]\n"
           "Disk image utility, compatible with qemu-img.\n"
           "\n"
           "    '-h', '--help'       display this help and exit\n"
           "    '-V', '--version'    output version information and exit\n"
           "\n"
           "Command syntax:\n"
           "  bench [-c count] [-d depth] [-f fmt] [--flush-interval=flush_interval] [-i aio]"
           " [-n] [--no-drain] [-o offset] [--pattern=pattern] [-q] [-s buffer_size]"
           " [-S step_size] [-t cache] [-w] [-U] filename\n"
           "  check [--object objectdef] [--image-opts] [-q] [-f fmt] [--output=ofmt]"
           " [-r [leaks | all]] [-T src_cache] [-U] filename\n"
           "  convert [--object objectdef] [--image-opts] [--target-image-opts]"
           " [--target-is-zero] [-U] [-c] [-p] [-q] [-n] [-f fmt] [-t cache] [-T src_cache]"
           " [-O output_fmt] [-B backing_file [-F backing_fmt]] [-o options] [-S sparse_size]"
           " filename [filename2 [...]] output_filename\n"
           "  create [--object objectdef] [-q] [-f fmt] [-b backing_file [-F backing_fmt]]"
           " [-u] [-o options] filename [size]\n"
           "  info [--object objectdef] [--image-opts] [-f fmt] [--output=ofmt]"
           " [--backing-chain] [-U] filename\n"
           "  map [--object objectdef] [--image-opts] [-f fmt] [--start-offset=offset]"
           " [--max-length=len] [--output=ofmt] [-U] filename\n"
           "\n"
           "Supported formats: file qcow2 raw\n",
           error_get_progname(), error_get_progname());
    exit(EXIT_SUCCESS);
}

int64_t img_cvtnum_full(const char *name, const char *value, int64_t min, int64_t max)
{
    uint64_t res;
    int err = qemu_strtosz(value, NULL, &res);

    if (err < 0 && err != -ERANGE) {
        error_report("Invalid %s specified. You may use k, M, G, T, P or E suffixes for", name);
        error_report("kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
        return err;
    }
    if (err == -ERANGE || res > (uint64_t)max || (int64_t)res < min) {
        error_report("Invalid %s specified. Must be between %" G_GINT64_FORMAT " and %"
                     G_GINT64_FORMAT ".", name, min, max);
        return -ERANGE;
    }
    return res;
}

int64_t img_cvtnum(const char *name, const char *value)
{
    return img_cvtnum_full(name, value, 0, INT64_MAX);
}

BlockBackend *img_open(bool image_opts, const char *filename, const char *fmt, int flags,
                       bool writethrough, bool quiet, bool force_share)
{
    Error *local_err = NULL;
    BlockBackend *blk;
    json_t *options;

    if (image_opts) {
        json_t *fs;

        if (fmt) {
            error_report("--image-opts and --format are mutually exclusive");
            return NULL;
        }
        options = keyval_parse(filename, "file", NULL, &local_err);
        if (!options) {
            error_report_err(local_err);
            return NULL;
        }
        fs = json_object_get(options, BDRV_OPT_FORCE_SHARE);
        if (force_share && fs &&
            (!json_is_string(fs) || strcmp(json_string_value(fs), "on"))) {
            error_report("--force-share/-U conflicts with image options");
            json_decref(options);
            return NULL;
        }
        if (force_share) {
            json_object_set_new(options, BDRV_OPT_FORCE_SHARE, json_string("on"));
        }
        blk = blk_new_open(NULL, NULL, options, flags, &local_err);
    } else {
        options = json_object();
        if (fmt) {
            json_object_set_new(options, "driver", json_string(fmt));
        }
        if (force_share) {
            json_object_set_new(options, BDRV_OPT_FORCE_SHARE, json_string("on"));
        }
        blk = blk_new_open(filename, NULL, options, flags, &local_err);
    }
    if (!blk) {
        error_prepend(&local_err, "Could not open '%s': ", filename);
        error_report_err(local_err);
        return NULL;
    }
    blk_set_enable_write_cache(blk, !writethrough);
    return blk;
}

int img_block_status_above(BlockDriverState *bs, BlockDriverState *base, int64_t offset,
                           int64_t bytes, int64_t *pnum, int *depth, int64_t *map,
                           BlockDriverState **file)
{
    int ret;

    *depth = 0;
    for (;;) {
        ret = bdrv_block_status(bs, offset, bytes, pnum, map, file);
        if (ret < 0) {
            return ret;
        }
        bytes = *pnum;
        if (ret & (BDRV_BLOCK_ZERO | BDRV_BLOCK_DATA)) {
            return ret;
        }
        if (!bs->backing || bs->backing->bs == base) {
            return bs->backing ? ret : 0;
        }
        bs = bs->backing->bs;
        (*depth)++;
    }
}

int img_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               int *longindex)
{
    int c = getopt_long(argc, argv, shortopts, longopts, longindex);

    switch (c) {
    case ':':
        img_missing_argument(argv[optind - 1]);
    case '?':
        img_unrecognized_option(argv[optind - 1]);
    case 'h':
        img_help();
    case OPTION_OBJECT:
        error_report("--object is not supported: no object types exist in this build");
        exit(1);
    default:
        return c;
    }
}

bool img_parse_output(const char *output, bool *json)
{
    *json = output && !strcmp(output, "json");
    if (output && !*json && strcmp(output, "human")) {
        error_report("--output must be used with human or json as argument.");
        return false;
    }
    return true;
}
