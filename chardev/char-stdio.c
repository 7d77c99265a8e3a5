/*
 * stdio: the terminal (raw while minivm runs, restored at exit) or
 * whatever stdin/stdout are.  Only one stdio chardev may exist.
 */
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "chardev/char-fd.h"
#include "qemu/main-loop.h"
#include "sysemu/os-posix.h"
#include "sysemu/runstate.h"

/* Ctrl-A, the escape of QEMU's -nographic console (chardev/char-mux.c). */
#define TERM_ESCAPE_CHAR 0x01

typedef struct StdioChardev {
    FDChardev fd;
    bool got_escape;
} StdioChardev;

static struct termios saved_tty;
static bool tty_saved;
static bool stdio_in_use;

static void stdio_restore_tty(void)
{
    if (tty_saved) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
        tty_saved = false;
    }
}

/* Raw input for the guest; with signal=on Ctrl-C still ends minivm, as in QEMU. */
static void stdio_set_raw(bool allow_signal)
{
    struct termios tty;

    if (tcgetattr(STDIN_FILENO, &saved_tty) < 0) {
        return;
    }
    tty_saved = true;
    atexit(stdio_restore_tty);
    tty = saved_tty;
    tty.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    tty.c_oflag |= OPOST;
    tty.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
    if (!allow_signal) {
        tty.c_lflag &= ~ISIG;
    }
    tty.c_cflag &= ~(CSIZE | PARENB);
    tty.c_cflag |= CS8;
    tty.c_cc[VMIN] = 1;
    tty.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &tty);
}

static void stdio_puts(FDChardev *s, const char *text)
{
    fd_chr_write(&s->parent, (const uint8_t *)text, strlen(text));
}

/*
 * mon:stdio without the human monitor: the console escapes that still
 * make sense (help, exit, break, a literal Ctrl-A), as QEMU's mux has them.
 */
static int stdio_mux_filter(FDChardev *fd, uint8_t *buf, int len)
{
    StdioChardev *s = (StdioChardev *)fd;
    int out = 0;

    for (int i = 0; i < len; i++) {
        uint8_t ch = buf[i];

        if (!s->got_escape) {
            if (ch == TERM_ESCAPE_CHAR) {
                s->got_escape = true;
            } else {
                buf[out++] = ch;
            }
            continue;
        }
        s->got_escape = false;
        switch (ch) {
        case TERM_ESCAPE_CHAR:
            buf[out++] = ch;
            break;
        case 'h':
        case '?':
            stdio_puts(fd, "\n\rC-a h    print this help\n\r"
                           "C-a x    exit emulator\n\r"
                           "C-a b    send break (magic sysrq)\n\r"
                           "C-a C-a  sends C-a\n\r");
            break;
        case 'x':
            stdio_puts(fd, "QEMU: Terminated\n\r");
            qemu_system_shutdown_request_force(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
            break;
        case 'b':
            qemu_chr_be_event(&fd->parent, CHR_EVENT_BREAK);
            break;
        default:
            break;
        }
    }
    return out;
}

static bool stdio_chr_open(Chardev *chr, QemuOpts *opts, bool *be_opened, Error **errp)
{
    FDChardev *s = (FDChardev *)chr;
    Error *err = NULL;
    bool allow_signal = qemu_opt_get_bool(opts, "signal", true, &err);
    bool mux = !err && qemu_opt_get_bool(opts, "mux", false, &err);

    if (err) {
        error_propagate(errp, err);
        return false;
    }
    if (is_daemonized()) {
        error_setg(errp, "cannot use stdio with -daemonize");
        return false;
    }
    if (stdio_in_use) {
        error_setg(errp, "cannot use stdio by multiple character devices");
        return false;
    }
    stdio_in_use = true;
    if (isatty(STDIN_FILENO)) {
        stdio_set_raw(allow_signal);
    }
    if (mux) {
        s->filter = stdio_mux_filter;
    }
    fd_chr_attach(s, STDIN_FILENO, STDOUT_FILENO, false);
    return true;
}

static void stdio_chr_finalize(Chardev *chr)
{
    FDChardev *s = (FDChardev *)chr;

    /* Stop watching but keep the process's stdin/stdout open. */
    if (s->fd_in >= 0) {
        aio_set_fd_handler(qemu_get_aio_context(), s->fd_in, NULL, NULL, NULL);
    }
    if (s->fd_out >= 0) {
        aio_set_fd_handler(qemu_get_aio_context(), s->fd_out, NULL, NULL, NULL);
    }
    s->fd_in = s->fd_out = -1;
    if (s->outbuf) {
        g_byte_array_free(s->outbuf, TRUE);
    }
    stdio_restore_tty();
    stdio_in_use = false;
}

static const ChardevClass char_stdio_class = {
    .name = "stdio",
    .instance_size = sizeof(StdioChardev),
    .open = stdio_chr_open,
    .chr_write = fd_chr_write,
    .chr_update_read_handler = fd_chr_update_read_handler,
    .finalize = stdio_chr_finalize,
};

static void __attribute__((constructor)) char_stdio_register(void)
{
    register_char_driver(&char_stdio_class);
}
