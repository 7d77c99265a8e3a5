/*
 * -drive parsing: legacy drive options into block-layer options.
 */
#include <string.h>
#include <glib.h>

#include "block/block_int.h"
#include "sysemu/block-backend.h"
#include "sysemu/blockdev.h"

static const char *const if_name[IF_COUNT] = {
    [IF_NONE] = "none", [IF_IDE] = "ide", [IF_VIRTIO] = "virtio", [IF_NVME] = "nvme",
};

/*
 * The keys -drive itself consumes.  Any other key (node-name, locking,
 * detect-zeroes, file.*, a format's own options...) goes to the top node,
 * whose driver refuses what it does not know, with QEMU's messages.
 */
static const QemuOptDesc drive_opts_desc[] = {
    { "file", QEMU_OPT_STRING }, { "format", QEMU_OPT_STRING },
    { "driver", QEMU_OPT_STRING }, { "if", QEMU_OPT_STRING },
    { "index", QEMU_OPT_NUMBER }, { "bus", QEMU_OPT_NUMBER },
    { "unit", QEMU_OPT_NUMBER }, { "media", QEMU_OPT_STRING },
    { "cache", QEMU_OPT_STRING }, { BDRV_OPT_CACHE_WB, QEMU_OPT_BOOL },
    { BDRV_OPT_CACHE_DIRECT, QEMU_OPT_BOOL }, { BDRV_OPT_CACHE_NO_FLUSH, QEMU_OPT_BOOL },
    { "aio", QEMU_OPT_STRING }, { "readonly", QEMU_OPT_BOOL },
    { BDRV_OPT_READ_ONLY, QEMU_OPT_BOOL }, { "snapshot", QEMU_OPT_BOOL },
    { "discard", QEMU_OPT_STRING }, { "werror", QEMU_OPT_STRING },
    { "rerror", QEMU_OPT_STRING }, { "copy-on-read", QEMU_OPT_BOOL },
    { "detect-zeroes", QEMU_OPT_STRING },
    { NULL },
};

static const char *const drive_pass_prefixes[] = { "", NULL };

static GPtrArray *drives;

int bdrv_parse_cache_mode(const char *mode, int *flags, bool *writethrough)
{
    *flags &= ~BDRV_O_CACHE_MASK;

    if (!strcmp(mode, "off") || !strcmp(mode, "none")) {
        *writethrough = false;
        *flags |= BDRV_O_NOCACHE;
    } else if (!strcmp(mode, "directsync")) {
        *writethrough = true;
        *flags |= BDRV_O_NOCACHE;
    } else if (!strcmp(mode, "writeback")) {
        *writethrough = false;
    } else if (!strcmp(mode, "unsafe")) {
        *writethrough = false;
        *flags |= BDRV_O_NO_FLUSH;
    } else if (!strcmp(mode, "writethrough")) {
        *writethrough = true;
    } else {
        return -1;
    }
    return 0;
}

static void opt_set_default_bool(QemuOpts *opts, const char *name, bool value)
{
    if (!qemu_opt_has(opts, name)) {
        qemu_opt_set(opts, name, value ? "on" : "off");
    }
}

static bool drive_check_choice(QemuOpts *opts, const char *name,
                               const char *const *choices, const char *what,
                               Error **errp)
{
    const char *v = qemu_opt_get(opts, name);

    if (!v) {
        return true;
    }
    for (; *choices; choices++) {
        if (!strcmp(v, *choices)) {
            return true;
        }
    }
    error_setg(errp, "%s", what);
    return false;
}

QemuOpts *drive_def(const char *optstr, Error **errp)
{
    static const char *const aio_modes[] = { "threads", "native", "io_uring", NULL };
    static const char *const discard_modes[] = { "ignore", "off", "unmap", "on", NULL };
    static const char *const media_modes[] = { "disk", "cdrom", NULL };
    QemuOpts *opts = qemu_opts_parse(optstr, "file", errp);
    const char *v;
    int flags = 0;
    bool writethrough;

    if (!opts) {
        return NULL;
    }
    /* the legacy spelling, renamed first as QEMU does (its errors name read-only) */
    if ((v = qemu_opt_get(opts, "readonly"))) {
        qemu_opt_set(opts, BDRV_OPT_READ_ONLY, v);
        qemu_opt_unset(opts, "readonly");
    }
    if (!qemu_opts_validate(opts, drive_opts_desc, drive_pass_prefixes, errp)) {
        goto fail;
    }
    v = qemu_opt_get(opts, "cache");
    if (v) {
        if (bdrv_parse_cache_mode(v, &flags, &writethrough) != 0) {
            error_setg(errp, "invalid cache option");
            goto fail;
        }
        opt_set_default_bool(opts, BDRV_OPT_CACHE_WB, !writethrough);
        opt_set_default_bool(opts, BDRV_OPT_CACHE_DIRECT, flags & BDRV_O_NOCACHE);
        opt_set_default_bool(opts, BDRV_OPT_CACHE_NO_FLUSH, flags & BDRV_O_NO_FLUSH);
        qemu_opt_unset(opts, "cache");
    }
    v = qemu_opt_get(opts, "if");
    if (v) {
        int i;

        for (i = 0; i < IF_COUNT && strcmp(v, if_name[i]); i++) {
        }
        if (i == IF_COUNT) {
            error_setg(errp, "unsupported bus type '%s'", v);
            goto fail;
        }
    }
    v = qemu_opt_get(opts, "aio");
    if (!drive_check_choice(opts, "aio", aio_modes, "invalid aio option", errp) ||
        !drive_check_choice(opts, "discard", discard_modes, "Invalid discard option", errp)) {
        goto fail;
    }
    v = qemu_opt_get(opts, "media");
    if (v && !drive_check_choice(opts, "media", media_modes, "", NULL)) {
        error_setg(errp, "'%s' invalid media", v);
        goto fail;
    }
    if (!drives) {
        drives = g_ptr_array_new_with_free_func((GDestroyNotify)qemu_opts_free);
    }
    g_ptr_array_add(drives, opts);
    return opts;

fail:
    qemu_opts_free(opts);
    return NULL;
}

int drive_count(void)
{
    return drives ? (int)drives->len : 0;
}

QemuOpts *drive_get_opts(int index)
{
    return g_ptr_array_index(drives, index);
}

/* ---- creating drives ---- */

static GPtrArray *created;

static int parse_block_error_action(const char *buf, bool is_read, Error **errp)
{
    if (!strcmp(buf, "ignore")) {
        return BLOCKDEV_ON_ERROR_IGNORE;
    } else if (!is_read && !strcmp(buf, "enospc")) {
        return BLOCKDEV_ON_ERROR_ENOSPC;
    } else if (!strcmp(buf, "stop")) {
        return BLOCKDEV_ON_ERROR_STOP;
    } else if (!strcmp(buf, "report")) {
        return BLOCKDEV_ON_ERROR_REPORT;
    }
    error_setg(errp, "'%s' invalid %s error action", buf, is_read ? "read" : "write");
    return -1;
}

static BlockInterfaceType drive_type(const QemuOpts *opts)
{
    const char *v = qemu_opt_get(opts, "if");
    int i;

    if (!v) {
        return IF_IDE;      /* the pc machine's default interface */
    }
    for (i = 0; i < IF_COUNT && strcmp(v, if_name[i]); i++) {
    }
    return i;
}

/* The keys -drive does not consume, as the top node's (nested) options. */
static json_t *drive_driver_options(const QemuOpts *opts, Error **errp)
{
    GString *str = g_string_new(NULL);
    json_t *options;

    for (size_t i = 0; i < opts->count; i++) {
        const QemuOptDesc *d;

        for (d = drive_opts_desc; d->name && strcmp(d->name, opts->opts[i].name); d++) {
        }
        if (!d->name) {
            char **esc = g_strsplit(opts->opts[i].str, ",", -1);
            char *val = g_strjoinv(",,", esc);

            g_string_append_printf(str, "%s%s=%s", str->len ? "," : "",
                                   opts->opts[i].name, val);
            g_free(val);
            g_strfreev(esc);
        }
    }
    options = str->len ? keyval_parse(str->str, NULL, NULL, errp) : json_object();
    g_string_free(str, true);
    return options;
}

DriveInfo *drive_get(BlockInterfaceType type, int bus, int unit)
{
    for (guint i = 0; created && i < created->len; i++) {
        DriveInfo *d = g_ptr_array_index(created, i);
        if (d->type == type && d->bus == bus && d->unit == unit) {
            return d;
        }
    }
    return NULL;
}

int drive_count_type(BlockInterfaceType type)
{
    int n = 0;

    for (guint i = 0; created && i < created->len; i++) {
        n += ((DriveInfo *)g_ptr_array_index(created, i))->type == type;
    }
    return n;
}

DriveInfo *drive_new(int index, Error **errp)
{
    QemuOpts *opts = drive_get_opts(index);
    BlockInterfaceType type = drive_type(opts);
    const char *file = qemu_opt_get(opts, "file");
    const char *v;
    int flags = BDRV_O_RDWR;
    int on_read = BLOCKDEV_ON_ERROR_REPORT, on_write = BLOCKDEV_ON_ERROR_ENOSPC;
    int unit, bus = qemu_opt_get_number(opts, "bus", 0, NULL);
    int detect_zeroes = BLOCKDEV_DETECT_ZEROES_OPTIONS_OFF;
    json_t *options;
    BlockBackend *blk;
    DriveInfo *dinfo;
    Error *local_err = NULL;
    char *name;

    if (qemu_opt_get_bool(opts, "readonly", false, NULL) ||
        qemu_opt_get_bool(opts, BDRV_OPT_READ_ONLY, false, NULL)) {
        flags &= ~BDRV_O_RDWR;
    }
    if (qemu_opt_get_bool(opts, BDRV_OPT_CACHE_DIRECT, false, NULL)) {
        flags |= BDRV_O_NOCACHE;
    }
    if (qemu_opt_get_bool(opts, BDRV_OPT_CACHE_NO_FLUSH, false, NULL)) {
        flags |= BDRV_O_NO_FLUSH;
    }
    if (qemu_opt_get_bool(opts, "snapshot", false, NULL)) {
        flags |= BDRV_O_SNAPSHOT;
    }
    if (qemu_opt_get_bool(opts, "copy-on-read", false, NULL)) {
        flags |= BDRV_O_COPY_ON_READ;
    }
    if ((v = qemu_opt_get(opts, "aio")) && bdrv_parse_aio(v, &flags) < 0) {
        error_setg(errp, "invalid aio option");
        return NULL;
    }
    if ((v = qemu_opt_get(opts, "discard")) && bdrv_parse_discard_flags(v, &flags) < 0) {
        error_setg(errp, "Invalid discard option");
        return NULL;
    }
    /* set on the node after opening: unlike -blockdev, -drive allows unmap without discard */
    if ((v = qemu_opt_get(opts, "detect-zeroes")) &&
        (detect_zeroes = bdrv_parse_detect_zeroes(v)) < 0) {
        error_setg(errp, "invalid parameter value: %s", v);
        return NULL;
    }
    if ((v = qemu_opt_get(opts, "werror"))) {
        if (type != IF_IDE && type != IF_VIRTIO && type != IF_NONE) {
            error_setg(errp, "werror is not supported by this bus type");
            return NULL;
        }
        if ((on_write = parse_block_error_action(v, false, errp)) < 0) {
            return NULL;
        }
    }
    if ((v = qemu_opt_get(opts, "rerror"))) {
        if (type != IF_IDE && type != IF_VIRTIO && type != IF_NONE) {
            error_setg(errp, "rerror is not supported by this bus type");
            return NULL;
        }
        if ((on_read = parse_block_error_action(v, true, errp)) < 0) {
            return NULL;
        }
    }
    /* The next free unit of this interface, unless index=/unit= says. */
    unit = qemu_opt_get_number(opts, "unit", qemu_opt_get_number(opts, "index", -1, NULL), NULL);
    if (unit < 0) {
        for (unit = 0; drive_get(type, bus, unit); unit++) {
        }
    } else if (drive_get(type, bus, unit)) {
        error_setg(errp, "drive with bus=%d, unit=%d (index=%d) exists", bus, unit, unit);
        return NULL;
    }

    options = drive_driver_options(opts, errp);
    if (!options) {
        return NULL;
    }
    if ((v = qemu_opt_get(opts, "format")) && qemu_opt_get(opts, "driver")) {
        json_decref(options);
        error_setg(errp, "Cannot specify both 'driver' and 'format'");
        return NULL;
    }
    if (v || (v = qemu_opt_get(opts, "driver"))) {
        json_object_set_new(options, "driver", json_string(v));
    }
    if (!file || !*file) {
        json_decref(options);
        error_setg(errp, "A block device must be specified for \"file\"");
        return NULL;
    }
    blk = blk_new_open(file, NULL, options, flags, &local_err);
    if (!blk) {
        error_propagate(errp, local_err);
        return NULL;
    }
    name = opts->id ? g_strdup(opts->id) : g_strdup_printf("%s%i", if_name[type], unit);
    if (!blk_set_name(blk, name, errp)) {
        g_free(name);
        blk_unref(blk);
        return NULL;
    }
    g_free(name);
    blk_set_enable_write_cache(blk, qemu_opt_get_bool(opts, BDRV_OPT_CACHE_WB, true, NULL));
    blk_bs(blk)->detect_zeroes = detect_zeroes;
    blk_set_on_error(blk, on_read, on_write);

    dinfo = g_new0(DriveInfo, 1);
    dinfo->type = type;
    dinfo->bus = bus;
    dinfo->unit = unit;
    dinfo->opts = opts;
    dinfo->blk = blk;
    if (!created) {
        created = g_ptr_array_new();
    }
    g_ptr_array_add(created, dinfo);
    return dinfo;
}

/* ---- -blockdev ---- */

static json_t *blockdev_parse(const char *arg, Error **errp)
{
    json_error_t jerr;
    json_t *options;

    if (arg[0] != '{') {
        return keyval_parse(arg, "driver", NULL, errp);
    }
    options = json_loads(arg, JSON_REJECT_DUPLICATES, &jerr);
    if (!options) {
        error_setg(errp, "JSON parse error, %s",
                   strstr(jerr.text, "end of file") ? "premature EOI" : jerr.text);
    } else if (!json_is_object(options)) {
        error_setg(errp, "Invalid parameter type, expected: object");
        json_decref(options);
        options = NULL;
    }
    return options;
}

bool blockdev_new(const char *arg, Error **errp)
{
    json_t *options = blockdev_parse(arg, errp);
    const char *drv;

    if (!options) {
        return false;
    }
    drv = json_string_value(json_object_get(options, "driver"));
    if (!json_object_get(options, "driver")) {
        error_setg(errp, "Parameter 'driver' is missing");
    } else if (!drv || !bdrv_find_format(drv)) {
        error_setg(errp, "Parameter 'driver' does not accept value '%s'", drv ? drv : "");
    } else if (!json_is_string(json_object_get(options, "node-name"))) {
        error_setg(errp, "'node-name' must be specified for the root node");
    } else {
        /*
         * -blockdev nodes are read-write unless read-only=on says, with no
         * cache=.  The reference bdrv_open() gives is the monitor's, kept
         * until exit; devices find the node by its name.
         */
        return bdrv_open(NULL, options, BDRV_O_RDWR, errp) != NULL;
    }
    json_decref(options);
    return false;
}
