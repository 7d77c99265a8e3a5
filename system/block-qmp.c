/*
 * The block layer seen from the monitor and the run state: the
 * BLOCK_IO_ERROR event and the VM stop that rerror/werror=stop ask for,
 * the retry of held requests when the VM resumes (cont), query-block and
 * query-blockstats.
 * The block layer itself knows neither QMP nor the run state; this file
 * plugs it into both at start-up.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "block/block_int.h"
#include "block/qapi.h"
#include "hw/qdev-core.h"
#include "hw/virtio/virtio-blk.h"
#include "monitor/monitor.h"
#include "qemu/main-loop.h"
#include "sysemu/block-backend.h"
#include "sysemu/runstate.h"

/* QAPI BlockDeviceIoStatus of each backend that failed since the last cont. */
static GHashTable *iostatus;

static const char *const action_names[] = {
    [BLOCK_ERROR_ACTION_IGNORE] = "ignore",
    [BLOCK_ERROR_ACTION_REPORT] = "report",
    [BLOCK_ERROR_ACTION_STOP] = "stop",
};

/* QEMU's iostatus is on for devices whose policy can stop the VM. */
static bool blk_iostatus_enabled(BlockBackend *blk)
{
    BlockdevOnError w = blk_get_on_error(blk, false), r = blk_get_on_error(blk, true);

    return blk_get_attached_dev(blk) &&
           (w == BLOCKDEV_ON_ERROR_ENOSPC || w == BLOCKDEV_ON_ERROR_STOP ||
            r == BLOCKDEV_ON_ERROR_STOP);
}

static void block_io_error(BlockBackend *blk, BlockErrorAction action, bool is_read, int error)
{
    json_t *data = json_object();

    json_object_set_new(data, "device", json_string(blk_name(blk)));
    json_object_set_new(data, "node-name", json_string(blk_bs(blk)->node_name));
    json_object_set_new(data, "operation", json_string(is_read ? "read" : "write"));
    json_object_set_new(data, "action", json_string(action_names[action]));
    if (blk_iostatus_enabled(blk)) {
        json_object_set_new(data, "nospace", json_boolean(error == ENOSPC));
    }
    json_object_set_new(data, "reason", json_string(strerror(error)));
    qapi_event_send("BLOCK_IO_ERROR", data);

    if (action == BLOCK_ERROR_ACTION_STOP) {
        g_hash_table_insert(iostatus, blk, (gpointer)(error == ENOSPC ? "nospace" : "failed"));
        vm_stop(RUN_STATE_IO_ERROR);
    }
}

static void restart_bh(void *opaque)
{
    virtio_blk_restart_all_held();
}

static void block_vm_state_change(void *opaque, bool running, RunState state)
{
    if (running) {
        /* cont: the error is forgotten and held requests go again, from the main loop. */
        g_hash_table_remove_all(iostatus);
        aio_bh_schedule_oneshot(qemu_get_aio_context(), restart_bh, NULL);
    }
}

static json_t *block_inserted_info(BlockBackend *blk)
{
    BlockDriverState *bs = blk_bs(blk);
    json_t *ins = json_object(), *cache = json_object(), *image;
    int depth = 0;

    for (BlockDriverState *b = bs; b->backing; b = b->backing->bs) {
        depth++;
    }
    json_object_set_new(ins, "file", json_string(bs->filename));
    json_object_set_new(ins, "node-name", json_string(bs->node_name));
    json_object_set_new(ins, "ro", json_boolean(bs->read_only));
    json_object_set_new(ins, "drv", json_string(bs->drv->format_name));
    json_object_set_new(ins, "backing_file_depth", json_integer(depth));
    json_object_set_new(ins, "encrypted", json_false());
    json_object_set_new(ins, "detect_zeroes",
                        json_string(BlockdevDetectZeroesOptions_str[bs->detect_zeroes]));
    for (const char *const *k = (const char *const[]) { "bps", "bps_rd", "bps_wr", "iops",
                                                        "iops_rd", "iops_wr", NULL }; *k; k++) {
        json_object_set_new(ins, *k, json_integer(0));
    }
    json_object_set_new(cache, "writeback", json_boolean(blk_enable_write_cache(blk)));
    json_object_set_new(cache, "direct", json_boolean(bs->open_flags & BDRV_O_NOCACHE));
    json_object_set_new(cache, "no-flush", json_boolean(bs->open_flags & BDRV_O_NO_FLUSH));
    json_object_set_new(ins, "cache", cache);
    json_object_set_new(ins, "write_threshold", json_integer(0));
    image = bdrv_query_image_info(bs, NULL);
    if (image) {
        json_object_set_new(ins, "image", image);
    }
    return ins;
}

static json_t *qmp_query_block(json_t *args, Error **errp)
{
    json_t *list = json_array();

    for (BlockBackend *blk = blk_next(NULL); blk; blk = blk_next(blk)) {
        json_t *info = json_object();
        DeviceState *dev = blk_get_attached_dev(blk);

        json_object_set_new(info, "device", json_string(blk_name(blk)));
        json_object_set_new(info, "locked", json_false());
        json_object_set_new(info, "removable", json_false());
        if (blk_is_inserted(blk)) {
            json_object_set_new(info, "inserted", block_inserted_info(blk));
        }
        if (dev) {
            char *path = g_strdup_printf("%s/virtio-backend", dev->canonical_path);
            json_object_set_new(info, "qdev", json_string(path));
            g_free(path);
        }
        json_object_set_new(info, "type", json_string("unknown"));
        if (blk_iostatus_enabled(blk)) {
            const char *st = g_hash_table_lookup(iostatus, blk);
            json_object_set_new(info, "io-status", json_string(st ? st : "ok"));
        }
        json_array_append_new(list, info);
    }
    return list;
}

static json_t *block_stats_info(BlockAcctStats *st)
{
    static const struct { const char *prefix; enum BlockAcctType t; } kinds[] = {
        { "rd", BLOCK_ACCT_READ }, { "wr", BLOCK_ACCT_WRITE },
        { "flush", BLOCK_ACCT_FLUSH }, { "unmap", BLOCK_ACCT_UNMAP },
    };
    json_t *o = json_object();
    char key[64];

    for (unsigned i = 0; i < G_N_ELEMENTS(kinds); i++) {
        const char *p = kinds[i].prefix;
        enum BlockAcctType t = kinds[i].t;

        if (t != BLOCK_ACCT_FLUSH) {
            snprintf(key, sizeof(key), "%s_bytes", p);
            json_object_set_new(o, key, json_integer(st->nr_bytes[t]));
            snprintf(key, sizeof(key), "%s_merged", p);
            json_object_set_new(o, key, json_integer(st->merged[t]));
        }
        snprintf(key, sizeof(key), "%s_operations", p);
        json_object_set_new(o, key, json_integer(st->nr_ops[t]));
        snprintf(key, sizeof(key), "%s_total_time_ns", p);
        json_object_set_new(o, key, json_integer(st->total_time_ns[t]));
        snprintf(key, sizeof(key), "failed_%s_operations", p);
        json_object_set_new(o, key, json_integer(st->failed_ops[t]));
        snprintf(key, sizeof(key), "invalid_%s_operations", p);
        json_object_set_new(o, key, json_integer(st->invalid_ops[t]));
    }
    json_object_set_new(o, "wr_highest_offset", json_integer(st->wr_highest_offset));
    if (st->last_access_time_ns) {
        json_object_set_new(o, "idle_time_ns",
                            json_integer(qemu_clock_get_ns(QEMU_CLOCK_REALTIME) -
                                         st->last_access_time_ns));
    }
    json_object_set_new(o, "account_invalid", json_boolean(st->account_invalid));
    json_object_set_new(o, "account_failed", json_boolean(st->account_failed));
    json_object_set_new(o, "timed_stats", json_array());
    return o;
}

static json_t *qmp_query_blockstats(json_t *args, Error **errp)
{
    json_t *list = json_array();

    for (BlockBackend *blk = blk_next(NULL); blk; blk = blk_next(blk)) {
        json_t *info = json_object();
        DeviceState *dev = blk_get_attached_dev(blk);

        json_object_set_new(info, "device", json_string(blk_name(blk)));
        json_object_set_new(info, "node-name", json_string(blk_bs(blk)->node_name));
        if (dev) {
            char *path = g_strdup_printf("%s/virtio-backend", dev->canonical_path);
            json_object_set_new(info, "qdev", json_string(path));
            g_free(path);
        }
        json_object_set_new(info, "stats", block_stats_info(blk_get_stats(blk)));
        json_array_append_new(list, info);
    }
    return list;
}

void block_qmp_init(void)
{
    iostatus = g_hash_table_new(NULL, NULL);
    blk_set_io_error_handler(block_io_error);
    qemu_add_vm_change_state_handler(block_vm_state_change, NULL);
    qmp_register_command("query-block", qmp_query_block, NULL, QCO_NO_OPTIONS);
    qmp_register_command("query-blockstats", qmp_query_blockstats, "*query-nodes:bool",
                         QCO_NO_OPTIONS);
}
