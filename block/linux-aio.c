/*
 * aio=native: Linux AIO (include/block/raw-aio.h).  Requests from one
 * main-loop iteration go out in one io_submit(); completions arrive on an
 * eventfd and are reaped without waiting.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <libaio.h>
#include <glib.h>

#include "block/raw-aio.h"
#include "qemu/main-loop.h"

#define MAX_EVENTS 1024
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

typedef struct LaioRequest {
    struct iocb iocb;
    Coroutine *co;
    long ret;
} LaioRequest;

struct LinuxAioState {
    io_context_t ctx;
    EventNotifier e;
    struct iocb *pending[MAX_EVENTS];
    int npending;
    int in_flight;
    QEMUBH *submit_bh;
};

static LinuxAioState *laio_state;

static void laio_submit_pending(LinuxAioState *s)
{
    int done = 0;

    while (done < s->npending) {
        int ret = io_submit(s->ctx, s->npending - done, s->pending + done);

        if (ret == -EAGAIN || ret == 0) {
            /* the kernel queue is full: retry after completions drain it */
            break;
        }
        if (ret < 0) {
            /* fail the first request and go on with the rest */
            LaioRequest *req = (LaioRequest *)s->pending[done];

            req->ret = ret;
            s->in_flight--;
            aio_co_wake(req->co);
            done++;
            continue;
        }
        done += ret;
    }
    s->npending -= done;
    memmove(s->pending, s->pending + done, s->npending * sizeof(s->pending[0]));
}

static void laio_submit_bh(void *opaque)
{
    laio_submit_pending(opaque);
}

static void laio_completion_cb(EventNotifier *e)
{
    LinuxAioState *s = container_of(e, LinuxAioState, e);
    struct io_event events[64];
    struct timespec ts = { 0, 0 };
    int n, i;

    event_notifier_test_and_clear(e);
    do {
        n = io_getevents(s->ctx, 0, G_N_ELEMENTS(events), events, &ts);
        for (i = 0; i < n; i++) {
            LaioRequest *req = (LaioRequest *)events[i].obj;

            req->ret = (long)events[i].res;
            s->in_flight--;
            qemu_coroutine_enter(req->co);
        }
    } while (n == (int)G_N_ELEMENTS(events));
    if (s->npending) {
        laio_submit_pending(s);
    }
}

LinuxAioState *laio_get(Error **errp)
{
    LinuxAioState *s;
    int ret;

    if (laio_state) {
        return laio_state;
    }
    s = g_new0(LinuxAioState, 1);
    if (event_notifier_init(&s->e, false) < 0) {
        error_setg_errno(errp, errno, "Unable to use native AIO: failed to create eventfd");
        g_free(s);
        return NULL;
    }
    ret = io_setup(MAX_EVENTS, &s->ctx);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Unable to use native AIO: failed to create linux AIO "
                         "context");
        event_notifier_cleanup(&s->e);
        g_free(s);
        return NULL;
    }
    s->submit_bh = qemu_bh_new(laio_submit_bh, s);
    aio_set_event_notifier(qemu_get_aio_context(), &s->e, laio_completion_cb);
    laio_state = s;
    return s;
}

int coroutine_fn laio_co_submit(LinuxAioState *s, int fd, int64_t offset, QEMUIOVector *qiov,
                                int type, int rw_flags)
{
    LaioRequest req = { .co = qemu_coroutine_self() };

    if (type == QEMU_AIO_WRITE) {
        io_prep_pwritev2(&req.iocb, fd, qiov->iov, qiov->niov, offset, rw_flags);
    } else if (type == QEMU_AIO_READ) {
        io_prep_preadv2(&req.iocb, fd, qiov->iov, qiov->niov, offset, rw_flags);
    } else {
        return -EINVAL;
    }
    io_set_eventfd(&req.iocb, event_notifier_get_fd(&s->e));
    if (s->npending == MAX_EVENTS) {
        laio_submit_pending(s);
        if (s->npending == MAX_EVENTS) {
            return -EAGAIN;
        }
    }
    s->pending[s->npending++] = &req.iocb;
    s->in_flight++;
    qemu_bh_schedule(s->submit_bh);
    qemu_coroutine_yield();
    return req.ret;
}
