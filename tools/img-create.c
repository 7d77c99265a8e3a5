/*
 * minivm-img create: qemu-img create's options and messages.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "block/block.h"
#include "qemu/error-report.h"
#include "qemu/option.h"
#include "tools/img-common.h"

int img_create(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { NULL, 0, NULL, 0 }
    };
    const char *fmt = "raw", *base_fmt = NULL, *base_filename = NULL, *filename;
    uint64_t img_size = UINT64_MAX;
    GString *options = NULL;
    Error *local_err = NULL;
    bool quiet = false;
    int c, flags = 0, ret = 1;

    while ((c = img_getopt(argc, argv, ":F:b:f:ho:qu", long_options, NULL)) != -1) {
        switch (c) {
        case 'F':
            base_fmt = optarg;
            break;
        case 'b':
            base_filename = optarg;
            break;
        case 'f':
            fmt = optarg;
            break;
        case 'o':
            /* repeated -o accumulate, as in qemu-img */
            if (!options) {
                options = g_string_new(optarg);
            } else {
                g_string_append_printf(options, ",%s", optarg);
            }
            break;
        case 'q':
            quiet = true;
            break;
        case 'u':
            flags |= BDRV_O_NO_BACKING;
            break;
        }
    }
    if (optind >= argc) {
        img_error_exit("Expecting image file name");
    }
    filename = argv[optind++];
    if (optind < argc) {
        int64_t sval = img_cvtnum("image size", argv[optind++]);

        if (sval < 0) {
            goto out;
        }
        img_size = sval;
    }
    if (optind != argc) {
        img_error_exit("Unexpected argument: %s", argv[optind]);
    }
    bdrv_img_create(filename, fmt, base_filename, base_fmt, options ? options->str : NULL,
                    img_size, flags, quiet, &local_err);
    if (local_err) {
        error_prepend(&local_err, "%s: ", filename);
        error_report_err(local_err);
        goto out;
    }
    ret = 0;
out:
    if (options) {
        g_string_free(options, true);
    }
    return ret;
}
