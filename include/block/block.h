/*
 * Block layer: open flags, request flags and the node-level API shared by
 * -drive, -blockdev, the tools and the format drivers.
 */
#ifndef BLOCK_BLOCK_H
#define BLOCK_BLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "qemu/coroutine.h"
#include "qemu/error.h"
#include "qemu/iov.h"

/* bdrv_open() flags; values as in QEMU 7.2 */
#define BDRV_O_RDWR        0x0002
#define BDRV_O_RESIZE      0x0004   /* request permission for resizing the node */
#define BDRV_O_SNAPSHOT    0x0008   /* write to a temporary overlay */
#define BDRV_O_TEMPORARY   0x0010   /* delete the file on close */
#define BDRV_O_NOCACHE     0x0020   /* cache.direct: O_DIRECT on the protocol node */
#define BDRV_O_NATIVE_AIO  0x0080   /* aio=native */
#define BDRV_O_NO_BACKING  0x0100   /* do not open the backing file */
#define BDRV_O_NO_FLUSH    0x0200   /* cache.no-flush: flushes stop at the OS */
#define BDRV_O_COPY_ON_READ 0x0400
#define BDRV_O_CHECK       0x1000   /* opened for qemu-img check */
#define BDRV_O_UNMAP       0x4000   /* discard=unmap: pass discards down */
#define BDRV_O_PROTOCOL    0x8000   /* open the protocol driver only */
#define BDRV_O_NO_IO       0x10000  /* metadata only (qemu-img info) */
#define BDRV_O_AUTO_RDONLY 0x20000
#define BDRV_O_IO_URING    0x40000  /* aio=io_uring */
typedef enum BlockdevDetectZeroesOptions {
    BLOCKDEV_DETECT_ZEROES_OPTIONS_OFF,
    BLOCKDEV_DETECT_ZEROES_OPTIONS_ON,
    BLOCKDEV_DETECT_ZEROES_OPTIONS_UNMAP,
} BlockdevDetectZeroesOptions;
extern const char *const BlockdevDetectZeroesOptions_str[];

#define BDRV_O_CACHE_MASK  (BDRV_O_NOCACHE | BDRV_O_NO_FLUSH)

#define BDRV_OPT_CACHE_WB       "cache.writeback"
#define BDRV_OPT_CACHE_DIRECT   "cache.direct"
#define BDRV_OPT_CACHE_NO_FLUSH "cache.no-flush"
#define BDRV_OPT_READ_ONLY      "read-only"
#define BDRV_OPT_AUTO_READ_ONLY "auto-read-only"
#define BDRV_OPT_DISCARD        "discard"
#define BDRV_OPT_FORCE_SHARE    "force-share"

/* Request flags; values as in QEMU 7.2 */
typedef enum {
    BDRV_REQ_COPY_ON_READ = 0x1,
    BDRV_REQ_ZERO_WRITE = 0x2,
    BDRV_REQ_MAY_UNMAP = 0x4,       /* a zero write may deallocate */
    BDRV_REQ_FUA = 0x10,            /* complete only once stable */
    BDRV_REQ_WRITE_COMPRESSED = 0x20,
    BDRV_REQ_WRITE_UNCHANGED = 0x40,
    BDRV_REQ_SERIALISING = 0x80,
    BDRV_REQ_NO_FALLBACK = 0x100,   /* a zero write must not fall back to writing buffers */
} BdrvRequestFlags;

/* Permissions, as the OFD lock bytes 100+bit / 200+bit encode them */
#define BLK_PERM_CONSISTENT_READ 0x01
#define BLK_PERM_WRITE           0x02
#define BLK_PERM_WRITE_UNCHANGED 0x04
#define BLK_PERM_RESIZE          0x08
#define BLK_PERM_ALL             0x0f

/* Block status bits (bdrv_block_status) */
#define BDRV_BLOCK_DATA          0x01
#define BDRV_BLOCK_ZERO          0x02
#define BDRV_BLOCK_OFFSET_VALID  0x04
#define BDRV_BLOCK_RAW           0x08   /* ask the node *file points at */
#define BDRV_BLOCK_ALLOCATED     0x10
#define BDRV_BLOCK_EOF           0x20
#define BDRV_BLOCK_RECURSE       0x40   /* driver: ask *file whether the data is a hole */

#define BDRV_SECTOR_BITS 9
#define BDRV_SECTOR_SIZE (1ULL << BDRV_SECTOR_BITS)
/* The largest request: INT_MAX rounded down to sectors. */
#define BDRV_REQUEST_MAX_BYTES ((int64_t)(0x7fffffff >> BDRV_SECTOR_BITS) << BDRV_SECTOR_BITS)

typedef enum PreallocMode {
    PREALLOC_MODE_OFF,
    PREALLOC_MODE_METADATA,
    PREALLOC_MODE_FALLOC,
    PREALLOC_MODE_FULL,
    PREALLOC_MODE__MAX,
} PreallocMode;
extern const char *const PreallocMode_str[PREALLOC_MODE__MAX];

typedef struct BlockDriver BlockDriver;
typedef struct BlockDriverState BlockDriverState;

typedef struct BlockDriverInfo {
    int cluster_size;
    int64_t vm_state_offset;
    bool is_dirty;
    bool unallocated_blocks_are_zero;
} BlockDriverInfo;

/*
 * Translate a cache= mode into BDRV_O_NOCACHE/BDRV_O_NO_FLUSH in *flags
 * (other bits untouched) and the BlockBackend's writethrough setting
 * (the inverse of cache.writeback).  Returns -1 for an unknown mode.
 */
int bdrv_parse_cache_mode(const char *mode, int *flags, bool *writethrough);
/* aio=threads|native|io_uring into BDRV_O_NATIVE_AIO/BDRV_O_IO_URING; -1 if unknown. */
int bdrv_parse_aio(const char *mode, int *flags);
/* discard=ignore|off|unmap|on into BDRV_O_UNMAP; -1 if unknown. */
int bdrv_parse_discard_flags(const char *mode, int *flags);
/* detect-zeroes=off|on|unmap as BlockdevDetectZeroesOptions; -1 if unknown. */
int bdrv_parse_detect_zeroes(const char *mode);

/*
 * Open a node graph: @options (nested, as keyval_parse() builds them) may
 * name "driver", "file" (a filename or a nested protocol node), "cache"
 * {"direct","no-flush"}, "read-only", "discard", "force-share" and driver
 * options.  Without "driver" the format is probed.
 * Takes ownership of @options.
 */
BlockDriverState *bdrv_open(const char *filename, json_t *options, int flags, Error **errp);
void bdrv_ref(BlockDriverState *bs);
/* What qemu-img check reports (QEMU's BdrvCheckResult). */
typedef struct BdrvCheckResult {
    int64_t corruptions, leaks, check_errors;
    int64_t corruptions_fixed, leaks_fixed;
    int64_t image_end_offset;
    int64_t total_clusters, allocated_clusters, fragmented_clusters, compressed_clusters;
} BdrvCheckResult;

#define BDRV_FIX_LEAKS  1
#define BDRV_FIX_ERRORS 2

/*
 * Check (and with @fix repair) the node's metadata; -ENOTSUP when its
 * driver has no check.  Problems found are counted in @res and named on
 * stderr, as QEMU does.
 */
int bdrv_check(BlockDriverState *bs, BdrvCheckResult *res, int fix);

/*
 * At exit, as QEMU's bdrv_close_all(): every request finished and every
 * writable node flushed, so format drivers' cached metadata is written.
 */
void bdrv_flush_all(void);
/* The node named @node_name, or NULL. */
BlockDriverState *bdrv_find_node(const char *node_name);
/*
 * What a "file"/"backing" reference or a device's drive= names: a
 * BlockBackend's name (its root node) or a node name.  A new reference.
 */
BlockDriverState *bdrv_lookup_ref(const char *name, Error **errp);
void bdrv_unref(BlockDriverState *bs);

BlockDriver *bdrv_find_format(const char *format_name);
void bdrv_register(BlockDriver *drv);

int64_t bdrv_getlength(BlockDriverState *bs);
int64_t bdrv_get_allocated_file_size(BlockDriverState *bs);
int bdrv_get_info(BlockDriverState *bs, BlockDriverInfo *bdi);
/* {"type": NAME, "data": {...}} or NULL when the format has nothing to say. */
json_t *bdrv_get_specific_info(BlockDriverState *bs, Error **errp);
bool bdrv_is_read_only(BlockDriverState *bs);
const char *bdrv_get_format_name(BlockDriverState *bs);

/*
 * Allocation status at the top node: 1 and *pnum bytes allocated (data
 * or zero at this layer), 0 and *pnum bytes not, or negative errno.
 * *pnum is 0 only at or past the end of the node.
 */
int bdrv_is_allocated(BlockDriverState *bs, int64_t offset, int64_t bytes, int64_t *pnum);

/* Apply new options (read-only, cache.direct, cache.no-flush, ...) to an open node. */
int bdrv_reopen(BlockDriverState *bs, json_t *opts, bool keep_old_opts, Error **errp);

/*
 * qemu-img create: validate @options ("k=v,..."), print "Formatting ..."
 * unless @quiet, and create the image.
 */
/* Validate a creation request without creating anything (qemu-img convert's order). */
bool bdrv_img_create_check(const char *fmt, const char *base_filename, const char *base_fmt,
                           const char *options, bool *has_backing, Error **errp);
void bdrv_img_create(const char *filename, const char *fmt, const char *base_filename,
                     const char *base_fmt, const char *options, uint64_t img_size, int flags,
                     bool quiet, Error **errp);

/* Node-level I/O, used by format drivers on their children. */
int coroutine_fn bdrv_co_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                                QEMUIOVector *qiov, BdrvRequestFlags flags);
int coroutine_fn bdrv_co_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                                 QEMUIOVector *qiov, BdrvRequestFlags flags);
int coroutine_fn bdrv_co_pwrite_zeroes(BlockDriverState *bs, int64_t offset, int64_t bytes,
                                       BdrvRequestFlags flags);
int coroutine_fn bdrv_co_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes);
int coroutine_fn bdrv_co_flush(BlockDriverState *bs);
int coroutine_fn bdrv_co_truncate(BlockDriverState *bs, int64_t offset, bool exact,
                                  PreallocMode prealloc, BdrvRequestFlags flags, Error **errp);
int coroutine_fn bdrv_co_block_status(BlockDriverState *bs, int64_t offset, int64_t bytes,
                                      int64_t *pnum, int64_t *map, BlockDriverState **file);
/*
 * The same as QEMU's want_zero form (qemu-img map, convert): unallocated
 * parts of a node with no backing file, or past its end, report ZERO, and
 * data the driver maps into a hole of its file reports ZERO too.
 */
int coroutine_fn bdrv_co_block_status_want_zero(BlockDriverState *bs, int64_t offset,
                                                int64_t bytes, int64_t *pnum, int64_t *map,
                                                BlockDriverState **file);
/* bdrv_co_block_status_want_zero from outside a coroutine. */
int bdrv_block_status(BlockDriverState *bs, int64_t offset, int64_t bytes, int64_t *pnum,
                      int64_t *map, BlockDriverState **file);
/* Synchronous forms for code outside coroutines (they poll the main context). */
int bdrv_pread(BlockDriverState *bs, int64_t offset, int64_t bytes, void *buf,
               BdrvRequestFlags flags);
int bdrv_pwrite(BlockDriverState *bs, int64_t offset, int64_t bytes, const void *buf,
                BdrvRequestFlags flags);
int bdrv_flush(BlockDriverState *bs);

/* Buffers good for O_DIRECT on this node. */
void *qemu_blockalign(BlockDriverState *bs, size_t size);
void *qemu_try_blockalign(BlockDriverState *bs, size_t size);
size_t bdrv_opt_mem_align(BlockDriverState *bs);

/* Wait for every request in flight on @bs and its children. */
void bdrv_drain(BlockDriverState *bs);

#endif
