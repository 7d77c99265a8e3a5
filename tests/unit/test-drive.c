/*
 * block/blockdev.c drive_new and the device side of the BlockBackend:
 * names, write cache from cache=, rerror/werror policies.
 */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "qemu/error.h"
#include "sysemu/block-backend.h"
#include "sysemu/blockdev.h"

static char *img;

static DriveInfo *define_and_create(const char *fmt, Error **errp)
{
    char *s = g_strdup_printf(fmt, img);
    QemuOpts *opts = drive_def(s, errp);

    g_free(s);
    return opts ? drive_new(drive_count() - 1, errp) : NULL;
}

static void test_virtio_drive_defaults(void)
{
    DriveInfo *d = define_and_create("file=%s,format=raw,if=virtio", &error_abort);

    g_assert_cmpint(d->type, ==, IF_VIRTIO);
    g_assert_cmpint(d->unit, ==, 0);
    g_assert_cmpstr(blk_name(d->blk), ==, "virtio0");
    g_assert_true(blk_by_name("virtio0") == d->blk);
    g_assert_true(drive_get(IF_VIRTIO, 0, 0) == d);
    g_assert_true(blk_enable_write_cache(d->blk));
    g_assert_true(blk_is_inserted(d->blk));
    uint64_t nb;
    blk_get_geometry(d->blk, &nb);
    g_assert_cmpuint(nb, ==, 2048);
    /* werror=enospc, rerror=report by default. */
    g_assert_cmpint(blk_get_error_action(d->blk, false, ENOSPC), ==, BLOCK_ERROR_ACTION_STOP);
    g_assert_cmpint(blk_get_error_action(d->blk, false, EIO), ==, BLOCK_ERROR_ACTION_REPORT);
    g_assert_cmpint(blk_get_error_action(d->blk, true, ENOSPC), ==, BLOCK_ERROR_ACTION_REPORT);

    /* One device per drive. */
    int dev1, dev2;
    g_assert_cmpint(blk_attach_dev(d->blk, &dev1), ==, 0);
    g_assert_cmpint(blk_attach_dev(d->blk, &dev2), ==, -EBUSY);
    blk_detach_dev(d->blk, &dev1);
    g_assert_cmpint(blk_attach_dev(d->blk, &dev2), ==, 0);
}

static void test_cache_and_policies(void)
{
    DriveInfo *d = define_and_create("file=%s,format=raw,if=none,id=wt,cache=writethrough,"
                                     "werror=stop,rerror=ignore,file.locking=off", &error_abort);

    g_assert_cmpstr(blk_name(d->blk), ==, "wt");
    g_assert_false(blk_enable_write_cache(d->blk));
    g_assert_cmpint(blk_get_error_action(d->blk, false, EIO), ==, BLOCK_ERROR_ACTION_STOP);
    g_assert_cmpint(blk_get_error_action(d->blk, true, EIO), ==, BLOCK_ERROR_ACTION_IGNORE);
}

static void expect_error(const char *fmt, const char *msg)
{
    Error *err = NULL;

    g_assert_null(define_and_create(fmt, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_bad_drives(void)
{
    expect_error("file=%s,format=raw,if=none,id=a,werror=bogus", "'bogus' invalid write error action");
    expect_error("file=%s,format=raw,if=none,id=b,rerror=enospc", "'enospc' invalid read error action");
    expect_error("file=%s,format=raw,if=nvme,id=c,werror=stop", "werror is not supported by this bus type");
    expect_error("file=%s,format=raw,if=none,id=wt,file.locking=off", "Duplicate ID 'wt' for drive");
}

int main(int argc, char **argv)
{
    int fd, ret;

    g_test_init(&argc, &argv, NULL);
    fd = g_file_open_tmp("test-drive-XXXXXX.raw", &img, NULL);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 1024 * 1024), ==, 0);
    close(fd);
    g_test_add_func("/drive/virtio-defaults", test_virtio_drive_defaults);
    g_test_add_func("/drive/cache-and-policies", test_cache_and_policies);
    g_test_add_func("/drive/bad-drives", test_bad_drives);
    ret = g_test_run();
    g_unlink(img);
    g_free(img);
    return ret;
}
