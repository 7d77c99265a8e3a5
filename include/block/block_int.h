/*
 * Block driver interface: what a format or protocol driver implements
 * (BlockDriver) and the node state the generic layer keeps for it
 * (BlockDriverState).
 */
#ifndef BLOCK_BLOCK_INT_H
#define BLOCK_BLOCK_INT_H

#include <limits.h>
#include "block/block.h"
#include "qemu/option.h"

typedef struct BdrvChild {
    BlockDriverState *bs;
    const char *name;               /* "file", "backing" */
} BdrvChild;

typedef struct BlockLimits {
    uint32_t request_alignment;     /* offsets and lengths must be multiples (O_DIRECT) */
    size_t min_mem_alignment;       /* buffers must be at least this aligned */
    size_t opt_mem_alignment;       /* and should be this aligned */
    int64_t max_transfer;           /* 0: no limit */
} BlockLimits;

/* A request in flight on a node, for serialising overlapping RMW writes. */
typedef struct BdrvTrackedRequest {
    int64_t overlap_offset, overlap_bytes;
    bool serialising;
    CoQueue wait_queue;
    struct BdrvTrackedRequest *next, **pprev;   /* newest first */
} BdrvTrackedRequest;

struct BlockDriverState {
    BlockDriver *drv;
    void *opaque;                   /* drv->instance_size bytes for the driver */
    int open_flags;
    bool read_only;
    bool probed;                    /* the format was guessed, not given */
    bool force_share;
    BlockdevDetectZeroesOptions detect_zeroes;
    int refcnt;
    char node_name[32];             /* node-name=, or QEMU-style "#blockN" */
    char filename[PATH_MAX];
    json_t *options;                /* what the node was opened with */

    BdrvChild *file;                /* the protocol child of a format node */
    BdrvChild *backing;
    char *backing_file;             /* as the image names it (NULL: none) */
    char *backing_format;           /* the image's backing format, if it says */

    BlockLimits bl;
    int64_t total_bytes;            /* cached length; -1 until queried */
    unsigned supported_write_flags; /* BDRV_REQ_FUA the driver does itself */
    unsigned supported_zero_flags;

    /* flush skipping: nothing to do when no write happened since the last flush */
    uint64_t write_gen;
    uint64_t flushed_gen;
    bool active_flush_req;
    CoQueue flush_queue;

    BdrvTrackedRequest *tracked_requests;
    int serialising_in_flight;      /* no scan needed while this is 0 */
    int in_flight;
};

struct BlockDriver {
    const char *format_name;
    const char *protocol_name;      /* set for protocol drivers ("file") */
    int instance_size;
    bool is_format;                 /* opens a "file" child before bdrv_open */
    /*
     * The file child holds metadata (qcow2, not raw): as QEMU's default
     * storage permissions, nobody else may write or resize it while open.
     */
    bool file_has_metadata;
    bool supports_backing;          /* unallocated parts come from a backing file */
    /* Runtime option names the driver takes (NULL-terminated), besides the generic ones. */
    const char *const *runtime_opts;

    /* Score how likely @buf (the first bytes of the file) is this format. */
    int (*bdrv_probe)(const uint8_t *buf, int buf_size, const char *filename);
    int (*bdrv_open)(BlockDriverState *bs, json_t *options, int flags, Error **errp);
    void (*bdrv_close)(BlockDriverState *bs);
    /* Apply a new open_flags (cache and read-only changes) to an open node. */
    int (*bdrv_reopen)(BlockDriverState *bs, int flags, Error **errp);
    void (*bdrv_refresh_limits)(BlockDriverState *bs, Error **errp);
    /* Take OFD locks etc. for @perm while sharing @shared (protocol drivers). */
    int (*bdrv_set_perm)(BlockDriverState *bs, uint64_t perm, uint64_t shared, Error **errp);

    int coroutine_fn (*bdrv_co_preadv)(BlockDriverState *bs, int64_t offset, int64_t bytes,
                                       QEMUIOVector *qiov, BdrvRequestFlags flags);
    int coroutine_fn (*bdrv_co_pwritev)(BlockDriverState *bs, int64_t offset, int64_t bytes,
                                        QEMUIOVector *qiov, BdrvRequestFlags flags);
    int coroutine_fn (*bdrv_co_pwrite_zeroes)(BlockDriverState *bs, int64_t offset,
                                              int64_t bytes, BdrvRequestFlags flags);
    int coroutine_fn (*bdrv_co_pdiscard)(BlockDriverState *bs, int64_t offset, int64_t bytes);
    int coroutine_fn (*bdrv_co_flush_to_os)(BlockDriverState *bs);
    int coroutine_fn (*bdrv_co_flush_to_disk)(BlockDriverState *bs);
    /*
     * BDRV_BLOCK_* for [offset, offset + *pnum), *pnum <= bytes; with
     * BDRV_BLOCK_OFFSET_VALID, *map and *file say where the data lives.
     */
    int coroutine_fn (*bdrv_co_block_status)(BlockDriverState *bs, int64_t offset,
                                             int64_t bytes, int64_t *pnum, int64_t *map,
                                             BlockDriverState **file);
    int coroutine_fn (*bdrv_co_truncate)(BlockDriverState *bs, int64_t offset, bool exact,
                                         PreallocMode prealloc, BdrvRequestFlags flags,
                                         Error **errp);
    int coroutine_fn (*bdrv_co_pwritev_compressed)(BlockDriverState *bs, int64_t offset,
                                                   int64_t bytes, QEMUIOVector *qiov);

    int64_t (*bdrv_getlength)(BlockDriverState *bs);
    int64_t (*bdrv_get_allocated_file_size)(BlockDriverState *bs);
    int (*bdrv_get_info)(BlockDriverState *bs, BlockDriverInfo *bdi);
    int coroutine_fn (*bdrv_co_check)(BlockDriverState *bs, BdrvCheckResult *res, int fix);
    json_t *(*bdrv_get_specific_info)(BlockDriverState *bs, Error **errp);
    /* Internal snapshots as QAPI SnapshotInfo objects (a JSON array), or NULL. */
    json_t *(*bdrv_query_snapshots)(BlockDriverState *bs);

    /* qemu-img create: @opts were validated against create_opts. */
    int (*bdrv_create)(BlockDriver *drv, const char *filename, QemuOpts *opts, Error **errp);
    const QemuOptDesc *create_opts;
    /* The protocol's create options are offered after the format's own. */
    bool create_uses_protocol;

    BlockDriver *next;
};

/* The "file" protocol driver (block/file-posix.c). */
extern BlockDriver bdrv_file;

/* Register @drv at program start. */
#define block_init(fn) static void __attribute__((constructor)) fn(void)

/* The format whose probe scores @buf highest; raw when none claims it. */
BlockDriver *bdrv_probe_all(const uint8_t *buf, int buf_size, const char *filename);

/*
 * @bs's backing file name made usable from here, as QEMU combines them: an
 * absolute (or protocol) name as it is, a relative one after the directory
 * part of @bs's own file name.  NULL when there is no backing file.
 */
char *bdrv_get_full_backing_filename(BlockDriverState *bs);
/* @name as seen from the directory of the file @base (QEMU's path_combine). */
char *bdrv_path_combine(const char *base, const char *name);

/* Forget the cached length of @bs and its children (after a resize). */
void bdrv_invalidate_length(BlockDriverState *bs);

/* Options every node takes whatever its driver (block/block.c). */
extern const char *const bdrv_generic_opts[];

/* The value of a leaf option as a string ("on", "512"), or NULL. */
const char *bdrv_opt_str(json_t *options, const char *key);
bool bdrv_opt_bool(json_t *options, const char *key, bool def, Error **errp);

#endif
