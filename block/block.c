/*
 * Node graph: driver registry, opening a format node over its protocol
 * node, generic options, reference counting and node queries.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "block/block_int.h"
#include "sysemu/block-backend.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/memalign.h"

static BlockDriver *drivers;

const char *const PreallocMode_str[PREALLOC_MODE__MAX] = {
    "off", "metadata", "falloc", "full",
};

const char *const BlockdevDetectZeroesOptions_str[] = { "off", "on", "unmap", NULL };

int bdrv_parse_detect_zeroes(const char *mode)
{
    for (int i = 0; BlockdevDetectZeroesOptions_str[i]; i++) {
        if (!strcmp(mode, BlockdevDetectZeroesOptions_str[i])) {
            return i;
        }
    }
    return -1;
}

const char *const bdrv_generic_opts[] = {
    "driver", "node-name", "file", "cache", "read-only", "auto-read-only", "discard",
    "detect-zeroes", "force-share", NULL,
};

void bdrv_register(BlockDriver *drv)
{
    drv->next = drivers;
    drivers = drv;
}

BlockDriver *bdrv_find_format(const char *format_name)
{
    BlockDriver *drv;

    for (drv = drivers; drv; drv = drv->next) {
        const char *name = drv->format_name ? drv->format_name : drv->protocol_name;

        if (!strcmp(name, format_name)) {
            return drv;
        }
    }
    return NULL;
}

int bdrv_parse_aio(const char *mode, int *flags)
{
    if (!strcmp(mode, "threads")) {
        *flags &= ~(BDRV_O_NATIVE_AIO | BDRV_O_IO_URING);
    } else if (!strcmp(mode, "native")) {
        *flags = (*flags & ~BDRV_O_IO_URING) | BDRV_O_NATIVE_AIO;
    } else if (!strcmp(mode, "io_uring")) {
        *flags = (*flags & ~BDRV_O_NATIVE_AIO) | BDRV_O_IO_URING;
    } else {
        return -1;
    }
    return 0;
}

int bdrv_parse_discard_flags(const char *mode, int *flags)
{
    if (!strcmp(mode, "off") || !strcmp(mode, "ignore")) {
        *flags &= ~BDRV_O_UNMAP;
    } else if (!strcmp(mode, "on") || !strcmp(mode, "unmap")) {
        *flags |= BDRV_O_UNMAP;
    } else {
        return -1;
    }
    return 0;
}

/* ---- option access ---- */

/* Leaf values come from keyval (strings) or from code (JSON scalars). */
static const char *json_leaf_str(json_t *v, char *buf, size_t size)
{
    if (json_is_string(v)) {
        return json_string_value(v);
    } else if (json_is_true(v)) {
        return "on";
    } else if (json_is_false(v)) {
        return "off";
    } else if (json_is_integer(v)) {
        snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf;
    }
    return NULL;
}

/* "cache.direct" looks into the "cache" object; a flat "cache.direct" key works too. */
static json_t *opt_lookup(json_t *options, const char *key)
{
    const char *dot = strchr(key, '.');
    json_t *v = json_object_get(options, key);

    if (v || !dot) {
        return v;
    }
    {
        char *parent = g_strndup(key, dot - key);
        json_t *obj = json_object_get(options, parent);

        g_free(parent);
        return json_is_object(obj) ? opt_lookup(obj, dot + 1) : NULL;
    }
}

const char *bdrv_opt_str(json_t *options, const char *key)
{
    static __thread char buf[32];

    return options ? json_leaf_str(opt_lookup(options, key), buf, sizeof(buf)) : NULL;
}

bool bdrv_opt_bool(json_t *options, const char *key, bool def, Error **errp)
{
    const char *v = bdrv_opt_str(options, key);
    bool ret = def;

    if (v && !qemu_parse_bool(v, &ret)) {
        error_setg(errp, "Parameter '%s' expects 'on' or 'off'", key);
        return def;
    }
    return ret;
}

/* Reject keys neither the generic layer nor the driver knows, as QEMU does. */
static bool check_unknown_options(BlockDriver *drv, json_t *options, Error **errp)
{
    const char *key;
    json_t *v;

    json_object_foreach(options, key, v) {
        const char *const *p;
        bool known = false;

        for (p = bdrv_generic_opts; *p && !known; p++) {
            known = !strcmp(*p, key);
        }
        for (p = drv->runtime_opts; p && *p && !known; p++) {
            known = !strcmp(*p, key);
        }
        if (!strcmp(key, "backing") && drv->is_format) {
            known = true;
        }
        if (!known) {
            if (drv->protocol_name) {
                error_setg(errp, "Block protocol '%s' doesn't support the option '%s'",
                           drv->protocol_name, key);
            } else {
                error_setg(errp, "Block format '%s' does not support the option '%s'",
                           drv->format_name, key);
            }
            return false;
        }
    }
    return true;
}

/* Flags a node's own options change: cache.*, read-only, discard. */
static bool apply_node_options(json_t *options, int *flags, bool *force_share,
                               BlockdevDetectZeroesOptions *dz, Error **errp)
{
    Error *local_err = NULL;
    const char *discard = bdrv_opt_str(options, BDRV_OPT_DISCARD);
    const char *detect = bdrv_opt_str(options, "detect-zeroes");

    if (bdrv_opt_str(options, BDRV_OPT_CACHE_DIRECT)) {
        bool on = bdrv_opt_bool(options, BDRV_OPT_CACHE_DIRECT, false, &local_err);

        *flags = on ? *flags | BDRV_O_NOCACHE : *flags & ~BDRV_O_NOCACHE;
    }
    if (!local_err && bdrv_opt_str(options, BDRV_OPT_CACHE_NO_FLUSH)) {
        bool on = bdrv_opt_bool(options, BDRV_OPT_CACHE_NO_FLUSH, false, &local_err);

        *flags = on ? *flags | BDRV_O_NO_FLUSH : *flags & ~BDRV_O_NO_FLUSH;
    }
    if (!local_err && bdrv_opt_str(options, BDRV_OPT_READ_ONLY)) {
        bool on = bdrv_opt_bool(options, BDRV_OPT_READ_ONLY, false, &local_err);

        *flags = on ? *flags & ~BDRV_O_RDWR : *flags | BDRV_O_RDWR;
    }
    if (!local_err && bdrv_opt_str(options, BDRV_OPT_FORCE_SHARE)) {
        *force_share = bdrv_opt_bool(options, BDRV_OPT_FORCE_SHARE, false, &local_err);
    }
    if (local_err) {
        error_propagate(errp, local_err);
        return false;
    }
    if (discard && bdrv_parse_discard_flags(discard, flags) < 0) {
        error_setg(errp, "Invalid discard option");
        return false;
    }
    if (detect) {
        int i = bdrv_parse_detect_zeroes(detect);

        if (i < 0) {
            error_setg(errp, "Parameter 'detect-zeroes' does not accept value '%s'", detect);
            return false;
        }
        *dz = i;
        if (*dz == BLOCKDEV_DETECT_ZEROES_OPTIONS_UNMAP && !(*flags & BDRV_O_UNMAP)) {
            error_setg(errp, "setting detect-zeroes to unmap is not allowed without setting "
                       "discard operation to unmap");
            return false;
        }
    }
    if (*force_share && (*flags & BDRV_O_RDWR)) {
        error_setg(errp, "force-share=on can only be used with read-only images");
        return false;
    }
    return true;
}

/* ---- node names ---- */

static GPtrArray *all_nodes;

BlockDriverState *bdrv_find_node(const char *node_name)
{
    for (guint i = 0; node_name && all_nodes && i < all_nodes->len; i++) {
        BlockDriverState *bs = g_ptr_array_index(all_nodes, i);

        if (!strcmp(bs->node_name, node_name)) {
            return bs;
        }
    }
    return NULL;
}

BlockDriverState *bdrv_lookup_ref(const char *name, Error **errp)
{
    BlockBackend *blk = blk_by_name(name);
    BlockDriverState *bs = blk ? blk_bs(blk) : bdrv_find_node(name);

    if (!bs) {
        error_setg(errp, "Cannot find device='%s' nor node-name='%s'", name, name);
        return NULL;
    }
    bdrv_ref(bs);
    return bs;
}

void bdrv_flush_all(void)
{
    for (guint i = 0; all_nodes && i < all_nodes->len; i++) {
        BlockDriverState *bs = g_ptr_array_index(all_nodes, i);

        bdrv_drain(bs);
        if (!bs->read_only) {
            bdrv_flush(bs);
        }
    }
}

/* QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'. */
static bool node_name_wellformed(const char *name)
{
    if (!g_ascii_isalpha(name[0]) || strlen(name) >= sizeof(((BlockDriverState *)0)->node_name)) {
        return false;
    }
    for (const char *p = name + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

static bool bdrv_assign_node_name(BlockDriverState *bs, const char *name, Error **errp)
{
    static unsigned long generated;

    if (!name) {
        snprintf(bs->node_name, sizeof(bs->node_name), "#block%lu", generated++);
    } else if (!node_name_wellformed(name)) {
        error_setg(errp, "Invalid node-name: '%s'", name);
        return false;
    } else if (blk_by_name(name)) {
        error_setg(errp, "node-name=%s is conflicting with a device id", name);
        return false;
    } else if (bdrv_find_node(name)) {
        error_setg(errp, "Duplicate nodes with node-name='%s'", name);
        return false;
    } else {
        g_strlcpy(bs->node_name, name, sizeof(bs->node_name));
    }
    if (!all_nodes) {
        all_nodes = g_ptr_array_new();
    }
    g_ptr_array_add(all_nodes, bs);
    return true;
}

static BlockDriverState *bdrv_new(void)
{
    BlockDriverState *bs = g_new0(BlockDriverState, 1);

    bs->refcnt = 1;
    bs->total_bytes = -1;
    bs->bl.request_alignment = 1;
    bs->bl.min_mem_alignment = 1;
    bs->bl.opt_mem_alignment = getpagesize();
    qemu_co_queue_init(&bs->flush_queue);
    return bs;
}

static void bdrv_close(BlockDriverState *bs)
{
    bdrv_drain(bs);
    if (bs->drv && bs->opaque && bs->drv->bdrv_close) {
        bs->drv->bdrv_close(bs);
    }
    if (bs->file) {
        bdrv_unref(bs->file->bs);
        g_free(bs->file);
    }
    if (bs->backing) {
        bdrv_unref(bs->backing->bs);
        g_free(bs->backing);
    }
    g_free(bs->opaque);
    g_free(bs->backing_file);
    g_free(bs->backing_format);
    json_decref(bs->options);
    if (all_nodes) {
        g_ptr_array_remove(all_nodes, bs);
    }
}

char *bdrv_path_combine(const char *base, const char *name)
{
    const char *slash = strrchr(base, '/');

    /* QEMU's path_combine: no "./" for a bare file name */
    if (g_path_is_absolute(name) || strstr(name, "://") || !slash) {
        return g_strdup(name);
    }
    return g_strdup_printf("%.*s%s", (int)(slash - base + 1), base, name);
}

char *bdrv_get_full_backing_filename(BlockDriverState *bs)
{
    return bs->backing_file ? bdrv_path_combine(bs->filename, bs->backing_file) : NULL;
}

void bdrv_ref(BlockDriverState *bs)
{
    bs->refcnt++;
}

void bdrv_unref(BlockDriverState *bs)
{
    if (bs && --bs->refcnt == 0) {
        bdrv_close(bs);
        g_free(bs);
    }
}

BlockDriver *bdrv_probe_all(const uint8_t *buf, int buf_size, const char *filename)
{
    BlockDriver *drv, *best = bdrv_find_format("raw");
    int score = 0;

    for (drv = drivers; drv; drv = drv->next) {
        if (drv->bdrv_probe) {
            int s = drv->bdrv_probe(buf, buf_size, filename);

            if (s > score) {
                score = s;
                best = drv;
            }
        }
    }
    return best;
}

static int probe_format(BlockDriverState *file, BlockDriver **pdrv, Error **errp)
{
    uint8_t *buf = qemu_blockalign(file, 4096);
    int64_t len = bdrv_getlength(file);
    int n = len < 0 ? 0 : (int)MIN(len, 2048);
    int ret;

    if (n > 0) {
        /* O_DIRECT wants whole aligned blocks */
        int64_t want = MAX(file->bl.request_alignment, 2048);

        ret = bdrv_pread(file, 0, MIN(want, len), buf, 0);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not read image for determining its format");
            qemu_vfree(buf);
            return ret;
        }
    }
    *pdrv = bdrv_probe_all(buf, n, file->filename);
    qemu_vfree(buf);
    return 0;
}

/* Limits a format node takes from its file child; padding happens below it. */
static void inherit_limits(BlockDriverState *bs)
{
    if (bs->file) {
        BlockLimits *c = &bs->file->bs->bl;

        bs->bl.min_mem_alignment = MAX(bs->bl.min_mem_alignment, c->min_mem_alignment);
        bs->bl.opt_mem_alignment = MAX(bs->bl.opt_mem_alignment, c->opt_mem_alignment);
        if (c->max_transfer && (!bs->bl.max_transfer || c->max_transfer < bs->bl.max_transfer)) {
            bs->bl.max_transfer = c->max_transfer;
        }
    }
}

static BlockDriverState *bdrv_open_node(const char *filename, json_t *options, int flags,
                                        bool is_child, Error **errp);

/* The "file" child of a format node: options["file"] or just the filename. */
static BlockDriverState *open_file_child(const char *filename, json_t *options, int flags,
                                         bool force_share, Error **errp)
{
    json_t *file = json_object_get(options, "file");
    json_t *child_opts;

    if (json_is_string(file)) {
        /* a reference to an existing node, as in QEMU, not a file name */
        return bdrv_lookup_ref(json_string_value(file), errp);
    } else if (json_is_object(file)) {
        child_opts = json_deep_copy(file);
    } else {
        child_opts = json_object();
    }
    if (!filename && !json_object_get(child_opts, "filename")) {
        json_decref(child_opts);
        error_setg(errp, "A block device must be specified for \"file\"");
        return NULL;
    }
    if (force_share && !json_object_get(child_opts, BDRV_OPT_FORCE_SHARE)) {
        json_object_set_new(child_opts, BDRV_OPT_FORCE_SHARE, json_string("on"));
    }
    return bdrv_open_node(json_object_get(child_opts, "filename") ? NULL : filename,
                          child_opts, flags, true, errp);
}

static BlockDriverState *bdrv_open_node(const char *filename, json_t *options, int flags,
                                        bool is_child, Error **errp)
{
    const char *drvname = bdrv_opt_str(options, "driver");
    BlockDriverState *bs = bdrv_new();
    BlockDriver *drv = NULL;
    bool force_share = false;
    Error *local_err = NULL;
    int ret;

    if (!apply_node_options(options, &flags, &force_share, &bs->detect_zeroes, errp) ||
        !bdrv_assign_node_name(bs, bdrv_opt_str(options, "node-name"), errp)) {
        goto fail;
    }
    if (drvname) {
        drv = bdrv_find_format(drvname);
        if (!drv) {
            error_setg(errp, "Unknown driver '%s'", drvname);
            goto fail;
        }
    } else if (is_child) {
        drv = &bdrv_file;
    }

    bs->open_flags = flags;
    bs->read_only = !(flags & BDRV_O_RDWR);
    bs->force_share = force_share;

    if (!drv || drv->is_format) {
        BlockDriverState *file = open_file_child(filename, options, flags, force_share, errp);

        if (!file) {
            goto fail;
        }
        bs->file = g_new0(BdrvChild, 1);
        bs->file->bs = file;
        bs->file->name = "file";
        g_strlcpy(bs->filename, file->filename, sizeof(bs->filename));
        if (!drv) {
            if (probe_format(file, &drv, errp) < 0) {
                goto fail;
            }
            bs->probed = true;
        }
    } else {
        const char *fn = bdrv_opt_str(options, "filename");

        if (fn) {
            filename = fn;
        }
        if (!filename) {
            error_setg(errp, "The '%s' block driver requires a file name", drv->protocol_name);
            goto fail;
        }
        g_strlcpy(bs->filename, filename, sizeof(bs->filename));
        if (!json_object_get(options, "filename")) {
            json_object_set_new(options, "filename", json_string(filename));
        }
    }

    /* before bs->drv: a node that fails here has nothing for the driver to close */
    if (!check_unknown_options(drv, options, errp)) {
        goto fail;
    }
    bs->drv = drv;
    bs->opaque = g_malloc0(drv->instance_size ? drv->instance_size : 1);
    ret = drv->bdrv_open(bs, options, flags, &local_err);
    if (ret < 0) {
        error_propagate(errp, local_err);
        g_free(bs->opaque);
        bs->opaque = NULL;
        bs->drv = NULL;
        goto fail;
    }
    inherit_limits(bs);
    if (drv->bdrv_refresh_limits) {
        drv->bdrv_refresh_limits(bs, &local_err);
        if (local_err) {
            error_propagate(errp, local_err);
            goto fail;
        }
    }
    bs->options = options;
    if (bs->probed && !bs->read_only && !strcmp(drv->format_name, "raw")) {
        fprintf(stderr,
                "WARNING: Image format was not specified for '%s' and probing guessed raw.\n"
                "         Automatically detecting the format is dangerous for raw images, "
                "write operations on block 0 will be restricted.\n"
                "         Specify the 'raw' format explicitly to remove the restrictions.\n",
                bs->filename);
    }
    return bs;

fail:
    json_decref(options);
    bs->options = NULL;
    bdrv_unref(bs);
    return NULL;
}

/*
 * -snapshot / snapshot=on: the image opens read-only under a temporary qcow2
 * overlay that takes every write.  The overlay lives in $TMPDIR (else
 * /var/tmp, as QEMU) and is unlinked as soon as it is open, so a crash leaves
 * nothing behind.  Like QEMU, it never uses O_DIRECT or libaio and never
 * flushes to disk: nobody will read it after this process.
 */
static BlockDriverState *bdrv_open_temp_snapshot(const char *filename, json_t *options,
                                                 int flags, Error **errp)
{
    int base_flags = flags & ~(BDRV_O_RDWR | BDRV_O_SNAPSHOT | BDRV_O_COPY_ON_READ);
    int ov_flags = (flags & ~(BDRV_O_SNAPSHOT | BDRV_O_NOCACHE | BDRV_O_NATIVE_AIO)) |
                   BDRV_O_NO_FLUSH | BDRV_O_NO_BACKING;
    const char *tmpdir = g_getenv("TMPDIR");
    g_autofree char *path = NULL;
    BlockDriverState *base, *overlay;
    Error *local_err = NULL;
    int64_t len;
    int fd;

    /* whatever the options say, the image itself is never written */
    json_object_set_new(options, BDRV_OPT_READ_ONLY, json_string("on"));
    base = bdrv_open_node(filename, options, base_flags, false, errp);
    if (!base) {
        return NULL;
    }
    len = bdrv_getlength(base);
    if (len < 0) {
        error_setg_errno(errp, -len, "Could not get image size");
        goto fail;
    }
    path = g_build_filename(tmpdir && *tmpdir ? tmpdir : "/var/tmp", "vl.XXXXXX", NULL);
    fd = g_mkstemp(path);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not open temporary file '%s'", path);
        goto fail;
    }
    close(fd);
    bdrv_img_create(path, "qcow2", NULL, NULL, NULL, len, 0, true, &local_err);
    overlay = local_err ? NULL
                        : bdrv_open_node(path, json_pack("{s:s}", "driver", "qcow2"), ov_flags,
                                         false, &local_err);
    unlink(path);
    if (!overlay) {
        error_prepend(&local_err, "Could not create temporary overlay '%s': ", path);
        error_propagate(errp, local_err);
        goto fail;
    }
    overlay->backing = g_new0(BdrvChild, 1);
    overlay->backing->bs = base;
    overlay->backing->name = "backing";
    /* shown as the overlay's backing file, as QEMU's query-block does */
    overlay->backing_file = g_strdup(base->filename);
    overlay->backing_format = g_strdup(base->drv->format_name);
    return overlay;

fail:
    bdrv_unref(base);
    return NULL;
}

BlockDriverState *bdrv_open(const char *filename, json_t *options, int flags, Error **errp)
{
    if (!options) {
        options = json_object();
    }
    if (flags & BDRV_O_SNAPSHOT) {
        return bdrv_open_temp_snapshot(filename, options, flags, errp);
    }
    return bdrv_open_node(filename, options, flags, false, errp);
}

/* ---- queries ---- */

int64_t bdrv_getlength(BlockDriverState *bs)
{
    int64_t len;

    if (!bs->drv) {
        return -ENOMEDIUM;
    }
    /* asked on every request: the length changes only through truncate and reopen */
    if (bs->total_bytes >= 0) {
        return bs->total_bytes;
    }
    if (bs->drv->bdrv_getlength) {
        len = bs->drv->bdrv_getlength(bs);
    } else {
        len = bs->file ? bdrv_getlength(bs->file->bs) : -ENOTSUP;
    }
    if (len < 0) {
        return len;
    }
    /* QEMU counts whole sectors: a 1000-byte file is a 1024-byte disk */
    bs->total_bytes = (len + BDRV_SECTOR_SIZE - 1) & ~(BDRV_SECTOR_SIZE - 1);
    return bs->total_bytes;
}

int64_t bdrv_get_allocated_file_size(BlockDriverState *bs)
{
    if (bs->drv && bs->drv->bdrv_get_allocated_file_size) {
        return bs->drv->bdrv_get_allocated_file_size(bs);
    }
    return bs->file ? bdrv_get_allocated_file_size(bs->file->bs) : -ENOTSUP;
}

int bdrv_get_info(BlockDriverState *bs, BlockDriverInfo *bdi)
{
    memset(bdi, 0, sizeof(*bdi));
    if (!bs->drv) {
        return -ENOMEDIUM;
    }
    if (!bs->drv->bdrv_get_info) {
        return bs->drv->is_format ? 0 : -ENOTSUP;
    }
    return bs->drv->bdrv_get_info(bs, bdi);
}

json_t *bdrv_get_specific_info(BlockDriverState *bs, Error **errp)
{
    if (bs->drv && bs->drv->bdrv_get_specific_info) {
        return bs->drv->bdrv_get_specific_info(bs, errp);
    }
    return NULL;
}

bool bdrv_is_read_only(BlockDriverState *bs)
{
    return bs->read_only;
}

const char *bdrv_get_format_name(BlockDriverState *bs)
{
    return bs->drv ? (bs->drv->format_name ? bs->drv->format_name : bs->drv->protocol_name)
                   : NULL;
}

size_t bdrv_opt_mem_align(BlockDriverState *bs)
{
    return bs ? bs->bl.opt_mem_alignment : (size_t)getpagesize();
}

void *qemu_try_blockalign(BlockDriverState *bs, size_t size)
{
    return qemu_try_memalign(bdrv_opt_mem_align(bs), size);
}

void *qemu_blockalign(BlockDriverState *bs, size_t size)
{
    return qemu_memalign(bdrv_opt_mem_align(bs), size);
}

/* ---- reopen ---- */

static int reopen_node(BlockDriverState *bs, int flags, Error **errp)
{
    int ret;

    if (bs->file) {
        ret = reopen_node(bs->file->bs, flags, errp);
        if (ret < 0) {
            return ret;
        }
    }
    if (bs->drv->bdrv_reopen) {
        ret = bs->drv->bdrv_reopen(bs, flags, errp);
        if (ret < 0) {
            return ret;
        }
    }
    bs->open_flags = flags;
    bs->read_only = !(flags & BDRV_O_RDWR);
    bs->total_bytes = -1;
    inherit_limits(bs);
    return 0;
}

int bdrv_reopen(BlockDriverState *bs, json_t *opts, bool keep_old_opts, Error **errp)
{
    int flags = bs->open_flags;
    bool force_share = bs->force_share;
    const char *key;
    json_t *v;
    int ret;

    json_object_foreach(opts, key, v) {
        if (strcmp(key, "cache") && strcmp(key, BDRV_OPT_READ_ONLY) &&
            strcmp(key, BDRV_OPT_DISCARD)) {
            error_setg(errp, "Cannot change the option '%s'", key);
            json_decref(opts);
            return -EINVAL;
        }
    }
    if (!apply_node_options(opts, &flags, &force_share, &bs->detect_zeroes, errp)) {
        json_decref(opts);
        return -EINVAL;
    }
    json_decref(opts);
    bdrv_drain(bs);
    ret = bdrv_flush(bs);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not flush before reopening");
        return ret;
    }
    return reopen_node(bs, flags, errp);
}
