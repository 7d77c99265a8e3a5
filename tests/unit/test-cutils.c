/*
 * util/cutils.c: size, number and boolean parsing.
 */
#include <errno.h>
#include <glib.h>

#include "qemu/cutils.h"

static void expect_size(const char *s, uint64_t want)
{
    uint64_t v = 0;

    g_test_message("size '%s'", s);
    g_assert_cmpint(qemu_strtosz(s, NULL, &v), ==, 0);
    g_assert_cmpuint(v, ==, want);
}

static void expect_size_err(const char *s, int err)
{
    uint64_t v = 12345;

    g_test_message("size '%s'", s);
    g_assert_cmpint(qemu_strtosz(s, NULL, &v), ==, err);
    g_assert_cmpuint(v, ==, 12345);
}

static void test_size_suffixes(void)
{
    expect_size("0", 0);
    expect_size("512", 512);
    expect_size("512B", 512);
    expect_size("1k", 1024);
    expect_size("1K", 1024);
    expect_size("2M", 2 << 20);
    expect_size("3G", 3ULL << 30);
    expect_size("1T", 1ULL << 40);
    expect_size("1P", 1ULL << 50);
    expect_size("7E", 7ULL << 60);
    expect_size("0x10", 16);
    expect_size("0x1k", 1024);
}

static void test_size_fractions(void)
{
    expect_size("1.5k", 1536);
    expect_size("0.5M", 512 << 10);
    expect_size("1.k", 1024);
    expect_size_err("1.5", -EINVAL);        /* a fraction of a byte */
    expect_size_err("1.5e3k", -EINVAL);
    expect_size_err("0x1.5k", -EINVAL);
}

static void test_size_bad(void)
{
    expect_size_err("", -EINVAL);
    expect_size_err("k", -EINVAL);
    expect_size_err("-1", -EINVAL);
    expect_size_err(" -1k", -EINVAL);
    expect_size_err("12Q", -EINVAL);
    expect_size_err("1kk", -EINVAL);
    expect_size_err("1 k", -EINVAL);
}

static void test_size_overflow(void)
{
    expect_size_err("8E", -ERANGE);
    expect_size_err("16E", -ERANGE);
    expect_size_err("99999999999999999999", -ERANGE);
    expect_size_err("18446744073709551615", -ERANGE);
    expect_size("9223372036854775807", INT64_MAX);
    expect_size("8191P", 8191ULL << 50);
}

static void test_size_end_pointer(void)
{
    const char *s = "4k,rest";
    const char *end;
    uint64_t v;

    g_assert_cmpint(qemu_strtosz(s, &end, &v), ==, 0);
    g_assert_cmpuint(v, ==, 4096);
    g_assert_cmpstr(end, ==, ",rest");
}

static void test_size_mib_default(void)
{
    uint64_t v;

    g_assert_cmpint(qemu_strtosz_MiB("256", NULL, &v), ==, 0);
    g_assert_cmpuint(v, ==, 256ULL << 20);
    g_assert_cmpint(qemu_strtosz_MiB("1G", NULL, &v), ==, 0);
    g_assert_cmpuint(v, ==, 1ULL << 30);
    g_assert_cmpint(qemu_strtosz_MiB("512B", NULL, &v), ==, 0);
    g_assert_cmpuint(v, ==, 512);
}

static void test_bool(void)
{
    const char *yes[] = { "on", "yes", "true", "y" };
    const char *no[] = { "off", "no", "false", "n" };
    bool b;

    for (unsigned i = 0; i < G_N_ELEMENTS(yes); i++) {
        b = false;
        g_assert_true(qemu_parse_bool(yes[i], &b));
        g_assert_true(b);
        g_assert_true(qemu_parse_bool(no[i], &b));
        g_assert_false(b);
    }
    g_assert_false(qemu_parse_bool("ON ", &b));
    g_assert_false(qemu_parse_bool("1", &b));
    g_assert_false(qemu_parse_bool("", &b));
}

static void test_numbers(void)
{
    uint64_t u;
    int64_t i;
    const char *end;

    g_assert_cmpint(qemu_strtou64("0x1f", NULL, 0, &u), ==, 0);
    g_assert_cmpuint(u, ==, 31);
    g_assert_cmpint(qemu_strtou64("18446744073709551616", NULL, 10, &u), ==, -ERANGE);
    g_assert_cmpint(qemu_strtou64("-5", NULL, 10, &u), ==, -EINVAL);
    g_assert_cmpint(qemu_strtou64("5x", NULL, 10, &u), ==, -EINVAL);
    g_assert_cmpint(qemu_strtou64("5x", &end, 10, &u), ==, 0);
    g_assert_cmpstr(end, ==, "x");
    g_assert_cmpint(qemu_strtoi64("-5", NULL, 10, &i), ==, 0);
    g_assert_cmpint(i, ==, -5);
    g_assert_cmpint(qemu_strtoi64("", NULL, 10, &i), ==, -EINVAL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cutils/size/suffixes", test_size_suffixes);
    g_test_add_func("/cutils/size/fractions", test_size_fractions);
    g_test_add_func("/cutils/size/bad", test_size_bad);
    g_test_add_func("/cutils/size/overflow", test_size_overflow);
    g_test_add_func("/cutils/size/end-pointer", test_size_end_pointer);
    g_test_add_func("/cutils/size/mib-default", test_size_mib_default);
    g_test_add_func("/cutils/bool", test_bool);
    g_test_add_func("/cutils/numbers", test_numbers);
    return g_test_run();
}
