/*
 * The asynchronous back ends of file-posix: Linux AIO (aio=native) and
 * io_uring.  One state per process, driven by the main context; requests
 * queued in one main-loop iteration are submitted with one system call.
 */
#ifndef BLOCK_RAW_AIO_H
#define BLOCK_RAW_AIO_H

#include <stdint.h>
#include "qemu/coroutine.h"
#include "qemu/error.h"
#include "qemu/iov.h"

#define QEMU_AIO_READ  0x0001
#define QEMU_AIO_WRITE 0x0002
#define QEMU_AIO_FLUSH 0x0008

typedef struct LinuxAioState LinuxAioState;
LinuxAioState *laio_get(Error **errp);
/* Bytes transferred (may be short) or negative errno; @rw_flags are RWF_*. */
int coroutine_fn laio_co_submit(LinuxAioState *s, int fd, int64_t offset, QEMUIOVector *qiov,
                                int type, int rw_flags);

typedef struct LuringState LuringState;
LuringState *luring_get(Error **errp);
int coroutine_fn luring_co_submit(LuringState *s, int fd, int64_t offset, QEMUIOVector *qiov,
                                  int type, int rw_flags);

#endif
