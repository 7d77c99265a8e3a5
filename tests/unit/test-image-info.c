/*
 * util/json-writer.c and block/qapi.c: qemu-img info output, compared with
 * the text Debian's qemu-img 7.2 prints for the same image.
 */
#include <stdlib.h>
#include <glib.h>

#include "block/qapi.h"
#include "qemu/cutils.h"
#include "qemu/json-writer.h"
#include "capture.h"

/* Built in QAPI member order, as qemu-img's visitor builds it. */
static json_t *qcow2_info(void)
{
    json_t *info = json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:s, s:s, s:s}",
                             "filename", "top.qcow2", "format", "qcow2", "dirty-flag", 0,
                             "actual-size", (json_int_t)208896,
                             "virtual-size", (json_int_t)1048576,
                             "cluster-size", (json_int_t)65536,
                             "backing-filename", "base.qcow2",
                             "full-backing-filename", "base.qcow2",
                             "backing-filename-format", "qcow2");
    json_t *sn = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "id", "1", "name", "s1",
                           "vm-state-size", (json_int_t)0, "date-sec", (json_int_t)1795581688,
                           "date-nsec", (json_int_t)189576000, "vm-clock-sec", (json_int_t)0,
                           "vm-clock-nsec", (json_int_t)0, "icount", (json_int_t)0);

    json_object_set_new(info, "snapshots", json_pack("[o]", sn));
    json_object_set_new(info, "format-specific",
                        json_pack("{s:s, s:{s:s, s:b, s:I, s:s, s:b, s:b}}", "type", "qcow2",
                                  "data", "compat", "1.1", "lazy-refcounts", 0,
                                  "refcount-bits", (json_int_t)16,
                                  "compression-type", "zlib", "corrupt", 0, "extended-l2", 0));
    return info;
}

static void test_json_member_order(void)
{
    json_t *info = qcow2_info();
    GString *s = qobject_to_json_pretty(info, true);

    g_assert_cmpstr(s->str, ==,
        "{\n"
        "    \"backing-filename-format\": \"qcow2\",\n"
        "    \"snapshots\": [\n"
        "        {\n"
        "            \"icount\": 0,\n"
        "            \"vm-clock-nsec\": 0,\n"
        "            \"name\": \"s1\",\n"
        "            \"date-sec\": 1795581688,\n"
        "            \"date-nsec\": 189576000,\n"
        "            \"vm-clock-sec\": 0,\n"
        "            \"id\": \"1\",\n"
        "            \"vm-state-size\": 0\n"
        "        }\n"
        "    ],\n"
        "    \"virtual-size\": 1048576,\n"
        "    \"filename\": \"top.qcow2\",\n"
        "    \"cluster-size\": 65536,\n"
        "    \"format\": \"qcow2\",\n"
        "    \"actual-size\": 208896,\n"
        "    \"format-specific\": {\n"
        "        \"type\": \"qcow2\",\n"
        "        \"data\": {\n"
        "            \"compat\": \"1.1\",\n"
        "            \"compression-type\": \"zlib\",\n"
        "            \"lazy-refcounts\": false,\n"
        "            \"refcount-bits\": 16,\n"
        "            \"corrupt\": false,\n"
        "            \"extended-l2\": false\n"
        "        }\n"
        "    },\n"
        "    \"full-backing-filename\": \"base.qcow2\",\n"
        "    \"backing-filename\": \"base.qcow2\",\n"
        "    \"dirty-flag\": false\n"
        "}");
    g_string_free(s, true);
    json_decref(info);
}

static void test_json_compact_and_escapes(void)
{
    /* the member order qemu-img prints for qcow2's format-specific data */
    json_t *v = json_pack("{s:b, s:I, s:s, s:s, s:b, s:b}", "lazy-refcounts", 0,
                          "refcount-bits", (json_int_t)16, "compression-type", "zlib",
                          "compat", "1.1", "extended-l2", 0, "corrupt", 0);
    GString *s = qobject_to_json(v);

    g_assert_cmpstr(s->str, ==,
                    "{\"compat\": \"1.1\", \"compression-type\": \"zlib\", "
                    "\"lazy-refcounts\": false, \"refcount-bits\": 16, \"corrupt\": false, "
                    "\"extended-l2\": false}");
    g_string_free(s, true);
    json_decref(v);

    v = json_pack("{s:s, s:[i, i], s:{}}", "return", "a\"b\\\n\x01\xc3\xa9", "l", 1, 2,
                  "e");
    s = qobject_to_json_pretty(json_object_get(v, "return"), false);
    g_assert_cmpstr(s->str, ==, "\"a\\\"b\\\\\\n\\u0001\\u00E9\"");
    g_string_free(s, true);
    s = qobject_to_json(json_object_get(v, "l"));
    g_assert_cmpstr(s->str, ==, "[1, 2]");
    g_string_free(s, true);
    s = qobject_to_json(json_object_get(v, "e"));
    g_assert_cmpstr(s->str, ==, "{}");
    g_string_free(s, true);
    json_decref(v);

    v = json_pack("{s:[]}", "snapshots");
    s = qobject_to_json_pretty(v, true);
    g_assert_cmpstr(s->str, ==, "{\n    \"snapshots\": [\n    ]\n}");
    g_string_free(s, true);
    json_decref(v);
}

static void dump_qcow2(void *opaque)
{
    bdrv_image_info_dump(opaque);
}

static void test_human_dump(void)
{
    json_t *info = qcow2_info();
    char *out;

    /* The snapshot date prints in local time, as qemu-img does. */
    setenv("TZ", "UTC", 1);
    out = capture_stdout(dump_qcow2, info);
    g_assert_cmpstr(out, ==,
        "image: top.qcow2\n"
        "file format: qcow2\n"
        "virtual size: 1 MiB (1048576 bytes)\n"
        "disk size: 204 KiB\n"
        "cluster_size: 65536\n"
        "backing file: base.qcow2\n"
        "backing file format: qcow2\n"
        "Snapshot list:\n"
        "ID        TAG               VM SIZE                DATE     VM CLOCK     ICOUNT\n"
        "1         s1                    0 B 2026-11-25 04:41:28 00:00:00.000          0\n"
        "Format specific information:\n"
        "    compat: 1.1\n"
        "    compression type: zlib\n"
        "    lazy refcounts: false\n"
        "    refcount bits: 16\n"
        "    corrupt: false\n"
        "    extended l2: false\n");
    g_free(out);
    json_decref(info);
}

static void expect_size_str(uint64_t v, const char *want)
{
    char *s = size_to_str(v);

    g_assert_cmpstr(s, ==, want);
    g_free(s);
}

static void test_size_to_str(void)
{
    expect_size_str(0, "0 B");
    expect_size_str(512, "512 B");
    expect_size_str(1000, "0.977 KiB");
    expect_size_str(1024, "1 KiB");
    expect_size_str(4096, "4 KiB");
    expect_size_str(208896, "204 KiB");
    expect_size_str(1022976, "999 KiB");
    expect_size_str(1048576, "1 MiB");
    expect_size_str(1610612736, "1.5 GiB");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/image-info/json-order", test_json_member_order);
    g_test_add_func("/image-info/json-compact", test_json_compact_and_escapes);
    g_test_add_func("/image-info/human", test_human_dump);
    g_test_add_func("/image-info/size-to-str", test_size_to_str);
    return g_test_run();
}
