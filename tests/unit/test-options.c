/*
 * system/options.c: the table generated from qemu-options.hx.
 */
#include <glib.h>
#include <string.h>

#include "sysemu/options.h"

static void test_every_option_has_help(void)
{
    g_assert_cmpint(qemu_options_count, >, 20);
    for (const QEMUOption *o = qemu_options; o->name; o++) {
        char *prefix = g_strdup_printf("-%s", o->name);

        g_assert_nonnull(o->help);
        g_assert_cmpuint(strlen(o->help), >, strlen(prefix));
        /* The help text opens with a line naming the option, as -help shows it. */
        g_assert_true(g_str_has_prefix(o->help, "-"));
        g_assert_nonnull(g_strstr_len(o->help, strcspn(o->help, "\n"), prefix));
        g_assert_true(g_str_has_suffix(o->help, "\n"));
        g_free(prefix);
    }
}

static void test_names_unique_and_indexed(void)
{
    int n = 0;

    for (const QEMUOption *o = qemu_options; o->name; o++, n++) {
        g_assert_cmpint(o->index, ==, n);
        g_assert_true(qemu_option_lookup(o->name) == o);
    }
    g_assert_cmpint(n, ==, qemu_options_count);
}

static void test_arg_flags(void)
{
    g_assert_true(qemu_option_lookup("drive")->flags & HAS_ARG);
    g_assert_true(qemu_option_lookup("m")->flags & HAS_ARG);
    g_assert_false(qemu_option_lookup("nographic")->flags & HAS_ARG);
    g_assert_false(qemu_option_lookup("S")->flags & HAS_ARG);
    g_assert_null(qemu_option_lookup("foo"));
    g_assert_true(qemu_option_lookup("h") == qemu_option_lookup("help"));
    g_assert_null(qemu_option_lookup("-drive"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/options/every-option-has-help", test_every_option_has_help);
    g_test_add_func("/options/names-unique-and-indexed", test_names_unique_and_indexed);
    g_test_add_func("/options/arg-flags", test_arg_flags);
    return g_test_run();
}
