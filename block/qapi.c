/*
 * Human-readable image information (include/block/qapi.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "block/block_int.h"
#include "block/qapi.h"
#include "qemu/cutils.h"
#include "qemu/json-writer.h"

static void dump_value(int indent, json_t *v);

/* Members in QEMU's dictionary order, which is what users have seen printed. */
static void dump_dict(int indent, json_t *dict)
{
    const char **keys = qdict_ordered_keys(dict);
    size_t i;

    for (i = 0; keys[i]; i++) {
        json_t *value = json_object_get(dict, keys[i]);
        bool composite = json_is_object(value) || json_is_array(value);
        char *shown = g_strdelimit(g_strdup(keys[i]), "-", ' ');

        printf("%*s%s:%c", indent * 4, "", shown, composite ? '\n' : ' ');
        g_free(shown);
        dump_value(indent + 1, value);
        if (!composite) {
            printf("\n");
        }
    }
    g_free(keys);
}

static void dump_list(int indent, json_t *list)
{
    size_t i;
    json_t *v;

    json_array_foreach(list, i, v) {
        bool composite = json_is_object(v) || json_is_array(v);

        printf("%*s[%zu]:%c", indent * 4, "", i, composite ? '\n' : ' ');
        dump_value(indent + 1, v);
        if (!composite) {
            printf("\n");
        }
    }
}

static void dump_value(int indent, json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        dump_dict(indent, v);
        break;
    case JSON_ARRAY:
        dump_list(indent, v);
        break;
    case JSON_STRING:
        printf("%s", json_string_value(v));
        break;
    case JSON_INTEGER:
        printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        printf("%.17g", json_real_value(v));
        break;
    case JSON_TRUE:
        printf("true");
        break;
    case JSON_FALSE:
        printf("false");
        break;
    case JSON_NULL:
        break;
    }
}

void bdrv_image_info_specific_dump(json_t *format_specific)
{
    json_t *data = json_object_get(format_specific, "data");

    if (data) {
        dump_value(1, data);
    }
}

void bdrv_snapshot_dump(json_t *sn)
{
    GDateTime *date;
    char *date_buf, *sizing;
    char icount_buf[32] = "";
    char clock_buf[64];
    int64_t secs, nsec;

    if (!sn) {
        printf("%-10s%-17s%8s%20s%13s%11s", "ID", "TAG", "VM SIZE", "DATE", "VM CLOCK",
               "ICOUNT");
        return;
    }
    date = g_date_time_new_from_unix_local(json_integer_value(json_object_get(sn, "date-sec")));
    date_buf = g_date_time_format(date, "%Y-%m-%d %H:%M:%S");
    secs = json_integer_value(json_object_get(sn, "vm-clock-sec"));
    nsec = json_integer_value(json_object_get(sn, "vm-clock-nsec"));
    snprintf(clock_buf, sizeof(clock_buf), "%02d:%02d:%02d.%03d", (int)(secs / 3600),
             (int)((secs / 60) % 60), (int)(secs % 60), (int)(nsec / 1000000));
    sizing = size_to_str(json_integer_value(json_object_get(sn, "vm-state-size")));
    if (json_object_get(sn, "icount")) {
        snprintf(icount_buf, sizeof(icount_buf), "%" JSON_INTEGER_FORMAT,
                 json_integer_value(json_object_get(sn, "icount")));
    }
    printf("%-9s %-16s %8s%20s%13s%11s", json_string_value(json_object_get(sn, "id")),
           json_string_value(json_object_get(sn, "name")), sizing, date_buf, clock_buf,
           icount_buf);
    g_free(sizing);
    g_free(date_buf);
    g_date_time_unref(date);
}

static const char *info_str(json_t *info, const char *key)
{
    return json_string_value(json_object_get(info, key));
}

void bdrv_image_info_dump(json_t *info)
{
    json_t *actual = json_object_get(info, "actual-size");
    json_t *snapshots = json_object_get(info, "snapshots");
    json_t *spec = json_object_get(info, "format-specific");
    int64_t vsize = json_integer_value(json_object_get(info, "virtual-size"));
    char *size_buf = size_to_str(vsize);
    char *dsize_buf = actual ? size_to_str(json_integer_value(actual)) : g_strdup("unavailable");
    const char *backing = info_str(info, "backing-filename");

    printf("image: %s\nfile format: %s\nvirtual size: %s (%" PRId64 " bytes)\ndisk size: %s\n",
           info_str(info, "filename"), info_str(info, "format"), size_buf, vsize, dsize_buf);
    g_free(size_buf);
    g_free(dsize_buf);

    if (json_is_true(json_object_get(info, "encrypted"))) {
        printf("encrypted: yes\n");
    }
    if (json_object_get(info, "cluster-size")) {
        printf("cluster_size: %" JSON_INTEGER_FORMAT "\n",
               json_integer_value(json_object_get(info, "cluster-size")));
    }
    if (json_is_true(json_object_get(info, "dirty-flag"))) {
        printf("cleanly shut down: no\n");
    }
    if (backing) {
        const char *full = info_str(info, "full-backing-filename");

        printf("backing file: %s", backing);
        if (!full) {
            printf(" (cannot determine actual path)");
        } else if (strcmp(backing, full)) {
            printf(" (actual path: %s)", full);
        }
        printf("\n");
        if (info_str(info, "backing-filename-format")) {
            printf("backing file format: %s\n", info_str(info, "backing-filename-format"));
        }
    }
    if (snapshots) {
        size_t i;
        json_t *sn;

        printf("Snapshot list:\n");
        bdrv_snapshot_dump(NULL);
        printf("\n");
        json_array_foreach(snapshots, i, sn) {
            bdrv_snapshot_dump(sn);
            printf("\n");
        }
    }
    if (spec) {
        printf("Format specific information:\n");
        bdrv_image_info_specific_dump(spec);
    }
}

json_t *bdrv_query_image_info(BlockDriverState *bs, Error **errp)
{
    int64_t size = bdrv_getlength(bs);
    int64_t actual = bdrv_get_allocated_file_size(bs);
    Error *local_err = NULL;
    BlockDriverInfo bdi;
    json_t *info, *spec;

    if (size < 0) {
        error_setg_errno(errp, -size, "Can't get image size '%s'", bs->filename);
        return NULL;
    }
    /* QAPI member order: it decides the order of keys that share a hash bucket */
    info = json_pack("{s:s, s:s}", "filename", bs->filename, "format",
                     bdrv_get_format_name(bs));
    if (bdrv_get_info(bs, &bdi) == 0) {
        json_object_set_new(info, "dirty-flag", json_boolean(bdi.is_dirty));
    }
    if (actual >= 0) {
        json_object_set_new(info, "actual-size", json_integer(actual));
    }
    json_object_set_new(info, "virtual-size", json_integer(size));
    if (bdrv_get_info(bs, &bdi) == 0 && bdi.cluster_size) {
        json_object_set_new(info, "cluster-size", json_integer(bdi.cluster_size));
    }
    spec = bdrv_get_specific_info(bs, &local_err);
    if (local_err) {
        error_propagate(errp, local_err);
        json_decref(info);
        return NULL;
    }
    if (spec) {
        json_object_set_new(info, "format-specific", spec);
    }
    if (bs->backing_file) {
        char *full = bdrv_get_full_backing_filename(bs);

        json_object_set_new(info, "backing-filename", json_string(bs->backing_file));
        json_object_set_new(info, "full-backing-filename", json_string(full));
        g_free(full);
        if (bs->backing_format) {
            json_object_set_new(info, "backing-filename-format",
                                json_string(bs->backing_format));
        }
    }
    if (bs->drv->bdrv_query_snapshots) {
        json_t *sn = bs->drv->bdrv_query_snapshots(bs);

        if (sn) {
            json_object_set_new(info, "snapshots", sn);
        }
    }
    return info;
}
