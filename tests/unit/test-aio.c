/*
 * util/aio-loop.c: bottom halves, fd handlers, timers, notifiers, virtual clock.
 */
#include <glib.h>
#include <unistd.h>

#include "qemu/main-loop.h"

static void count_cb(void *opaque)
{
    (*(int *)opaque)++;
}

static void test_bh_runs_once_per_schedule(void)
{
    AioContext *ctx = aio_context_new(&error_abort);
    int n = 0;
    QEMUBH *bh = aio_bh_new(ctx, count_cb, &n);

    g_assert_false(aio_poll(ctx, false));
    qemu_bh_schedule(bh);
    qemu_bh_schedule(bh);
    g_assert_true(aio_poll(ctx, true));
    g_assert_cmpint(n, ==, 1);
    g_assert_false(aio_poll(ctx, false));
    qemu_bh_schedule(bh);
    qemu_bh_cancel(bh);
    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(n, ==, 1);
    qemu_bh_delete(bh);
    aio_bh_schedule_oneshot(ctx, count_cb, &n);
    aio_poll(ctx, false);
    aio_poll(ctx, false);
    g_assert_cmpint(n, ==, 2);
    aio_context_unref(ctx);
}

typedef struct PipeState {
    AioContext *ctx;
    int fds[2];
    int reads;
} PipeState;

static void pipe_read(void *opaque)
{
    PipeState *s = opaque;
    char c;

    g_assert_cmpint(read(s->fds[0], &c, 1), ==, 1);
    s->reads++;
    /* Removing oneself from inside the handler must be safe. */
    aio_set_fd_handler(s->ctx, s->fds[0], NULL, NULL, NULL);
}

static void test_fd_handler(void)
{
    PipeState s = { .ctx = aio_context_new(&error_abort) };

    g_assert_cmpint(pipe(s.fds), ==, 0);
    aio_set_fd_handler(s.ctx, s.fds[0], pipe_read, NULL, &s);
    g_assert_false(aio_poll(s.ctx, false));
    g_assert_cmpint(write(s.fds[1], "xy", 2), ==, 2);
    g_assert_true(aio_poll(s.ctx, true));
    g_assert_cmpint(s.reads, ==, 1);
    g_assert_false(aio_poll(s.ctx, false));     /* handler gone, byte 'y' unread */
    g_assert_cmpint(s.reads, ==, 1);
    close(s.fds[0]);
    close(s.fds[1]);
    aio_context_unref(s.ctx);
}

static void test_realtime_timer_blocks_until_due(void)
{
    AioContext *ctx = aio_context_new(&error_abort);
    int n = 0;
    QEMUTimer *t = aio_timer_new(ctx, QEMU_CLOCK_REALTIME, SCALE_MS, count_cb, &n);
    int64_t start = qemu_clock_get_ms(QEMU_CLOCK_REALTIME);

    timer_mod(t, start + 20);
    g_assert_true(timer_pending(t));
    while (!n) {
        aio_poll(ctx, true);
    }
    g_assert_cmpint(qemu_clock_get_ms(QEMU_CLOCK_REALTIME), >=, start + 20);
    g_assert_false(timer_pending(t));
    timer_mod(t, start);
    timer_del(t);
    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(n, ==, 1);
    timer_free(t);
    aio_context_unref(ctx);
}

static gpointer set_later(gpointer opaque)
{
    g_usleep(10000);
    event_notifier_set(opaque);
    return NULL;
}

static int notified;

static void on_notify(EventNotifier *e)
{
    g_assert_true(event_notifier_test_and_clear(e));
    notified++;
}

static void test_event_notifier_from_thread(void)
{
    AioContext *ctx = aio_context_new(&error_abort);
    EventNotifier e;
    GThread *th;

    g_assert_cmpint(event_notifier_init(&e, 0), ==, 0);
    aio_set_event_notifier(ctx, &e, on_notify);
    th = g_thread_new("setter", set_later, &e);
    while (!notified) {
        aio_poll(ctx, true);
    }
    g_thread_join(th);
    g_assert_cmpint(notified, ==, 1);
    aio_set_event_notifier(ctx, &e, NULL);
    event_notifier_cleanup(&e);
    aio_context_unref(ctx);
}

static GString *order;

static void record_cb(void *opaque)
{
    g_string_append(order, opaque);
}

static void test_virtual_clock_manual_stepping(void)
{
    QEMUTimer *a, *b;

    order = g_string_new(NULL);
    qemu_clock_set_virtual_manual(true);
    a = timer_new_ns(QEMU_CLOCK_VIRTUAL, record_cb, "a");
    b = timer_new_ns(QEMU_CLOCK_VIRTUAL, record_cb, "b");
    timer_mod(b, 2000);
    timer_mod(a, 1000);
    g_assert_cmpint(qemu_clock_deadline_ns_all(QEMU_CLOCK_VIRTUAL), ==, 1000);
    qemu_clock_advance_virtual(1500);
    g_assert_cmpstr(order->str, ==, "a");
    g_assert_cmpint(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL), ==, 1500);
    qemu_clock_advance_virtual(5000);
    g_assert_cmpstr(order->str, ==, "ab");
    g_assert_cmpint(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL), ==, 5000);
    g_assert_cmpint(qemu_clock_deadline_ns_all(QEMU_CLOCK_VIRTUAL), ==, -1);
    timer_free(a);
    timer_free(b);
    qemu_clock_set_virtual_manual(false);
    g_string_free(order, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/aio/bh-runs-once-per-schedule", test_bh_runs_once_per_schedule);
    g_test_add_func("/aio/fd-handler", test_fd_handler);
    g_test_add_func("/aio/realtime-timer", test_realtime_timer_blocks_until_due);
    g_test_add_func("/aio/event-notifier-from-thread", test_event_notifier_from_thread);
    g_test_add_func("/aio/virtual-clock-manual", test_virtual_clock_manual_stepping);
    return g_test_run();
}
