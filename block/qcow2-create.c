/*
 * qcow2 image creation: QEMU 7.2's option checks and messages, then a
 * fresh image laid out as qemu-img lays it out: header, reftable,
 * refcount block(s), L1 table (not padded to a cluster).
 */
#include <errno.h>
#include <string.h>
#include <glib.h>

#include "block/qcow2-int.h"
#include "sysemu/block-backend.h"

/* Order as qemu-img create prints them in its "Formatting ..." line. */
const QemuOptDesc qcow2_create_opts[] = {
    { "cluster_size", QEMU_OPT_SIZE, "qcow2 cluster size", "65536" },
    { "extended_l2", QEMU_OPT_BOOL, "Extended L2 tables", "off" },
    { "preallocation", QEMU_OPT_STRING,
      "Preallocation mode (allowed values: off, metadata, falloc, full)" },
    { "compression_type", QEMU_OPT_STRING,
      "Compression method used for image cluster compression", "zlib" },
    { "size", QEMU_OPT_SIZE, "Virtual disk size" },
    { "compat", QEMU_OPT_STRING, "Compatibility level (v2 [0.10] or v3 [1.1])" },
    { "backing_file", QEMU_OPT_STRING, "File name of a base image" },
    { "backing_fmt", QEMU_OPT_STRING, "Image format of the base image" },
    { "lazy_refcounts", QEMU_OPT_BOOL, "Postpone refcount updates", "off" },
    { "refcount_bits", QEMU_OPT_NUMBER, "Width of a reference count entry in bits", "16" },
    { "data_file", QEMU_OPT_STRING, "File name of an external data file" },
    { "encryption", QEMU_OPT_BOOL, "Encrypt the image with format 'aes'. (Deprecated in favor "
      "of encrypt.format=aes)" },
    { "encrypt.format", QEMU_OPT_STRING, "Encrypt the image, format choices: 'aes', 'luks'" },
    { NULL },
};

typedef struct Qcow2CreateParams {
    uint64_t size;
    int cluster_bits;
    int version;
    int refcount_order;
    bool lazy_refcounts;
    int compression_type;
    const char *backing_file;
    const char *backing_fmt;
    PreallocMode prealloc;
} Qcow2CreateParams;

static bool parse_params(QemuOpts *opts, Qcow2CreateParams *p, Error **errp)
{
    Error *local_err = NULL;
    uint64_t cluster_size = qemu_opt_get_size(opts, "cluster_size", 65536, &local_err);
    uint64_t refcount_bits;
    const char *compat = qemu_opt_get(opts, "compat");
    const char *ctype = qemu_opt_get(opts, "compression_type");
    const char *prealloc = qemu_opt_get(opts, "preallocation");

    memset(p, 0, sizeof(*p));
    if (!local_err) {
        p->size = qemu_opt_get_size(opts, "size", 0, &local_err);
    }
    if (!local_err) {
        refcount_bits = qemu_opt_get_number(opts, "refcount_bits", 16, &local_err);
    }
    if (!local_err) {
        p->lazy_refcounts = qemu_opt_get_bool(opts, "lazy_refcounts", false, &local_err);
    }
    if (!local_err && qemu_opt_get_bool(opts, "extended_l2", false, &local_err)) {
        error_setg(errp, "Extended L2 entries are not supported by minivm");
        return false;
    }
    if (local_err) {
        error_propagate(errp, local_err);
        return false;
    }
    if (qemu_opt_get(opts, "data_file")) {
        error_setg(errp, "External data files are not supported by minivm");
        return false;
    }
    if (qemu_opt_get(opts, "encrypt.format") ||
        qemu_opt_get_bool(opts, "encryption", false, NULL)) {
        error_setg(errp, "Encrypted qcow2 images are not supported by minivm");
        return false;
    }
    if (cluster_size < 512 || cluster_size > 2 * 1024 * 1024 ||
        (cluster_size & (cluster_size - 1))) {
        error_setg(errp, "Cluster size must be a power of two between 512 and 2048k");
        return false;
    }
    p->cluster_bits = __builtin_ctzll(cluster_size);
    if (!compat || !strcmp(compat, "1.1") || !strcmp(compat, "v3")) {
        p->version = 3;
    } else if (!strcmp(compat, "0.10") || !strcmp(compat, "v2")) {
        p->version = 2;
    } else {
        error_setg(errp, "Invalid compatibility level: '%s'", compat);
        return false;
    }
    if (refcount_bits > 64 || !refcount_bits || (refcount_bits & (refcount_bits - 1))) {
        error_setg(errp, "Refcount width must be a power of two and may not exceed 64 bits");
        return false;
    }
    if (p->version < 3 && refcount_bits != 16) {
        error_setg(errp, "Different refcount widths than 16 bits require compatibility level "
                   "1.1 or above (use version=v3 or greater)");
        return false;
    }
    p->refcount_order = __builtin_ctzll(refcount_bits);
    if (p->size & (BDRV_SECTOR_SIZE - 1)) {
        error_setg(errp, "Image size must be a multiple of %u bytes",
                   (unsigned)BDRV_SECTOR_SIZE);
        return false;
    }
    if (prealloc) {
        int i;

        for (i = 0; i < PREALLOC_MODE__MAX && strcmp(prealloc, PreallocMode_str[i]); i++) {
        }
        if (i == PREALLOC_MODE__MAX) {
            error_setg(errp, "Parameter 'preallocation' does not accept value '%s'", prealloc);
            return false;
        }
        p->prealloc = i;
    }
    p->backing_file = qemu_opt_get(opts, "backing_file");
    p->backing_fmt = qemu_opt_get(opts, "backing_fmt");
    if (p->backing_fmt && !p->backing_file) {
        error_setg(errp, "Backing format cannot be used without backing file");
        return false;
    }
    if (p->backing_file && !p->backing_fmt) {
        error_setg(errp, "Backing file specified without backing format");
        return false;
    }
    if (p->backing_file && strlen(p->backing_file) > QCOW2_MAX_BACKING_FILE_NAME) {
        error_setg(errp, "Backing file name too long");
        return false;
    }
    if (p->backing_fmt && strlen(p->backing_fmt) >= 16) {
        error_setg(errp, "Unknown driver '%s'", p->backing_fmt);
        return false;
    }
    if (p->version < 3 && p->lazy_refcounts) {
        error_setg(errp, "Lazy refcounts only supported with compatibility level 1.1 and above "
                   "(use version=v3 or greater)");
        return false;
    }
    if (!ctype || !strcmp(ctype, "zlib")) {
        p->compression_type = QCOW2_COMPRESSION_TYPE_ZLIB;
    } else if (!strcmp(ctype, "zstd")) {
        if (p->version < 3) {
            error_setg(errp, "Non-zlib compression type is only supported with compatibility "
                       "level 1.1 and above (use version=v3 or greater)");
            return false;
        }
        p->compression_type = QCOW2_COMPRESSION_TYPE_ZSTD;
    } else {
        error_setg(errp, "Parameter 'compression-type' does not accept value '%s'", ctype);
        return false;
    }
    return true;
}

static void put_be16(uint8_t *b, uint16_t v)
{
    b[0] = v >> 8;
    b[1] = v;
}

static void put_be32(uint8_t *b, uint32_t v)
{
    put_be16(b, v >> 16);
    put_be16(b + 2, v);
}

static void put_be64(uint8_t *b, uint64_t v)
{
    put_be32(b, v >> 32);
    put_be32(b + 4, v);
}

static size_t add_ext(uint8_t *b, size_t off, uint32_t magic, const void *data, uint32_t len)
{
    put_be32(b + off, magic);
    put_be32(b + off + 4, len);
    memcpy(b + off + 8, data, len);
    return off + 8 + ((len + 7) & ~7u);
}

/* QEMU 7.2's feature-name table, so that other tools can name our bits. */
static size_t add_feature_table(uint8_t *b, size_t off)
{
    static const struct { uint8_t type, bit; const char *name; } feats[] = {
        { QCOW2_FEAT_TYPE_INCOMPATIBLE, 0, "dirty bit" },
        { QCOW2_FEAT_TYPE_INCOMPATIBLE, 1, "corrupt bit" },
        { QCOW2_FEAT_TYPE_INCOMPATIBLE, 2, "external data file" },
        { QCOW2_FEAT_TYPE_INCOMPATIBLE, 3, "compression type" },
        { QCOW2_FEAT_TYPE_INCOMPATIBLE, 4, "extended L2 entries" },
        { QCOW2_FEAT_TYPE_COMPATIBLE, 0, "lazy refcounts" },
        { QCOW2_FEAT_TYPE_AUTOCLEAR, 0, "bitmaps" },
        { QCOW2_FEAT_TYPE_AUTOCLEAR, 1, "raw external data" },
    };
    uint8_t table[G_N_ELEMENTS(feats) * QCOW2_FEATURE_ENTRY_SIZE] = { 0 };

    for (size_t i = 0; i < G_N_ELEMENTS(feats); i++) {
        uint8_t *e = table + i * QCOW2_FEATURE_ENTRY_SIZE;

        e[0] = feats[i].type;
        e[1] = feats[i].bit;
        memcpy(e + 2, feats[i].name, strlen(feats[i].name));
    }
    return add_ext(b, off, QCOW2_EXT_MAGIC_FEATURE_TABLE, table, sizeof(table));
}

static int write_image(BlockDriverState *file, const Qcow2CreateParams *p, Error **errp)
{
    uint64_t cs = 1ull << p->cluster_bits;
    uint64_t per_block = cs * 8 >> p->refcount_order;
    unsigned l1_shift = 2 * p->cluster_bits - 3;
    uint64_t l1_size = (p->size >> l1_shift) + !!(p->size & ((1ull << l1_shift) - 1));
    uint64_t l1_clusters = DIV_ROUND_UP(l1_size * 8, cs);
    uint64_t k = 1, t = 1, total;
    uint64_t header_len = p->version >= 3 ? 112 : QCOW2_V2_HEADER_SIZE;
    g_autofree uint8_t *hdr = g_malloc0(cs);
    g_autofree uint8_t *meta = NULL;
    size_t off;
    int ret;

    /* Refblocks must describe the header, the reftable, themselves and the L1 table. */
    for (;;) {
        uint64_t k2 = DIV_ROUND_UP(1 + t + k + l1_clusters, per_block);
        uint64_t t2 = DIV_ROUND_UP(k2 * 8, cs);

        if (k2 == k && t2 == t) {
            break;
        }
        k = k2;
        t = t2;
    }
    total = 1 + t + k + l1_clusters;
    if (l1_size > QCOW_MAX_L1_SIZE / 8 || t * cs > QCOW_MAX_REFTABLE_SIZE) {
        error_setg(errp, "Image size is too big for this cluster size");
        return -EFBIG;
    }

    put_be32(hdr, QCOW_MAGIC);
    put_be32(hdr + 4, p->version);
    put_be32(hdr + 20, p->cluster_bits);
    put_be64(hdr + 24, p->size);
    put_be32(hdr + 36, l1_size);
    put_be64(hdr + 40, (1 + t + k) * cs);
    put_be64(hdr + 48, cs);
    put_be32(hdr + 56, t);
    if (p->version >= 3) {
        put_be64(hdr + 72, p->compression_type ? QCOW2_INCOMPAT_COMPRESSION : 0);
        put_be64(hdr + 80, p->lazy_refcounts ? QCOW2_COMPAT_LAZY_REFCOUNTS : 0);
        put_be32(hdr + 96, p->refcount_order);
        put_be32(hdr + 100, header_len);
        hdr[104] = p->compression_type;
    }
    off = header_len;
    if (p->backing_fmt) {
        off = add_ext(hdr, off, QCOW2_EXT_MAGIC_BACKING_FORMAT, p->backing_fmt,
                      strlen(p->backing_fmt));
    }
    /* Like QEMU: no feature table in clusters of 4k and less, to leave room for names. */
    if (p->version >= 3 && cs > 4096) {
        off = add_feature_table(hdr, off);
    }
    off += 8;                               /* end-of-extensions marker (zeroes) */
    if (p->backing_file) {
        size_t len = strlen(p->backing_file);

        if (off + len > cs) {
            error_setg(errp, "Backing file name too long");
            return -EINVAL;
        }
        put_be64(hdr + 8, off);
        put_be32(hdr + 16, len);
        memcpy(hdr + off, p->backing_file, len);
    }

    /* Reftable, refblocks and a zeroed L1 table, in one buffer after the header. */
    meta = g_malloc0((t + k) * cs + l1_size * 8);
    for (uint64_t i = 0; i < k; i++) {
        put_be64(meta + i * 8, (1 + t + i) * cs);
    }
    for (uint64_t c = 0; c < total; c++) {
        qcow2_set_refcount_entry(meta + (t + c / per_block) * cs, p->refcount_order,
                                 c % per_block, 1);
    }
    ret = bdrv_pwrite(file, 0, cs, hdr, 0);
    if (ret >= 0) {
        ret = bdrv_pwrite(file, cs, (t + k) * cs + l1_size * 8, meta, 0);
    }
    if (ret >= 0) {
        ret = bdrv_flush(file);
    }
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not write qcow2 header");
    }
    return ret;
}

int qcow2_create(BlockDriver *drv, const char *filename, QemuOpts *opts, Error **errp)
{
    Qcow2CreateParams p;
    QemuOpts *file_opts;
    BlockDriverState *file;
    json_t *fopts;
    int ret;

    if (!parse_params(opts, &p, errp)) {
        return -EINVAL;
    }
    file_opts = qemu_opts_parse("size=0", NULL, errp);
    if (!file_opts) {
        return -EINVAL;
    }
    ret = bdrv_file.bdrv_create(&bdrv_file, filename, file_opts, errp);
    qemu_opts_free(file_opts);
    if (ret < 0) {
        return ret;
    }
    fopts = json_pack("{s:s}", "driver", "file");
    file = bdrv_open(filename, fopts, BDRV_O_RDWR, errp);
    if (!file) {
        return -EIO;
    }
    if (p.prealloc == PREALLOC_MODE_OFF) {
        ret = write_image(file, &p, errp);
        bdrv_unref(file);
        return ret;
    }
    /*
     * QEMU's order for preallocation: an empty image, then grown to its
     * size by a preallocating truncate, which places the L1 table and
     * lays out each L2 table and its data clusters.
     */
    {
        uint64_t size = p.size;
        BlockBackend *blk;

        p.size = 0;
        ret = write_image(file, &p, errp);
        bdrv_unref(file);
        if (ret < 0) {
            return ret;
        }
        blk = blk_new_open(filename, NULL, json_pack("{s:s}", "driver", "qcow2"),
                           BDRV_O_RDWR | BDRV_O_RESIZE | BDRV_O_NO_BACKING, errp);
        if (!blk) {
            return -EIO;
        }
        ret = blk_truncate(blk, size, false, p.prealloc, 0, errp);
        blk_unref(blk);
        return ret;
    }
}
