/*
 * minivm-img info: qemu-img info's human and JSON output.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "block/block.h"
#include "block/qapi.h"
#include "qemu/error-report.h"
#include "qemu/json-writer.h"
#include "sysemu/block-backend.h"
#include "tools/img-common.h"

/*
 * ImageInfo of @filename and, with @chain, of each backing file after it
 * (a JSON array); NULL after printing the error.
 */
static json_t *collect_image_info_list(bool image_opts, const char *filename, const char *fmt,
                                       bool chain, bool force_share)
{
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    json_t *list = json_array();
    char *name = g_strdup(filename), *format = g_strdup(fmt);

    while (name) {
        Error *err = NULL;
        BlockBackend *blk;
        json_t *info;
        const char *next;

        if (g_hash_table_contains(seen, name)) {
            error_report("Backing file '%s' creates an infinite loop.", name);
            goto fail;
        }
        g_hash_table_add(seen, g_strdup(name));
        blk = img_open(image_opts, name, format, BDRV_O_NO_BACKING | BDRV_O_NO_IO, false,
                       false, force_share);
        if (!blk) {
            goto fail;
        }
        info = bdrv_query_image_info(blk_bs(blk), &err);
        blk_unref(blk);
        if (!info) {
            error_report_err(err);
            goto fail;
        }
        json_array_append_new(list, info);

        /* only the top image takes the command line's format and options */
        g_free(name);
        g_free(format);
        name = format = NULL;
        image_opts = false;
        if (!chain) {
            break;
        }
        next = json_string_value(json_object_get(info, "full-backing-filename"));
        if (!next && json_object_get(info, "backing-filename")) {
            error_report("Could not determine absolute backing filename, but backing filename"
                         " '%s' present",
                         json_string_value(json_object_get(info, "backing-filename")));
            goto fail;
        }
        name = g_strdup(next);
        format = g_strdup(json_string_value(json_object_get(info, "backing-filename-format")));
    }
    g_hash_table_destroy(seen);
    return list;

fail:
    g_free(name);
    g_free(format);
    g_hash_table_destroy(seen);
    json_decref(list);
    return NULL;
}

static void print_json(json_t *v)
{
    GString *s = qobject_to_json_pretty(v, true);

    printf("%s\n", s->str);
    g_string_free(s, true);
}

int img_info(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, OPTION_OUTPUT },
        { "backing-chain", no_argument, NULL, OPTION_BACKING_CHAIN },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 }
    };
    const char *filename, *fmt = NULL, *output = NULL;
    bool chain = false, image_opts = false, force_share = false, json = false;
    json_t *list, *info;
    size_t i;
    int c;

    while ((c = img_getopt(argc, argv, ":f:hU", long_options, NULL)) != -1) {
        switch (c) {
        case 'f':
            fmt = optarg;
            break;
        case 'U':
            force_share = true;
            break;
        case OPTION_OUTPUT:
            output = optarg;
            break;
        case OPTION_BACKING_CHAIN:
            chain = true;
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

    list = collect_image_info_list(image_opts, filename, fmt, chain, force_share);
    if (!list) {
        return 1;
    }
    if (json) {
        print_json(chain ? list : json_array_get(list, 0));
    } else {
        json_array_foreach(list, i, info) {
            if (i) {
                printf("\n");
            }
            bdrv_image_info_dump(info);
        }
    }
    json_decref(list);
    return 0;
}
