/*
 * Reading and writing for fd-based chardevs, driven by main-loop fd handlers.
 */
#include <errno.h>
#include <unistd.h>

#include "chardev/char-fd.h"
#include "qemu/main-loop.h"

/* A peer that stops reading must not grow our memory without bound. */
#define FD_CHR_OUTBUF_MAX (16 * 1024 * 1024)

static void fd_chr_read(void *opaque);
static void fd_chr_flush(void *opaque);

static void fd_chr_update_watch(FDChardev *s)
{
    AioContext *ctx = qemu_get_aio_context();
    bool want_read = s->fd_in >= 0 && s->parent.be && !s->read_paused;
    bool want_write = s->fd_out >= 0 && s->outbuf && s->outbuf->len > 0;

    if (s->fd_in >= 0 && s->fd_in == s->fd_out) {
        aio_set_fd_handler(ctx, s->fd_in, want_read ? fd_chr_read : NULL,
                           want_write ? fd_chr_flush : NULL, s);
        return;
    }
    if (s->fd_in >= 0) {
        aio_set_fd_handler(ctx, s->fd_in, want_read ? fd_chr_read : NULL, NULL, s);
    }
    if (s->fd_out >= 0) {
        aio_set_fd_handler(ctx, s->fd_out, NULL, want_write ? fd_chr_flush : NULL, s);
    }
}

static void fd_chr_read(void *opaque)
{
    FDChardev *s = opaque;
    Chardev *chr = &s->parent;
    uint8_t buf[4096];
    int room = qemu_chr_be_can_write(chr);
    ssize_t n;

    if (room <= 0) {
        s->read_paused = true;
        fd_chr_update_watch(s);
        return;
    }
    n = read(s->fd_in, buf, MIN((int)sizeof(buf), room));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return;
    }
    if (n <= 0) {
        if (s->hup) {
            s->hup(s);      /* may free s: nothing after this */
        } else {
            aio_set_fd_handler(qemu_get_aio_context(), s->fd_in, NULL, NULL, NULL);
            s->fd_in = -1;
        }
        return;
    }
    if (s->filter) {
        n = s->filter(s, buf, n);
    }
    if (n > 0) {
        qemu_chr_be_write(chr, buf, n);
    }
}

static void fd_chr_flush(void *opaque)
{
    FDChardev *s = opaque;

    while (s->outbuf->len) {
        ssize_t n = write(s->fd_out, s->outbuf->data, s->outbuf->len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            break;
        }
        if (n <= 0) {
            g_byte_array_set_size(s->outbuf, 0);    /* peer gone: the reader reports it */
            break;
        }
        g_byte_array_remove_range(s->outbuf, 0, n);
    }
    fd_chr_update_watch(s);
}

int fd_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    FDChardev *s = (FDChardev *)chr;
    int done = 0;

    if (s->fd_out < 0) {
        return len;
    }
    if (!s->outbuf) {
        s->outbuf = g_byte_array_new();
    }
    while (!s->outbuf->len && done < len) {
        ssize_t n = write(s->fd_out, buf + done, len - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN && s->nonblock_out) {
            break;
        }
        if (n <= 0) {
            return -1;
        }
        done += n;
    }
    if (done < len) {
        if (s->outbuf->len + (len - done) > FD_CHR_OUTBUF_MAX) {
            return done;
        }
        g_byte_array_append(s->outbuf, buf + done, len - done);
        fd_chr_update_watch(s);
    }
    return len;
}

void fd_chr_update_read_handler(Chardev *chr)
{
    FDChardev *s = (FDChardev *)chr;

    s->read_paused = false;
    fd_chr_update_watch(s);
}

void fd_chr_attach(FDChardev *s, int fd_in, int fd_out, bool nonblock_out)
{
    s->fd_in = fd_in;
    s->fd_out = fd_out;
    s->nonblock_out = nonblock_out;
    s->read_paused = false;
    if (s->outbuf) {
        g_byte_array_set_size(s->outbuf, 0);
    }
    fd_chr_update_watch(s);
}

void fd_chr_close(FDChardev *s)
{
    AioContext *ctx = qemu_get_aio_context();

    if (s->fd_in >= 0) {
        aio_set_fd_handler(ctx, s->fd_in, NULL, NULL, NULL);
        close(s->fd_in);
    }
    if (s->fd_out >= 0 && s->fd_out != s->fd_in) {
        aio_set_fd_handler(ctx, s->fd_out, NULL, NULL, NULL);
        close(s->fd_out);
    }
    s->fd_in = s->fd_out = -1;
    if (s->outbuf) {
        g_byte_array_set_size(s->outbuf, 0);
    }
}

void fd_chr_finalize(Chardev *chr)
{
    FDChardev *s = (FDChardev *)chr;

    fd_chr_close(s);
    if (s->outbuf) {
        g_byte_array_free(s->outbuf, TRUE);
    }
}
