/*
 * minivm-img check: qemu-img check's options, output (human and JSON),
 * repair passes and exit codes (0 clean, 1 check failed, 2 corruptions,
 * 3 leaks only, 63 the format has no check).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "block/block_int.h"
#include "qemu/error-report.h"
#include "qemu/json-writer.h"
#include "sysemu/block-backend.h"
#include "tools/img-common.h"

static void print_human(const BdrvCheckResult *r)
{
    if (!r->corruptions && !r->leaks && !r->check_errors) {
        printf("No errors were found on the image.\n");
    } else {
        if (r->corruptions) {
            printf("\n%" PRId64 " errors were found on the image.\nData may be corrupted, or "
                   "further writes to the image may corrupt it.\n", r->corruptions);
        }
        if (r->leaks) {
            printf("\n%" PRId64 " leaked clusters were found on the image.\nThis means waste "
                   "of disk space, but no harm to data.\n", r->leaks);
        }
        if (r->check_errors) {
            printf("\n%" PRId64 " internal errors have occurred during the check.\n",
                   r->check_errors);
        }
    }
    if (r->total_clusters && r->allocated_clusters) {
        printf("%" PRId64 "/%" PRId64 " = %0.2f%% allocated, %0.2f%% fragmented, %0.2f%% "
               "compressed clusters\n", r->allocated_clusters, r->total_clusters,
               r->allocated_clusters * 100.0 / r->total_clusters,
               r->fragmented_clusters * 100.0 / r->allocated_clusters,
               r->compressed_clusters * 100.0 / r->allocated_clusters);
    }
    if (r->image_end_offset) {
        printf("Image end offset: %" PRId64 "\n", r->image_end_offset);
    }
}

/* QEMU's ImageCheck: optional members only when non-zero, in its schema order. */
static void print_json(const BdrvCheckResult *r, const char *filename, const char *format)
{
    json_t *o = json_object();
    const struct { const char *name; int64_t v; bool always; } m[] = {
        { "check-errors", r->check_errors, true },
        { "image-end-offset", r->image_end_offset },
        { "corruptions", r->corruptions }, { "leaks", r->leaks },
        { "corruptions-fixed", r->corruptions_fixed }, { "leaks-fixed", r->leaks_fixed },
        { "total-clusters", r->total_clusters },
        { "allocated-clusters", r->allocated_clusters },
        { "fragmented-clusters", r->fragmented_clusters },
        { "compressed-clusters", r->compressed_clusters },
    };
    GString *text;

    json_object_set_new(o, "filename", json_string(filename));
    json_object_set_new(o, "format", json_string(format));
    for (size_t i = 0; i < G_N_ELEMENTS(m); i++) {
        if (m[i].always || m[i].v) {
            json_object_set_new(o, m[i].name, json_integer(m[i].v));
        }
    }
    text = qobject_to_json_pretty(o, true);
    printf("%s\n", text->str);
    g_string_free(text, true);
    json_decref(o);
}

int img_check(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "format", required_argument, NULL, 'f' },
        { "repair", required_argument, NULL, 'r' },
        { "output", required_argument, NULL, OPTION_OUTPUT },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 }
    };
    const char *fmt = NULL, *output = NULL, *cache = "writeback", *filename;
    bool image_opts = false, force_share = false, json = false, quiet = false, writethrough;
    int flags = BDRV_O_CHECK, fix = 0, c, ret;
    BdrvCheckResult res;
    BlockBackend *blk;

    while ((c = img_getopt(argc, argv, ":hf:r:T:qU", long_options, NULL)) != -1) {
        switch (c) {
        case 'f':
            fmt = optarg;
            break;
        case 'r':
            flags |= BDRV_O_RDWR;
            if (!strcmp(optarg, "leaks")) {
                fix = BDRV_FIX_LEAKS;
            } else if (!strcmp(optarg, "all")) {
                fix = BDRV_FIX_LEAKS | BDRV_FIX_ERRORS;
            } else {
                img_error_exit("Unknown option value for -r (expecting 'leaks' or 'all'): %s",
                               optarg);
            }
            break;
        case OPTION_OUTPUT:
            output = optarg;
            break;
        case 'T':
            cache = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'U':
            force_share = true;
            break;
        case OPTION_IMAGE_OPTS:
            image_opts = true;
            break;
        }
    }
    if (optind != argc - 1) {
        img_error_exit("Expecting one image file name");
    }
    filename = argv[optind];
    if (!img_parse_output(output, &json)) {
        return 1;
    }
    if (bdrv_parse_cache_mode(cache, &flags, &writethrough) < 0) {
        error_report("Invalid source cache option: %s", cache);
        return 1;
    }
    blk = img_open(image_opts, filename, fmt, flags, writethrough, quiet, force_share);
    if (!blk) {
        return 1;
    }
    ret = bdrv_check(blk_bs(blk), &res, fix);
    if (ret == -ENOTSUP) {
        error_report("This image format does not support checks");
        blk_unref(blk);
        return 63;
    }
    if (ret >= 0 && (res.corruptions_fixed || res.leaks_fixed)) {
        int64_t leaks_fixed = res.leaks_fixed, corruptions_fixed = res.corruptions_fixed;

        if (!json && !quiet) {
            printf("The following inconsistencies were found and repaired:\n\n"
                   "    %" PRId64 " leaked clusters\n    %" PRId64 " corruptions\n\n"
                   "Double checking the fixed image now...\n", leaks_fixed, corruptions_fixed);
        }
        ret = bdrv_check(blk_bs(blk), &res, 0);
        res.leaks_fixed = leaks_fixed;
        res.corruptions_fixed = corruptions_fixed;
    }
    if (ret >= 0 && !quiet) {
        if (json) {
            print_json(&res, filename, blk_bs(blk)->drv->format_name);
        } else {
            print_human(&res);
        }
    }
    blk_unref(blk);
    if (ret < 0 || res.check_errors) {
        if (ret < 0) {
            error_report("Check failed: %s", strerror(-ret));
        } else {
            error_report("Check failed");
        }
        return 1;
    }
    return res.corruptions ? 2 : res.leaks ? 3 : 0;
}
