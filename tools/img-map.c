/*
 * minivm-img map: where each part of the image's data lives, down the
 * backing chain, in qemu-img map's human and JSON forms.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "block/block_int.h"
#include "qemu/error-report.h"
#include "sysemu/block-backend.h"
#include "tools/img-common.h"

typedef struct MapEntry {
    int64_t start, length, offset, depth;
    bool data, zero, present, has_offset;
    const char *filename;       /* the node the offset is in, when there is one */
} MapEntry;

/* The status at @offset from the first layer of the chain that decides it. */
static int map_status(BlockDriverState *bs, int64_t offset, int64_t bytes, MapEntry *e)
{
    BlockDriverState *file = NULL;
    int64_t map = 0, pnum = 0;
    int depth, ret = img_block_status_above(bs, NULL, offset, bytes, &pnum, &depth, &map,
                                            &file);

    if (ret < 0) {
        return ret;
    }
    *e = (MapEntry) {
        .start = offset,
        .length = pnum,
        .data = ret & BDRV_BLOCK_DATA,
        .zero = ret & BDRV_BLOCK_ZERO,
        .offset = map,
        .has_offset = ret & BDRV_BLOCK_OFFSET_VALID,
        .depth = depth,
        .present = ret & BDRV_BLOCK_ALLOCATED,
        .filename = file && (ret & BDRV_BLOCK_OFFSET_VALID) ? file->filename : NULL,
    };
    return 0;
}

/* Whether @next continues @curr as one output line (qemu-img's rule). */
static bool mergeable(const MapEntry *curr, const MapEntry *next)
{
    if (!curr->length || curr->zero != next->zero || curr->data != next->data ||
        curr->depth != next->depth || curr->present != next->present ||
        !curr->filename != !next->filename || curr->has_offset != next->has_offset) {
        return false;
    }
    if (curr->filename && strcmp(curr->filename, next->filename)) {
        return false;
    }
    return !curr->has_offset || curr->offset + curr->length == next->offset;
}

static int dump_entry(bool json, const MapEntry *e, MapEntry *next)
{
    if (json) {
        printf("{ \"start\": %" PRId64 ", \"length\": %" PRId64 ", \"depth\": %" PRId64
               ", \"present\": %s, \"zero\": %s, \"data\": %s", e->start, e->length, e->depth,
               e->present ? "true" : "false", e->zero ? "true" : "false",
               e->data ? "true" : "false");
        if (e->has_offset) {
            printf(", \"offset\": %" PRId64, e->offset);
        }
        putchar('}');
        if (next) {
            puts(",");
        }
        return 0;
    }
    if (e->data && !e->has_offset) {
        error_report("File contains external, encrypted or compressed clusters.");
        return -1;
    }
    if (e->data && !e->zero) {
        printf("%#-16" PRIx64 "%#-16" PRIx64 "%#-16" PRIx64 "%s\n", e->start, e->length,
               e->has_offset ? e->offset : 0, e->filename ? e->filename : "");
    }
    /* The human form does not tell zero from unallocated: let them merge. */
    if (next && (!next->data || next->zero)) {
        next->data = false;
        next->zero = true;
    }
    return 0;
}

int img_map(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, OPTION_OUTPUT },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { "force-share", no_argument, NULL, 'U' },
        { "start-offset", required_argument, NULL, 's' },
        { "max-length", required_argument, NULL, 'l' },
        { NULL, 0, NULL, 0 }
    };
    const char *fmt = NULL, *output = NULL;
    bool image_opts = false, force_share = false, json = false;
    int64_t start = 0, max_length = -1, length;
    MapEntry curr = { 0 }, next;
    BlockBackend *blk;
    BlockDriverState *bs;
    int c, ret = 0;

    while ((c = img_getopt(argc, argv, ":f:s:l:hU", long_options, NULL)) != -1) {
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
        case 's':
            start = img_cvtnum("start offset", optarg);
            if (start < 0) {
                return 1;
            }
            break;
        case 'l':
            max_length = img_cvtnum("max length", optarg);
            if (max_length < 0) {
                return 1;
            }
            break;
        case OPTION_IMAGE_OPTS:
            image_opts = true;
            break;
        }
    }
    if (optind != argc - 1) {
        img_error_exit("Expecting one image file name");
    }
    if (!img_parse_output(output, &json)) {
        return 1;
    }
    blk = img_open(image_opts, argv[optind], fmt, 0, false, false, force_share);
    if (!blk) {
        return 1;
    }
    bs = blk_bs(blk);
    if (json) {
        putchar('[');
    } else {
        printf("%-16s%-16s%-16s%s\n", "Offset", "Length", "Mapped to", "File");
    }
    length = blk_getlength(blk);
    if (length < 0) {
        error_report("Failed to get size for '%s'", argv[optind]);
        blk_unref(blk);
        return 1;
    }
    if (max_length != -1) {
        length = MIN(start + max_length, length);
    }
    curr.start = start;
    while (curr.start + curr.length < length) {
        int64_t offset = curr.start + curr.length;

        ret = map_status(bs, offset, length - offset, &next);
        if (ret < 0) {
            error_report("Could not read file metadata: %s", strerror(-ret));
            break;
        }
        if (mergeable(&curr, &next)) {
            curr.length += next.length;
            continue;
        }
        if (curr.length > 0 && (ret = dump_entry(json, &curr, &next)) < 0) {
            break;
        }
        curr = next;
    }
    if (ret >= 0) {
        ret = dump_entry(json, &curr, NULL);
    }
    if (json) {
        puts("]");
    }
    blk_unref(blk);
    return ret < 0;
}
