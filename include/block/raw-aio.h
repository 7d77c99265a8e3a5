/*
 * The asynchronous back ends of file-posix: Linux AIO (aio=native) and
 * io_uring.  One state per process, driven by the main context; requests
 * queued in one main-loop iteration are submitted with one system call.
 */
#ifndef BLOCK_RAW_AIO_H
#define BLOCK_RAW_AIO_H

#include <errno.h>
#include <stdint.h>
#include "config-host.h"
#include "qemu/coroutine.h"
#include "qemu/error.h"
#include "qemu/iov.h"

#define QEMU_AIO_READ  0x0001
#define QEMU_AIO_WRITE 0x0002
#define QEMU_AIO_FLUSH 0x0008

typedef struct LinuxAioState LinuxAioState;
typedef struct LuringState LuringState;

#ifdef CONFIG_LINUX_AIO
LinuxAioState *laio_get(Error **errp);
/* Bytes transferred (may be short) or negative errno; @rw_flags are RWF_*. */
int coroutine_fn laio_co_submit(LinuxAioState *s, int fd, int64_t offset, QEMUIOVector *qiov,
                                int type, int rw_flags);
#else
/* Built without libaio: file-posix refuses aio=native at open, so this never runs. */
static inline int laio_co_submit(LinuxAioState *s, int fd, int64_t offset,
                                 QEMUIOVector *qiov, int type, int rw_flags)
{
    return -ENOTSUP;
}
#endif

#ifdef CONFIG_LINUX_IO_URING
LuringState *luring_get(Error **errp);
int coroutine_fn luring_co_submit(LuringState *s, int fd, int64_t offset, QEMUIOVector *qiov,
                                  int type, int rw_flags);
#else
/* Built without liburing: aio=io_uring is refused at open. */
static inline int luring_co_submit(LuringState *s, int fd, int64_t offset,
                                   QEMUIOVector *qiov, int type, int rw_flags)
{
    return -ENOTSUP;
}
#endif

#endif
