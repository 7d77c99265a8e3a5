/*
 * util/iov.c: copies across element boundaries and discarding.
 */
#include <glib.h>
#include <string.h>

#include "qemu/iov.h"

static void test_copy_across_elements(void)
{
    char a[3], b[5], c[2];
    struct iovec iov[3] = { { a, 3 }, { b, 5 }, { c, 2 } };
    char out[10];

    g_assert_cmpuint(iov_size(iov, 3), ==, 10);
    g_assert_cmpuint(iov_from_buf(iov, 3, 0, "0123456789", 10), ==, 10);
    g_assert_cmpmem(b, 5, "34567", 5);
    g_assert_cmpuint(iov_to_buf(iov, 3, 2, out, 5), ==, 5);
    g_assert_cmpmem(out, 5, "23456", 5);
    /* Past the end copies what there is. */
    g_assert_cmpuint(iov_to_buf(iov, 3, 8, out, 5), ==, 2);
    g_assert_cmpmem(out, 2, "89", 2);
    g_assert_cmpuint(iov_to_buf(iov, 3, 11, out, 5), ==, 0);
    g_assert_cmpuint(iov_memset(iov, 3, 1, 'x', 3), ==, 3);
    g_assert_cmpmem(a, 3, "0xx", 3);
    g_assert_cmpint(b[0], ==, 'x');
}

static void test_discard(void)
{
    char a[3], b[5], c[2];
    struct iovec iov[3] = { { a, 3 }, { b, 5 }, { c, 2 } };
    struct iovec *p = iov;
    unsigned cnt = 3;

    g_assert_cmpuint(iov_discard_front(&p, &cnt, 4), ==, 4);
    g_assert_cmpuint(cnt, ==, 2);
    g_assert_true(p == &iov[1]);
    g_assert_true(p[0].iov_base == b + 1);
    g_assert_cmpuint(p[0].iov_len, ==, 4);
    g_assert_cmpuint(iov_discard_back(p, &cnt, 3), ==, 3);
    g_assert_cmpuint(cnt, ==, 1);
    g_assert_cmpuint(p[0].iov_len, ==, 3);
    g_assert_cmpuint(iov_discard_back(p, &cnt, 10), ==, 3);
    g_assert_cmpuint(cnt, ==, 0);
    g_assert_cmpuint(iov_discard_front(&p, &cnt, 1), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/iov/copy-across-elements", test_copy_across_elements);
    g_test_add_func("/iov/discard", test_discard);
    return g_test_run();
}
