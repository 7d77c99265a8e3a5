/*
 * qcow2 driver state shared by block/qcow2*.c: the open image, its
 * metadata caches and the allocation helpers.
 */
#ifndef BLOCK_QCOW2_INT_H
#define BLOCK_QCOW2_INT_H

#include "block/block_int.h"
#include "block/qcow2.h"
#include "qemu/error-report.h"

#ifndef DIV_ROUND_UP
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#endif

/*
 * A write-back cache of cluster-sized metadata tables (L2 tables or
 * refcount blocks).  Before a dirty entry of a cache that depends on
 * another is written, the other cache is written and the file flushed:
 * that is how "refcount increase stable before the L2 entry" is kept.
 */
typedef struct Qcow2CacheEntry {
    uint64_t offset;            /* 0: empty slot */
    uint8_t *table;
    bool dirty;
    uint64_t lru;
} Qcow2CacheEntry;

typedef struct Qcow2Cache {
    Qcow2CacheEntry *entries;
    int size;
    uint64_t lru_counter;
    struct Qcow2Cache *depends;
    bool depends_on_flush;      /* an fdatasync must precede writing entries */
    const char *name;           /* for overlap-check messages */
} Qcow2Cache;

typedef struct BDRVQcow2State {
    Qcow2Header header;
    int cluster_bits;
    uint64_t cluster_size;
    int l2_bits;                /* log2 of entries per L2 table */
    int refcount_order;
    int refblock_bits;          /* log2 of entries per refcount block */
    uint64_t *l1_table;         /* host order */
    uint32_t l1_size;
    uint64_t l1_table_offset;
    uint64_t *refcount_table;   /* host order */
    uint64_t refcount_table_size;   /* entries */
    uint64_t refcount_table_offset;
    Qcow2Cache *l2_cache;
    Qcow2Cache *refcount_cache;
    uint64_t free_cluster_index;
    Qcow2Snapshot *snapshots;
    CoMutex lock;
    bool corrupt_signalled;
    uint8_t *cluster_buf;       /* COW / decompression scratch, one cluster */
    uint8_t *cluster_buf2;
    /* Clusters allocated but not written on disk (preallocation=metadata), seen once. */
    bool metadata_preallocation, metadata_preallocation_checked;
    /* Where the next compressed cluster may go: the rest of a host cluster they share. */
    uint64_t free_byte_offset;
    /*
     * Data writes run without s->lock.  inflight_allocs holds the guest
     * cluster offsets being allocated: another request for one of them
     * waits until its L2 entry is set (QEMU's l2meta dependencies).
     * Clusters are freed only while no in-place data write runs, so a freed
     * cluster is never reused under one.  inflight_queue wakes the waiters.
     */
    GArray *inflight_allocs;
    unsigned inplace_writes;
    CoQueue inflight_queue;
} BDRVQcow2State;

static inline uint64_t offset_into_cluster(BDRVQcow2State *s, uint64_t off)
{
    return off & (s->cluster_size - 1);
}

static inline uint64_t start_of_cluster(BDRVQcow2State *s, uint64_t off)
{
    return off & ~(s->cluster_size - 1);
}

static inline int coroutine_fn qcow2_file_pread(BlockDriverState *bs, uint64_t off,
                                               void *buf, uint64_t len)
{
    QEMUIOVector qiov;

    qemu_iovec_init_buf(&qiov, buf, len);
    return bdrv_co_preadv(bs->file->bs, off, len, &qiov, 0);
}

static inline int coroutine_fn qcow2_file_pwrite(BlockDriverState *bs, uint64_t off,
                                                const void *buf, uint64_t len)
{
    QEMUIOVector qiov;

    qemu_iovec_init_buf(&qiov, (void *)buf, len);
    return bdrv_co_pwritev(bs->file->bs, off, len, &qiov, 0);
}

/* qcow2-cache.c */
Qcow2Cache *qcow2_cache_create(int entries, size_t table_size, const char *name);
void qcow2_cache_destroy(Qcow2Cache *c);
/* A table by file offset; @read false: the caller fills a fresh table (zeroed). */
int coroutine_fn qcow2_cache_get(BlockDriverState *bs, Qcow2Cache *c, uint64_t offset,
                                 bool read, uint8_t **table);
void qcow2_cache_mark_dirty(Qcow2Cache *c, const uint8_t *table);
int coroutine_fn qcow2_cache_write(BlockDriverState *bs, Qcow2Cache *c);
void qcow2_cache_set_dependency(Qcow2Cache *c, Qcow2Cache *dependency);
void qcow2_cache_discard(Qcow2Cache *c, uint64_t offset);
/* Write both caches in dependency order (the bdrv_co_flush_to_os step). */
int coroutine_fn qcow2_write_caches(BlockDriverState *bs);

/* qcow2-alloc.c */
int coroutine_fn qcow2_get_refcount(BlockDriverState *bs, uint64_t cluster_index,
                                    uint64_t *refcount);
/* Allocate @size bytes of contiguous clusters with refcount 1; returns the offset. */
int64_t coroutine_fn qcow2_alloc_clusters(BlockDriverState *bs, uint64_t size);
/* Change the refcount of the clusters in [offset, offset + size) by @addend. */
int coroutine_fn qcow2_update_refcount(BlockDriverState *bs, uint64_t offset, uint64_t size,
                                       int64_t addend);
/*
 * Drop one reference: the caller has already made the L2/L1 entry that
 * pointed here stable, as the ordering rules require.
 */
int coroutine_fn qcow2_free_clusters(BlockDriverState *bs, uint64_t offset, uint64_t size);

static inline uint64_t ROUND_UP_CLUSTER(BDRVQcow2State *s, uint64_t off)
{
    return (off + s->cluster_size - 1) & ~(s->cluster_size - 1);
}

/* qcow2-create.c */
extern const QemuOptDesc qcow2_create_opts[];
/* qcow2-check.c */
int coroutine_fn qcow2_co_check(BlockDriverState *bs, BdrvCheckResult *res, int fix);

int qcow2_create(BlockDriver *drv, const char *filename, QemuOpts *opts, Error **errp);

/* qcow2.c */
/* QEMU's qcow2_signal_corruption(): report, set the corrupt bit if writable. */
void qcow2_signal_corruption(BlockDriverState *bs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Refuse a metadata write over the header, the L1 table or the reftable. */
int qcow2_pre_write_overlap_check(BlockDriverState *bs, uint64_t offset, uint64_t size,
                                  bool is_refblock);
int coroutine_fn qcow2_write_header_field(BlockDriverState *bs, uint64_t off, const void *buf,
                                          int len);

#endif
