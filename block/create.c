/*
 * Image creation (bdrv_img_create): qemu-img create's option handling
 * and its "Formatting ..." line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "block/block_int.h"
#include "qemu/option.h"

/* The format's create options, then the protocol's that it does not have. */
static QemuOptDesc *create_opts_for(BlockDriver *drv)
{
    GArray *all = g_array_new(true, true, sizeof(QemuOptDesc));
    const QemuOptDesc *d, *p;

    for (d = drv->create_opts; d && d->name; d++) {
        g_array_append_val(all, *d);
    }
    if (drv->create_uses_protocol) {
        for (p = bdrv_file.create_opts; p && p->name; p++) {
            bool dup = false;

            for (d = drv->create_opts; d && d->name && !dup; d++) {
                dup = !strcmp(d->name, p->name);
            }
            if (!dup) {
                g_array_append_val(all, *p);
            }
        }
    }
    return (QemuOptDesc *)g_array_free(all, false);
}

static bool desc_has(const QemuOptDesc *desc, const char *name)
{
    for (; desc->name; desc++) {
        if (!strcmp(desc->name, name)) {
            return true;
        }
    }
    return false;
}

static void print_formatting(const char *filename, const char *fmt, QemuOpts *opts,
                             const QemuOptDesc *desc)
{
    printf("Formatting '%s', fmt=%s", filename, fmt);
    for (; desc->name; desc++) {
        const char *v = qemu_opt_get(opts, desc->name);

        if (!v) {
            if (desc->def_value_str) {
                printf(" %s=%s", desc->name, desc->def_value_str);
            }
            continue;
        }
        if (desc->type == QEMU_OPT_SIZE || desc->type == QEMU_OPT_NUMBER) {
            printf(" %s=%" PRIu64, desc->name,
                   desc->type == QEMU_OPT_SIZE ? qemu_opt_get_size(opts, desc->name, 0, NULL)
                                               : qemu_opt_get_number(opts, desc->name, 0, NULL));
        } else {
            printf(" %s=%s", desc->name, v);
        }
    }
    printf("\n");
    fflush(stdout);
}

/*
 * The part of image creation that needs no file: the format, its -o options
 * and whether it takes a backing file.  qemu-img convert runs it before it
 * looks at its sources' count, so its errors come first.
 */
static QemuOpts *img_create_opts(const char *fmt, const char *base_filename,
                                 const char *base_fmt, const char *options,
                                 BlockDriver **pdrv, QemuOptDesc **pdesc, Error **errp)
{
    BlockDriver *drv = bdrv_find_format(fmt);
    QemuOptDesc *desc;
    QemuOpts *opts;

    if (!drv || !drv->bdrv_create) {
        error_setg(errp, drv ? "Format driver '%s' does not support image creation"
                             : "Unknown file format '%s'", fmt);
        return NULL;
    }
    desc = create_opts_for(drv);
    opts = qemu_opts_parse(options ? options : "", NULL, errp);
    if (!opts) {
        goto fail;
    }
    if (!qemu_opts_validate(opts, desc, NULL, errp)) {
        goto fail;
    }
    if (base_filename) {
        if (!desc_has(desc, "backing_file")) {
            error_setg(errp, "Backing file not supported for file format '%s'", fmt);
            goto fail;
        }
        qemu_opt_set(opts, "backing_file", base_filename);
    }
    if (base_fmt) {
        if (!desc_has(desc, "backing_fmt")) {
            error_setg(errp, "Backing file format not supported for file format '%s'", fmt);
            goto fail;
        }
        qemu_opt_set(opts, "backing_fmt", base_fmt);
    }
    *pdrv = drv;
    *pdesc = desc;
    return opts;

fail:
    if (opts) {
        qemu_opts_free(opts);
    }
    g_free(desc);
    return NULL;
}

bool bdrv_img_create_check(const char *fmt, const char *base_filename, const char *base_fmt,
                           const char *options, bool *has_backing, Error **errp)
{
    BlockDriver *drv;
    QemuOptDesc *desc;
    QemuOpts *opts = img_create_opts(fmt, base_filename, base_fmt, options, &drv, &desc, errp);

    if (!opts) {
        return false;
    }
    *has_backing = qemu_opt_get(opts, "backing_file") != NULL;
    qemu_opts_free(opts);
    g_free(desc);
    return true;
}

void bdrv_img_create(const char *filename, const char *fmt, const char *base_filename,
                     const char *base_fmt, const char *options, uint64_t img_size, int flags,
                     bool quiet, Error **errp)
{
    BlockDriver *drv;
    QemuOptDesc *desc = NULL;
    QemuOpts *opts;
    char buf[32];

    opts = img_create_opts(fmt, base_filename, base_fmt, options, &drv, &desc, errp);
    if (!opts) {
        return;
    }
    if (img_size != UINT64_MAX) {
        if (qemu_opt_has(opts, "size")) {
            error_setg(errp, "The image size must be specified only once");
            goto out;
        }
        snprintf(buf, sizeof(buf), "%" PRIu64, img_size);
        qemu_opt_set(opts, "size", buf);
    }
    if (qemu_opt_get(opts, "backing_file") && !(flags & BDRV_O_NO_BACKING)) {
        /*
         * As QEMU: the backing file must open (unless -u), and the size
         * defaults to its size; it is named relative to the new image.
         */
        const char *bf = qemu_opt_get(opts, "backing_file");
        const char *bfmt = qemu_opt_get(opts, "backing_fmt");
        g_autofree char *path = bdrv_path_combine(filename, bf);
        json_t *bopts = bfmt ? json_pack("{s:s}", "driver", bfmt) : json_object();
        BlockDriverState *bbs = bdrv_open(path, bopts, BDRV_O_NO_BACKING, errp);
        int64_t bsize;

        if (!bbs) {
            error_append_hint(errp, "Could not open backing image.\n");
            goto out;
        }
        bsize = bdrv_getlength(bbs);
        bdrv_unref(bbs);
        if (bsize < 0) {
            error_setg_errno(errp, -bsize, "Could not get size of '%s'", bf);
            goto out;
        }
        if (!qemu_opt_has(opts, "size")) {
            snprintf(buf, sizeof(buf), "%" PRId64, bsize);
            qemu_opt_set(opts, "size", buf);
        }
    }
    if (!qemu_opt_has(opts, "size")) {
        error_setg(errp, "Image creation needs a size parameter");
        goto out;
    }
    if (!quiet) {
        print_formatting(filename, fmt, opts, desc);
    }
    drv->bdrv_create(drv, filename, opts, errp);
out:
    if (opts) {
        qemu_opts_free(opts);
    }
    g_free(desc);
}
