/*
 * The "file" protocol driver: a regular file opened with or without
 * O_DIRECT, I/O through the thread pool (aio=threads), Linux AIO
 * (aio=native) or io_uring, FUA as RWF_DSYNC writes, flush as fdatasync,
 * OFD image locking on QEMU's lock bytes, discard/zero writes through
 * fallocate, block status through SEEK_DATA/SEEK_HOLE.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <glib.h>

#include "block/block_int.h"
#include "block/raw-aio.h"
#include "block/thread-pool.h"
#include "qemu/memalign.h"
#include "config-host.h"

#define RAW_LOCK_PERM_BASE   100
#define RAW_LOCK_SHARED_BASE 200

typedef enum { AIO_THREADS, AIO_NATIVE, AIO_IO_URING } RawAio;

typedef struct BDRVRawState {
    int fd;
    int open_flags;                 /* O_* of fd */
    RawAio aio;
    bool use_lock;
    bool needs_alignment;
    bool have_pwritev2_dsync;       /* cleared if the kernel refuses RWF_DSYNC */
    bool nowait_read, nowait_write; /* RWF_NOWAIT works here (buffered I/O only) */
    int page_cache_inconsistent;    /* errno of a failed fdatasync, sticky */
    uint64_t perm, shared_perm;     /* what the lock bytes say */
    LinuxAioState *laio;
    LuringState *luring;
} BDRVRawState;

static const char *const raw_runtime_opts[] = {
    "filename", "aio", "aio-max-batch", "locking", "pr-manager", "drop-cache",
    "x-check-cache-dropped", NULL,
};

static const char *const perm_names[] = {
    "consistent read", "write", "write unchanged", "resize",
};

/* ---- locking ---- */

static int lock_byte(int fd, int64_t byte, short type)
{
    struct flock fl = { .l_whence = SEEK_SET, .l_start = byte, .l_len = 1, .l_type = type };

    return fcntl(fd, F_OFD_SETLK, &fl) < 0 ? -errno : 0;
}

/* True if another open file description holds a lock on @byte. */
static int byte_is_locked(int fd, int64_t byte)
{
    struct flock fl = { .l_whence = SEEK_SET, .l_start = byte, .l_len = 1,
                        .l_type = F_WRLCK };

    if (fcntl(fd, F_OFD_GETLK, &fl) < 0) {
        return -errno;
    }
    return fl.l_type != F_UNLCK;
}

static int apply_locks(BDRVRawState *s, int fd, uint64_t perm, uint64_t shared,
                       const char *filename, Error **errp)
{
    int i, ret;

    for (i = 0; i < 4; i++) {
        ret = lock_byte(fd, RAW_LOCK_PERM_BASE + i, perm & (1 << i) ? F_RDLCK : F_UNLCK);
        if (!ret) {
            ret = lock_byte(fd, RAW_LOCK_SHARED_BASE + i,
                            shared & (1 << i) ? F_UNLCK : F_RDLCK);
        }
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to lock byte %d",
                             RAW_LOCK_PERM_BASE + i);
            return ret;
        }
    }
    for (i = 0; i < 4; i++) {
        /* taking @i needs nobody refusing to share it, and the other way round */
        if ((perm & (1 << i)) && byte_is_locked(fd, RAW_LOCK_SHARED_BASE + i) > 0) {
            error_setg(errp, "Failed to get \"%s\" lock", perm_names[i]);
            error_append_hint(errp, "Is another process using the image [%s]?\n", filename);
            return -EAGAIN;
        }
        if (!(shared & (1 << i)) && byte_is_locked(fd, RAW_LOCK_PERM_BASE + i) > 0) {
            error_setg(errp, "Failed to get shared \"%s\" lock", perm_names[i]);
            error_append_hint(errp, "Is another process using the image [%s]?\n", filename);
            return -EAGAIN;
        }
    }
    return 0;
}

static int raw_set_perm(BlockDriverState *bs, uint64_t perm, uint64_t shared, Error **errp)
{
    BDRVRawState *s = bs->opaque;
    int ret;

    if (!s->use_lock) {
        return 0;
    }
    ret = apply_locks(s, s->fd, perm, shared, bs->filename, errp);
    if (ret < 0) {
        /* back to what was held before */
        apply_locks(s, s->fd, s->perm, s->shared_perm, bs->filename, NULL);
        return ret;
    }
    s->perm = perm;
    s->shared_perm = shared;
    return 0;
}

/* ---- open ---- */

static int raw_open_fd(const char *filename, int flags, Error **errp)
{
    int oflags = O_CLOEXEC | ((flags & BDRV_O_RDWR) ? O_RDWR : O_RDONLY);
    int fd;

    if (flags & BDRV_O_NOCACHE) {
        oflags |= O_DIRECT;
    }
    fd = open(filename, oflags);
    if (fd < 0) {
        int err = errno == EROFS ? EACCES : errno;

        error_setg_errno(errp, err, "Could not open '%s'", filename);
        return -err;
    }
    return fd;
}

static bool io_aligned_ok(int fd, void *buf, size_t len)
{
    ssize_t ret = pread(fd, buf, len, 0);

    /* EINVAL is the O_DIRECT alignment complaint; anything else counts as success */
    return ret >= 0 || errno != EINVAL;
}

/* QEMU's O_DIRECT probe: the smallest offset/length and buffer alignment that work. */
static void raw_probe_alignment(BlockDriverState *bs, int fd, Error **errp)
{
    static const size_t candidates[] = { 1, 512, 1024, 2048, 4096 };
    size_t max_align = MAX(4096, (size_t)getpagesize());
    BDRVRawState *s = bs->opaque;
    uint32_t req_align = 0;
    size_t buf_align = 0;
    uint8_t *buf;
    unsigned i;
    int sector_size;

    if (!s->needs_alignment) {
        bs->bl.request_alignment = 1;
        bs->bl.min_mem_alignment = 1;
        bs->bl.opt_mem_alignment = getpagesize();
        return;
    }
    if (ioctl(fd, BLKSSZGET, &sector_size) == 0 && sector_size > 0) {
        req_align = sector_size;
    }
    buf = qemu_memalign(max_align, 2 * max_align);
    for (i = 0; !req_align && i < G_N_ELEMENTS(candidates); i++) {
        if (io_aligned_ok(fd, buf, candidates[i])) {
            req_align = candidates[i] == 1 ? max_align : candidates[i];
        }
    }
    for (i = 0; req_align && i < G_N_ELEMENTS(candidates); i++) {
        if (io_aligned_ok(fd, buf + candidates[i], req_align)) {
            buf_align = candidates[i];
            break;
        }
    }
    qemu_vfree(buf);
    if (!req_align || !buf_align) {
        error_setg(errp, "Could not find working O_DIRECT alignment");
        error_append_hint(errp, "Try cache.direct=off\n");
        return;
    }
    bs->bl.request_alignment = req_align;
    bs->bl.min_mem_alignment = buf_align;
    bs->bl.opt_mem_alignment = MAX(buf_align, (size_t)getpagesize());
}

static void raw_refresh_limits(BlockDriverState *bs, Error **errp)
{
    BDRVRawState *s = bs->opaque;

    raw_probe_alignment(bs, s->fd, errp);
}

static int raw_open(BlockDriverState *bs, json_t *options, int flags, Error **errp)
{
    BDRVRawState *s = bs->opaque;
    const char *filename = bdrv_opt_str(options, "filename");
    const char *aio = bdrv_opt_str(options, "aio");
    const char *locking = bdrv_opt_str(options, "locking");
    struct stat st;

    s->fd = -1;
    s->have_pwritev2_dsync = true;
    s->nowait_read = s->nowait_write = !(flags & BDRV_O_NOCACHE);
    if (aio) {
        if (!strcmp(aio, "threads")) {
            s->aio = AIO_THREADS;
        } else if (!strcmp(aio, "native")) {
            s->aio = AIO_NATIVE;
        } else if (!strcmp(aio, "io_uring")) {
            s->aio = AIO_IO_URING;
        } else {
            error_setg(errp, "invalid parameter value: %s", aio);
            return -EINVAL;
        }
    } else {
        s->aio = (flags & BDRV_O_NATIVE_AIO) ? AIO_NATIVE :
                 (flags & BDRV_O_IO_URING) ? AIO_IO_URING : AIO_THREADS;
    }
    if (!locking || !strcmp(locking, "auto") || !strcmp(locking, "on")) {
        s->use_lock = true;
    } else if (!strcmp(locking, "off")) {
        s->use_lock = false;
    } else {
        error_setg(errp, "invalid parameter value: %s", locking);
        return -EINVAL;
    }
    if (s->aio == AIO_NATIVE && !(flags & BDRV_O_NOCACHE)) {
        error_setg(errp, "aio=native was specified, but it requires cache.direct=on, "
                   "which was not specified.");
        return -EINVAL;
    }

    s->fd = raw_open_fd(filename, flags, errp);
    if (s->fd < 0) {
        return s->fd;
    }
    s->open_flags = fcntl(s->fd, F_GETFL);
    if (fstat(s->fd, &st) < 0) {
        error_setg_errno(errp, errno, "Could not stat file");
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        error_setg(errp, "'file' driver requires '%s' to be a regular file", filename);
        goto fail;
    }
    s->needs_alignment = !!(flags & BDRV_O_NOCACHE);
#ifdef CONFIG_LINUX_AIO
    if (s->aio == AIO_NATIVE && !(s->laio = laio_get(errp))) {
        goto fail;
    }
#else
    if (s->aio == AIO_NATIVE) {
        error_setg(errp, "aio=native was specified, but is not supported in this build.");
        goto fail;
    }
#endif
#ifdef CONFIG_LINUX_IO_URING
    if (s->aio == AIO_IO_URING && !(s->luring = luring_get(errp))) {
        goto fail;
    }
#else
    if (s->aio == AIO_IO_URING) {
        error_setg(errp, "aio=io_uring was specified, but is not supported in this build.");
        goto fail;
    }
#endif
    bs->supported_write_flags = BDRV_REQ_FUA;
    bs->supported_zero_flags = BDRV_REQ_MAY_UNMAP | BDRV_REQ_NO_FALLBACK;
    return 0;

fail:
    close(s->fd);
    s->fd = -1;
    return -EINVAL;
}

static void raw_close(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;

    if (s->fd >= 0) {
        close(s->fd);       /* drops the OFD locks with it */
        s->fd = -1;
    }
}

static int raw_reopen(BlockDriverState *bs, int flags, Error **errp)
{
    BDRVRawState *s = bs->opaque;
    int fd;

    if (!(flags & BDRV_O_NOCACHE) && s->aio == AIO_NATIVE) {
        error_setg(errp, "aio=native was specified, but it requires cache.direct=on, "
                   "which was not specified.");
        return -EINVAL;
    }
    if (((flags ^ bs->open_flags) & (BDRV_O_NOCACHE | BDRV_O_RDWR)) == 0) {
        return 0;
    }
    fd = raw_open_fd(bs->filename, flags, errp);
    if (fd < 0) {
        return fd;
    }
    if (s->use_lock && apply_locks(s, fd, s->perm, s->shared_perm, bs->filename, errp) < 0) {
        close(fd);
        return -EAGAIN;
    }
    close(s->fd);
    s->fd = fd;
    s->open_flags = fcntl(fd, F_GETFL);
    s->needs_alignment = !!(flags & BDRV_O_NOCACHE);
    raw_probe_alignment(bs, fd, errp);
    return 0;
}

/* ---- reads and writes ---- */

typedef struct RawAIOCB {
    BDRVRawState *s;
    int fd;
    int64_t offset;
    QEMUIOVector *qiov;
    int type;
    int rw_flags;
} RawAIOCB;

/* Runs on a worker: the whole request, retrying short transfers. */
static int handle_aiocb_rw(void *opaque)
{
    RawAIOCB *acb = opaque;
    ssize_t done = 0, total = acb->qiov->size;
    struct iovec stack_iov[16];
    struct iovec *iov = acb->qiov->niov <= 16 ? stack_iov : g_new(struct iovec, acb->qiov->niov);

    while (done < total) {
        QEMUIOVector rest;
        ssize_t n;
        int i;

        /* the iovec for what is left */
        rest.iov = iov;
        rest.niov = 0;
        for (i = 0, n = done; i < acb->qiov->niov; i++) {
            ssize_t len = acb->qiov->iov[i].iov_len;

            if (n >= len) {
                n -= len;
                continue;
            }
            iov[rest.niov].iov_base = (char *)acb->qiov->iov[i].iov_base + n;
            iov[rest.niov].iov_len = len - n;
            rest.niov++;
            n = 0;
        }
        if (acb->type == QEMU_AIO_READ) {
            n = preadv(acb->fd, iov, rest.niov, acb->offset + done);
        } else if (acb->rw_flags) {
            n = pwritev2(acb->fd, iov, rest.niov, acb->offset + done, acb->rw_flags);
        } else {
            n = pwritev(acb->fd, iov, rest.niov, acb->offset + done);
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            done = -errno;
            break;
        }
        if (n == 0) {
            if (acb->type == QEMU_AIO_READ) {
                /* end of file: the rest reads as zeroes */
                qemu_iovec_memset(acb->qiov, done, 0, total - done);
                done = total;
            } else {
                done = -EINVAL;
            }
            break;
        }
        done += n;
    }
    if (iov != stack_iov) {
        g_free(iov);
    }
    return done < 0 ? (int)done : 0;
}

static int handle_aiocb_flush(void *opaque)
{
    RawAIOCB *acb = opaque;
    BDRVRawState *s = acb->s;

    if (s->page_cache_inconsistent) {
        return -s->page_cache_inconsistent;
    }
    if (fdatasync(acb->fd) < 0) {
        int err = errno;

        /*
         * After a failed fdatasync the kernel may have dropped dirty pages:
         * unless O_DIRECT bypassed the page cache, no later flush can be
         * trusted, so every later flush fails too.
         */
        if (!(s->open_flags & O_DIRECT)) {
            s->page_cache_inconsistent = err;
        }
        return -err;
    }
    return 0;
}

/* Completion of an async back end: a whole transfer, a short read at EOF, or an error. */
static int finish_async(RawAIOCB *acb, int ret)
{
    if (ret < 0) {
        return ret;
    }
    if ((size_t)ret < acb->qiov->size) {
        if (acb->type != QEMU_AIO_READ) {
            return -ENOSPC;
        }
        /* short read: finish it on a worker, which handles EOF */
        {
            QEMUIOVector rest;
            RawAIOCB more = *acb;

            qemu_iovec_init(&rest, acb->qiov->niov);
            qemu_iovec_concat(&rest, acb->qiov, ret, acb->qiov->size - ret);
            more.qiov = &rest;
            more.offset += ret;
            ret = thread_pool_submit_co(handle_aiocb_rw, &more);
            qemu_iovec_destroy(&rest);
            return ret;
        }
    }
    return 0;
}

/*
 * Page-cache hits need no worker: try the transfer inline with RWF_NOWAIT,
 * which fails with EAGAIN instead of blocking.  A partial transfer is
 * simply redone whole by a worker.
 */
static bool try_nowait(BDRVRawState *s, RawAIOCB *acb)
{
    bool *enabled = acb->type == QEMU_AIO_READ ? &s->nowait_read : &s->nowait_write;
    ssize_t n;

    if (!*enabled || acb->rw_flags) {
        return false;
    }
    if (acb->type == QEMU_AIO_READ) {
        n = preadv2(acb->fd, acb->qiov->iov, acb->qiov->niov, acb->offset, RWF_NOWAIT);
    } else {
        n = pwritev2(acb->fd, acb->qiov->iov, acb->qiov->niov, acb->offset, RWF_NOWAIT);
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
        *enabled = false;       /* EOPNOTSUPP: this file system cannot do it */
    }
    return n >= 0 && (size_t)n == acb->qiov->size;
}

static int coroutine_fn raw_co_prw(BlockDriverState *bs, int64_t offset, int64_t bytes,
                                   QEMUIOVector *qiov, int type, BdrvRequestFlags flags)
{
    BDRVRawState *s = bs->opaque;
    RawAIOCB acb = {
        .s = s, .fd = s->fd, .offset = offset, .qiov = qiov, .type = type,
        .rw_flags = (flags & BDRV_REQ_FUA) ? RWF_DSYNC : 0,
    };
    QEMUIOVector bounce_qiov;
    uint8_t *bounce = NULL;
    int ret;

retry:
    /* buffers O_DIRECT would refuse go through one aligned bounce buffer */
    if (s->needs_alignment &&
        !qemu_iovec_is_aligned(qiov, bs->bl.min_mem_alignment, bs->bl.request_alignment)) {
        bounce = qemu_try_blockalign(bs, bytes);
        if (!bounce) {
            return -ENOMEM;
        }
        if (type == QEMU_AIO_WRITE) {
            qemu_iovec_to_buf(qiov, 0, bounce, bytes);
        }
        qemu_iovec_init_buf(&bounce_qiov, bounce, bytes);
        acb.qiov = &bounce_qiov;
    }
    if (acb.rw_flags && !s->have_pwritev2_dsync) {
        acb.rw_flags = 0;
    }

    /* a page-cache hit completes inline, with one syscall and no completion round trip */
    if ((s->aio == AIO_THREADS || s->aio == AIO_IO_URING) && try_nowait(s, &acb)) {
        ret = 0;
    } else if (s->aio == AIO_IO_URING) {
        ret = finish_async(&acb, luring_co_submit(s->luring, s->fd, offset, acb.qiov, type,
                                                  acb.rw_flags));
    } else if (s->aio == AIO_NATIVE) {
        ret = finish_async(&acb, laio_co_submit(s->laio, s->fd, offset, acb.qiov, type,
                                                acb.rw_flags));
    } else {
        ret = thread_pool_submit_co(handle_aiocb_rw, &acb);
    }
    if (ret == -EOPNOTSUPP && acb.rw_flags) {
        /* no RWF_DSYNC here: write, then make it stable with fdatasync */
        s->have_pwritev2_dsync = false;
        acb.rw_flags = 0;
        ret = thread_pool_submit_co(handle_aiocb_rw, &acb);
        if (ret == 0) {
            ret = thread_pool_submit_co(handle_aiocb_flush, &acb);
        }
    } else if (ret == 0 && (flags & BDRV_REQ_FUA) && !acb.rw_flags) {
        ret = thread_pool_submit_co(handle_aiocb_flush, &acb);
    }

    if (ret == -EINVAL && s->needs_alignment && !bounce &&
        bs->bl.min_mem_alignment < bs->bl.opt_mem_alignment) {
        /*
         * The probe read a hole, which needs no DMA and so accepts any
         * buffer: the real memory alignment is stricter than it said.
         */
        bs->bl.min_mem_alignment = bs->bl.opt_mem_alignment;
        acb.qiov = qiov;
        goto retry;
    }
    if (bounce) {
        if (ret == 0 && type == QEMU_AIO_READ) {
            qemu_iovec_from_buf(qiov, 0, bounce, bytes);
        }
        qemu_vfree(bounce);
    }
    return ret;
}

static int coroutine_fn raw_co_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                                      QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    return raw_co_prw(bs, offset, bytes, qiov, QEMU_AIO_READ, flags);
}

static int coroutine_fn raw_co_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                                       QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    return raw_co_prw(bs, offset, bytes, qiov, QEMU_AIO_WRITE, flags);
}

static int coroutine_fn raw_co_flush_to_disk(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;
    RawAIOCB acb = { .s = s, .fd = s->fd };
    int ret;

    if (s->aio == AIO_IO_URING && !s->page_cache_inconsistent) {
        QEMUIOVector none = { 0 };

        ret = luring_co_submit(s->luring, s->fd, 0, &none, QEMU_AIO_FLUSH, 0);
        if (ret < 0 && !(s->open_flags & O_DIRECT)) {
            s->page_cache_inconsistent = -ret;
        }
        return ret < 0 ? ret : 0;
    }
    return thread_pool_submit_co(handle_aiocb_flush, &acb);
}

/* ---- discard, zero writes ---- */

typedef struct RawFallocate {
    int fd;
    int mode;
    int64_t offset, bytes;
} RawFallocate;

static int handle_fallocate(void *opaque)
{
    RawFallocate *f = opaque;

    if (fallocate(f->fd, f->mode, f->offset, f->bytes) < 0) {
        int err = errno;

        return (err == EOPNOTSUPP || err == ENOSYS || err == ENOTTY || err == ENODEV)
               ? -ENOTSUP : -err;
    }
    return 0;
}

static int coroutine_fn raw_fallocate(BDRVRawState *s, int mode, int64_t offset, int64_t bytes)
{
    RawFallocate f = { s->fd, mode, offset, bytes };

    return thread_pool_submit_co(handle_fallocate, &f);
}

static int coroutine_fn raw_co_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    return raw_fallocate(bs->opaque, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, bytes);
}

static int coroutine_fn raw_co_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                                             int64_t bytes, BdrvRequestFlags flags)
{
    BDRVRawState *s = bs->opaque;
    int ret = -ENOTSUP;

    if (flags & BDRV_REQ_MAY_UNMAP) {
        ret = raw_fallocate(s, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, bytes);
    }
    if (ret == -ENOTSUP || ret == -EINVAL || ret == -EBUSY) {
        ret = raw_fallocate(s, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, offset, bytes);
    }
    if (ret == -ENOTSUP) {
        /* punch a hole and allocate it again: reads as zeroes, stays allocated */
        ret = raw_fallocate(s, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, bytes);
        if (ret == 0) {
            ret = raw_fallocate(s, 0, offset, bytes);
            ret = ret == -ENOTSUP ? 0 : ret;
        }
    }
    return ret;
}

/* ---- sizes, status, truncate ---- */

static int64_t raw_getlength(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;
    struct stat st;

    return fstat(s->fd, &st) < 0 ? -errno : st.st_size;
}

static int64_t raw_get_allocated_file_size(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;
    struct stat st;

    return fstat(s->fd, &st) < 0 ? -errno : (int64_t)st.st_blocks * 512;
}

static int coroutine_fn raw_co_block_status(BlockDriverState *bs, int64_t offset,
                                            int64_t bytes, int64_t *pnum, int64_t *map,
                                            BlockDriverState **file)
{
    BDRVRawState *s = bs->opaque;
    off_t data, hole;
    int ret = BDRV_BLOCK_OFFSET_VALID;

    *map = offset;
    *file = bs;
    data = lseek(s->fd, offset, SEEK_DATA);
    if (data == offset) {
        hole = lseek(s->fd, offset, SEEK_HOLE);
        *pnum = hole > offset ? MIN(bytes, hole - offset) : bytes;
        return ret | BDRV_BLOCK_DATA;
    }
    if (data > offset) {
        *pnum = MIN(bytes, data - offset);
        return ret | BDRV_BLOCK_ZERO;
    }
    if (errno == ENXIO) {
        /* a hole up to the end of the file */
        *pnum = bytes;
        return ret | BDRV_BLOCK_ZERO;
    }
    /* no SEEK_DATA here: call it all data */
    *pnum = bytes;
    return ret | BDRV_BLOCK_DATA;
}

static int write_zero_bytes(int fd, int64_t offset, int64_t end)
{
    static const uint8_t zero[65536];

    while (offset < end) {
        ssize_t n = pwrite(fd, zero, MIN((int64_t)sizeof(zero), end - offset), offset);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        offset += n;
    }
    return 0;
}

/* Resize @fd to @size, allocating the new part as @prealloc says. */
static int raw_regular_truncate(int fd, int64_t size, PreallocMode prealloc, Error **errp)
{
    struct stat st;
    int ret = 0;

    if (fstat(fd, &st) < 0) {
        error_setg_errno(errp, errno, "Could not stat file");
        return -errno;
    }
    if (prealloc == PREALLOC_MODE_METADATA) {
        error_setg(errp, "Unsupported preallocation mode: metadata");
        return -ENOTSUP;
    }
    if (ftruncate(fd, size) < 0) {
        ret = -errno;
        error_setg_errno(errp, -ret, "Could not resize file");
        return ret;
    }
    if (size > st.st_size && prealloc == PREALLOC_MODE_FALLOC) {
        ret = -posix_fallocate(fd, st.st_size, size - st.st_size);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not preallocate new data");
        }
    } else if (size > st.st_size && prealloc == PREALLOC_MODE_FULL) {
        ret = write_zero_bytes(fd, st.st_size, size);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not write zeros for preallocation");
        }
    }
    return ret;
}

static int coroutine_fn raw_co_truncate(BlockDriverState *bs, int64_t offset, bool exact,
                                        PreallocMode prealloc, BdrvRequestFlags flags,
                                        Error **errp)
{
    BDRVRawState *s = bs->opaque;

    return raw_regular_truncate(s->fd, offset, prealloc, errp);
}

/* ---- create ---- */

static const QemuOptDesc raw_create_opts[] = {
    { "size", QEMU_OPT_SIZE, "Virtual disk size" },
    { "preallocation", QEMU_OPT_STRING,
      "Preallocation mode (allowed values: off, falloc, full)" },
    { "nocow", QEMU_OPT_BOOL, "Turn off copy-on-write (valid only on btrfs)" },
    { "extent_size_hint", QEMU_OPT_SIZE, "Extent size hint for the image file, 0 to disable" },
    { NULL },
};

static int raw_create(BlockDriver *drv, const char *filename, QemuOpts *opts, Error **errp)
{
    uint64_t size = qemu_opt_get_size(opts, "size", 0, errp);
    const char *mode = qemu_opt_get(opts, "preallocation");
    PreallocMode prealloc = PREALLOC_MODE_OFF;
    int fd, ret, i;

    size = (size + BDRV_SECTOR_SIZE - 1) & ~(BDRV_SECTOR_SIZE - 1);
    if (mode) {
        for (i = 0; i < PREALLOC_MODE__MAX && strcmp(PreallocMode_str[i], mode); i++) {
        }
        if (i == PREALLOC_MODE__MAX || i == PREALLOC_MODE_METADATA) {
            error_setg(errp, "Unsupported preallocation mode '%s'", mode);
            return -EINVAL;
        }
        prealloc = i;
    }
    fd = open(filename, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        ret = -errno;
        error_setg_errno(errp, -ret, "Could not create '%s'", filename);
        return ret;
    }
    ret = raw_regular_truncate(fd, 0, PREALLOC_MODE_OFF, errp);
    if (ret == 0) {
        ret = raw_regular_truncate(fd, size, prealloc, errp);
    }
    /* QEMU allocates the first block so that O_DIRECT probing works on sparse files */
    if (ret == 0 && prealloc == PREALLOC_MODE_OFF && size) {
        ret = write_zero_bytes(fd, 0, MIN(size, 4096));
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not write to the new file");
        }
    }
    if (close(fd) < 0 && ret == 0) {
        ret = -errno;
        error_setg_errno(errp, -ret, "Could not close the new file");
    }
    return ret;
}

BlockDriver bdrv_file = {
    .protocol_name = "file",
    .instance_size = sizeof(BDRVRawState),
    .runtime_opts = raw_runtime_opts,
    .bdrv_open = raw_open,
    .bdrv_close = raw_close,
    .bdrv_reopen = raw_reopen,
    .bdrv_refresh_limits = raw_refresh_limits,
    .bdrv_set_perm = raw_set_perm,
    .bdrv_co_preadv = raw_co_preadv,
    .bdrv_co_pwritev = raw_co_pwritev,
    .bdrv_co_flush_to_disk = raw_co_flush_to_disk,
    .bdrv_co_pdiscard = raw_co_pdiscard,
    .bdrv_co_pwrite_zeroes = raw_co_pwrite_zeroes,
    .bdrv_co_block_status = raw_co_block_status,
    .bdrv_co_truncate = raw_co_truncate,
    .bdrv_getlength = raw_getlength,
    .bdrv_get_allocated_file_size = raw_get_allocated_file_size,
    .bdrv_create = raw_create,
    .create_opts = raw_create_opts,
};

block_init(bdrv_file_init)
{
    bdrv_register(&bdrv_file);
}
