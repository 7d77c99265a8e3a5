/*
 * qcow2 on-disk format helpers (block/qcow2-*.c) on crafted buffers:
 * header validation with QEMU's messages, refcount widths, L2 entry
 * types, compressed clusters, snapshot table.
 */
#include <errno.h>
#include <string.h>
#include <glib.h>

#include "block/qcow2.h"

#define CLUSTER 65536

static void put_be32(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8) {
        p[i] = v;
    }
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8) {
        p[i] = v;
    }
}

/* A default 1 GiB compat=1.1 header as qemu-img create writes it, in a cluster-sized buffer. */
static uint8_t *make_v3_header(void)
{
    uint8_t *b = g_malloc0(CLUSTER);

    put_be32(b, QCOW_MAGIC);
    put_be32(b + 4, 3);
    put_be32(b + 20, 16);
    put_be64(b + 24, 1ull << 30);
    put_be32(b + 36, 2);
    put_be64(b + 40, 0x30000);
    put_be64(b + 48, 0x10000);
    put_be32(b + 56, 1);
    put_be32(b + 96, 4);
    put_be32(b + 100, 112);
    return b;
}

/* Append a header extension at *off (8-aligned) and advance. */
static void add_ext(uint8_t *b, size_t *off, uint32_t magic, const void *data, uint32_t len)
{
    put_be32(b + *off, magic);
    put_be32(b + *off + 4, len);
    if (len) {
        memcpy(b + *off + 8, data, len);
    }
    *off += 8 + ((len + 7) & ~7u);
}

static char *parse_error(uint8_t *b, size_t len, int *ret)
{
    Qcow2Header h;
    Error *err = NULL;
    char *msg;

    *ret = qcow2_parse_header(b, len, &h, &err);
    if (*ret == 0) {
        qcow2_header_free(&h);
        return NULL;
    }
    g_assert_nonnull(err);
    msg = g_strdup(error_get_pretty(err));
    error_free(err);
    return msg;
}

static void assert_header_error(uint8_t *b, size_t len, const char *expected)
{
    int ret;
    g_autofree char *msg = parse_error(b, len, &ret);

    g_assert_cmpint(ret, <, 0);
    g_assert_cmpstr(msg, ==, expected);
}

static void test_header_v3_default(void)
{
    g_autofree uint8_t *b = make_v3_header();
    Qcow2Header h;

    g_assert_cmpint(qcow2_parse_header(b, CLUSTER, &h, &error_abort), ==, 0);
    g_assert_cmpuint(h.version, ==, 3);
    g_assert_cmpuint(h.cluster_bits, ==, 16);
    g_assert_cmpuint(h.size, ==, 1ull << 30);
    g_assert_cmpuint(h.l1_table_offset, ==, 0x30000);
    g_assert_cmpuint(h.refcount_order, ==, 4);
    g_assert_cmpuint(h.compression_type, ==, QCOW2_COMPRESSION_TYPE_ZLIB);
    g_assert_null(h.backing_file);
    qcow2_header_free(&h);
}

static void test_header_v2_defaults(void)
{
    g_autofree uint8_t *b = make_v3_header();
    Qcow2Header h;

    put_be32(b + 4, 2);
    /* v2 has no refcount_order field: garbage there must be ignored. */
    put_be32(b + 96, 99);
    g_assert_cmpint(qcow2_parse_header(b, CLUSTER, &h, &error_abort), ==, 0);
    g_assert_cmpuint(h.refcount_order, ==, 4);
    g_assert_cmpuint(h.header_length, ==, 72);
    g_assert_cmpuint(h.incompatible_features, ==, 0);
    qcow2_header_free(&h);
}

static void test_header_bad_basics(void)
{
    g_autofree uint8_t *b = make_v3_header();

    assert_header_error(b, 40, "Image is not in qcow2 format");
    b[0] = 'X';
    assert_header_error(b, CLUSTER, "Image is not in qcow2 format");
    b[0] = 'Q';
    put_be32(b + 4, 4);
    assert_header_error(b, CLUSTER, "Unsupported qcow2 version 4");
    put_be32(b + 4, 3);
    put_be32(b + 20, 8);
    assert_header_error(b, CLUSTER, "Unsupported cluster size: 2^8");
    put_be32(b + 20, 22);
    assert_header_error(b, CLUSTER, "Unsupported cluster size: 2^22");
    put_be32(b + 20, 16);
    put_be32(b + 100, 100);
    assert_header_error(b, CLUSTER, "qcow2 header too short");
    put_be32(b + 100, CLUSTER + 8);
    assert_header_error(b, CLUSTER, "qcow2 header exceeds cluster size");
    put_be32(b + 100, 112);
    put_be32(b + 96, 7);
    assert_header_error(b, CLUSTER,
                        "Reference count entry width too large; may not exceed 64 bits");
    put_be32(b + 96, 4);
    put_be32(b + 32, 1);
    assert_header_error(b, CLUSTER, "qcow2: encrypted images are not supported");
    put_be32(b + 32, 3);
    assert_header_error(b, CLUSTER, "Unsupported encryption method 3");
}

static void test_header_bad_tables(void)
{
    g_autofree uint8_t *b = make_v3_header();

    put_be64(b + 40, 0x30001);
    assert_header_error(b, CLUSTER, "Active L1 table offset invalid");
    put_be64(b + 40, 0x30000);
    put_be32(b + 36, QCOW_MAX_L1_SIZE / 8 + 1);
    assert_header_error(b, CLUSTER, "Active L1 table too large");
    put_be32(b + 36, 1);
    assert_header_error(b, CLUSTER, "L1 table is too small");
    put_be32(b + 36, 2);
    put_be64(b + 48, 0xfffffffffff00000ull);
    assert_header_error(b, CLUSTER, "Reference count table offset invalid");
    put_be64(b + 48, 0x10000);
    put_be32(b + 56, QCOW_MAX_REFTABLE_SIZE / CLUSTER + 1);
    assert_header_error(b, CLUSTER, "Reference count table too large");
    put_be32(b + 56, 1);
    put_be32(b + 60, QCOW_MAX_SNAPSHOTS + 1);
    assert_header_error(b, CLUSTER, "Snapshot table too large");
    put_be32(b + 60, 0);
    /* 2^62 bytes with 512-byte clusters needs 2^46 L1 entries. */
    put_be32(b + 20, 9);
    put_be64(b + 24, 1ull << 62);
    assert_header_error(b, CLUSTER, "Image is too big");
}

static void test_header_features(void)
{
    g_autofree uint8_t *b = make_v3_header();
    uint8_t table[2 * QCOW2_FEATURE_ENTRY_SIZE] = { 0 };
    size_t off = 112;

    table[0] = QCOW2_FEAT_TYPE_INCOMPATIBLE;
    table[1] = 4;
    strcpy((char *)table + 2, "extended L2 entries");
    table[48] = QCOW2_FEAT_TYPE_INCOMPATIBLE;
    table[49] = 6;
    strcpy((char *)table + 50, "frobnication");
    add_ext(b, &off, QCOW2_EXT_MAGIC_FEATURE_TABLE, table, sizeof(table));

    put_be64(b + 72, (1ull << 6) | (1ull << 9));
    assert_header_error(b, CLUSTER,
                        "Unsupported qcow2 feature(s): frobnication, "
                        "Unknown incompatible feature: 200");
    put_be64(b + 72, QCOW2_INCOMPAT_EXTL2);
    assert_header_error(b, CLUSTER, "Unsupported qcow2 feature(s): extended L2 entries");
    put_be64(b + 72, QCOW2_INCOMPAT_DATA_FILE);
    assert_header_error(b, CLUSTER,
                        "Unsupported qcow2 feature(s): Unknown incompatible feature: 4");
    put_be64(b + 72, QCOW2_INCOMPAT_COMPRESSION);
    assert_header_error(b, CLUSTER,
                        "qcow2: Compression type incompatible feature bit must not be set");
    b[104] = QCOW2_COMPRESSION_TYPE_ZSTD;
    put_be64(b + 72, 0);
    assert_header_error(b, CLUSTER,
                        "qcow2: Compression type incompatible feature bit must be set");
    b[104] = 2;
    assert_header_error(b, CLUSTER, "qcow2: unknown compression type: 2");
}

static void test_header_extensions(void)
{
    g_autofree uint8_t *b = make_v3_header();
    const char *name = "base.qcow2";
    uint8_t unknown[5] = { 1, 2, 3, 4, 5 };
    size_t off = 112;
    Qcow2Header h;

    b[104] = QCOW2_COMPRESSION_TYPE_ZSTD;
    put_be64(b + 72, QCOW2_INCOMPAT_COMPRESSION | QCOW2_INCOMPAT_DIRTY);
    add_ext(b, &off, QCOW2_EXT_MAGIC_BACKING_FORMAT, "qcow2", 5);
    add_ext(b, &off, 0x12345678, unknown, sizeof(unknown));
    add_ext(b, &off, QCOW2_EXT_MAGIC_BITMAPS, unknown, 4);
    add_ext(b, &off, QCOW2_EXT_MAGIC_END, NULL, 0);
    put_be64(b + 8, off);
    put_be32(b + 16, strlen(name));
    memcpy(b + off, name, strlen(name));

    g_assert_cmpint(qcow2_parse_header(b, CLUSTER, &h, &error_abort), ==, 0);
    g_assert_cmpstr(h.backing_file, ==, "base.qcow2");
    g_assert_cmpstr(h.backing_format, ==, "qcow2");
    g_assert_cmpuint(h.compression_type, ==, QCOW2_COMPRESSION_TYPE_ZSTD);
    g_assert_true(h.has_bitmaps_ext);
    g_assert_cmpint(h.nb_unknown_exts, ==, 1);
    g_assert_cmpuint(h.unknown_exts[0].magic, ==, 0x12345678);
    g_assert_cmpmem(h.unknown_exts[0].data, 5, unknown, 5);
    qcow2_header_free(&h);

    /* The backing name must fit in the cluster and in 1023 bytes. */
    put_be32(b + 16, 1024);
    assert_header_error(b, CLUSTER, "Backing file name too long");
    put_be64(b + 8, CLUSTER + 512);
    assert_header_error(b, CLUSTER, "Invalid backing file offset");
    put_be64(b + 8, 0);

    /* An extension claiming more bytes than the cluster holds. */
    put_be32(b + 112 + 4, CLUSTER);
    assert_header_error(b, CLUSTER, "Header extension too large");
    put_be32(b + 112 + 4, 16);
    assert_header_error(b, CLUSTER, "ERROR: ext_backing_format: len=16 too large (>=16)");
}

/* Any garbage must give an error or a valid header, never a crash (run under ASan). */
static void test_header_fuzz(void)
{
    g_autofree uint8_t *b = make_v3_header();
    GRand *rand = g_rand_new_with_seed(42);

    for (int i = 0; i < 20000; i++) {
        g_autofree uint8_t *c = g_memdup2(b, 4096);
        size_t len = g_rand_int_range(rand, 0, 4097);
        int flips = g_rand_int_range(rand, 1, 16);
        Qcow2Header h;
        Error *err = NULL;

        for (int j = 0; j < flips; j++) {
            c[g_rand_int_range(rand, 4, 200)] = g_rand_int(rand);
        }
        if (qcow2_parse_header(c, len, &h, &err) == 0) {
            g_assert_null(err);
            g_assert_cmpuint(h.cluster_bits, >=, 9);
            g_assert_cmpuint(h.cluster_bits, <=, 21);
            g_assert_cmpuint(h.refcount_order, <=, 6);
            qcow2_header_free(&h);
        } else {
            g_assert_nonnull(err);
            error_free(err);
        }
    }
    g_rand_free(rand);
}

static void test_refcount_widths(void)
{
    for (int order = 0; order <= 6; order++) {
        uint8_t block[512];
        uint64_t max = qcow2_refcount_max(order);
        uint64_t n = sizeof(block) * 8 >> order;

        memset(block, 0, sizeof(block));
        for (uint64_t i = 0; i < n; i++) {
            qcow2_set_refcount_entry(block, order, i, (i * 7 + 1) & max);
        }
        for (uint64_t i = 0; i < n; i++) {
            g_assert_cmpuint(qcow2_get_refcount_entry(block, order, i), ==, (i * 7 + 1) & max);
        }
        qcow2_set_refcount_entry(block, order, 1, max);
        g_assert_cmpuint(qcow2_get_refcount_entry(block, order, 1), ==, max);
        g_assert_cmpuint(qcow2_get_refcount_entry(block, order, 0), ==, 1);
        g_assert_cmpuint(qcow2_get_refcount_entry(block, order, 2), ==, 15 & max);
    }
    /* Spec: bit 0 of a sub-byte refblock is the LSB of byte 0. */
    {
        uint8_t block[2] = { 0 };

        qcow2_set_refcount_entry(block, 0, 0, 1);
        qcow2_set_refcount_entry(block, 0, 9, 1);
        g_assert_cmpuint(block[0], ==, 0x01);
        g_assert_cmpuint(block[1], ==, 0x02);
        qcow2_set_refcount_entry(block, 4, 0, 0x1234);
        g_assert_cmpuint(block[0], ==, 0x12);
        g_assert_cmpuint(block[1], ==, 0x34);
    }
    g_assert_cmpuint(qcow2_refcount_max(0), ==, 1);
    g_assert_cmpuint(qcow2_refcount_max(4), ==, 0xffff);
    g_assert_cmpuint(qcow2_refcount_max(6), ==, UINT64_MAX);
}

static void test_l2_entry_types(void)
{
    g_assert_cmpint(qcow2_get_cluster_type(0, 3, 16), ==, QCOW2_CLUSTER_UNALLOCATED);
    g_assert_cmpint(qcow2_get_cluster_type(QCOW_OFLAG_COPIED | 0x50000, 3, 16), ==,
                    QCOW2_CLUSTER_NORMAL);
    g_assert_cmpint(qcow2_get_cluster_type(0x50000, 2, 16), ==, QCOW2_CLUSTER_NORMAL);
    g_assert_cmpint(qcow2_get_cluster_type(QCOW_OFLAG_ZERO, 3, 16), ==,
                    QCOW2_CLUSTER_ZERO_PLAIN);
    g_assert_cmpint(qcow2_get_cluster_type(0x50000 | QCOW_OFLAG_ZERO, 3, 16), ==,
                    QCOW2_CLUSTER_ZERO_ALLOC);
    g_assert_cmpint(qcow2_get_cluster_type(QCOW_OFLAG_ZERO, 2, 16), ==, QCOW2_CLUSTER_INVALID);
    g_assert_cmpint(qcow2_get_cluster_type(0x50200, 3, 16), ==, QCOW2_CLUSTER_INVALID);
    g_assert_cmpint(qcow2_get_cluster_type(0x50200, 3, 9), ==, QCOW2_CLUSTER_NORMAL);
    g_assert_cmpint(qcow2_get_cluster_type(0x50000 | (1ull << 57), 3, 16), ==,
                    QCOW2_CLUSTER_INVALID);
    g_assert_cmpint(qcow2_get_cluster_type(QCOW_OFLAG_COMPRESSED | 0x1234567, 3, 16), ==,
                    QCOW2_CLUSTER_COMPRESSED);
    g_assert_cmpint(qcow2_get_cluster_type(QCOW_OFLAG_COMPRESSED | QCOW_OFLAG_COPIED, 3, 16),
                    ==, QCOW2_CLUSTER_INVALID);
}

static void test_compressed_descriptor(void)
{
    uint64_t coffset;
    int csize;

    /* 64 KiB clusters: offset in bits 0..53, sector count above. */
    for (int bits = 9; bits <= 21; bits++) {
        uint64_t entry = qcow2_make_compressed_l2_entry(0x123456789a, 300, bits);

        g_assert_true(entry & QCOW_OFLAG_COMPRESSED);
        qcow2_parse_compressed_l2_entry(entry, bits, &coffset, &csize);
        g_assert_cmpuint(coffset, ==, 0x123456789a);
        /* Rounded up to the sector end: at least what was written, less than a sector more. */
        g_assert_cmpint(csize, >=, 300);
        g_assert_cmpint(csize, <, 300 + 512);
    }
    /* Spec example: additional sectors 3, offset 0x1000 -> 4 sectors = 2048 bytes. */
    qcow2_parse_compressed_l2_entry(QCOW_OFLAG_COMPRESSED | (3ull << 54) | 0x1000, 16,
                                    &coffset, &csize);
    g_assert_cmpuint(coffset, ==, 0x1000);
    g_assert_cmpint(csize, ==, 2048);
}

static void test_compress_roundtrip(void)
{
    for (int type = 0; type <= 1; type++) {
        g_autofree uint8_t *src = g_malloc(CLUSTER);
        g_autofree uint8_t *comp = g_malloc(CLUSTER + 1024);
        g_autofree uint8_t *out = g_malloc(CLUSTER);
        ssize_t len;

        for (int i = 0; i < CLUSTER; i++) {
            src[i] = (i / 100) ^ (i % 7);
        }
        len = qcow2_compress(type, comp, CLUSTER, src, CLUSTER);
        g_assert_cmpint(len, >, 0);
        g_assert_cmpint(len, <, CLUSTER / 2);
        /* Trailing bytes belong to the next compressed cluster and must not matter. */
        memset(comp + len, 0xa5, 1024);
        g_assert_cmpint(qcow2_decompress(type, out, CLUSTER, comp, len + 1024), ==, 0);
        g_assert_cmpmem(out, CLUSTER, src, CLUSTER);
        /* Damaged or short data is an I/O error, not garbage or a crash. */
        g_assert_cmpint(qcow2_decompress(type, out, CLUSTER, comp, len / 2), ==, -EIO);
        memset(comp, 0xff, 64);
        g_assert_cmpint(qcow2_decompress(type, out, CLUSTER, comp, len), ==, -EIO);
        /* Incompressible data does not fit into less than its size. */
        for (int i = 0; i < CLUSTER; i++) {
            src[i] = g_random_int();
        }
        g_assert_cmpint(qcow2_compress(type, comp, CLUSTER - 512, src, CLUSTER), ==, -ENOSPC);
    }
}

static size_t put_snapshot(uint8_t *p, uint64_t l1, uint32_t l1_size, const char *id,
                           const char *name, uint32_t extra, uint64_t icount)
{
    size_t off = 40;

    put_be64(p, l1);
    put_be32(p + 8, l1_size);
    p[12] = 0;
    p[13] = strlen(id);
    p[14] = 0;
    p[15] = strlen(name);
    put_be32(p + 16, 1700000000);
    put_be32(p + 20, 5);
    put_be64(p + 24, 1000000000);
    put_be32(p + 32, 0);
    put_be32(p + 36, extra);
    if (extra >= 24) {
        put_be64(p + off, 4096);
        put_be64(p + off + 8, 1ull << 30);
        put_be64(p + off + 16, icount);
    }
    off += extra;
    memcpy(p + off, id, strlen(id));
    off += strlen(id);
    memcpy(p + off, name, strlen(name));
    off += strlen(name);
    return (off + 7) & ~7ul;
}

static void test_snapshot_table(void)
{
    g_autofree uint8_t *b = make_v3_header();
    uint8_t table[512] = { 0 };
    size_t len = 0;
    Qcow2Header h;
    Qcow2Snapshot *sn;
    Error *err = NULL;

    len += put_snapshot(table, 0x40000, 2, "1", "snap1", 24, UINT64_MAX);
    len += put_snapshot(table + len, 0x50000, 2, "2", "second", 32, 77);
    put_be32(b + 60, 2);
    put_be64(b + 64, 0x60000);
    g_assert_cmpint(qcow2_parse_header(b, CLUSTER, &h, &error_abort), ==, 0);
    g_assert_cmpint(qcow2_parse_snapshots(&h, table, len, &sn, &error_abort), ==, 0);
    g_assert_cmpstr(sn[0].id_str, ==, "1");
    g_assert_cmpstr(sn[0].name, ==, "snap1");
    g_assert_cmpuint(sn[0].l1_table_offset, ==, 0x40000);
    g_assert_cmpuint(sn[0].vm_state_size, ==, 4096);
    g_assert_cmpuint(sn[0].disk_size, ==, 1ull << 30);
    g_assert_cmpuint(sn[0].date_sec, ==, 1700000000);
    g_assert_cmpuint(sn[1].icount, ==, 77);
    g_assert_cmpstr(sn[1].name, ==, "second");
    g_assert_nonnull(sn[1].unknown_extra_data);
    qcow2_free_snapshots(sn, 2);

    g_assert_cmpint(qcow2_parse_snapshots(&h, table, len - 8, &sn, &err), <, 0);
    g_assert_cmpstr(error_get_pretty(err), ==, "Failed to read snapshot table: table truncated");
    error_free(err);
    err = NULL;

    put_be32(table + 36, 2000);
    g_assert_cmpint(qcow2_parse_snapshots(&h, table, len, &sn, &err), <, 0);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Too much extra metadata in snapshot table entry 0");
    error_free(err);
    err = NULL;

    put_be32(table + 36, 24);
    put_be64(table, 0x40001);
    g_assert_cmpint(qcow2_parse_snapshots(&h, table, len, &sn, &err), <, 0);
    g_assert_cmpstr(error_get_pretty(err), ==, "Snapshot L1 table offset invalid");
    error_free(err);
    qcow2_header_free(&h);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qcow2/header/v3-default", test_header_v3_default);
    g_test_add_func("/qcow2/header/v2-defaults", test_header_v2_defaults);
    g_test_add_func("/qcow2/header/bad-basics", test_header_bad_basics);
    g_test_add_func("/qcow2/header/bad-tables", test_header_bad_tables);
    g_test_add_func("/qcow2/header/features", test_header_features);
    g_test_add_func("/qcow2/header/extensions", test_header_extensions);
    g_test_add_func("/qcow2/header/fuzz", test_header_fuzz);
    g_test_add_func("/qcow2/refcount/widths", test_refcount_widths);
    g_test_add_func("/qcow2/l2/entry-types", test_l2_entry_types);
    g_test_add_func("/qcow2/compressed/descriptor", test_compressed_descriptor);
    g_test_add_func("/qcow2/compressed/roundtrip", test_compress_roundtrip);
    g_test_add_func("/qcow2/snapshot/table", test_snapshot_table);
    return g_test_run();
}
