/*
 * -drive parsing: legacy drive options into block-layer options.
 */
#include <string.h>
#include <glib.h>

#include "block/block.h"
#include "sysemu/blockdev.h"

static const char *const if_name[IF_COUNT] = {
    [IF_NONE] = "none", [IF_IDE] = "ide", [IF_VIRTIO] = "virtio", [IF_NVME] = "nvme",
};

/* Keys a -drive accepts; dotted "file.*", "driver.*" keys belong to the drivers. */
static const QemuOptDesc drive_opts_desc[] = {
    { "file", QEMU_OPT_STRING }, { "format", QEMU_OPT_STRING },
    { "driver", QEMU_OPT_STRING }, { "if", QEMU_OPT_STRING },
    { "index", QEMU_OPT_NUMBER }, { "bus", QEMU_OPT_NUMBER },
    { "unit", QEMU_OPT_NUMBER }, { "media", QEMU_OPT_STRING },
    { "cache", QEMU_OPT_STRING }, { BDRV_OPT_CACHE_WB, QEMU_OPT_BOOL },
    { BDRV_OPT_CACHE_DIRECT, QEMU_OPT_BOOL }, { BDRV_OPT_CACHE_NO_FLUSH, QEMU_OPT_BOOL },
    { "aio", QEMU_OPT_STRING }, { "readonly", QEMU_OPT_BOOL },
    { BDRV_OPT_READ_ONLY, QEMU_OPT_BOOL }, { "snapshot", QEMU_OPT_BOOL },
    { "discard", QEMU_OPT_STRING }, { "detect-zeroes", QEMU_OPT_STRING },
    { "werror", QEMU_OPT_STRING }, { "rerror", QEMU_OPT_STRING },
    { "locking", QEMU_OPT_STRING }, { "serial", QEMU_OPT_STRING },
    { "node-name", QEMU_OPT_STRING }, { "copy-on-read", QEMU_OPT_BOOL },
    { NULL },
};

static const char *const drive_pass_prefixes[] = { "file.", "backing.", NULL };

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
