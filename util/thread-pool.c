/*
 * The main context's worker pool (include/block/thread-pool.h).
 *
 * Workers are started on demand up to THREAD_POOL_MAX (QEMU's default
 * of 64 per context) and exit after idling.  A finished request is put
 * on a done list and one bottom half resumes every finished coroutine.
 */
#include <errno.h>
#include <glib.h>

#include "block/thread-pool.h"
#include "qemu/main-loop.h"

#define THREAD_POOL_MAX 64
#define IDLE_TIMEOUT_US (10 * G_USEC_PER_SEC)

typedef struct ThreadPoolElement {
    ThreadPoolFunc *func;
    void *arg;
    Coroutine *co;
    int ret;
    struct ThreadPoolElement *next;
} ThreadPoolElement;

typedef struct ThreadPool {
    GMutex lock;
    GCond request_cond;
    ThreadPoolElement *req_head, *req_tail;    /* waiting for a worker */
    ThreadPoolElement *done_head, *done_tail;  /* finished, not yet resumed, FIFO */
    int nthreads, idle;
    int nqueued;                               /* on the request list */
    QEMUBH *completion_bh;
} ThreadPool;

static ThreadPool *pool;

static gpointer worker_thread(gpointer opaque)
{
    ThreadPool *p = opaque;

    g_mutex_lock(&p->lock);
    for (;;) {
        ThreadPoolElement *req;

        while (!p->req_head) {
            gint64 deadline = g_get_monotonic_time() + IDLE_TIMEOUT_US;

            p->idle++;
            if (!g_cond_wait_until(&p->request_cond, &p->lock, deadline) && !p->req_head) {
                p->idle--;
                p->nthreads--;
                g_mutex_unlock(&p->lock);
                return NULL;
            }
            p->idle--;
        }
        req = p->req_head;
        p->nqueued--;
        p->req_head = req->next;
        if (!p->req_head) {
            p->req_tail = NULL;
        }
        g_mutex_unlock(&p->lock);

        req->ret = req->func(req->arg);

        g_mutex_lock(&p->lock);
        req->next = NULL;
        if (p->done_tail) {
            p->done_tail->next = req;
        } else {
            p->done_head = req;
        }
        p->done_tail = req;
        qemu_bh_schedule(p->completion_bh);
    }
}

static void completion_bh(void *opaque)
{
    ThreadPool *p = opaque;
    ThreadPoolElement *list;

    g_mutex_lock(&p->lock);
    list = p->done_head;
    p->done_head = p->done_tail = NULL;
    g_mutex_unlock(&p->lock);
    while (list) {
        ThreadPoolElement *req = list;

        list = req->next;
        qemu_coroutine_enter(req->co);
    }
}

static ThreadPool *thread_pool_get(void)
{
    if (!pool) {
        pool = g_new0(ThreadPool, 1);
        g_mutex_init(&pool->lock);
        g_cond_init(&pool->request_cond);
        pool->completion_bh = qemu_bh_new(completion_bh, pool);
    }
    return pool;
}

int coroutine_fn thread_pool_submit_co(ThreadPoolFunc *func, void *arg)
{
    ThreadPool *p = thread_pool_get();
    ThreadPoolElement req = {
        .func = func, .arg = arg, .co = qemu_coroutine_self(), .ret = -EINPROGRESS,
    };

    g_assert(qemu_in_coroutine());
    g_mutex_lock(&p->lock);
    if (p->req_tail) {
        p->req_tail->next = &req;
    } else {
        p->req_head = &req;
    }
    p->req_tail = &req;
    p->nqueued++;
    /* idle workers may not have woken for earlier requests yet */
    if (p->nqueued > p->idle && p->nthreads < THREAD_POOL_MAX) {
        GThread *t = g_thread_new("worker", worker_thread, p);

        g_thread_unref(t);
        p->nthreads++;
    }
    g_cond_signal(&p->request_cond);
    g_mutex_unlock(&p->lock);
    qemu_coroutine_yield();
    return req.ret;
}
