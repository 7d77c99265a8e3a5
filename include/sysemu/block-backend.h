/*
 * The BlockBackend: a device's handle on its disk (QEMU 7.2's
 * sysemu/block-backend.h names).  It owns the write-cache-enabled flag the
 * guest sees, the rerror/werror policies, and the asynchronous request
 * entry points frontends use; completions run in the main loop.
 *
 * This header carries the part of the API the device frontends are
 * written against; the block layer implements it.
 */
#ifndef SYSEMU_BLOCK_BACKEND_H
#define SYSEMU_BLOCK_BACKEND_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include "block/block.h"
#include "qemu/iov.h"

#define BDRV_SECTOR_BITS            9
#define BDRV_SECTOR_SIZE            (1ULL << BDRV_SECTOR_BITS)
#define BDRV_REQUEST_MAX_SECTORS    (INT_MAX >> BDRV_SECTOR_BITS)
#define BDRV_REQUEST_MAX_BYTES      (BDRV_REQUEST_MAX_SECTORS << BDRV_SECTOR_BITS)

typedef enum BdrvRequestFlags {
    BDRV_REQ_COPY_ON_READ   = 0x1,
    BDRV_REQ_ZERO_WRITE     = 0x2,
    BDRV_REQ_MAY_UNMAP      = 0x4,  /* write zeroes may deallocate */
    BDRV_REQ_FUA            = 0x10, /* stable on completion */
    BDRV_REQ_NO_FALLBACK    = 0x100,
} BdrvRequestFlags;

/* QAPI BlockErrorAction: what an I/O error does under rerror/werror. */
typedef enum BlockErrorAction {
    BLOCK_ERROR_ACTION_IGNORE,
    BLOCK_ERROR_ACTION_REPORT,
    BLOCK_ERROR_ACTION_STOP,
} BlockErrorAction;

typedef struct BlockBackend BlockBackend;
typedef struct BlockAIOCB BlockAIOCB;
/* @ret: 0 or a negative errno. */
typedef void BlockCompletionFunc(void *opaque, int ret);

/* The BlockBackend of -drive id=NAME (or -blockdev node), NULL if none. */
BlockBackend *blk_by_name(const char *name);
const char *blk_name(const BlockBackend *blk);

/* A device claims the backend; a second claim fails (-EBUSY). */
int blk_attach_dev(BlockBackend *blk, void *dev);
void blk_detach_dev(BlockBackend *blk, void *dev);

bool blk_is_inserted(BlockBackend *blk);
bool blk_is_writable(BlockBackend *blk);
int64_t blk_getlength(BlockBackend *blk);
/* Length in 512-byte sectors (0 without a medium). */
void blk_get_geometry(BlockBackend *blk, uint64_t *nb_sectors_ptr);

bool blk_enable_write_cache(BlockBackend *blk);
void blk_set_enable_write_cache(BlockBackend *blk, bool wce);

BlockAIOCB *blk_aio_preadv(BlockBackend *blk, int64_t offset, QEMUIOVector *qiov,
                           BdrvRequestFlags flags, BlockCompletionFunc *cb, void *opaque);
BlockAIOCB *blk_aio_pwritev(BlockBackend *blk, int64_t offset, QEMUIOVector *qiov,
                            BdrvRequestFlags flags, BlockCompletionFunc *cb, void *opaque);
BlockAIOCB *blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb, void *opaque);
BlockAIOCB *blk_aio_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes,
                             BlockCompletionFunc *cb, void *opaque);
BlockAIOCB *blk_aio_pwrite_zeroes(BlockBackend *blk, int64_t offset, int64_t bytes,
                                  BdrvRequestFlags flags, BlockCompletionFunc *cb,
                                  void *opaque);
/* Wait for every request in flight on @blk. */
void blk_drain(BlockBackend *blk);

/* rerror/werror: the policy for errno @error (positive). */
BlockErrorAction blk_get_error_action(BlockBackend *blk, bool is_read, int error);
/* Carry it out: BLOCK_IO_ERROR event, and for STOP pause the VM. */
void blk_error_action(BlockBackend *blk, BlockErrorAction action, bool is_read, int error);

#endif
