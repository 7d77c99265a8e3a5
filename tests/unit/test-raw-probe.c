/*
 * block/raw-format.c + block/block.c: an image whose format was guessed
 * (probed raw) refuses writes that would make block 0 look like another
 * format, while a raw image named explicitly takes any data.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "block/block_int.h"
#include "sysemu/block-backend.h"

static const char magic[8] = "TESTFMT!";

static int testfmt_probe(const uint8_t *buf, int buf_size, const char *filename)
{
    return buf_size >= 8 && !memcmp(buf, magic, 8) ? 100 : 0;
}

/* Only its probe matters: it makes "TESTFMT!" at offset 0 mean another format. */
static BlockDriver bdrv_testfmt = {
    .format_name = "testfmt",
    .is_format = true,
    .bdrv_probe = testfmt_probe,
};

static char *make_image(void)
{
    GError *err = NULL;
    char *path;
    int fd = g_file_open_tmp("raw-probe-XXXXXX", &path, &err);

    g_assert_no_error(err);
    g_assert_cmpint(ftruncate(fd, 65536), ==, 0);
    close(fd);
    return path;
}

static void test_probed_raw_refuses_foreign_header(void)
{
    char *path = make_image();
    Error *err = NULL;
    BlockBackend *blk = blk_new_open(path, NULL, NULL, BDRV_O_RDWR, &err);
    uint8_t buf[512] = { 0 };

    g_assert_null(err);
    g_assert_true(blk_bs(blk)->probed);
    memcpy(buf, magic, 8);
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf, 0), ==, -EPERM);
    /* a partial write of block 0 is checked against the whole new sector */
    g_assert_cmpint(blk_pwrite(blk, 0, 8, magic, 0), ==, -EPERM);
    g_assert_cmpint(blk_pwrite(blk, 0, 4, "abcd", 0), ==, 0);
    g_assert_cmpint(blk_pwrite(blk, 512, 8, magic, 0), ==, 0);
    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, 0);
    g_assert_cmpint(memcmp(buf, "abcd", 4), ==, 0);
    blk_unref(blk);
    unlink(path);
    g_free(path);
}

static void test_explicit_raw_takes_anything(void)
{
    char *path = make_image();
    Error *err = NULL;
    BlockBackend *blk = blk_new_open(path, NULL, json_pack("{s:s}", "driver", "raw"),
                                     BDRV_O_RDWR, &err);

    g_assert_null(err);
    g_assert_false(blk_bs(blk)->probed);
    g_assert_cmpint(blk_pwrite(blk, 0, 8, magic, 0), ==, 0);
    blk_unref(blk);
    unlink(path);
    g_free(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    bdrv_register(&bdrv_testfmt);
    g_test_add_func("/raw/probed-refuses-foreign-header", test_probed_raw_refuses_foreign_header);
    g_test_add_func("/raw/explicit-takes-anything", test_explicit_raw_takes_anything);
    return g_test_run();
}
