/*
 * qcow2 format driver: open (header, L1, reftable, snapshots, backing
 * file), guest reads and writes through L1/L2 with copy-on-write,
 * write-zeroes, discard, flush in QEMU's metadata order, block status,
 * grow.  Image creation is in qcow2-create.c.
 */
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "block/qcow2-int.h"
#include "qemu/memalign.h"

#define L2_CACHE_ENTRIES 32
#define REFCOUNT_CACHE_ENTRIES 8
#define SNAPSHOT_TABLE_MAX (64ull * 1024 * 1024)

static const char *const qcow2_runtime_opts[] = {
    "l2-cache-size", "l2-cache-entry-size", "refcount-cache-size", "cache-size",
    "cache-clean-interval", "lazy-refcounts", "pass-discard-request",
    "pass-discard-snapshot", "pass-discard-other", "overlap-check", NULL
};

/* ---- corruption, overlap checks, header fields ---- */

void qcow2_signal_corruption(BlockDriverState *bs, const char *fmt, ...)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (s->corrupt_signalled) {
        return;
    }
    s->corrupt_signalled = true;
    if (bs->read_only) {
        /* QEMU prints these without the program's name */
        fprintf(stderr, "qcow2: Image is corrupt: %s; further non-fatal corruption events "
                "will be suppressed\n", msg);
        return;
    }
    fprintf(stderr, "qcow2: Marking image as corrupt: %s; further corruption events will be "
            "suppressed\n", msg);
    s->header.incompatible_features |= QCOW2_INCOMPAT_CORRUPT;
    {
        uint64_t be = GUINT64_TO_BE(s->header.incompatible_features);

        bdrv_pwrite(bs->file->bs, 72, 8, &be, 0);
        bdrv_flush(bs->file->bs);
    }
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen && blen && a < b + blen && b < a + alen;
}

int qcow2_pre_write_overlap_check(BlockDriverState *bs, uint64_t offset, uint64_t size,
                                  bool is_refblock)
{
    BDRVQcow2State *s = bs->opaque;
    const char *what = NULL;

    if (s->header.incompatible_features & QCOW2_INCOMPAT_CORRUPT) {
        return -EIO;
    }
    if (ranges_overlap(offset, size, 0, s->cluster_size)) {
        what = "qcow2_header";
    } else if (ranges_overlap(offset, size, s->l1_table_offset, (uint64_t)s->l1_size * 8)) {
        what = "active L1 table";
    } else if (ranges_overlap(offset, size, s->refcount_table_offset,
                              s->refcount_table_size * 8)) {
        what = "refcount table";
    }
    if (what) {
        qcow2_signal_corruption(bs, "Preventing invalid write on metadata (overlaps with %s)",
                                what);
        return -EIO;
    }
    return 0;
}

int coroutine_fn qcow2_write_header_field(BlockDriverState *bs, uint64_t off, const void *buf,
                                          int len)
{
    return bdrv_pwrite(bs->file->bs, off, len, buf, 0);
}

/* ---- the mapping ---- */

/*
 * The L2 entry for guest @offset (0 when no L2 table), and the number of
 * bytes from @offset up to @bytes that map the same way: the same type,
 * and for NORMAL clusters contiguous in the file.
 */
static int coroutine_fn get_cluster_run(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                                        uint64_t *entry, QCow2ClusterType *type,
                                        uint64_t *run)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l1_index = offset >> (s->l2_bits + s->cluster_bits);
    uint64_t l2_index = (offset >> s->cluster_bits) & ((1ull << s->l2_bits) - 1);
    uint64_t in_cluster = offset_into_cluster(s, offset);
    uint64_t max = MIN(bytes, ((1ull << s->l2_bits) - l2_index) * s->cluster_size - in_cluster);
    uint64_t l1e, l2_offset, *l2;
    uint8_t *table;
    int ret;

    *entry = 0;
    *type = QCOW2_CLUSTER_UNALLOCATED;
    *run = max;
    if (l1_index >= s->l1_size) {
        return 0;
    }
    l1e = s->l1_table[l1_index];
    l2_offset = l1e & L1E_OFFSET_MASK;
    if (!l2_offset) {
        return 0;
    }
    if (offset_into_cluster(s, l2_offset) || (l1e & L1E_RESERVED_MASK)) {
        qcow2_signal_corruption(bs, "L2 table offset %#" G_GINT64_MODIFIER "x unaligned "
                                "(L1 index: %#" G_GINT64_MODIFIER "x)", l2_offset, l1_index);
        return -EIO;
    }
    ret = qcow2_cache_get(bs, s->l2_cache, l2_offset, true, &table);
    if (ret < 0) {
        return ret;
    }
    l2 = (uint64_t *)table;
    *entry = GUINT64_FROM_BE(l2[l2_index]);
    *type = qcow2_get_cluster_type(*entry, s->header.version, s->cluster_bits);
    if (*type == QCOW2_CLUSTER_INVALID) {
        qcow2_signal_corruption(bs, "Invalid L2 entry %#" G_GINT64_MODIFIER "x (L2 offset: %#"
                                G_GINT64_MODIFIER "x, L2 index: %#" G_GINT64_MODIFIER "x)",
                                *entry, l2_offset, l2_index);
        return -EIO;
    }
    if (*type == QCOW2_CLUSTER_COMPRESSED) {
        *run = MIN(max, s->cluster_size - in_cluster);
        return 0;
    }
    {
        uint64_t n = s->cluster_size - in_cluster, i = l2_index + 1;
        uint64_t host = *entry & L2E_OFFSET_MASK;

        while (n < max) {
            uint64_t e = GUINT64_FROM_BE(l2[i]);
            QCow2ClusterType t = qcow2_get_cluster_type(e, s->header.version, s->cluster_bits);

            if (t != *type || (t == QCOW2_CLUSTER_NORMAL &&
                               (e & L2E_OFFSET_MASK) != host + (i - l2_index) * s->cluster_size)) {
                break;
            }
            n += s->cluster_size;
            i++;
        }
        *run = MIN(n, max);
    }
    if (*type == QCOW2_CLUSTER_NORMAL) {
        uint64_t host = *entry & L2E_OFFSET_MASK;

        if (host + *run + in_cluster > (1ull << 56) || host < s->cluster_size) {
            qcow2_signal_corruption(bs, "Data cluster offset %#" G_GINT64_MODIFIER "x invalid",
                                    host);
            return -EIO;
        }
    }
    return 0;
}

/* Read one compressed cluster into @buf (cluster_size bytes). */
static int coroutine_fn read_compressed(BlockDriverState *bs, uint64_t entry, uint8_t *buf)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t coffset;
    int csize, ret;
    uint8_t *in;

    qcow2_parse_compressed_l2_entry(entry, s->cluster_bits, &coffset, &csize);
    in = g_malloc(csize);
    ret = qcow2_file_pread(bs, coffset, in, csize);
    if (ret >= 0) {
        ret = qcow2_decompress(s->header.compression_type, buf, s->cluster_size, in, csize);
    }
    g_free(in);
    return ret;
}

static int coroutine_fn read_backing(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                                     QEMUIOVector *qiov, size_t qiov_off)
{
    int64_t blen;
    uint64_t n = 0;
    int ret = 0;

    if (!bs->backing) {
        qemu_iovec_memset(qiov, qiov_off, 0, bytes);
        return 0;
    }
    blen = bdrv_getlength(bs->backing->bs);
    if (blen < 0) {
        return blen;
    }
    if (offset < (uint64_t)blen) {
        QEMUIOVector sub;

        n = MIN(bytes, (uint64_t)blen - offset);
        qemu_iovec_init(&sub, qiov->niov);
        qemu_iovec_concat(&sub, qiov, qiov_off, n);
        ret = bdrv_co_preadv(bs->backing->bs, offset, n, &sub, 0);
        qemu_iovec_destroy(&sub);
    }
    /* Past the backing file's end the guest reads zeroes. */
    if (ret >= 0 && n < bytes) {
        qemu_iovec_memset(qiov, qiov_off + n, 0, bytes - n);
    }
    return ret;
}

static int coroutine_fn qcow2_co_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                                        QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    BDRVQcow2State *s = bs->opaque;
    size_t qiov_off = 0;
    int ret = 0;

    qemu_co_mutex_lock(&s->lock);
    while (bytes > 0 && ret >= 0) {
        uint64_t entry, run;
        QCow2ClusterType type;

        ret = get_cluster_run(bs, offset, bytes, &entry, &type, &run);
        if (ret < 0) {
            break;
        }
        switch (type) {
        case QCOW2_CLUSTER_UNALLOCATED:
            /* The backing file does its own locking; don't hold ours over its I/O. */
            qemu_co_mutex_unlock(&s->lock);
            ret = read_backing(bs, offset, run, qiov, qiov_off);
            qemu_co_mutex_lock(&s->lock);
            break;
        case QCOW2_CLUSTER_ZERO_PLAIN:
        case QCOW2_CLUSTER_ZERO_ALLOC:
            qemu_iovec_memset(qiov, qiov_off, 0, run);
            break;
        case QCOW2_CLUSTER_NORMAL: {
            QEMUIOVector sub;

            qemu_iovec_init(&sub, qiov->niov);
            qemu_iovec_concat(&sub, qiov, qiov_off, run);
            qemu_co_mutex_unlock(&s->lock);
            ret = bdrv_co_preadv(bs->file->bs,
                                 (entry & L2E_OFFSET_MASK) + offset_into_cluster(s, offset),
                                 run, &sub, 0);
            qemu_co_mutex_lock(&s->lock);
            qemu_iovec_destroy(&sub);
            break;
        }
        case QCOW2_CLUSTER_COMPRESSED:
            ret = read_compressed(bs, entry, s->cluster_buf);
            if (ret >= 0) {
                qemu_iovec_from_buf(qiov, qiov_off, s->cluster_buf + offset_into_cluster(s, offset),
                                    run);
            }
            break;
        default:
            ret = -EIO;
        }
        offset += run;
        bytes -= run;
        qiov_off += run;
    }
    qemu_co_mutex_unlock(&s->lock);
    return ret < 0 ? ret : 0;
}

/* ---- writes ---- */

typedef struct PendingFree {
    uint64_t offset, size;
} PendingFree;

/* Old clusters to unreference once the entries that pointed at them are stable. */
static void defer_free(GArray *frees, uint64_t offset, uint64_t size)
{
    PendingFree f = { offset, size };

    g_array_append_val(frees, f);
}

static void defer_free_entry(BDRVQcow2State *s, GArray *frees, uint64_t entry,
                             QCow2ClusterType type)
{
    if (type == QCOW2_CLUSTER_COMPRESSED) {
        uint64_t coffset;
        int csize;

        qcow2_parse_compressed_l2_entry(entry, s->cluster_bits, &coffset, &csize);
        defer_free(frees, coffset, csize);
    } else if ((type == QCOW2_CLUSTER_NORMAL || type == QCOW2_CLUSTER_ZERO_ALLOC) &&
               (entry & L2E_OFFSET_MASK)) {
        defer_free(frees, entry & L2E_OFFSET_MASK, s->cluster_size);
    }
}

/* Called and returns with s->lock held; drops it while waiting. */
static void coroutine_fn wait_inflight(BDRVQcow2State *s)
{
    qemu_co_mutex_unlock(&s->lock);
    qemu_co_queue_wait(&s->inflight_queue);
    qemu_co_mutex_lock(&s->lock);
}

/* Until no allocation of a guest cluster in [offset, offset + bytes) is in flight. */
static void coroutine_fn wait_for_allocs(BDRVQcow2State *s, uint64_t offset, uint64_t bytes)
{
    uint64_t first = start_of_cluster(s, offset);

restart:
    for (guint i = 0; i < s->inflight_allocs->len; i++) {
        uint64_t c = g_array_index(s->inflight_allocs, uint64_t, i);

        if (c >= first && c < offset + bytes) {
            wait_inflight(s);
            goto restart;
        }
    }
}

static void alloc_done(BDRVQcow2State *s, uint64_t cluster_offset)
{
    for (guint i = 0; i < s->inflight_allocs->len; i++) {
        if (g_array_index(s->inflight_allocs, uint64_t, i) == cluster_offset) {
            g_array_remove_index_fast(s->inflight_allocs, i);
            break;
        }
    }
    qemu_co_queue_restart_all(&s->inflight_queue);
}

/* L2 entry stable before the refcount decrease: write the tables, flush, then free. */
static int coroutine_fn process_frees(BlockDriverState *bs, GArray *frees)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    if (!frees->len) {
        return 0;
    }
    while (s->inplace_writes) {
        wait_inflight(s);
    }
    ret = qcow2_write_caches(bs);
    if (ret >= 0) {
        ret = bdrv_co_flush(bs->file->bs);
    }
    for (guint i = 0; ret >= 0 && i < frees->len; i++) {
        PendingFree *f = &g_array_index(frees, PendingFree, i);

        ret = qcow2_free_clusters(bs, f->offset, f->size);
    }
    g_array_set_size(frees, 0);
    return ret;
}

/*
 * The L2 table for guest @offset, writable: allocated if missing, copied
 * if shared with a snapshot (L1 entry without COPIED).
 */
static int coroutine_fn get_l2_for_write(BlockDriverState *bs, uint64_t offset,
                                         GArray *frees, uint64_t **l2, uint64_t *l2_index)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l1_index = offset >> (s->l2_bits + s->cluster_bits);
    uint64_t l1e, old, be;
    int64_t new;
    uint8_t *table;
    int ret;

    *l2_index = (offset >> s->cluster_bits) & ((1ull << s->l2_bits) - 1);
    if (l1_index >= s->l1_size) {
        return -EIO;
    }
    l1e = s->l1_table[l1_index];
    old = l1e & L1E_OFFSET_MASK;
    if (old && (offset_into_cluster(s, old) || (l1e & L1E_RESERVED_MASK))) {
        qcow2_signal_corruption(bs, "L2 table offset %#" G_GINT64_MODIFIER "x unaligned "
                                "(L1 index: %#" G_GINT64_MODIFIER "x)", old, l1_index);
        return -EIO;
    }
    if (old && (l1e & QCOW_OFLAG_COPIED)) {
        ret = qcow2_cache_get(bs, s->l2_cache, old, true, &table);
        *l2 = (uint64_t *)table;
        return ret;
    }

    new = qcow2_alloc_clusters(bs, s->cluster_size);
    if (new < 0) {
        return new;
    }
    if (new == 0) {
        qcow2_signal_corruption(bs, "Preventing invalid allocation of L2 table at offset 0");
        return -EIO;
    }
    if (old) {
        ret = qcow2_cache_get(bs, s->l2_cache, old, true, &table);
        if (ret < 0) {
            return ret;
        }
        memcpy(s->cluster_buf2, table, s->cluster_size);
    } else {
        memset(s->cluster_buf2, 0, s->cluster_size);
    }
    ret = qcow2_cache_get(bs, s->l2_cache, new, false, &table);
    if (ret < 0) {
        return ret;
    }
    memcpy(table, s->cluster_buf2, s->cluster_size);
    qcow2_cache_mark_dirty(s->l2_cache, table);
    /* The new table (and its refcount) must be on disk before the L1 entry points at it. */
    ret = qcow2_cache_write(bs, s->l2_cache);
    if (ret >= 0) {
        ret = bdrv_co_flush(bs->file->bs);
    }
    if (ret < 0) {
        return ret;
    }
    s->l1_table[l1_index] = new | QCOW_OFLAG_COPIED;
    be = GUINT64_TO_BE(s->l1_table[l1_index]);
    {
        QEMUIOVector qiov;

        qemu_iovec_init_buf(&qiov, &be, 8);
        ret = bdrv_co_pwritev(bs->file->bs, s->l1_table_offset + l1_index * 8, 8, &qiov, 0);
    }
    if (ret < 0) {
        return ret;
    }
    if (old) {
        defer_free(frees, old, s->cluster_size);
    }
    ret = qcow2_cache_get(bs, s->l2_cache, new, true, &table);
    *l2 = (uint64_t *)table;
    return ret;
}

/* The current guest content of the cluster at @cluster_offset, into @buf. */
static int coroutine_fn read_cluster_for_cow(BlockDriverState *bs, uint64_t cluster_offset,
                                             uint64_t entry, QCow2ClusterType type,
                                             uint8_t *buf)
{
    BDRVQcow2State *s = bs->opaque;
    QEMUIOVector qiov;

    switch (type) {
    case QCOW2_CLUSTER_NORMAL:
        return qcow2_file_pread(bs, entry & L2E_OFFSET_MASK, buf, s->cluster_size);
    case QCOW2_CLUSTER_COMPRESSED:
        return read_compressed(bs, entry, buf);
    case QCOW2_CLUSTER_UNALLOCATED:
        qemu_iovec_init_buf(&qiov, buf, s->cluster_size);
        return read_backing(bs, cluster_offset, s->cluster_size, &qiov, 0);
    default:
        memset(buf, 0, s->cluster_size);
        return 0;
    }
}

/*
 * Write [offset, offset + bytes) within one cluster.  @qiov NULL with
 * @zero: the bytes become zeroes.  Sets *meta when metadata changed.
 */
static int coroutine_fn write_cluster(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                                      QEMUIOVector *qiov, size_t qiov_off,
                                      BdrvRequestFlags flags, GArray *frees, bool *meta)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t cluster_offset = start_of_cluster(s, offset);
    uint64_t in_cluster = offset - cluster_offset;
    uint64_t *l2, l2_index, entry;
    QCow2ClusterType type;
    int64_t new;
    uint8_t *table, *buf;
    int ret = 0;

    wait_for_allocs(s, cluster_offset, 1);
    ret = get_l2_for_write(bs, offset, frees, &l2, &l2_index);
    if (ret < 0) {
        return ret;
    }
    entry = GUINT64_FROM_BE(l2[l2_index]);
    type = qcow2_get_cluster_type(entry, s->header.version, s->cluster_bits);
    if (type == QCOW2_CLUSTER_INVALID) {
        qcow2_signal_corruption(bs, "Invalid L2 entry %#" G_GINT64_MODIFIER "x", entry);
        return -EIO;
    }

    if (type == QCOW2_CLUSTER_NORMAL && (entry & QCOW_OFLAG_COPIED)) {
        QEMUIOVector sub;

        if (!qiov) {
            return -ENOTSUP;
        }
        qemu_iovec_init(&sub, qiov->niov);
        qemu_iovec_concat(&sub, qiov, qiov_off, bytes);
        s->inplace_writes++;
        qemu_co_mutex_unlock(&s->lock);
        ret = bdrv_co_pwritev(bs->file->bs, (entry & L2E_OFFSET_MASK) + in_cluster, bytes,
                              &sub, flags & BDRV_REQ_FUA);
        qemu_co_mutex_lock(&s->lock);
        if (!--s->inplace_writes) {
            qemu_co_queue_restart_all(&s->inflight_queue);
        }
        qemu_iovec_destroy(&sub);
        return ret;
    }

    /*
     * Allocate and write the whole cluster: data (and COW) before the L2
     * entry.  The data write runs unlocked, in a buffer of its own; the
     * guest cluster stays in inflight_allocs until its entry is set.
     */
    new = qcow2_alloc_clusters(bs, s->cluster_size);
    if (new < 0) {
        return new;
    }
    g_array_append_val(s->inflight_allocs, cluster_offset);
    qemu_co_mutex_unlock(&s->lock);
    buf = qemu_blockalign(bs, s->cluster_size);
    if (bytes < s->cluster_size) {
        ret = read_cluster_for_cow(bs, cluster_offset, entry, type, buf);
    }
    if (ret >= 0) {
        if (qiov) {
            qemu_iovec_to_buf(qiov, qiov_off, buf + in_cluster, bytes);
        } else {
            memset(buf + in_cluster, 0, bytes);
        }
        ret = qcow2_file_pwrite(bs, new, buf, s->cluster_size);
    }
    qemu_vfree(buf);
    qemu_co_mutex_lock(&s->lock);
    if (ret < 0) {
        alloc_done(s, cluster_offset);
        return ret;     /* the new cluster leaks, as QEMU's does: check -r leaks frees it */
    }
    /* Re-fetch: the table may have left the cache (or been copied) meanwhile. */
    ret = get_l2_for_write(bs, offset, frees, &l2, &l2_index);
    if (ret >= 0) {
        l2[l2_index] = GUINT64_TO_BE(new | QCOW_OFLAG_COPIED);
        table = (uint8_t *)l2;
        qcow2_cache_mark_dirty(s->l2_cache, table);
        defer_free_entry(s, frees, entry, type);
        *meta = true;
    }
    alloc_done(s, cluster_offset);
    return ret < 0 ? ret : 0;
}

static int coroutine_fn finish_write(BlockDriverState *bs, GArray *frees, bool meta,
                                     BdrvRequestFlags flags, int ret)
{
    if (ret >= 0) {
        ret = process_frees(bs, frees);
    }
    /* FUA after metadata changed: everything this request touched must be stable. */
    if (ret >= 0 && meta && (flags & BDRV_REQ_FUA)) {
        ret = qcow2_write_caches(bs);
        if (ret >= 0) {
            ret = bdrv_co_flush(bs->file->bs);
        }
    }
    g_array_free(frees, true);
    return ret < 0 ? ret : 0;
}

static int coroutine_fn qcow2_co_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                                         QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    BDRVQcow2State *s = bs->opaque;
    GArray *frees = g_array_new(false, false, sizeof(PendingFree));
    size_t qiov_off = 0;
    bool meta = false;
    int ret = 0;

    qemu_co_mutex_lock(&s->lock);
    while (bytes > 0 && ret >= 0) {
        uint64_t n = MIN((uint64_t)bytes, s->cluster_size - offset_into_cluster(s, offset));

        ret = write_cluster(bs, offset, n, qiov, qiov_off, flags, frees, &meta);
        offset += n;
        bytes -= n;
        qiov_off += n;
    }
    ret = finish_write(bs, frees, meta, flags, ret);
    qemu_co_mutex_unlock(&s->lock);
    return ret;
}

/*
 * Room for @size bytes of compressed data.  Compressed clusters are packed
 * into shared host clusters, each holding one reference per compressed
 * cluster in it (qcow2 spec: "Compressed Clusters Descriptor"); @size is
 * below the cluster size, so one never spans two.
 */
static int64_t coroutine_fn alloc_compressed_bytes(BlockDriverState *bs, uint64_t size)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t used = offset_into_cluster(s, s->free_byte_offset);
    int64_t off;
    int ret;

    if (s->free_byte_offset && used && s->cluster_size - used >= size) {
        off = s->free_byte_offset;
        ret = qcow2_update_refcount(bs, start_of_cluster(s, off), s->cluster_size, 1);
        if (ret < 0) {
            return ret;
        }
    } else {
        off = qcow2_alloc_clusters(bs, s->cluster_size);
        if (off < 0) {
            return off;
        }
    }
    s->free_byte_offset = off + size;
    return off;
}

/*
 * One whole guest cluster (or the image's last, partial one), stored
 * compressed; the cluster must not be allocated yet, as QEMU requires.
 * Data that does not shrink is written the normal way.
 */
static int coroutine_fn qcow2_co_pwritev_compressed(BlockDriverState *bs, int64_t offset,
                                                    int64_t bytes, QEMUIOVector *qiov)
{
    BDRVQcow2State *s = bs->opaque;
    GArray *frees;
    g_autofree uint8_t *out = NULL;
    uint64_t *l2, l2_index, entry;
    int64_t coffset;
    ssize_t csize;
    bool meta = true;
    int ret;

    if (!bytes) {
        return 0;       /* qemu-img's end-of-image call: nothing to pad here */
    }
    if (offset_into_cluster(s, offset) ||
        (bytes != (int64_t)s->cluster_size && offset + bytes != (int64_t)s->header.size)) {
        return -EINVAL;
    }
    out = g_malloc(s->cluster_size);
    qemu_co_mutex_lock(&s->lock);
    memset(s->cluster_buf, 0, s->cluster_size);
    qemu_iovec_to_buf(qiov, 0, s->cluster_buf, bytes);
    csize = qcow2_compress(s->header.compression_type, out, s->cluster_size - 1,
                           s->cluster_buf, s->cluster_size);
    qemu_co_mutex_unlock(&s->lock);
    if (csize == -ENOSPC) {
        return qcow2_co_pwritev(bs, offset, bytes, qiov, 0);
    }
    if (csize < 0) {
        return -EIO;
    }

    frees = g_array_new(false, false, sizeof(PendingFree));
    qemu_co_mutex_lock(&s->lock);
    wait_for_allocs(s, offset, bytes);
    ret = get_l2_for_write(bs, offset, frees, &l2, &l2_index);
    if (ret < 0) {
        goto out;
    }
    entry = GUINT64_FROM_BE(l2[l2_index]);
    if (entry & L2E_OFFSET_MASK) {
        ret = -EIO;
        goto out;
    }
    coffset = alloc_compressed_bytes(bs, csize);
    if (coffset < 0) {
        ret = coffset;
        goto out;
    }
    /*
     * Whole 512-byte sectors, as readers fetch them: the file must not end
     * inside the last one (the padding is free for the next compressed cluster).
     */
    memset(out + csize, 0, s->cluster_size - csize);
    ret = qcow2_pre_write_overlap_check(bs, coffset, csize, false);
    if (ret >= 0) {
        ret = qcow2_file_pwrite(bs, coffset, out, (csize + 511) & ~511);
    }
    if (ret < 0) {
        goto out;
    }
    /* data (and its refcount) first, then the L2 entry that points at it */
    ret = get_l2_for_write(bs, offset, frees, &l2, &l2_index);
    if (ret < 0) {
        goto out;
    }
    l2[l2_index] = GUINT64_TO_BE(qcow2_make_compressed_l2_entry(coffset, csize,
                                                                s->cluster_bits));
    qcow2_cache_mark_dirty(s->l2_cache, (uint8_t *)l2);
out:
    ret = finish_write(bs, frees, meta, 0, ret);
    qemu_co_mutex_unlock(&s->lock);
    return ret;
}

/* Set the L2 entry of one whole cluster to zero (v3) or to unallocated. */
static int coroutine_fn zero_whole_cluster(BlockDriverState *bs, uint64_t offset,
                                           bool keep_alloc, bool discard, GArray *frees)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t *l2, l2_index, entry, new_entry;
    QCow2ClusterType type;
    int ret = get_l2_for_write(bs, offset, frees, &l2, &l2_index);

    if (ret < 0) {
        return ret;
    }
    entry = GUINT64_FROM_BE(l2[l2_index]);
    type = qcow2_get_cluster_type(entry, s->header.version, s->cluster_bits);
    if (type == QCOW2_CLUSTER_INVALID) {
        qcow2_signal_corruption(bs, "Invalid L2 entry %#" G_GINT64_MODIFIER "x", entry);
        return -EIO;
    }
    if (discard && s->header.version < 3) {
        new_entry = 0;
    } else if (keep_alloc && type == QCOW2_CLUSTER_NORMAL && (entry & QCOW_OFLAG_COPIED)) {
        new_entry = (entry & L2E_OFFSET_MASK) | QCOW_OFLAG_COPIED | QCOW_OFLAG_ZERO;
    } else if (keep_alloc && type == QCOW2_CLUSTER_ZERO_ALLOC) {
        return 0;
    } else {
        new_entry = QCOW_OFLAG_ZERO;
    }
    if (new_entry == entry) {
        return 0;
    }
    l2[l2_index] = GUINT64_TO_BE(new_entry);
    qcow2_cache_mark_dirty(s->l2_cache, (uint8_t *)l2);
    if (!(new_entry & L2E_OFFSET_MASK)) {
        defer_free_entry(s, frees, entry, type);
    }
    return 0;
}

static int coroutine_fn qcow2_co_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                                               int64_t bytes, BdrvRequestFlags flags)
{
    BDRVQcow2State *s = bs->opaque;
    GArray *frees;
    bool meta = false;
    int ret = 0;

    /* v2 has no zero flag; partial clusters would need a data write. */
    if (s->header.version < 3 || offset_into_cluster(s, offset) ||
        (offset_into_cluster(s, offset + bytes) && offset + bytes < bdrv_getlength(bs))) {
        return -ENOTSUP;
    }
    frees = g_array_new(false, false, sizeof(PendingFree));
    qemu_co_mutex_lock(&s->lock);
    wait_for_allocs(s, offset, bytes);
    while (bytes > 0 && ret >= 0) {
        ret = zero_whole_cluster(bs, offset, !(flags & BDRV_REQ_MAY_UNMAP), false, frees);
        offset += s->cluster_size;
        bytes -= MIN((uint64_t)bytes, s->cluster_size);
        meta = true;
    }
    ret = finish_write(bs, frees, meta, flags, ret);
    qemu_co_mutex_unlock(&s->lock);
    return ret;
}

static int coroutine_fn qcow2_co_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t end = offset + bytes;
    uint64_t start = ROUND_UP_CLUSTER(s, offset);
    GArray *frees;
    int ret = 0;

    /* The image's last cluster may be partial: a discard up to the end covers it. */
    if (end >= (uint64_t)bdrv_getlength(bs)) {
        end = ROUND_UP_CLUSTER(s, end);
    }
    end = start_of_cluster(s, end);
    if (start >= end) {
        return 0;
    }
    frees = g_array_new(false, false, sizeof(PendingFree));
    qemu_co_mutex_lock(&s->lock);
    wait_for_allocs(s, start, end - start);
    for (uint64_t o = start; o < end && ret >= 0; o += s->cluster_size) {
        ret = zero_whole_cluster(bs, o, false, true, frees);
    }
    ret = finish_write(bs, frees, true, 0, ret);
    qemu_co_mutex_unlock(&s->lock);
    return ret;
}

static int coroutine_fn qcow2_co_flush_to_os(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    qemu_co_mutex_lock(&s->lock);
    ret = qcow2_write_caches(bs);
    qemu_co_mutex_unlock(&s->lock);
    return ret;
}

/*
 * 1 when clearly more clusters are referenced than the file has on disk
 * (QEMU's test: 10% and two clusters of slack), as after
 * preallocation=metadata; 0 otherwise, negative errno on failure.
 */
static int coroutine_fn detect_metadata_preallocation(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t file_length = bdrv_getlength(bs->file->bs);
    int64_t real = bdrv_get_allocated_file_size(bs->file->bs);
    int64_t threshold, end, count = 0;

    if (file_length < 0 || real < 0) {
        return file_length < 0 ? file_length : real;
    }
    threshold = MAX(real / s->cluster_size * 10 / 9, real / s->cluster_size + 2);
    end = DIV_ROUND_UP(file_length, s->cluster_size);
    for (int64_t i = 0; i < end && count < threshold; i++) {
        uint64_t refcount;
        int ret = qcow2_get_refcount(bs, i, &refcount);

        if (ret < 0) {
            return ret;
        }
        count += !!refcount;
    }
    return count >= threshold;
}

static int coroutine_fn qcow2_co_block_status(BlockDriverState *bs, int64_t offset,
                                              int64_t bytes, int64_t *pnum, int64_t *map,
                                              BlockDriverState **file)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t entry, run;
    QCow2ClusterType type;
    int ret;

    qemu_co_mutex_lock(&s->lock);
    if (!s->metadata_preallocation_checked) {
        ret = detect_metadata_preallocation(bs);
        s->metadata_preallocation = ret == 1;
        s->metadata_preallocation_checked = true;
    }
    ret = get_cluster_run(bs, offset, bytes, &entry, &type, &run);
    qemu_co_mutex_unlock(&s->lock);
    if (ret < 0) {
        return ret;
    }
    *pnum = run;
    switch (type) {
    case QCOW2_CLUSTER_UNALLOCATED:
        return 0;
    case QCOW2_CLUSTER_ZERO_PLAIN:
        return BDRV_BLOCK_ZERO;
    case QCOW2_CLUSTER_ZERO_ALLOC:
        *map = (entry & L2E_OFFSET_MASK) + offset_into_cluster(s, offset);
        *file = bs->file->bs;
        return BDRV_BLOCK_ZERO | BDRV_BLOCK_OFFSET_VALID;
    case QCOW2_CLUSTER_NORMAL:
        *map = (entry & L2E_OFFSET_MASK) + offset_into_cluster(s, offset);
        *file = bs->file->bs;
        /* With metadata preallocation the file may hold holes there: ask it. */
        return BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID |
               (s->metadata_preallocation ? BDRV_BLOCK_RECURSE : 0);
    default:
        return BDRV_BLOCK_DATA;
    }
}

/* ---- size ---- */

static int64_t qcow2_getlength(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    return s->header.size;
}

static int coroutine_fn grow_l1_table(BlockDriverState *bs, uint64_t min_size)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t new_size = MAX(min_size, (uint64_t)s->l1_size * 3 / 2);
    uint64_t *be_table;
    uint64_t old_offset = s->l1_table_offset, old_size = s->l1_size;
    uint8_t hdr[12];
    int64_t new;
    int ret;

    if (new_size > QCOW_MAX_L1_SIZE / 8) {
        new_size = min_size;
    }
    if (new_size > QCOW_MAX_L1_SIZE / 8) {
        return -EFBIG;
    }
    new = qcow2_alloc_clusters(bs, new_size * 8);
    if (new < 0) {
        return new;
    }
    be_table = g_new0(uint64_t, DIV_ROUND_UP(new_size * 8, s->cluster_size) * s->cluster_size / 8);
    for (uint64_t i = 0; i < s->l1_size; i++) {
        be_table[i] = GUINT64_TO_BE(s->l1_table[i]);
    }
    ret = qcow2_write_caches(bs);
    if (ret >= 0) {
        ret = qcow2_file_pwrite(bs, new, be_table,
                                DIV_ROUND_UP(new_size * 8, s->cluster_size) * s->cluster_size);
    }
    if (ret >= 0) {
        ret = bdrv_co_flush(bs->file->bs);
    }
    if (ret >= 0) {
        uint32_t be_size = GUINT32_TO_BE(new_size);
        uint64_t be_offset = GUINT64_TO_BE(new);

        /* l1_size and l1_table_offset are adjacent in the header: one write */
        memcpy(hdr, &be_size, 4);
        memcpy(hdr + 4, &be_offset, 8);
        ret = qcow2_write_header_field(bs, 36, hdr, 12);
    }
    if (ret >= 0) {
        ret = bdrv_co_flush(bs->file->bs);
    }
    if (ret < 0) {
        g_free(be_table);
        return ret;
    }
    s->l1_table = g_renew(uint64_t, s->l1_table, new_size);
    memset(s->l1_table + s->l1_size, 0, (new_size - s->l1_size) * 8);
    s->l1_size = s->header.l1_size = new_size;
    s->l1_table_offset = s->header.l1_table_offset = new;
    g_free(be_table);
    return qcow2_free_clusters(bs, old_offset, old_size * 8);
}

typedef struct PreallocRun {
    uint64_t offset, bytes;
} PreallocRun;

/*
 * preallocation=metadata|falloc|full over guest [start, end): as QEMU's
 * preallocate_co, each L2 table, then one run of data clusters for what it
 * maps, every entry pointing at its cluster.  metadata leaves the runs as a
 * hole in the file (they read as zeroes), falloc allocates them, full
 * writes zeroes.  Called with s->lock held.
 */
static int coroutine_fn preallocate(BlockDriverState *bs, uint64_t start, uint64_t end,
                                    PreallocMode mode)
{
    BDRVQcow2State *s = bs->opaque;
    GArray *frees = g_array_new(false, false, sizeof(PendingFree));
    GArray *runs = g_array_new(false, false, sizeof(PreallocRun));
    uint64_t l2_span = s->cluster_size << s->l2_bits, file_end = 0;
    int ret = 0;

    for (uint64_t off = start_of_cluster(s, start); off < end && ret >= 0;) {
        uint64_t stop = MIN(end, (off / l2_span + 1) * l2_span), n = 0, *l2, l2_index;
        int64_t host;

        ret = get_l2_for_write(bs, off, frees, &l2, &l2_index);
        for (uint64_t o = off; ret >= 0 && o < stop; o += s->cluster_size) {
            n += !l2[l2_index + (o - off) / s->cluster_size];
        }
        if (ret < 0 || !n) {
            off = stop;
            continue;
        }
        host = qcow2_alloc_clusters(bs, n * s->cluster_size);
        if (host < 0) {
            ret = host;
            break;
        }
        ret = get_l2_for_write(bs, off, frees, &l2, &l2_index);
        for (uint64_t o = off, h = host; ret >= 0 && o < stop; o += s->cluster_size) {
            uint64_t *e = &l2[l2_index + (o - off) / s->cluster_size];

            if (!*e) {
                *e = GUINT64_TO_BE(h | QCOW_OFLAG_COPIED);
                h += s->cluster_size;
            }
        }
        if (ret >= 0) {
            PreallocRun run = { host, n * s->cluster_size };

            qcow2_cache_mark_dirty(s->l2_cache, (uint8_t *)l2);
            g_array_append_val(runs, run);
            file_end = MAX(file_end, host + run.bytes);
        }
        off = stop;
    }
    if (ret >= 0) {
        ret = process_frees(bs, frees);
    }
    if (ret >= 0) {
        ret = qcow2_write_caches(bs);
    }
    for (guint i = 0; ret >= 0 && mode != PREALLOC_MODE_METADATA && i < runs->len; i++) {
        PreallocRun *r = &g_array_index(runs, PreallocRun, i);

        if (mode == PREALLOC_MODE_FALLOC) {
            ret = bdrv_co_pwrite_zeroes(bs->file->bs, r->offset, r->bytes, 0);
            continue;
        }
        for (uint64_t done = 0; ret >= 0 && done < r->bytes;) {
            uint64_t len = MIN(r->bytes - done, s->cluster_size);

            memset(s->cluster_buf, 0, len);
            ret = qcow2_file_pwrite(bs, r->offset + done, s->cluster_buf, len);
            done += len;
        }
    }
    /* the runs past the old end of the file must be inside it */
    if (ret >= 0 && file_end > (uint64_t)bdrv_getlength(bs->file->bs)) {
        ret = bdrv_co_truncate(bs->file->bs, file_end, false, PREALLOC_MODE_OFF, 0, NULL);
    }
    if (ret >= 0) {
        ret = bdrv_co_flush(bs->file->bs);
    }
    g_array_free(frees, true);
    g_array_free(runs, true);
    return ret;
}

static int coroutine_fn qcow2_co_truncate(BlockDriverState *bs, int64_t offset, bool exact,
                                          PreallocMode prealloc, BdrvRequestFlags flags,
                                          Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    unsigned shift = s->l2_bits + s->cluster_bits;
    uint64_t need = ((uint64_t)offset >> shift) + !!(offset & ((1ull << shift) - 1));
    uint64_t be;
    int ret = 0;

    uint64_t old_size = s->header.size;

    if (offset & (BDRV_SECTOR_SIZE - 1)) {
        error_setg(errp, "The new size must be a multiple of %u", (unsigned)BDRV_SECTOR_SIZE);
        return -EINVAL;
    }
    if ((uint64_t)offset < s->header.size) {
        error_setg(errp, "qcow2 doesn't support shrinking images yet");
        return -ENOTSUP;
    }
    if (s->header.version < 3 && s->header.nb_snapshots) {
        error_setg(errp, "Can't resize a v2 image which has snapshots");
        return -ENOTSUP;
    }
    qemu_co_mutex_lock(&s->lock);
    if (need > s->l1_size) {
        ret = grow_l1_table(bs, need);
    }
    if (ret >= 0) {
        ret = qcow2_write_caches(bs);
    }
    if (ret >= 0) {
        be = GUINT64_TO_BE(offset);
        ret = qcow2_write_header_field(bs, 24, &be, 8);
    }
    if (ret >= 0) {
        s->header.size = offset;
        bs->total_bytes = -1;
    }
    if (ret >= 0 && prealloc != PREALLOC_MODE_OFF) {
        ret = preallocate(bs, old_size, offset, prealloc);
        if (ret < 0) {
            qemu_co_mutex_unlock(&s->lock);
            error_setg_errno(errp, -ret, "Could not preallocate the new area");
            return ret;
        }
    }
    qemu_co_mutex_unlock(&s->lock);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to grow the image");
    }
    return ret;
}

/* ---- open / close ---- */

static int qcow2_probe(const uint8_t *buf, int buf_size, const char *filename)
{
    if (buf_size >= 8 && buf[0] == 'Q' && buf[1] == 'F' && buf[2] == 'I' && buf[3] == 0xfb) {
        uint32_t version = (buf[4] << 24) | (buf[5] << 16) | (buf[6] << 8) | buf[7];

        return version >= 2 ? 100 : 0;
    }
    return 0;
}

static int read_table(BlockDriverState *bs, uint64_t offset, uint64_t entries, uint64_t **out)
{
    uint64_t *t = g_new0(uint64_t, entries ? entries : 1);
    int ret = entries ? bdrv_pread(bs->file->bs, offset, entries * 8, t, 0) : 0;

    if (ret < 0) {
        g_free(t);
        return ret;
    }
    for (uint64_t i = 0; i < entries; i++) {
        t[i] = GUINT64_FROM_BE(t[i]);
    }
    *out = t;
    return 0;
}

static int read_snapshots(BlockDriverState *bs, int64_t file_len, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t len = 65536;
    int ret;

    if (!s->header.nb_snapshots) {
        return 0;
    }
    for (;;) {
        uint64_t avail = (uint64_t)file_len > s->header.snapshots_offset ?
                         file_len - s->header.snapshots_offset : 0;
        uint64_t n = MIN(len, avail);
        g_autofree uint8_t *buf = g_malloc(n ? n : 1);

        ret = n ? bdrv_pread(bs->file->bs, s->header.snapshots_offset, n, buf, 0) : 0;
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to read snapshot table");
            return ret;
        }
        ret = qcow2_parse_snapshots(&s->header, buf, n, &s->snapshots,
                                    n < avail && len < SNAPSHOT_TABLE_MAX ? NULL : errp);
        if (ret != -ENODATA || n >= avail || len >= SNAPSHOT_TABLE_MAX) {
            return ret;
        }
        len *= 4;
    }
}

static int open_backing(BlockDriverState *bs, json_t *options, int flags, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    json_t *opt = json_object_get(options, "backing");
    g_autofree char *path = NULL;
    json_t *bopts;
    BlockDriverState *backing;

    if (!s->header.backing_file || (flags & BDRV_O_NO_BACKING) ||
        json_is_null(opt) || (json_is_string(opt) && !*json_string_value(opt))) {
        return 0;
    }
    if (json_is_string(opt)) {
        /* backing=NODE: an existing node, as QEMU takes it */
        backing = bdrv_lookup_ref(json_string_value(opt), errp);
        if (!backing) {
            return -EINVAL;
        }
        goto attach;
    }
    path = bdrv_get_full_backing_filename(bs);
    bopts = json_is_object(opt) ? json_deep_copy(opt) : json_object();
    if (s->header.backing_format && !json_object_get(bopts, "driver")) {
        json_object_set_new(bopts, "driver", json_string(s->header.backing_format));
    }
    backing = bdrv_open(path, bopts, flags & ~(BDRV_O_RDWR | BDRV_O_SNAPSHOT |
                                               BDRV_O_TEMPORARY | BDRV_O_CHECK), errp);
    if (!backing) {
        error_prepend(errp, "Could not open backing file: ");
        return -EINVAL;
    }
attach:
    bs->backing = g_new0(BdrvChild, 1);
    bs->backing->bs = backing;
    bs->backing->name = "backing";
    return 0;
}

static void qcow2_close(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    if (!bs->read_only && s->l2_cache) {
        qcow2_write_caches(bs);
        bdrv_flush(bs->file->bs);
    }
    qcow2_cache_destroy(s->l2_cache);
    qcow2_cache_destroy(s->refcount_cache);
    qcow2_free_snapshots(s->snapshots, s->header.nb_snapshots);
    qcow2_header_free(&s->header);
    g_free(s->l1_table);
    g_free(s->refcount_table);
    g_free(s->cluster_buf);
    g_free(s->cluster_buf2);
    if (s->inflight_allocs) {
        g_array_free(s->inflight_allocs, true);
    }
    memset(s, 0, sizeof(*s));
}

static int qcow2_open(BlockDriverState *bs, json_t *options, int flags, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t file_len = bdrv_getlength(bs->file->bs);
    uint64_t n;
    g_autofree uint8_t *buf = NULL;
    int ret;

    qemu_co_mutex_init(&s->lock);
    qemu_co_queue_init(&s->inflight_queue);
    s->inflight_allocs = g_array_new(false, false, sizeof(uint64_t));
    if (file_len < 0) {
        error_setg_errno(errp, -file_len, "Could not get image size");
        return file_len;
    }
    n = MIN((uint64_t)file_len, 1ull << MAX_CLUSTER_BITS);
    buf = g_malloc0(n ? n : 1);
    ret = n ? bdrv_pread(bs->file->bs, 0, n, buf, 0) : 0;
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read qcow2 header");
        return ret;
    }
    ret = qcow2_parse_header(buf, n, &s->header, errp);
    if (ret < 0) {
        return ret;
    }
    if ((s->header.incompatible_features & QCOW2_INCOMPAT_CORRUPT) && (flags & BDRV_O_RDWR) &&
        !(flags & BDRV_O_CHECK)) {
        error_setg(errp, "qcow2: Image is corrupt; cannot be opened read/write");
        ret = -EACCES;
        goto fail;
    }
    if (s->header.refcount_table_clusters == 0 && !(flags & BDRV_O_CHECK)) {
        error_setg(errp, "Image does not contain a reference count table");
        ret = -EINVAL;
        goto fail;
    }

    s->cluster_bits = s->header.cluster_bits;
    s->cluster_size = 1ull << s->cluster_bits;
    s->l2_bits = s->cluster_bits - 3;
    s->refcount_order = s->header.refcount_order;
    s->refblock_bits = s->cluster_bits + 3 - s->refcount_order;
    s->l1_size = s->header.l1_size;
    s->l1_table_offset = s->header.l1_table_offset;
    s->refcount_table_offset = s->header.refcount_table_offset;
    s->refcount_table_size = (uint64_t)s->header.refcount_table_clusters << (s->cluster_bits - 3);

    ret = read_table(bs, s->l1_table_offset, s->l1_size, &s->l1_table);
    if (ret >= 0) {
        ret = read_table(bs, s->refcount_table_offset, s->refcount_table_size,
                         &s->refcount_table);
    }
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read metadata tables");
        goto fail;
    }
    ret = read_snapshots(bs, file_len, errp);
    if (ret < 0) {
        goto fail;
    }
    s->l2_cache = qcow2_cache_create(L2_CACHE_ENTRIES, s->cluster_size, "L2 table");
    s->refcount_cache = qcow2_cache_create(REFCOUNT_CACHE_ENTRIES, s->cluster_size,
                                           "refcount block");
    s->cluster_buf = g_malloc(s->cluster_size);
    s->cluster_buf2 = g_malloc(s->cluster_size);

    /* Autoclear bits we don't implement (bitmaps, data_file_raw) go on a writable open. */
    if ((flags & BDRV_O_RDWR) && s->header.version >= 3 && s->header.autoclear_features) {
        uint64_t be = 0;

        ret = bdrv_pwrite(bs->file->bs, 88, 8, &be, 0);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not update qcow2 header");
            goto fail;
        }
        s->header.autoclear_features = 0;
    }
    bs->backing_file = g_strdup(s->header.backing_file);
    bs->backing_format = g_strdup(s->header.backing_format);
    ret = open_backing(bs, options, flags, errp);
    if (ret < 0) {
        goto fail;
    }
    bs->supported_write_flags = BDRV_REQ_FUA;
    bs->supported_zero_flags = BDRV_REQ_MAY_UNMAP | BDRV_REQ_NO_FALLBACK;

    /*
     * A dirty image (lazy refcounts, not closed cleanly) has refcounts that
     * cannot be trusted: as QEMU, a writable open repairs them first (the
     * repairs named on stderr), then marks the image clean.
     */
    if ((s->header.incompatible_features & QCOW2_INCOMPAT_DIRTY) && (flags & BDRV_O_RDWR) &&
        !(flags & BDRV_O_CHECK)) {
        BdrvCheckResult res;
        uint64_t be;

        ret = bdrv_check(bs, &res, BDRV_FIX_LEAKS | BDRV_FIX_ERRORS);
        if (ret < 0 || res.check_errors) {
            error_setg_errno(errp, ret < 0 ? -ret : EIO, "Could not repair dirty image");
            ret = ret < 0 ? ret : -EIO;
            goto fail;
        }
        s->header.incompatible_features &= ~QCOW2_INCOMPAT_DIRTY;
        be = GUINT64_TO_BE(s->header.incompatible_features);
        ret = bdrv_pwrite(bs->file->bs, 72, 8, &be, 0);
        if (ret >= 0) {
            ret = bdrv_flush(bs->file->bs);
        }
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not update qcow2 header");
            goto fail;
        }
    }
    return 0;

fail:
    qcow2_close(bs);
    return ret;
}

static int qcow2_get_info(BlockDriverState *bs, BlockDriverInfo *bdi)
{
    BDRVQcow2State *s = bs->opaque;
    unsigned shift = s->l2_bits + s->cluster_bits;

    bdi->cluster_size = s->cluster_size;
    bdi->vm_state_offset = (int64_t)((s->header.size >> shift) +
                                     !!(s->header.size & ((1ull << shift) - 1))) << shift;
    bdi->is_dirty = s->header.incompatible_features & QCOW2_INCOMPAT_DIRTY;
    return 0;
}

static json_t *qcow2_query_snapshots(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    json_t *list;

    if (!s->header.nb_snapshots) {
        return NULL;
    }
    list = json_array();
    for (uint32_t i = 0; i < s->header.nb_snapshots; i++) {
        const Qcow2Snapshot *sn = &s->snapshots[i];
        json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}",
                              "id", sn->id_str, "name", sn->name,
                              "vm-state-size", (json_int_t)sn->vm_state_size,
                              "date-sec", (json_int_t)sn->date_sec,
                              "date-nsec", (json_int_t)sn->date_nsec,
                              "vm-clock-sec", (json_int_t)(sn->vm_clock_nsec / 1000000000),
                              "vm-clock-nsec", (json_int_t)(sn->vm_clock_nsec % 1000000000));

        if (sn->icount != UINT64_MAX) {
            json_object_set_new(o, "icount", json_integer((json_int_t)sn->icount));
        }
        json_array_append_new(list, o);
    }
    return list;
}

static json_t *qcow2_get_specific_info(BlockDriverState *bs, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    json_t *data = json_object();

    if (s->header.version == 2) {
        json_object_set_new(data, "compat", json_string("0.10"));
        json_object_set_new(data, "compression-type", json_string("zlib"));
        json_object_set_new(data, "refcount-bits", json_integer(16));
    } else {
        json_object_set_new(data, "compat", json_string("1.1"));
        json_object_set_new(data, "compression-type",
                            json_string(s->header.compression_type ? "zstd" : "zlib"));
        json_object_set_new(data, "lazy-refcounts",
                            json_boolean(s->header.compatible_features &
                                         QCOW2_COMPAT_LAZY_REFCOUNTS));
        json_object_set_new(data, "refcount-bits", json_integer(1 << s->refcount_order));
        json_object_set_new(data, "corrupt",
                            json_boolean(s->header.incompatible_features &
                                         QCOW2_INCOMPAT_CORRUPT));
        json_object_set_new(data, "extended-l2", json_false());
    }
    return json_pack("{s:s, s:o}", "type", "qcow2", "data", data);
}

static BlockDriver bdrv_qcow2 = {
    .format_name = "qcow2",
    .instance_size = sizeof(BDRVQcow2State),
    .is_format = true,
    .file_has_metadata = true,
    .bdrv_co_check = qcow2_co_check,
    .supports_backing = true,
    .runtime_opts = qcow2_runtime_opts,
    .bdrv_probe = qcow2_probe,
    .bdrv_open = qcow2_open,
    .bdrv_close = qcow2_close,
    .bdrv_co_preadv = qcow2_co_preadv,
    .bdrv_co_pwritev = qcow2_co_pwritev,
    .bdrv_co_pwrite_zeroes = qcow2_co_pwrite_zeroes,
    .bdrv_co_pdiscard = qcow2_co_pdiscard,
    .bdrv_co_flush_to_os = qcow2_co_flush_to_os,
    .bdrv_co_block_status = qcow2_co_block_status,
    .bdrv_co_pwritev_compressed = qcow2_co_pwritev_compressed,
    .bdrv_co_truncate = qcow2_co_truncate,
    .bdrv_getlength = qcow2_getlength,
    .bdrv_get_info = qcow2_get_info,
    .bdrv_get_specific_info = qcow2_get_specific_info,
    .bdrv_query_snapshots = qcow2_query_snapshots,
    .bdrv_create = qcow2_create,
    .create_opts = qcow2_create_opts,
};

block_init(bdrv_qcow2_init)
{
    bdrv_register(&bdrv_qcow2);
}
