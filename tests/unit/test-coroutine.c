/*
 * util/coroutine-ucontext.c, util/thread-pool.c and QEMUIOVector
 * (util/iov.c): the pieces every block request runs on.
 */
#include <string.h>
#include <glib.h>

#include "block/thread-pool.h"
#include "qemu/coroutine.h"
#include "qemu/iov.h"
#include "qemu/main-loop.h"

static void coroutine_fn yield_twice(void *opaque)
{
    int *steps = opaque;

    (*steps)++;
    qemu_coroutine_yield();
    (*steps)++;
    qemu_coroutine_yield();
    (*steps)++;
}

static void test_enter_yield_resume(void)
{
    int steps = 0;
    Coroutine *co = qemu_coroutine_create(yield_twice, &steps);

    g_assert_false(qemu_in_coroutine());
    qemu_coroutine_enter(co);
    g_assert_cmpint(steps, ==, 1);
    qemu_coroutine_enter(co);
    g_assert_cmpint(steps, ==, 2);
    qemu_coroutine_enter(co);
    g_assert_cmpint(steps, ==, 3);
}

static void coroutine_fn check_self(void *opaque)
{
    *(Coroutine **)opaque = qemu_coroutine_self();
    g_assert_true(qemu_in_coroutine());
}

static void test_self_and_reuse(void)
{
    Coroutine *seen = NULL, *co;
    int i;

    /* many short-lived coroutines: the stack pool must hand back working ones */
    for (i = 0; i < 1000; i++) {
        co = qemu_coroutine_create(check_self, &seen);
        qemu_coroutine_enter(co);
        g_assert_true(seen == co);
    }
}

static void coroutine_fn nested_inner(void *opaque)
{
    (*(int *)opaque) += 10;
}

static void coroutine_fn nested_outer(void *opaque)
{
    qemu_coroutine_enter(qemu_coroutine_create(nested_inner, opaque));
    (*(int *)opaque) += 1;
}

static void test_nested_enter(void)
{
    int v = 0;

    qemu_coroutine_enter(qemu_coroutine_create(nested_outer, &v));
    g_assert_cmpint(v, ==, 11);
}

typedef struct QueueTest {
    CoQueue queue;
    CoMutex lock;
    GString *log;
    int done;
} QueueTest;

static void coroutine_fn queue_waiter(void *opaque)
{
    QueueTest *t = opaque;

    qemu_co_queue_wait(&t->queue);
    g_string_append_c(t->log, 'w');
    t->done++;
}

static void test_co_queue_fifo_wakeups(void)
{
    QueueTest t = { .log = g_string_new(NULL) };
    int i;

    qemu_co_queue_init(&t.queue);
    for (i = 0; i < 3; i++) {
        qemu_coroutine_enter(qemu_coroutine_create(queue_waiter, &t));
    }
    g_assert_false(qemu_co_queue_empty(&t.queue));
    g_assert_true(qemu_co_queue_next(&t.queue));
    /* wake-ups run from a bottom half, never inside the waker */
    g_assert_cmpint(t.done, ==, 0);
    while (aio_poll(qemu_get_aio_context(), false)) {
    }
    g_assert_cmpint(t.done, ==, 1);
    qemu_co_queue_restart_all(&t.queue);
    while (aio_poll(qemu_get_aio_context(), false)) {
    }
    g_assert_cmpint(t.done, ==, 3);
    g_assert_true(qemu_co_queue_empty(&t.queue));
    g_string_free(t.log, true);
}

static void coroutine_fn mutex_user(void *opaque)
{
    QueueTest *t = opaque;

    qemu_co_mutex_lock(&t->lock);
    g_string_append_c(t->log, '[');
    qemu_coroutine_yield();
    g_string_append_c(t->log, ']');
    qemu_co_mutex_unlock(&t->lock);
    t->done++;
}

static void test_co_mutex_excludes(void)
{
    QueueTest t = { .log = g_string_new(NULL) };
    Coroutine *a = qemu_coroutine_create(mutex_user, &t);
    Coroutine *b = qemu_coroutine_create(mutex_user, &t);

    qemu_co_mutex_init(&t.lock);
    qemu_coroutine_enter(a);
    qemu_coroutine_enter(b);            /* blocks on the lock */
    qemu_coroutine_enter(a);            /* a unlocks, b is woken by a BH */
    while (t.done < 1 || aio_poll(qemu_get_aio_context(), false)) {
    }
    qemu_coroutine_enter(b);
    g_assert_cmpint(t.done, ==, 2);
    g_assert_cmpstr(t.log->str, ==, "[][]");
    g_string_free(t.log, true);
}

static int add_one(void *opaque)
{
    int *v = opaque;

    g_usleep(1000);
    return *v + 1;
}

typedef struct PoolTest {
    int in, out;
    bool done;
} PoolTest;

static void coroutine_fn pool_user(void *opaque)
{
    PoolTest *p = opaque;

    p->out = thread_pool_submit_co(add_one, &p->in);
    p->done = true;
}

static void test_thread_pool_many_in_flight(void)
{
    PoolTest p[40];
    int i, left;

    for (i = 0; i < 40; i++) {
        p[i] = (PoolTest){ .in = i };
        qemu_coroutine_enter(qemu_coroutine_create(pool_user, &p[i]));
    }
    do {
        aio_poll(qemu_get_aio_context(), true);
        for (i = 0, left = 0; i < 40; i++) {
            left += !p[i].done;
        }
    } while (left);
    for (i = 0; i < 40; i++) {
        g_assert_cmpint(p[i].out, ==, i + 1);
    }
}

static void test_iovec_copy_and_concat(void)
{
    char a[5] = "abcde", b[3] = "fgh", out[9] = { 0 };
    QEMUIOVector q, part;

    qemu_iovec_init(&q, 1);
    qemu_iovec_add(&q, a, 5);
    qemu_iovec_add(&q, b, 3);
    g_assert_cmpuint(q.size, ==, 8);
    g_assert_cmpuint(qemu_iovec_to_buf(&q, 3, out, 4), ==, 4);
    g_assert_cmpstr(out, ==, "defg");
    g_assert_cmpuint(qemu_iovec_from_buf(&q, 4, "XYZ", 3), ==, 3);
    g_assert_cmpint(memcmp(a, "abcdX", 5), ==, 0);
    g_assert_cmpint(memcmp(b, "YZh", 3), ==, 0);

    qemu_iovec_init(&part, 1);
    qemu_iovec_concat(&part, &q, 2, 5);
    g_assert_cmpuint(part.size, ==, 5);
    g_assert_cmpint(part.niov, ==, 2);
    qemu_iovec_memset(&part, 0, '-', 5);
    g_assert_cmpint(memcmp(a, "ab---", 5), ==, 0);
    g_assert_cmpint(memcmp(b, "--h", 3), ==, 0);

    g_assert_true(qemu_iovec_is_aligned(&q, 1, 1));
    g_assert_false(qemu_iovec_is_aligned(&q, 1, 4));
    qemu_iovec_destroy(&part);
    qemu_iovec_destroy(&q);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/coroutine/enter-yield-resume", test_enter_yield_resume);
    g_test_add_func("/coroutine/self-and-pool-reuse", test_self_and_reuse);
    g_test_add_func("/coroutine/nested-enter", test_nested_enter);
    g_test_add_func("/coroutine/co-queue-fifo", test_co_queue_fifo_wakeups);
    g_test_add_func("/coroutine/co-mutex", test_co_mutex_excludes);
    g_test_add_func("/thread-pool/many-in-flight", test_thread_pool_many_in_flight);
    g_test_add_func("/iov/copy-and-concat", test_iovec_copy_and_concat);
    return g_test_run();
}
