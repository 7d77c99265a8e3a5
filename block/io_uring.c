/*
 * aio=io_uring (include/block/raw-aio.h).  SQEs queued during one
 * main-loop iteration are submitted together by a bottom half; the ring fd
 * becomes readable when completions are ready and they are reaped from
 * the shared ring without a system call.
 */
#include <errno.h>
#include <liburing.h>
#include <glib.h>

#include "block/raw-aio.h"
#include "qemu/main-loop.h"

#define MAX_ENTRIES 128

typedef struct LuringRequest {
    Coroutine *co;
    int ret;
} LuringRequest;

struct LuringState {
    struct io_uring ring;
    unsigned queued;            /* SQEs prepared but not submitted */
    QEMUBH *submit_bh;
};

static LuringState *luring_state;

static void luring_submit(LuringState *s)
{
    while (s->queued) {
        int ret = io_uring_submit(&s->ring);

        if (ret == -EINTR || ret == -EAGAIN) {
            continue;
        }
        if (ret < 0) {
            break;
        }
        s->queued -= MIN((unsigned)ret, s->queued);
        if (ret == 0) {
            break;
        }
    }
}

static void luring_submit_bh(void *opaque)
{
    luring_submit(opaque);
}

static void luring_completion_cb(void *opaque)
{
    LuringState *s = opaque;
    struct io_uring_cqe *cqe;

    while (io_uring_peek_cqe(&s->ring, &cqe) == 0 && cqe) {
        LuringRequest *req = io_uring_cqe_get_data(cqe);

        req->ret = cqe->res;
        io_uring_cqe_seen(&s->ring, cqe);
        qemu_coroutine_enter(req->co);
    }
}

LuringState *luring_get(Error **errp)
{
    LuringState *s;
    int ret;

    if (luring_state) {
        return luring_state;
    }
    s = g_new0(LuringState, 1);
    ret = io_uring_queue_init(MAX_ENTRIES, &s->ring, 0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Unable to use io_uring: failed to init linux io_uring "
                         "ring");
        g_free(s);
        return NULL;
    }
    s->submit_bh = qemu_bh_new(luring_submit_bh, s);
    aio_set_fd_handler(qemu_get_aio_context(), s->ring.ring_fd, luring_completion_cb, NULL, s);
    luring_state = s;
    return s;
}

int coroutine_fn luring_co_submit(LuringState *s, int fd, int64_t offset, QEMUIOVector *qiov,
                                  int type, int rw_flags)
{
    LuringRequest req = { .co = qemu_coroutine_self() };
    struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);

    if (!sqe) {
        /* the submission ring is full: push it to the kernel and retry once */
        luring_submit(s);
        sqe = io_uring_get_sqe(&s->ring);
        if (!sqe) {
            return -EAGAIN;
        }
    }
    switch (type) {
    case QEMU_AIO_WRITE:
        io_uring_prep_writev(sqe, fd, qiov->iov, qiov->niov, offset);
        sqe->rw_flags = rw_flags;
        break;
    case QEMU_AIO_READ:
        io_uring_prep_readv(sqe, fd, qiov->iov, qiov->niov, offset);
        break;
    case QEMU_AIO_FLUSH:
        io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
        break;
    default:
        return -EINVAL;
    }
    io_uring_sqe_set_data(sqe, &req);
    s->queued++;
    qemu_bh_schedule(s->submit_bh);
    qemu_coroutine_yield();
    return req.ret;
}
