/*
 * file: output appended to or truncating path=; optional input from in=.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "chardev/char-fd.h"

static bool file_chr_open(Chardev *chr, QemuOpts *opts, bool *be_opened, Error **errp)
{
    FDChardev *s = (FDChardev *)chr;
    const char *path = qemu_opt_get(opts, "path");
    const char *in = qemu_opt_get(opts, "in");
    Error *err = NULL;
    bool append = qemu_opt_get_bool(opts, "append", false, &err);
    int fd_out, fd_in = -1;

    if (err) {
        error_propagate(errp, err);
        return false;
    }
    if (!path) {
        error_setg(errp, "chardev: file: no filename given");
        return false;
    }
    fd_out = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0666);
    if (fd_out < 0) {
        error_setg_errno(errp, errno, "Could not open '%s'", path);
        return false;
    }
    if (in) {
        fd_in = open(in, O_RDONLY | O_CLOEXEC);
        if (fd_in < 0) {
            error_setg_errno(errp, errno, "Could not open '%s'", in);
            close(fd_out);
            return false;
        }
    }
    fd_chr_attach(s, fd_in, fd_out, false);
    return true;
}

static const ChardevClass char_file_class = {
    .name = "file",
    .instance_size = sizeof(FDChardev),
    .open = file_chr_open,
    .chr_write = fd_chr_write,
    .chr_update_read_handler = fd_chr_update_read_handler,
    .finalize = fd_chr_finalize,
};

static void __attribute__((constructor)) char_file_register(void)
{
    register_char_driver(&char_file_class);
}
