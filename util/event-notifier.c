/*
 * EventNotifier on Linux eventfd: a counter other threads bump to wake a loop.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "qemu/main-loop.h"

int event_notifier_init(EventNotifier *e, int active)
{
    int fd = eventfd(!!active, EFD_NONBLOCK | EFD_CLOEXEC);

    if (fd < 0) {
        return -errno;
    }
    e->rfd = e->wfd = fd;
    return 0;
}

void event_notifier_cleanup(EventNotifier *e)
{
    if (e->rfd >= 0) {
        close(e->rfd);
    }
    e->rfd = e->wfd = -1;
}

int event_notifier_set(EventNotifier *e)
{
    uint64_t one = 1;
    ssize_t r;

    do {
        r = write(e->wfd, &one, sizeof(one));
    } while (r < 0 && errno == EINTR);
    /* EAGAIN: the counter is saturated, which still means "set". */
    return r < 0 && errno != EAGAIN ? -errno : 0;
}

int event_notifier_test_and_clear(EventNotifier *e)
{
    uint64_t value;
    ssize_t r;

    do {
        r = read(e->rfd, &value, sizeof(value));
    } while (r < 0 && errno == EINTR);
    return r == sizeof(value) && value > 0;
}
