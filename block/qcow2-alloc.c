/*
 * qcow2 host cluster allocation: refcount lookups and updates through
 * the refcount block cache, self-describing refcount block allocation
 * and reftable growth (qcow2 spec, "Host cluster management").
 */
#include <errno.h>
#include <string.h>
#include <glib.h>

#include "block/qcow2-int.h"

/* Clusters past 2^56 cannot be named by an L2 entry. */
#define MAX_HOST_OFFSET (1ull << 56)

static int coroutine_fn get_refblock(BlockDriverState *bs, uint64_t rt_index, uint8_t **block)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t off;

    *block = NULL;
    if (rt_index >= s->refcount_table_size) {
        return 0;
    }
    off = s->refcount_table[rt_index] & REFT_OFFSET_MASK;
    if (!off) {
        return 0;
    }
    if (offset_into_cluster(s, off)) {
        qcow2_signal_corruption(bs, "Refblock offset %#" G_GINT64_MODIFIER "x unaligned "
                                "(reftable index: %#" G_GINT64_MODIFIER "x)", off, rt_index);
        return -EIO;
    }
    return qcow2_cache_get(bs, s->refcount_cache, off, true, block);
}

int coroutine_fn qcow2_get_refcount(BlockDriverState *bs, uint64_t cluster_index,
                                    uint64_t *refcount)
{
    BDRVQcow2State *s = bs->opaque;
    uint8_t *block;
    int ret = get_refblock(bs, cluster_index >> s->refblock_bits, &block);

    *refcount = 0;
    if (ret < 0 || !block) {
        return ret;
    }
    *refcount = qcow2_get_refcount_entry(block, s->refcount_order,
                                         cluster_index & ((1ull << s->refblock_bits) - 1));
    return 0;
}

/* The first run of @n clusters whose refcount is 0, from free_cluster_index on. */
static int64_t coroutine_fn alloc_clusters_noref(BlockDriverState *bs, uint64_t n)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t start = s->free_cluster_index, i = 0;

    while (i < n) {
        uint64_t rc;
        int ret;

        if ((start + n) << s->cluster_bits >= MAX_HOST_OFFSET) {
            return -EFBIG;
        }
        ret = qcow2_get_refcount(bs, start + i, &rc);
        if (ret < 0) {
            return ret;
        }
        if (rc) {
            start += i + 1;
            i = 0;
        } else {
            i++;
        }
    }
    return start;
}

static int coroutine_fn write_reftable_entry(BlockDriverState *bs, uint64_t index)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t be = GUINT64_TO_BE(s->refcount_table[index]);

    return qcow2_file_pwrite(bs, s->refcount_table_offset + index * 8, &be, 8);
}

/*
 * Grow the reftable so that index @need exists.  New refblocks and the
 * new table go to the first clusters the old table could not describe
 * (free in any consistent image); the refblocks describe themselves and
 * the table.  Header switch after a flush, old table freed after another.
 */
static int coroutine_fn grow_reftable(BlockDriverState *bs, uint64_t need)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t per_block = 1ull << s->refblock_bits;
    uint64_t first = s->refcount_table_size * per_block;
    uint64_t old_clusters = DIV_ROUND_UP(s->refcount_table_size * 8, s->cluster_size);
    uint64_t k = 1, t = 1, entries = 0;
    uint64_t *table = NULL;
    uint8_t *block;
    uint8_t hdr[12];
    int ret;

    for (;;) {
        uint64_t k2 = DIV_ROUND_UP(k + t, per_block);
        uint64_t last_index = (first + k2 + t - 1) / per_block;
        uint64_t t2;

        entries = MAX(need, last_index) + 1;
        entries += entries / 2;
        t2 = DIV_ROUND_UP(entries * 8, s->cluster_size);
        if (k2 == k && t2 == t) {
            break;
        }
        k = k2;
        t = t2;
    }
    entries = t * s->cluster_size / 8;
    if (((first + k + t) << s->cluster_bits) >= MAX_HOST_OFFSET ||
        t * s->cluster_size > QCOW_MAX_REFTABLE_SIZE) {
        return -EFBIG;
    }

    block = g_malloc(s->cluster_size);
    for (uint64_t j = 0; j < k; j++) {
        memset(block, 0, s->cluster_size);
        for (uint64_t c = first + j * per_block; c < first + k + t; c++) {
            if (c >= first + (j + 1) * per_block) {
                break;
            }
            qcow2_set_refcount_entry(block, s->refcount_order, c & (per_block - 1), 1);
        }
        ret = qcow2_file_pwrite(bs, (first + j) << s->cluster_bits, block, s->cluster_size);
        if (ret < 0) {
            goto out;
        }
    }
    table = g_new0(uint64_t, entries);
    for (uint64_t i = 0; i < entries; i++) {
        uint64_t v = 0;

        if (i < s->refcount_table_size) {
            v = s->refcount_table[i];
        } else if (i - s->refcount_table_size < k) {
            v = (first + (i - s->refcount_table_size)) << s->cluster_bits;
        }
        table[i] = GUINT64_TO_BE(v);
    }
    ret = qcow2_file_pwrite(bs, (first + k) << s->cluster_bits, table, entries * 8);
    if (ret < 0) {
        goto out;
    }
    ret = bdrv_co_flush(bs->file->bs);
    if (ret < 0) {
        goto out;
    }
    *(uint64_t *)hdr = GUINT64_TO_BE((first + k) << s->cluster_bits);
    *(uint32_t *)(hdr + 8) = GUINT32_TO_BE(t);
    ret = qcow2_write_header_field(bs, 48, hdr, 12);
    if (ret < 0) {
        goto out;
    }
    ret = bdrv_co_flush(bs->file->bs);
    if (ret < 0) {
        goto out;
    }

    {
        uint64_t old_offset = s->refcount_table_offset;

        for (uint64_t i = 0; i < entries; i++) {
            table[i] = GUINT64_FROM_BE(table[i]);
        }
        g_free(s->refcount_table);
        s->refcount_table = table;
        table = NULL;
        s->refcount_table_size = entries;
        s->refcount_table_offset = (first + k) << s->cluster_bits;
        s->header.refcount_table_offset = s->refcount_table_offset;
        s->header.refcount_table_clusters = t;
        ret = qcow2_update_refcount(bs, old_offset, old_clusters << s->cluster_bits, -1);
    }
out:
    g_free(table);
    g_free(block);
    return ret;
}

/* Make refblock @index exist.  Returns -EAGAIN: the caller must search again. */
static int coroutine_fn alloc_refcount_block(BlockDriverState *bs, uint64_t index)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t new_cluster;
    uint8_t *block;
    int ret;

    if (index >= s->refcount_table_size) {
        ret = grow_reftable(bs, index);
        return ret < 0 ? ret : -EAGAIN;
    }
    new_cluster = alloc_clusters_noref(bs, 1);
    if (new_cluster < 0) {
        return new_cluster;
    }
    /*
     * Cluster 0 is the header: free only when the refcounts are garbage (a
     * reftable past the end of the file reads as zeroes).  Stop, as QEMU
     * does, rather than put a refblock there or retry for ever.
     */
    if (new_cluster == 0) {
        qcow2_signal_corruption(bs, "Preventing invalid allocation of refcount block at "
                                "offset 0");
        return -EIO;
    }
    if ((uint64_t)new_cluster >> s->refblock_bits != index) {
        /* Described by another refblock: reference it there first. */
        ret = qcow2_update_refcount(bs, new_cluster << s->cluster_bits, s->cluster_size, 1);
        if (ret < 0) {
            return ret;
        }
    }
    ret = qcow2_cache_get(bs, s->refcount_cache, new_cluster << s->cluster_bits, false, &block);
    if (ret < 0) {
        return ret;
    }
    if ((uint64_t)new_cluster >> s->refblock_bits == index) {
        qcow2_set_refcount_entry(block, s->refcount_order,
                                 new_cluster & ((1ull << s->refblock_bits) - 1), 1);
    }
    qcow2_cache_mark_dirty(s->refcount_cache, block);
    /* The block must be on disk before the reftable points at it. */
    ret = qcow2_cache_write(bs, s->refcount_cache);
    if (ret < 0) {
        return ret;
    }
    ret = bdrv_co_flush(bs->file->bs);
    if (ret < 0) {
        return ret;
    }
    s->refcount_table[index] = new_cluster << s->cluster_bits;
    ret = write_reftable_entry(bs, index);
    return ret < 0 ? ret : -EAGAIN;
}

int coroutine_fn qcow2_update_refcount(BlockDriverState *bs, uint64_t offset, uint64_t size,
                                       int64_t addend)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t first = offset >> s->cluster_bits;
    uint64_t last = (offset + size - 1) >> s->cluster_bits;
    uint64_t max = qcow2_refcount_max(s->refcount_order);
    int ret;

    if (!size) {
        return 0;
    }
    /* Every refblock first, so that a retry never sees a half-applied update. */
    for (uint64_t c = first; c <= last; c = ((c >> s->refblock_bits) + 1) << s->refblock_bits) {
        uint8_t *block;

        ret = get_refblock(bs, c >> s->refblock_bits, &block);
        if (ret < 0) {
            return ret;
        }
        if (!block) {
            if (addend < 0) {
                qcow2_signal_corruption(bs, "Freeing a cluster without a refcount block "
                                        "(offset %#" G_GINT64_MODIFIER "x)",
                                        c << s->cluster_bits);
                return -EIO;
            }
            ret = alloc_refcount_block(bs, c >> s->refblock_bits);
            if (ret == -EAGAIN) {
                /* the new block may sit where the caller wanted: search again from there */
                s->free_cluster_index = MIN(s->free_cluster_index, first);
            }
            return ret;
        }
    }
    for (uint64_t c = first; c <= last; c++) {
        uint64_t idx = c & ((1ull << s->refblock_bits) - 1);
        uint8_t *block;
        uint64_t rc;

        ret = get_refblock(bs, c >> s->refblock_bits, &block);
        if (ret < 0) {
            return ret;
        }
        rc = qcow2_get_refcount_entry(block, s->refcount_order, idx);
        if ((addend < 0 && rc < (uint64_t)-addend) || (addend > 0 && max - rc < (uint64_t)addend)) {
            error_report("qcow2: refcount of cluster %#" G_GINT64_MODIFIER "x would %s",
                         c << s->cluster_bits, addend < 0 ? "underflow" : "overflow");
            return -ERANGE;
        }
        rc += addend;
        qcow2_set_refcount_entry(block, s->refcount_order, idx, rc);
        qcow2_cache_mark_dirty(s->refcount_cache, block);
        if (rc == 0) {
            qcow2_cache_discard(s->l2_cache, c << s->cluster_bits);
            qcow2_cache_discard(s->refcount_cache, c << s->cluster_bits);
            s->free_cluster_index = MIN(s->free_cluster_index, c);
        }
    }
    return 0;
}

int64_t coroutine_fn qcow2_alloc_clusters(BlockDriverState *bs, uint64_t size)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t n = DIV_ROUND_UP(size, s->cluster_size);
    int64_t cluster;
    int ret;

    do {
        cluster = alloc_clusters_noref(bs, n);
        if (cluster < 0) {
            return cluster;
        }
        /*
         * Past the candidate before its refcount is set, as QEMU: a refcount
         * block allocated meanwhile goes after it (the same layout as QEMU's).
         */
        s->free_cluster_index = cluster + n;
        ret = qcow2_update_refcount(bs, cluster << s->cluster_bits, n << s->cluster_bits, 1);
    } while (ret == -EAGAIN);
    if (ret < 0) {
        return ret;
    }
    s->free_cluster_index = cluster + n;
    /* The new refcount must be stable before an L2 entry points at the cluster. */
    qcow2_cache_set_dependency(s->l2_cache, s->refcount_cache);
    return cluster << s->cluster_bits;
}

int coroutine_fn qcow2_free_clusters(BlockDriverState *bs, uint64_t offset, uint64_t size)
{
    return qcow2_update_refcount(bs, offset, size, -1);
}
