/*
 * BlockBackend: the handle a device or a tool holds on a node graph.  It
 * owns the write-cache setting (WCE): with WCE off every write is FUA.
 */
#ifndef SYSEMU_BLOCK_BACKEND_H
#define SYSEMU_BLOCK_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "block/accounting.h"
#include "block/block.h"
#include "qemu/error.h"
#include "qemu/iov.h"

typedef struct BlockBackend BlockBackend;
typedef struct BlockAIOCB BlockAIOCB;
typedef void BlockCompletionFunc(void *opaque, int ret);

/*
 * Open @filename (or what @options describe) with bdrv_open() and take
 * the permissions @flags imply: read, plus write with BDRV_O_RDWR; every
 * permission is shared with other users, as QEMU's tools do.  Takes
 * ownership of @options.
 */
BlockBackend *blk_new_open(const char *filename, const char *reference, json_t *options,
                           int flags, Error **errp);
/* A backend over an already open node (devices); @perm/@shared as BLK_PERM_*. */
BlockBackend *blk_new_with_bs(BlockDriverState *bs, uint64_t perm, uint64_t shared,
                              Error **errp);
void blk_ref(BlockBackend *blk);
void blk_unref(BlockBackend *blk);
BlockDriverState *blk_bs(BlockBackend *blk);

bool blk_enable_write_cache(BlockBackend *blk);
void blk_set_enable_write_cache(BlockBackend *blk, bool wce);
bool blk_is_writable(BlockBackend *blk);
bool blk_is_read_only(BlockBackend *blk);
int64_t blk_getlength(BlockBackend *blk);

/* Coroutine forms. */
int coroutine_fn blk_co_preadv(BlockBackend *blk, int64_t offset, int64_t bytes,
                               QEMUIOVector *qiov, BdrvRequestFlags flags);
int coroutine_fn blk_co_pwritev(BlockBackend *blk, int64_t offset, int64_t bytes,
                                QEMUIOVector *qiov, BdrvRequestFlags flags);
int coroutine_fn blk_co_pwrite_zeroes(BlockBackend *blk, int64_t offset, int64_t bytes,
                                      BdrvRequestFlags flags);
int coroutine_fn blk_co_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes);
int coroutine_fn blk_co_flush(BlockBackend *blk);

/* Synchronous forms: poll the main context until done; 0 or negative errno. */
int blk_pread(BlockBackend *blk, int64_t offset, int64_t bytes, void *buf,
              BdrvRequestFlags flags);
int blk_pwrite(BlockBackend *blk, int64_t offset, int64_t bytes, const void *buf,
               BdrvRequestFlags flags);
int blk_pwrite_zeroes(BlockBackend *blk, int64_t offset, int64_t bytes, BdrvRequestFlags flags);
int blk_pwrite_compressed(BlockBackend *blk, int64_t offset, int64_t bytes, const void *buf);
int blk_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes);
int blk_flush(BlockBackend *blk);
int blk_truncate(BlockBackend *blk, int64_t offset, bool exact, PreallocMode prealloc,
                 BdrvRequestFlags flags, Error **errp);

/*
 * Asynchronous forms: @cb runs from the main loop once the request is
 * done, never before the call returns.
 */
BlockAIOCB *blk_aio_preadv(BlockBackend *blk, int64_t offset, QEMUIOVector *qiov,
                           BdrvRequestFlags flags, BlockCompletionFunc *cb, void *opaque);
BlockAIOCB *blk_aio_pwritev(BlockBackend *blk, int64_t offset, QEMUIOVector *qiov,
                            BdrvRequestFlags flags, BlockCompletionFunc *cb, void *opaque);
BlockAIOCB *blk_aio_pwrite_zeroes(BlockBackend *blk, int64_t offset, int64_t bytes,
                                  BdrvRequestFlags flags, BlockCompletionFunc *cb,
                                  void *opaque);
BlockAIOCB *blk_aio_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes,
                             BlockCompletionFunc *cb, void *opaque);
BlockAIOCB *blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb, void *opaque);

/* Wait until no request of @blk (or of any backend) is in flight. */
void blk_drain(BlockBackend *blk);
void blk_drain_all(void);

void *blk_blockalign(BlockBackend *blk, size_t size);

/* ---- for device frontends (-device ...,drive=ID) ---- */

#ifndef BDRV_REQUEST_MAX_SECTORS
#define BDRV_REQUEST_MAX_SECTORS (BDRV_REQUEST_MAX_BYTES >> BDRV_SECTOR_BITS)
#endif

/* QAPI BlockErrorAction: what an I/O error does under rerror/werror. */
typedef enum BlockErrorAction {
    BLOCK_ERROR_ACTION_IGNORE,
    BLOCK_ERROR_ACTION_REPORT,
    BLOCK_ERROR_ACTION_STOP,
} BlockErrorAction;

/* QAPI BlockdevOnError: the rerror=/werror= settings. */
typedef enum BlockdevOnError {
    BLOCKDEV_ON_ERROR_REPORT,
    BLOCKDEV_ON_ERROR_IGNORE,
    BLOCKDEV_ON_ERROR_ENOSPC,
    BLOCKDEV_ON_ERROR_STOP,
    BLOCKDEV_ON_ERROR_AUTO,
} BlockdevOnError;

/* Give the backend its drive ID (unique among backends). */
bool blk_set_name(BlockBackend *blk, const char *name, Error **errp);
/* The BlockBackend of -drive id=NAME, NULL if none. */
BlockBackend *blk_by_name(const char *name);
/*
 * What a device's drive= property names, with a reference for the device:
 * a -drive's BlockBackend, or a new anonymous one on a -blockdev node.
 * NULL (and *errp unset) when nothing has that name.
 */
BlockBackend *blk_for_device(const char *name, Error **errp);
const char *blk_name(const BlockBackend *blk);
/* The device's I/O accounting (query-blockstats). */
BlockAcctStats *blk_get_stats(BlockBackend *blk);
/* Backends the monitor shows (named -drive ones, anonymous ones of devices), in creation
 * order; NULL starts, NULL ends. */
BlockBackend *blk_next(BlockBackend *blk);
/* A device (its DeviceState) claims the backend; a second claim fails with -EBUSY. */
int blk_attach_dev(BlockBackend *blk, void *dev);
void blk_detach_dev(BlockBackend *blk, void *dev);
bool blk_is_inserted(BlockBackend *blk);
/* Length in 512-byte sectors (0 without a medium). */
void blk_get_geometry(BlockBackend *blk, uint64_t *nb_sectors_ptr);
/* rerror/werror: the policy for errno @error (positive). */
BlockErrorAction blk_get_error_action(BlockBackend *blk, bool is_read, int error);
/* Carry it out: BLOCK_IO_ERROR event, and for STOP pause the VM. */
void blk_error_action(BlockBackend *blk, BlockErrorAction action, bool is_read, int error);
/* Defaults: rerror=report, werror=enospc. */
void blk_set_on_error(BlockBackend *blk, BlockdevOnError on_read_error,
                      BlockdevOnError on_write_error);
BlockdevOnError blk_get_on_error(BlockBackend *blk, bool is_read);
void *blk_get_attached_dev(BlockBackend *blk);
/*
 * The event and the VM stop belong to the layers above (monitor, run
 * state): they install the handler blk_error_action calls.
 */
typedef void BlkIOErrorHandler(BlockBackend *blk, BlockErrorAction action, bool is_read,
                               int error);
void blk_set_io_error_handler(BlkIOErrorHandler *fn);

#endif
