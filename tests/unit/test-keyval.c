/*
 * util/keyval.c: QemuOpts and keyval parsing.
 */
#include <glib.h>
#include <string.h>

#include "qemu/option.h"

static void test_opts_basic_pairs(void)
{
    QemuOpts *o = qemu_opts_parse("file=a.img,if=virtio,cache=none", NULL, &error_abort);

    g_assert_cmpuint(o->count, ==, 3);
    g_assert_cmpstr(qemu_opt_get(o, "file"), ==, "a.img");
    g_assert_cmpstr(qemu_opt_get(o, "if"), ==, "virtio");
    g_assert_cmpstr(qemu_opt_get(o, "cache"), ==, "none");
    g_assert_null(qemu_opt_get(o, "format"));
    qemu_opts_free(o);
}

static void test_opts_comma_escape(void)
{
    QemuOpts *o = qemu_opts_parse("file=a,,b,,,,c.img,if=ide", NULL, &error_abort);

    g_assert_cmpstr(qemu_opt_get(o, "file"), ==, "a,b,,c.img");
    g_assert_cmpstr(qemu_opt_get(o, "if"), ==, "ide");
    qemu_opts_free(o);
}

static void test_opts_escape_round_trip(void)
{
    QemuOpts *o = qemu_opts_parse("file=x,,y,id=d0", NULL, &error_abort);
    char *s = qemu_opts_to_string(o);
    QemuOpts *o2 = qemu_opts_parse(s, NULL, &error_abort);

    g_assert_cmpstr(qemu_opt_get(o2, "file"), ==, "x,y");
    g_assert_cmpstr(o2->id, ==, "d0");
    g_free(s);
    qemu_opts_free(o);
    qemu_opts_free(o2);
}

static void test_opts_implied_key(void)
{
    QemuOpts *o = qemu_opts_parse("disk.img,format=raw", "file", &error_abort);

    g_assert_cmpstr(qemu_opt_get(o, "file"), ==, "disk.img");
    g_assert_cmpstr(qemu_opt_get(o, "format"), ==, "raw");
    qemu_opts_free(o);

    /* Only the first item may omit its key; later bare words are flags. */
    o = qemu_opts_parse("pc,accel=tcg,usb", "type", &error_abort);
    g_assert_cmpstr(qemu_opt_get(o, "type"), ==, "pc");
    g_assert_cmpstr(qemu_opt_get(o, "usb"), ==, "on");
    qemu_opts_free(o);

    /* An explicit first key is not taken as the implied one. */
    o = qemu_opts_parse("format=qcow2", "file", &error_abort);
    g_assert_null(qemu_opt_get(o, "file"));
    qemu_opts_free(o);
}

/* QemuOpts' short boolean form: "server" is server=on, "nowait" wait=off. */
static void test_opts_short_form_booleans(void)
{
    QemuOpts *o = qemu_opts_parse("socket,server,nowait,no", "backend", &error_abort);

    g_assert_cmpstr(qemu_opt_get(o, "backend"), ==, "socket");
    g_assert_cmpstr(qemu_opt_get(o, "server"), ==, "on");
    g_assert_cmpstr(qemu_opt_get(o, "wait"), ==, "off");
    g_assert_null(qemu_opt_get(o, "nowait"));
    /* "no" alone names no key: it is the flag "no" */
    g_assert_cmpstr(qemu_opt_get(o, "no"), ==, "on");
    g_assert_cmpuint(o->nflags, ==, 3);
    g_assert_cmpstr(o->flags[1], ==, "nowait");
    qemu_opts_free(o);
}

static void test_opts_duplicates_last_wins(void)
{
    QemuOpts *o = qemu_opts_parse("cache=none,cache=unsafe", NULL, &error_abort);

    g_assert_cmpuint(o->count, ==, 2);
    g_assert_cmpstr(qemu_opt_get(o, "cache"), ==, "unsafe");
    qemu_opt_unset(o, "cache");
    g_assert_cmpuint(o->count, ==, 0);
    g_assert_null(qemu_opt_get(o, "cache"));
    qemu_opts_free(o);
}

static void test_opts_id_and_help(void)
{
    QemuOpts *o = qemu_opts_parse("virtio-blk-pci,help", "driver", &error_abort);

    g_assert_true(o->help);
    g_assert_cmpstr(qemu_opt_get(o, "driver"), ==, "virtio-blk-pci");
    qemu_opts_free(o);

    o = qemu_opts_parse("socket,id=mon0,path=/tmp/s", "backend", &error_abort);
    g_assert_cmpstr(o->id, ==, "mon0");
    g_assert_null(qemu_opt_get(o, "id"));
    qemu_opts_free(o);
}

static void test_opts_empty_key_rejected(void)
{
    Error *err = NULL;

    g_assert_null(qemu_opts_parse("=x", NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Invalid parameter ''");
    error_free(err);
}

static const QemuOptDesc test_desc[] = {
    { "name", QEMU_OPT_STRING }, { "on", QEMU_OPT_BOOL },
    { "count", QEMU_OPT_NUMBER }, { "size", QEMU_OPT_SIZE }, { NULL },
};

static void validate_expect(const char *params, const char *msg)
{
    QemuOpts *o = qemu_opts_parse(params, NULL, &error_abort);
    static const char *const pass[] = { "file.", NULL };
    Error *err = NULL;
    bool ok = qemu_opts_validate(o, test_desc, pass, &err);

    if (msg) {
        g_assert_false(ok);
        g_assert_cmpstr(error_get_pretty(err), ==, msg);
        error_free(err);
    } else {
        g_assert_true(ok);
        g_assert_null(err);
    }
    qemu_opts_free(o);
}

static void test_opts_validate_types(void)
{
    validate_expect("name=x,on=yes,count=0x10,size=4k,file.driver=raw", NULL);
    validate_expect("bogus=1", "Invalid parameter 'bogus'");
    validate_expect("on=maybe", "Parameter 'on' expects 'on' or 'off'");
    validate_expect("count=ten", "Parameter 'count' expects a number");
    validate_expect("count=99999999999999999999",
                    "Value '99999999999999999999' is too large for parameter 'count'");
    validate_expect("size=12Q",
                    "Parameter 'size' expects a non-negative number below 2^64");
    validate_expect("size=-1",
                    "Parameter 'size' expects a non-negative number below 2^64");
    validate_expect("size=99999E", "Value '99999E' is out of range for parameter 'size'");
}

static void test_opt_typed_getters(void)
{
    QemuOpts *o = qemu_opts_parse("a=off,b=true,n=42,s=1.5k", NULL, &error_abort);
    Error *err = NULL;

    g_assert_false(qemu_opt_get_bool(o, "a", true, &error_abort));
    g_assert_true(qemu_opt_get_bool(o, "b", false, &error_abort));
    g_assert_true(qemu_opt_get_bool(o, "missing", true, &error_abort));
    g_assert_cmpuint(qemu_opt_get_number(o, "n", 0, &error_abort), ==, 42);
    g_assert_cmpuint(qemu_opt_get_size(o, "s", 0, &error_abort), ==, 1536);
    g_assert_cmpuint(qemu_opt_get_number(o, "a", 7, &err), ==, 7);
    g_assert_nonnull(err);
    error_free(err);
    qemu_opts_free(o);
}

static void test_keyval_nested(void)
{
    json_t *o = keyval_parse("driver=qcow2,file.driver=file,file.filename=a,,b,"
                             "cache.direct=on", NULL, NULL, &error_abort);

    g_assert_cmpstr(json_string_value(json_object_get(o, "driver")), ==, "qcow2");
    g_assert_cmpstr(json_string_value(json_object_get(json_object_get(o, "file"), "filename")),
                    ==, "a,b");
    g_assert_cmpstr(json_string_value(json_object_get(json_object_get(o, "cache"), "direct")),
                    ==, "on");
    json_decref(o);
}

static void test_keyval_implied_and_dup(void)
{
    json_t *o = keyval_parse("qcow2,node-name=a,node-name=b", "driver", NULL, &error_abort);

    g_assert_cmpstr(json_string_value(json_object_get(o, "driver")), ==, "qcow2");
    g_assert_cmpstr(json_string_value(json_object_get(o, "node-name")), ==, "b");
    json_decref(o);
}

static void keyval_expect_error(const char *params, const char *implied, const char *msg)
{
    Error *err = NULL;

    g_assert_null(keyval_parse(params, implied, NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_keyval_errors(void)
{
    keyval_expect_error("a.b=1,a=2", NULL, "Parameters 'a' used inconsistently");
    keyval_expect_error("a=2,a.b=1", NULL, "Parameters 'a.b' used inconsistently");
    keyval_expect_error("key", NULL, "Expected '=' after parameter 'key'");
    keyval_expect_error("x=1,val", "driver", "Expected '=' after parameter 'val'");
    keyval_expect_error("a..b=1", NULL, "Invalid parameter 'a..b'");
    keyval_expect_error("$x=1", NULL, "Invalid parameter '$x'");
    keyval_expect_error("help", NULL, "Help is not available for this option");
}

static void test_keyval_long_key(void)
{
    char *k = g_strnfill(128, 'k');
    char *params = g_strdup_printf("%s=1", k);
    Error *err = NULL;

    g_assert_null(keyval_parse(params, NULL, NULL, &err));
    g_assert_true(g_str_has_prefix(error_get_pretty(err), "Parameter 'kkk"));
    g_assert_true(g_str_has_suffix(error_get_pretty(err), "' is too long"));
    error_free(err);
    g_free(params);
    k[127] = 0;
    params = g_strdup_printf("%s=1", k);
    json_decref(keyval_parse(params, NULL, NULL, &error_abort));
    g_free(params);
    g_free(k);
}

static void test_keyval_help(void)
{
    bool help;
    json_t *o = keyval_parse("driver=file,help", NULL, &help, &error_abort);

    g_assert_true(help);
    json_decref(o);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/keyval/opts/basic-pairs", test_opts_basic_pairs);
    g_test_add_func("/keyval/opts/comma-escape", test_opts_comma_escape);
    g_test_add_func("/keyval/opts/escape-round-trip", test_opts_escape_round_trip);
    g_test_add_func("/keyval/opts/implied-key", test_opts_implied_key);
    g_test_add_func("/keyval/opts/short-form-booleans", test_opts_short_form_booleans);
    g_test_add_func("/keyval/opts/duplicates-last-wins", test_opts_duplicates_last_wins);
    g_test_add_func("/keyval/opts/id-and-help", test_opts_id_and_help);
    g_test_add_func("/keyval/opts/empty-key-rejected", test_opts_empty_key_rejected);
    g_test_add_func("/keyval/opts/validate-types", test_opts_validate_types);
    g_test_add_func("/keyval/opts/typed-getters", test_opt_typed_getters);
    g_test_add_func("/keyval/nested", test_keyval_nested);
    g_test_add_func("/keyval/implied-and-duplicate", test_keyval_implied_and_dup);
    g_test_add_func("/keyval/errors", test_keyval_errors);
    g_test_add_func("/keyval/long-key", test_keyval_long_key);
    g_test_add_func("/keyval/help", test_keyval_help);
    return g_test_run();
}
