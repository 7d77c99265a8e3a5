/*
 * The event loop: fd handlers, bottom halves, timers and event notifiers,
 * grouped in an AioContext.  The main loop is one AioContext run by the
 * main thread with the big lock (BQL) held except while it sleeps in
 * poll(); block-layer tools run the same context in aio_poll() loops.
 *
 * Threading: fd handlers and timers are added, changed and run in the
 * context's own thread.  qemu_bh_schedule(), aio_bh_schedule_oneshot(),
 * aio_notify() and event_notifier_set() may be called from any thread.
 */
#ifndef QEMU_MAIN_LOOP_H
#define QEMU_MAIN_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "qemu/error.h"

typedef struct AioContext AioContext;
typedef struct QEMUBH QEMUBH;
typedef struct QEMUTimer QEMUTimer;
typedef struct EventNotifier EventNotifier;

typedef void IOHandler(void *opaque);
typedef void QEMUBHFunc(void *opaque);
typedef void QEMUTimerCB(void *opaque);
typedef void EventNotifierHandler(EventNotifier *e);

typedef enum QEMUClockType {
    QEMU_CLOCK_REALTIME,    /* monotonic host time; runs even while the VM is stopped */
    QEMU_CLOCK_VIRTUAL,     /* guest time: stops with the VM; qtest steps it by hand */
    QEMU_CLOCK_HOST,        /* wall-clock time (RTC); can jump */
    QEMU_CLOCK_MAX
} QEMUClockType;

#define SCALE_NS 1
#define SCALE_US 1000
#define SCALE_MS 1000000

/* ---- contexts ---- */
AioContext *qemu_get_aio_context(void);     /* the main loop's context */
AioContext *aio_context_new(Error **errp);
void aio_context_unref(AioContext *ctx);

/*
 * Run handlers that are ready; with @blocking, sleep until something is.
 * Returns true if any handler, bottom half or timer ran.
 */
bool aio_poll(AioContext *ctx, bool blocking);
void aio_notify(AioContext *ctx);

/* Watch @fd; NULL for both handlers removes it. */
void aio_set_fd_handler(AioContext *ctx, int fd, IOHandler *io_read,
                        IOHandler *io_write, void *opaque);

/* ---- bottom halves ---- */
QEMUBH *aio_bh_new(AioContext *ctx, QEMUBHFunc *cb, void *opaque);
QEMUBH *qemu_bh_new(QEMUBHFunc *cb, void *opaque);     /* in the main context */
void qemu_bh_schedule(QEMUBH *bh);
void qemu_bh_cancel(QEMUBH *bh);
void qemu_bh_delete(QEMUBH *bh);
void aio_bh_schedule_oneshot(AioContext *ctx, QEMUBHFunc *cb, void *opaque);

/* ---- timers ---- */
int64_t qemu_clock_get_ns(QEMUClockType type);
static inline int64_t qemu_clock_get_ms(QEMUClockType type)
{
    return qemu_clock_get_ns(type) / SCALE_MS;
}

QEMUTimer *aio_timer_new(AioContext *ctx, QEMUClockType type, int scale,
                         QEMUTimerCB *cb, void *opaque);
QEMUTimer *timer_new_ns(QEMUClockType type, QEMUTimerCB *cb, void *opaque);
QEMUTimer *timer_new_ms(QEMUClockType type, QEMUTimerCB *cb, void *opaque);
/* Expire at @expire_time in the timer's scale (absolute clock value). */
void timer_mod(QEMUTimer *t, int64_t expire_time);
void timer_del(QEMUTimer *t);
void timer_free(QEMUTimer *t);
bool timer_pending(const QEMUTimer *t);
int64_t timer_expire_time_ns(const QEMUTimer *t);

/*
 * The virtual clock.  Normally it follows QEMU_CLOCK_REALTIME minus the
 * time the VM spent stopped.  In manual mode (qtest) it only moves when
 * qemu_clock_advance_virtual() is called.
 */
void qemu_clock_set_virtual_manual(bool manual);
void qemu_clock_virtual_pause(bool paused);
/* Earliest pending virtual-clock deadline, in ns from now; -1 if none. */
int64_t qemu_clock_deadline_ns_all(QEMUClockType type);
/* Manual mode: move the clock to @dest_ns, running timers in deadline order. */
void qemu_clock_advance_virtual(int64_t dest_ns);

/* ---- event notifiers (eventfd) ---- */
struct EventNotifier {
    int rfd;
    int wfd;
};
int event_notifier_init(EventNotifier *e, int active);
void event_notifier_cleanup(EventNotifier *e);
int event_notifier_set(EventNotifier *e);
int event_notifier_test_and_clear(EventNotifier *e);
static inline int event_notifier_get_fd(const EventNotifier *e)
{
    return e->rfd;
}
/* Call @handler in @ctx's thread whenever @e is set; NULL removes it. */
void aio_set_event_notifier(AioContext *ctx, EventNotifier *e, EventNotifierHandler *handler);

/* ---- the main loop and the big lock ---- */
void qemu_mutex_lock_iothread(void);
void qemu_mutex_unlock_iothread(void);
bool qemu_mutex_iothread_locked(void);
/* Wait on @cond with the BQL as its mutex (held on entry and return). */
void qemu_cond_wait_iothread(GCond *cond);
/* One iteration of the main loop; drops the BQL while sleeping. */
void main_loop_wait(bool nonblocking);
void qemu_notify_event(void);

#endif
