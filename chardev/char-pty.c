/*
 * pty: a pseudo-terminal whose slave name is printed, as QEMU does, for
 * a user to attach with screen/minicom.  Until a slave is open the
 * master reads EIO; we then poll again once a second instead of spinning.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <glib-unix.h>
#include <unistd.h>

#include "chardev/char-fd.h"
#include "qemu/main-loop.h"

typedef struct PtyChardev {
    FDChardev fd;
    int master;
    QEMUTimer *retry;
} PtyChardev;

static void pty_chr_retry(void *opaque)
{
    PtyChardev *s = opaque;

    fd_chr_attach(&s->fd, s->master, s->master, true);
}

static void pty_chr_hup(FDChardev *fd)
{
    PtyChardev *s = (PtyChardev *)fd;

    aio_set_fd_handler(qemu_get_aio_context(), s->master, NULL, NULL, NULL);
    if (fd->parent.be_open) {
        qemu_chr_be_event(&fd->parent, CHR_EVENT_CLOSED);
    }
    timer_mod(s->retry, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 1000);
}

static bool pty_chr_open(Chardev *chr, QemuOpts *opts, bool *be_opened, Error **errp)
{
    PtyChardev *s = (PtyChardev *)chr;
    struct termios tty;
    const char *name;
    int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

    if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0 || !(name = ptsname(fd))) {
        error_setg_errno(errp, errno, "Failed to create PTY");
        if (fd >= 0) {
            close(fd);
        }
        return false;
    }
    if (tcgetattr(fd, &tty) == 0) {
        cfmakeraw(&tty);
        tcsetattr(fd, TCSAFLUSH, &tty);
    }
    g_unix_set_fd_nonblocking(fd, TRUE, NULL);
    chr->filename = g_strdup_printf("pty:%s", name);
    printf("char device redirected to %s (label %s)\n", name, chr->label);
    fflush(stdout);
    s->master = fd;
    s->fd.hup = pty_chr_hup;
    s->retry = timer_new_ms(QEMU_CLOCK_REALTIME, pty_chr_retry, s);
    fd_chr_attach(&s->fd, fd, fd, true);
    *be_opened = false;
    return true;
}

static void pty_chr_finalize(Chardev *chr)
{
    PtyChardev *s = (PtyChardev *)chr;

    timer_free(s->retry);
    s->fd.fd_in = s->fd.fd_out = s->master;
    fd_chr_finalize(chr);
}

static const ChardevClass char_pty_class = {
    .name = "pty",
    .instance_size = sizeof(PtyChardev),
    .open = pty_chr_open,
    .chr_write = fd_chr_write,
    .chr_update_read_handler = fd_chr_update_read_handler,
    .finalize = pty_chr_finalize,
};

static void __attribute__((constructor)) char_pty_register(void)
{
    register_char_driver(&char_pty_class);
}
