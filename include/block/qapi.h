/*
 * Image information in QEMU's ImageInfo shape, printed the way qemu-img
 * info prints it.  The info is a JSON object with the QAPI member names
 * ("filename", "format", "dirty-flag", "actual-size", "virtual-size",
 * "cluster-size", "encrypted", "backing-filename", "full-backing-filename",
 * "backing-filename-format", "snapshots", "format-specific"), so the same
 * object serves --output=json, the human format and QMP.  Format drivers
 * fill "format-specific" as {"type": NAME, "data": {...}}.
 */
#ifndef BLOCK_QAPI_H
#define BLOCK_QAPI_H

#include <jansson.h>
#include "qemu/error.h"

typedef struct BlockDriverState BlockDriverState;

/* ImageInfo of the node (qemu-img info, query-block). */
json_t *bdrv_query_image_info(BlockDriverState *bs, Error **errp);

/* qemu-img info's human format. */
void bdrv_image_info_dump(json_t *info);

/* The "data" of format-specific info: "key: value", dashes as spaces, 4-space indents. */
void bdrv_image_info_specific_dump(json_t *format_specific);

/* One snapshot row of "Snapshot list:" (the column header when @sn is NULL), no newline. */
void bdrv_snapshot_dump(json_t *sn);

#endif
