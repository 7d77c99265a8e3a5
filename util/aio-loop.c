/*
 * AioContext: a poll(2) loop over fd handlers, bottom halves and timers
 * (include/qemu/main-loop.h).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "qemu/main-loop.h"

typedef struct AioHandler {
    int fd;
    IOHandler *io_read;
    IOHandler *io_write;
    void *opaque;
    bool deleted;
} AioHandler;

struct QEMUBH {
    AioContext *ctx;
    QEMUBHFunc *cb;
    void *opaque;
    bool scheduled;
    bool deleted;
    bool oneshot;
};

struct QEMUTimer {
    AioContext *ctx;
    QEMUClockType type;
    int scale;
    QEMUTimerCB *cb;
    void *opaque;
    int64_t expire_ns;      /* -1 when not pending */
};

struct AioContext {
    GMutex bh_lock;         /* bh list and scheduled flags: any thread */
    GPtrArray *bhs;
    GPtrArray *handlers;    /* AioHandler, context thread only */
    GPtrArray *timers;      /* QEMUTimer, pending ones, context thread only */
    EventNotifier notifier;
    int walking;            /* nesting depth of handler dispatch */
    int refcnt;
    int sleeping;           /* a thread is (about to be) blocked in poll(); atomic */
};

static AioContext *main_ctx;
static GMutex contexts_lock;
static GPtrArray *contexts;

static void notifier_drain(void *opaque)
{
    event_notifier_test_and_clear(opaque);
}

AioContext *aio_context_new(Error **errp)
{
    AioContext *ctx = g_new0(AioContext, 1);

    if (event_notifier_init(&ctx->notifier, 0) < 0) {
        error_setg_errno(errp, errno, "Failed to initialize event notifier");
        g_free(ctx);
        return NULL;
    }
    g_mutex_init(&ctx->bh_lock);
    ctx->bhs = g_ptr_array_new();
    ctx->handlers = g_ptr_array_new_with_free_func(g_free);
    ctx->timers = g_ptr_array_new();
    ctx->refcnt = 1;
    aio_set_fd_handler(ctx, ctx->notifier.rfd, notifier_drain, NULL, &ctx->notifier);
    g_mutex_lock(&contexts_lock);
    if (!contexts) {
        contexts = g_ptr_array_new();
    }
    g_ptr_array_add(contexts, ctx);
    g_mutex_unlock(&contexts_lock);
    return ctx;
}

void aio_context_unref(AioContext *ctx)
{
    if (--ctx->refcnt) {
        return;
    }
    g_mutex_lock(&contexts_lock);
    g_ptr_array_remove(contexts, ctx);
    g_mutex_unlock(&contexts_lock);
    for (guint i = 0; i < ctx->bhs->len; i++) {
        g_free(g_ptr_array_index(ctx->bhs, i));
    }
    g_ptr_array_free(ctx->bhs, TRUE);
    g_ptr_array_free(ctx->handlers, TRUE);
    g_ptr_array_free(ctx->timers, TRUE);
    event_notifier_cleanup(&ctx->notifier);
    g_mutex_clear(&ctx->bh_lock);
    g_free(ctx);
}

AioContext *qemu_get_aio_context(void)
{
    static gsize once;

    if (g_once_init_enter(&once)) {
        main_ctx = aio_context_new(&error_abort);
        g_once_init_leave(&once, 1);
    }
    return main_ctx;
}

void aio_notify(AioContext *ctx)
{
    event_notifier_set(&ctx->notifier);
}

void qemu_notify_event(void)
{
    aio_notify(qemu_get_aio_context());
}

/* ---- fd handlers ---- */

static AioHandler *find_handler(AioContext *ctx, int fd)
{
    for (guint i = 0; i < ctx->handlers->len; i++) {
        AioHandler *h = g_ptr_array_index(ctx->handlers, i);

        if (h->fd == fd && !h->deleted) {
            return h;
        }
    }
    return NULL;
}

void aio_set_fd_handler(AioContext *ctx, int fd, IOHandler *io_read,
                        IOHandler *io_write, void *opaque)
{
    AioHandler *h = find_handler(ctx, fd);

    if (!io_read && !io_write) {
        if (h) {
            /* Freed after dispatch: a handler may remove itself while running. */
            h->deleted = true;
            if (!ctx->walking) {
                g_ptr_array_remove(ctx->handlers, h);
            }
        }
        return;
    }
    if (!h) {
        h = g_new0(AioHandler, 1);
        h->fd = fd;
        g_ptr_array_add(ctx->handlers, h);
    }
    h->io_read = io_read;
    h->io_write = io_write;
    h->opaque = opaque;
}

typedef struct NotifierBinding {
    EventNotifier *e;
    EventNotifierHandler *handler;
} NotifierBinding;

static GHashTable *notifier_bindings;

static void notifier_binding_dispatch(void *opaque)
{
    NotifierBinding *b = opaque;

    b->handler(b->e);
}

void aio_set_event_notifier(AioContext *ctx, EventNotifier *e, EventNotifierHandler *handler)
{
    NotifierBinding *b;

    if (!notifier_bindings) {
        notifier_bindings = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    }
    if (!handler) {
        aio_set_fd_handler(ctx, e->rfd, NULL, NULL, NULL);
        g_hash_table_remove(notifier_bindings, e);
        return;
    }
    b = g_new0(NotifierBinding, 1);
    b->e = e;
    b->handler = handler;
    g_hash_table_replace(notifier_bindings, e, b);
    aio_set_fd_handler(ctx, e->rfd, notifier_binding_dispatch, NULL, b);
}

/* ---- bottom halves ---- */

QEMUBH *aio_bh_new(AioContext *ctx, QEMUBHFunc *cb, void *opaque)
{
    QEMUBH *bh = g_new0(QEMUBH, 1);

    bh->ctx = ctx;
    bh->cb = cb;
    bh->opaque = opaque;
    g_mutex_lock(&ctx->bh_lock);
    g_ptr_array_add(ctx->bhs, bh);
    g_mutex_unlock(&ctx->bh_lock);
    return bh;
}

QEMUBH *qemu_bh_new(QEMUBHFunc *cb, void *opaque)
{
    return aio_bh_new(qemu_get_aio_context(), cb, opaque);
}

void qemu_bh_schedule(QEMUBH *bh)
{
    AioContext *ctx = bh->ctx;
    bool notify;

    g_mutex_lock(&ctx->bh_lock);
    notify = !bh->scheduled;
    bh->scheduled = true;
    g_mutex_unlock(&ctx->bh_lock);
    /*
     * Only a loop blocked in poll() needs the eventfd kick; a running one
     * checks for BHs before it blocks (see aio_poll).  Pairs with the
     * fence there.
     */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (notify && g_atomic_int_get(&ctx->sleeping)) {
        aio_notify(ctx);
    }
}

void qemu_bh_cancel(QEMUBH *bh)
{
    g_mutex_lock(&bh->ctx->bh_lock);
    bh->scheduled = false;
    g_mutex_unlock(&bh->ctx->bh_lock);
}

void qemu_bh_delete(QEMUBH *bh)
{
    g_mutex_lock(&bh->ctx->bh_lock);
    bh->scheduled = false;
    bh->deleted = true;
    g_mutex_unlock(&bh->ctx->bh_lock);
}

void aio_bh_schedule_oneshot(AioContext *ctx, QEMUBHFunc *cb, void *opaque)
{
    QEMUBH *bh = aio_bh_new(ctx, cb, opaque);

    bh->oneshot = true;
    qemu_bh_schedule(bh);
}

static bool bh_pending(AioContext *ctx)
{
    bool pending = false;

    g_mutex_lock(&ctx->bh_lock);
    for (guint i = 0; i < ctx->bhs->len && !pending; i++) {
        QEMUBH *bh = g_ptr_array_index(ctx->bhs, i);

        pending = bh->scheduled && !bh->deleted;
    }
    g_mutex_unlock(&ctx->bh_lock);
    return pending;
}

static bool bh_poll(AioContext *ctx)
{
    bool progress = false;
    GPtrArray *run = g_ptr_array_new();

    /* Take the scheduled ones first so a BH that reschedules itself runs next round. */
    g_mutex_lock(&ctx->bh_lock);
    for (guint i = 0; i < ctx->bhs->len; i++) {
        QEMUBH *bh = g_ptr_array_index(ctx->bhs, i);

        if (bh->scheduled && !bh->deleted) {
            bh->scheduled = false;
            if (bh->oneshot) {
                bh->deleted = true;
            }
            g_ptr_array_add(run, bh);
        }
    }
    g_mutex_unlock(&ctx->bh_lock);

    for (guint i = 0; i < run->len; i++) {
        QEMUBH *bh = g_ptr_array_index(run, i);

        bh->cb(bh->opaque);
        progress = true;
    }
    g_ptr_array_free(run, TRUE);

    if (!ctx->walking) {
        g_mutex_lock(&ctx->bh_lock);
        for (guint i = 0; i < ctx->bhs->len;) {
            QEMUBH *bh = g_ptr_array_index(ctx->bhs, i);

            if (bh->deleted) {
                g_ptr_array_remove_index_fast(ctx->bhs, i);
                g_free(bh);
            } else {
                i++;
            }
        }
        g_mutex_unlock(&ctx->bh_lock);
    }
    return progress;
}

/* ---- timers ---- */

QEMUTimer *aio_timer_new(AioContext *ctx, QEMUClockType type, int scale,
                         QEMUTimerCB *cb, void *opaque)
{
    QEMUTimer *t = g_new0(QEMUTimer, 1);

    t->ctx = ctx;
    t->type = type;
    t->scale = scale;
    t->cb = cb;
    t->opaque = opaque;
    t->expire_ns = -1;
    return t;
}

QEMUTimer *timer_new_ns(QEMUClockType type, QEMUTimerCB *cb, void *opaque)
{
    return aio_timer_new(qemu_get_aio_context(), type, SCALE_NS, cb, opaque);
}

QEMUTimer *timer_new_ms(QEMUClockType type, QEMUTimerCB *cb, void *opaque)
{
    return aio_timer_new(qemu_get_aio_context(), type, SCALE_MS, cb, opaque);
}

void timer_mod(QEMUTimer *t, int64_t expire_time)
{
    int64_t ns = expire_time * t->scale;

    if (ns < 0) {
        ns = 0;
    }
    if (t->expire_ns < 0) {
        g_ptr_array_add(t->ctx->timers, t);
    }
    t->expire_ns = ns;
    aio_notify(t->ctx);
}

void timer_del(QEMUTimer *t)
{
    if (t->expire_ns >= 0) {
        g_ptr_array_remove(t->ctx->timers, t);
        t->expire_ns = -1;
    }
}

void timer_free(QEMUTimer *t)
{
    if (t) {
        timer_del(t);
        g_free(t);
    }
}

bool timer_pending(const QEMUTimer *t)
{
    return t->expire_ns >= 0;
}

int64_t timer_expire_time_ns(const QEMUTimer *t)
{
    return t->expire_ns;
}

/* Run the expired timers of one clock; returns true if any ran. */
static bool timers_run(AioContext *ctx, QEMUClockType type)
{
    bool progress = false;

    for (;;) {
        int64_t now = qemu_clock_get_ns(type);
        QEMUTimer *first = NULL;

        for (guint i = 0; i < ctx->timers->len; i++) {
            QEMUTimer *t = g_ptr_array_index(ctx->timers, i);

            if (t->type == type && t->expire_ns <= now &&
                (!first || t->expire_ns < first->expire_ns)) {
                first = t;
            }
        }
        if (!first) {
            return progress;
        }
        timer_del(first);
        first->cb(first->opaque);
        progress = true;
    }
}

static int64_t ctx_deadline_ns(AioContext *ctx, QEMUClockType type)
{
    int64_t best = -1;
    int64_t now = qemu_clock_get_ns(type);

    for (guint i = 0; i < ctx->timers->len; i++) {
        QEMUTimer *t = g_ptr_array_index(ctx->timers, i);

        if (t->type == type) {
            int64_t d = t->expire_ns > now ? t->expire_ns - now : 0;

            best = best < 0 || d < best ? d : best;
        }
    }
    return best;
}

int64_t qemu_clock_deadline_ns_all(QEMUClockType type)
{
    int64_t best = -1;

    g_mutex_lock(&contexts_lock);
    for (guint i = 0; contexts && i < contexts->len; i++) {
        int64_t d = ctx_deadline_ns(g_ptr_array_index(contexts, i), type);

        if (d >= 0 && (best < 0 || d < best)) {
            best = d;
        }
    }
    g_mutex_unlock(&contexts_lock);
    return best;
}

static bool virtual_manual;
static bool virtual_paused;
static int64_t virtual_manual_ns;
static int64_t virtual_offset_ns;   /* realtime - virtual, while running */
static int64_t virtual_paused_at;

static int64_t realtime_ns(void)
{
    return g_get_monotonic_time() * 1000;
}

int64_t qemu_clock_get_ns(QEMUClockType type)
{
    switch (type) {
    case QEMU_CLOCK_REALTIME:
        return realtime_ns();
    case QEMU_CLOCK_VIRTUAL:
        if (virtual_manual) {
            return virtual_manual_ns;
        }
        if (virtual_paused) {
            return virtual_paused_at;
        }
        return realtime_ns() - virtual_offset_ns;
    case QEMU_CLOCK_HOST:
    default:
        return g_get_real_time() * 1000;
    }
}

void qemu_clock_set_virtual_manual(bool manual)
{
    virtual_manual = manual;
    virtual_manual_ns = 0;
}

void qemu_clock_virtual_pause(bool paused)
{
    if (paused == virtual_paused || virtual_manual) {
        virtual_paused = paused;
        return;
    }
    if (paused) {
        virtual_paused_at = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    } else {
        virtual_offset_ns = realtime_ns() - virtual_paused_at;
    }
    virtual_paused = paused;
}

void qemu_clock_advance_virtual(int64_t dest_ns)
{
    g_assert(virtual_manual);
    for (;;) {
        int64_t d = qemu_clock_deadline_ns_all(QEMU_CLOCK_VIRTUAL);

        if (d < 0 || virtual_manual_ns + d > dest_ns) {
            break;
        }
        virtual_manual_ns += d;
        g_mutex_lock(&contexts_lock);
        GPtrArray *snap = g_ptr_array_copy(contexts, NULL, NULL);
        g_mutex_unlock(&contexts_lock);
        for (guint i = 0; i < snap->len; i++) {
            timers_run(g_ptr_array_index(snap, i), QEMU_CLOCK_VIRTUAL);
        }
        g_ptr_array_free(snap, TRUE);
    }
    if (dest_ns > virtual_manual_ns) {
        virtual_manual_ns = dest_ns;
    }
}

/* ---- polling ---- */

static bool in_main_loop_wait;

bool aio_poll(AioContext *ctx, bool blocking)
{
    g_autofree struct pollfd *pfds = NULL;
    g_autofree AioHandler **hs = NULL;
    bool progress;
    int timeout = -1;
    guint n = 0;
    int ret;

    progress = bh_poll(ctx);
    if (progress) {
        blocking = false;
    }
    for (QEMUClockType type = 0; type < QEMU_CLOCK_MAX; type++) {
        progress |= timers_run(ctx, type);
    }
    if (progress || bh_pending(ctx)) {
        blocking = false;
    }

    if (blocking) {
        for (QEMUClockType type = 0; type < QEMU_CLOCK_MAX; type++) {
            int64_t d;

            if (type == QEMU_CLOCK_VIRTUAL && (virtual_manual || virtual_paused)) {
                continue;
            }
            d = ctx_deadline_ns(ctx, type);
            if (d >= 0) {
                int ms = (int)MIN((d + SCALE_MS - 1) / SCALE_MS, G_MAXINT);

                timeout = timeout < 0 || ms < timeout ? ms : timeout;
            }
        }
    } else {
        timeout = 0;
    }

    pfds = g_new0(struct pollfd, ctx->handlers->len);
    hs = g_new0(AioHandler *, ctx->handlers->len);
    for (guint i = 0; i < ctx->handlers->len; i++) {
        AioHandler *h = g_ptr_array_index(ctx->handlers, i);

        if (h->deleted) {
            continue;
        }
        pfds[n].fd = h->fd;
        pfds[n].events = (h->io_read ? POLLIN : 0) | (h->io_write ? POLLOUT : 0);
        hs[n++] = h;
    }

    if (timeout != 0) {
        g_atomic_int_set(&ctx->sleeping, 1);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (bh_pending(ctx)) {
            timeout = 0;    /* scheduled since we looked, without a kick */
        }
    }
    if (timeout != 0 && ctx == main_ctx && in_main_loop_wait) {
        qemu_mutex_unlock_iothread();
        ret = poll(pfds, n, timeout);
        qemu_mutex_lock_iothread();
    } else {
        ret = poll(pfds, n, timeout);
    }
    g_atomic_int_set(&ctx->sleeping, 0);

    if (ret > 0) {
        ctx->walking++;
        for (guint i = 0; i < n; i++) {
            AioHandler *h = hs[i];
            short ev = pfds[i].revents;

            if (h->deleted || !ev) {
                continue;
            }
            if ((ev & (POLLIN | POLLHUP | POLLERR)) && h->io_read) {
                h->io_read(h->opaque);
                if (h->opaque != &ctx->notifier) {
                    progress = true;
                }
            }
            if ((ev & (POLLOUT | POLLHUP | POLLERR)) && h->io_write && !h->deleted) {
                h->io_write(h->opaque);
                progress = true;
            }
        }
        ctx->walking--;
        if (!ctx->walking) {
            for (guint i = 0; i < ctx->handlers->len;) {
                AioHandler *h = g_ptr_array_index(ctx->handlers, i);

                if (h->deleted) {
                    g_ptr_array_remove_index_fast(ctx->handlers, i);
                } else {
                    i++;
                }
            }
        }
    }

    progress |= bh_poll(ctx);
    for (QEMUClockType type = 0; type < QEMU_CLOCK_MAX; type++) {
        progress |= timers_run(ctx, type);
    }
    return progress;
}

/* ---- main loop and BQL ---- */

static GMutex bql;
static __thread bool bql_held;

void qemu_mutex_lock_iothread(void)
{
    g_assert(!bql_held);
    g_mutex_lock(&bql);
    bql_held = true;
}

void qemu_mutex_unlock_iothread(void)
{
    g_assert(bql_held);
    bql_held = false;
    g_mutex_unlock(&bql);
}

bool qemu_mutex_iothread_locked(void)
{
    return bql_held;
}

void qemu_cond_wait_iothread(GCond *cond)
{
    g_assert(bql_held);
    bql_held = false;
    g_cond_wait(cond, &bql);
    bql_held = true;
}

void main_loop_wait(bool nonblocking)
{
    in_main_loop_wait = true;
    aio_poll(qemu_get_aio_context(), !nonblocking);
    in_main_loop_wait = false;
}
