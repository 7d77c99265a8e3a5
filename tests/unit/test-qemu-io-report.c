/*
 * tools/qemu-io-report.c: the lines qemu-io prints, compared with text
 * taken from Debian's qemu-io 7.2.
 */
#include <errno.h>
#include <string.h>
#include <glib.h>

#include "tools/qemu-io-report.h"
#include "capture.h"

static void expect_cvtstr(double v, const char *want)
{
    char buf[64];

    qemuio_cvtstr(v, buf, sizeof(buf));
    g_assert_cmpstr(buf, ==, want);
}

static void test_cvtstr_units(void)
{
    expect_cvtstr(0, "0 bytes");
    expect_cvtstr(100, "100 bytes");
    expect_cvtstr(1023, "1023 bytes");
    expect_cvtstr(1024, "1 KiB");
    expect_cvtstr(1536, "1.500 KiB");
    expect_cvtstr(4096, "4 KiB");
    expect_cvtstr(65536, "64 KiB");
    expect_cvtstr(1048576, "1 MiB");
    expect_cvtstr(74279600.312, "70.839 MiB");
    expect_cvtstr(3ULL << 30, "3 GiB");
    expect_cvtstr(1ULL << 40, "1 TiB");
}

static void test_timestr_forms(void)
{
    struct timespec t = { 0, 4500000 };
    char buf[64];

    qemuio_timestr(&t, buf, sizeof(buf), false);
    g_assert_cmpstr(buf, ==, "00.00 sec");
    qemuio_timestr(&t, buf, sizeof(buf), true);
    g_assert_cmpstr(buf, ==, "0:00:00.00");
    t = (struct timespec){ 3725, 500000000 };
    qemuio_timestr(&t, buf, sizeof(buf), false);
    g_assert_cmpstr(buf, ==, "1:02:05.50");
}

static void test_tsub_borrows(void)
{
    struct timespec a = { 5, 100 }, b = { 3, 200 };
    struct timespec d = qemuio_tsub(a, b);

    g_assert_cmpint(d.tv_sec, ==, 1);
    g_assert_cmpint(d.tv_nsec, ==, 999999900);
}

static void report_write(void *opaque)
{
    struct timespec t = { 0, 500000000 };

    qemuio_print_report("wrote", &t, 0, 4096, 4096, 1, false);
    qemuio_print_report("read", &t, 512, 100, 100, 1, true);
}

static void test_report_lines(void)
{
    char *out = capture_stdout(report_write, NULL);

    g_assert_cmpstr(out, ==,
                    "wrote 4096/4096 bytes at offset 0\n"
                    "4 KiB, 1 ops; 00.50 sec (8 KiB/sec and 2.0000 ops/sec)\n"
                    "100,1,0:00:00.50,200.000,2.000\n");
    g_free(out);
}

static void dump_40(void *opaque)
{
    char buf[40];

    memset(buf, 'A', sizeof(buf));
    buf[1] = ' ';
    buf[17] = '\xcd';
    qemuio_dump_buffer(buf, 0, sizeof(buf));
}

static void test_dump_buffer_partial_line(void)
{
    char *out = capture_stdout(dump_40, NULL);

    g_assert_cmpstr(out, ==,
        "00000000:  41 20 41 41 41 41 41 41 41 41 41 41 41 41 41 41  A.AAAAAAAAAAAAAA\n"
        "00000010:  41 cd 41 41 41 41 41 41 41 41 41 41 41 41 41 41  A.AAAAAAAAAAAAAA\n"
        "00000020:  41 41 41 41 41 41 41 41  AAAAAAAA\n");
    g_free(out);
}

static void cvtnum_errors(void *opaque)
{
    qemuio_print_cvtnum_err(qemuio_cvtnum("x"), "x");
    qemuio_print_cvtnum_err(qemuio_cvtnum("16E"), "16E");
    g_assert_cmpint(qemuio_parse_pattern("0x100"), ==, -1);
}

static void test_number_parsing(void)
{
    char *out;

    g_assert_cmpint(qemuio_cvtnum("4k"), ==, 4096);
    g_assert_cmpint(qemuio_cvtnum("512"), ==, 512);
    g_assert_cmpint(qemuio_cvtnum("1x"), ==, -EINVAL);
    g_assert_cmpint(qemuio_parse_pattern("0xcd"), ==, 0xcd);
    g_assert_cmpint(qemuio_parse_pattern("7"), ==, 7);
    out = capture_stdout(cvtnum_errors, NULL);
    g_assert_cmpstr(out, ==,
        "Parsing error: non-numeric argument, or extraneous/unrecognized suffix -- x\n"
        "Parsing error: argument too large -- 16E\n"
        "0x100 is not a valid pattern byte\n");
    g_free(out);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu-io/cvtstr", test_cvtstr_units);
    g_test_add_func("/qemu-io/timestr", test_timestr_forms);
    g_test_add_func("/qemu-io/tsub", test_tsub_borrows);
    g_test_add_func("/qemu-io/report", test_report_lines);
    g_test_add_func("/qemu-io/dump-buffer", test_dump_buffer_partial_line);
    g_test_add_func("/qemu-io/numbers", test_number_parsing);
    return g_test_run();
}
