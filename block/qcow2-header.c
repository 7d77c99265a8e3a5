/*
 * qcow2 header and header extensions: parse and validate cluster 0 the
 * way QEMU 7.2's qcow2_do_open() does, with its error messages.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <glib.h>

#include "block/qcow2.h"

/*
 * Bytes past the end of @buf read as zero: the caller hands us what the
 * file holds, and a short file behaves like one padded with zeroes.
 */
typedef struct HdrBuf {
    const uint8_t *p;
    size_t len;
} HdrBuf;

static uint8_t hb_u8(const HdrBuf *b, uint64_t off)
{
    return off < b->len ? b->p[off] : 0;
}

static uint32_t hb_be32(const HdrBuf *b, uint64_t off)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++) {
        v = (v << 8) | hb_u8(b, off + i);
    }
    return v;
}

static uint64_t hb_be64(const HdrBuf *b, uint64_t off)
{
    return ((uint64_t)hb_be32(b, off) << 32) | hb_be32(b, off + 4);
}

static void hb_copy(const HdrBuf *b, uint64_t off, void *dst, size_t len)
{
    uint8_t *d = dst;

    for (size_t i = 0; i < len; i++) {
        d[i] = hb_u8(b, off + i);
    }
}

void qcow2_report_unsupported_feature(Error **errp, const Qcow2Feature *table, int n,
                                      uint64_t mask)
{
    GString *s = g_string_new(NULL);

    for (int i = 0; i < n; i++) {
        uint64_t bit;

        if (table[i].type != QCOW2_FEAT_TYPE_INCOMPATIBLE || table[i].bit >= 64) {
            continue;
        }
        bit = 1ull << table[i].bit;
        if (mask & bit) {
            g_string_append_printf(s, "%s%s", s->len ? ", " : "", table[i].name);
            mask &= ~bit;
        }
    }
    if (mask) {
        g_string_append_printf(s, "%sUnknown incompatible feature: %" PRIx64,
                               s->len ? ", " : "", mask);
    }
    error_setg(errp, "Unsupported qcow2 feature(s): %s", s->str);
    g_string_free(s, true);
}

int qcow2_validate_table(const Qcow2Header *h, uint64_t offset, uint64_t entries,
                         size_t entry_len, uint64_t max_size, const char *table_name,
                         Error **errp)
{
    uint64_t cluster_size = 1ull << h->cluster_bits;

    if (entries > max_size / entry_len) {
        error_setg(errp, "%s too large", table_name);
        return -EFBIG;
    }
    /* Offsets end up in int64_t file offsets: keep the table's end below INT64_MAX. */
    if ((uint64_t)INT64_MAX - entries * entry_len < offset || (offset & (cluster_size - 1))) {
        error_setg(errp, "%s offset invalid", table_name);
        return -EINVAL;
    }
    return 0;
}

static int read_extensions(const HdrBuf *b, uint64_t start, uint64_t end, Qcow2Header *h,
                           Error **errp)
{
    uint64_t off = start;

    while (off < end) {
        uint32_t magic, len;

        if (end - off < 8) {
            error_setg(errp, "Header extension too large");
            return -EINVAL;
        }
        magic = hb_be32(b, off);
        len = hb_be32(b, off + 4);
        off += 8;
        if (len > end - off) {
            error_setg(errp, "Header extension too large");
            return -EINVAL;
        }

        switch (magic) {
        case QCOW2_EXT_MAGIC_END:
            return 0;
        case QCOW2_EXT_MAGIC_BACKING_FORMAT:
            if (len >= 16) {
                error_setg(errp, "ERROR: ext_backing_format: len=%" PRIu32
                           " too large (>=%zu)", len, (size_t)16);
                return -EINVAL;
            }
            g_free(h->backing_format);
            h->backing_format = g_malloc0(len + 1);
            hb_copy(b, off, h->backing_format, len);
            break;
        case QCOW2_EXT_MAGIC_FEATURE_TABLE: {
            int n = len / QCOW2_FEATURE_ENTRY_SIZE;

            g_free(h->features);
            h->features = g_new0(Qcow2Feature, n ? n : 1);
            h->nb_features = n;
            for (int i = 0; i < n; i++) {
                uint64_t e = off + (uint64_t)i * QCOW2_FEATURE_ENTRY_SIZE;

                h->features[i].type = hb_u8(b, e);
                h->features[i].bit = hb_u8(b, e + 1);
                hb_copy(b, e + 2, h->features[i].name, QCOW2_FEATURE_NAME_LEN);
            }
            break;
        }
        case QCOW2_EXT_MAGIC_BITMAPS:
            /* Bitmaps are not interpreted; clearing autoclear bit 0 on write invalidates them. */
            h->has_bitmaps_ext = true;
            break;
        default: {
            Qcow2UnknownExt *e;

            /* Kept so that a header rewrite preserves it (crypto and data-file included). */
            h->unknown_exts = g_renew(Qcow2UnknownExt, h->unknown_exts, h->nb_unknown_exts + 1);
            e = &h->unknown_exts[h->nb_unknown_exts++];
            e->magic = magic;
            e->len = len;
            e->data = g_malloc(len ? len : 1);
            hb_copy(b, off, e->data, len);
            break;
        }
        }
        off += ((uint64_t)len + 7) & ~7ull;
    }
    return 0;
}

int qcow2_parse_header(const uint8_t *buf, size_t buf_len, Qcow2Header *h, Error **errp)
{
    HdrBuf b = { buf, buf_len };
    uint64_t cluster_size, ext_end, l1_vm_state_index;
    int ret;

    memset(h, 0, sizeof(*h));
    if (buf_len < QCOW2_V2_HEADER_SIZE || hb_be32(&b, 0) != QCOW_MAGIC) {
        error_setg(errp, "Image is not in qcow2 format");
        return -EINVAL;
    }
    h->version = hb_be32(&b, 4);
    if (h->version < 2 || h->version > 3) {
        error_setg(errp, "Unsupported qcow2 version %" PRIu32, h->version);
        return -ENOTSUP;
    }
    h->backing_file_offset = hb_be64(&b, 8);
    h->backing_file_size = hb_be32(&b, 16);
    h->cluster_bits = hb_be32(&b, 20);
    h->size = hb_be64(&b, 24);
    h->crypt_method = hb_be32(&b, 32);
    h->l1_size = hb_be32(&b, 36);
    h->l1_table_offset = hb_be64(&b, 40);
    h->refcount_table_offset = hb_be64(&b, 48);
    h->refcount_table_clusters = hb_be32(&b, 56);
    h->nb_snapshots = hb_be32(&b, 60);
    h->snapshots_offset = hb_be64(&b, 64);

    if (h->cluster_bits < MIN_CLUSTER_BITS || h->cluster_bits > MAX_CLUSTER_BITS) {
        error_setg(errp, "Unsupported cluster size: 2^%" PRIu32, h->cluster_bits);
        return -EINVAL;
    }
    cluster_size = 1ull << h->cluster_bits;

    if (h->version == 2) {
        h->refcount_order = 4;
        h->header_length = QCOW2_V2_HEADER_SIZE;
    } else {
        h->incompatible_features = hb_be64(&b, 72);
        h->compatible_features = hb_be64(&b, 80);
        h->autoclear_features = hb_be64(&b, 88);
        h->refcount_order = hb_be32(&b, 96);
        h->header_length = hb_be32(&b, 100);
        if (h->header_length < QCOW2_V3_HEADER_SIZE) {
            error_setg(errp, "qcow2 header too short");
            return -EINVAL;
        }
        if (h->header_length > QCOW2_V3_HEADER_SIZE) {
            h->compression_type = hb_u8(&b, QCOW2_V3_HEADER_SIZE);
        }
    }
    if (h->header_length > cluster_size) {
        error_setg(errp, "qcow2 header exceeds cluster size");
        return -EINVAL;
    }
    if (h->backing_file_offset > cluster_size) {
        error_setg(errp, "Invalid backing file offset");
        return -EINVAL;
    }

    ext_end = h->backing_file_offset ? h->backing_file_offset : cluster_size;
    ret = read_extensions(&b, h->header_length, ext_end, h, errp);
    if (ret < 0) {
        goto fail;
    }

    if (h->incompatible_features & ~QCOW2_INCOMPAT_MASK) {
        qcow2_report_unsupported_feature(errp, h->features, h->nb_features,
                                         h->incompatible_features & ~QCOW2_INCOMPAT_MASK);
        ret = -ENOTSUP;
        goto fail;
    }
    /* Valid qcow2, but features minivm does not implement: name them from the table. */
    if (h->incompatible_features & (QCOW2_INCOMPAT_DATA_FILE | QCOW2_INCOMPAT_EXTL2)) {
        qcow2_report_unsupported_feature(errp, h->features, h->nb_features,
                                         h->incompatible_features &
                                         (QCOW2_INCOMPAT_DATA_FILE | QCOW2_INCOMPAT_EXTL2));
        ret = -ENOTSUP;
        goto fail;
    }

    if (h->compression_type > QCOW2_COMPRESSION_TYPE_ZSTD) {
        error_setg(errp, "qcow2: unknown compression type: %u", h->compression_type);
        ret = -ENOTSUP;
        goto fail;
    }
    if (h->compression_type == QCOW2_COMPRESSION_TYPE_ZLIB &&
        (h->incompatible_features & QCOW2_INCOMPAT_COMPRESSION)) {
        error_setg(errp, "qcow2: Compression type incompatible feature bit must not be set");
        ret = -EINVAL;
        goto fail;
    }
    if (h->compression_type != QCOW2_COMPRESSION_TYPE_ZLIB &&
        !(h->incompatible_features & QCOW2_INCOMPAT_COMPRESSION)) {
        error_setg(errp, "qcow2: Compression type incompatible feature bit must be set");
        ret = -EINVAL;
        goto fail;
    }

    if (h->refcount_order > 6) {
        error_setg(errp, "Reference count entry width too large; may not exceed 64 bits");
        ret = -EINVAL;
        goto fail;
    }
    if (h->crypt_method > 2) {
        error_setg(errp, "Unsupported encryption method %" PRIu32, h->crypt_method);
        ret = -EINVAL;
        goto fail;
    }
    if (h->crypt_method) {
        error_setg(errp, "qcow2: encrypted images are not supported");
        ret = -ENOTSUP;
        goto fail;
    }

    ret = qcow2_validate_table(h, h->refcount_table_offset, h->refcount_table_clusters,
                               cluster_size, QCOW_MAX_REFTABLE_SIZE, "Reference count table",
                               errp);
    if (ret < 0) {
        goto fail;
    }
    ret = qcow2_validate_table(h, h->snapshots_offset, h->nb_snapshots, 40,
                               40ull * QCOW_MAX_SNAPSHOTS, "Snapshot table", errp);
    if (ret < 0) {
        goto fail;
    }
    ret = qcow2_validate_table(h, h->l1_table_offset, h->l1_size, 8, QCOW_MAX_L1_SIZE,
                               "Active L1 table", errp);
    if (ret < 0) {
        goto fail;
    }

    /* Each L1 entry maps one L2 table of cluster_size / 8 entries. */
    {
        unsigned shift = 2 * h->cluster_bits - 3;

        l1_vm_state_index = (h->size >> shift) + !!(h->size & ((1ull << shift) - 1));
    }
    if (l1_vm_state_index > INT32_MAX) {
        error_setg(errp, "Image is too big");
        ret = -EFBIG;
        goto fail;
    }
    if (h->l1_size < l1_vm_state_index) {
        error_setg(errp, "L1 table is too small");
        ret = -EINVAL;
        goto fail;
    }

    if (h->backing_file_offset) {
        uint64_t len = h->backing_file_size;

        if (len > MIN(QCOW2_MAX_BACKING_FILE_NAME, cluster_size - h->backing_file_offset)) {
            error_setg(errp, "Backing file name too long");
            ret = -EINVAL;
            goto fail;
        }
        h->backing_file = g_malloc0(len + 1);
        hb_copy(&b, h->backing_file_offset, h->backing_file, len);
    }
    return 0;

fail:
    qcow2_header_free(h);
    return ret;
}

void qcow2_header_free(Qcow2Header *h)
{
    g_free(h->backing_file);
    g_free(h->backing_format);
    g_free(h->features);
    for (int i = 0; i < h->nb_unknown_exts; i++) {
        g_free(h->unknown_exts[i].data);
    }
    g_free(h->unknown_exts);
    h->backing_file = h->backing_format = NULL;
    h->features = NULL;
    h->unknown_exts = NULL;
    h->nb_features = h->nb_unknown_exts = 0;
}
