/*
 * A chardev over a pair of file descriptors (in may equal out): the
 * shared reading and buffered writing of stdio, file, pty and socket.
 */
#ifndef CHARDEV_CHAR_FD_H
#define CHARDEV_CHAR_FD_H

#include "chardev/char.h"

typedef struct FDChardev FDChardev;

struct FDChardev {
    Chardev parent;
    int fd_in, fd_out;          /* -1 when absent */
    bool nonblock_out;          /* buffer what the peer cannot take yet */
    GByteArray *outbuf;
    bool read_paused;           /* the frontend had no room */
    /* The reader saw EOF or an error; the callee may free the chardev. */
    void (*hup)(FDChardev *s);
    /* Optional: consume escapes in input; returns the bytes left in @buf. */
    int (*filter)(FDChardev *s, uint8_t *buf, int len);
};

/* Start (or stop, with -1/-1) serving the descriptors; does not close old ones. */
void fd_chr_attach(FDChardev *s, int fd_in, int fd_out, bool nonblock_out);
/* Stop watching and close both descriptors; drops buffered output. */
void fd_chr_close(FDChardev *s);
int fd_chr_write(Chardev *chr, const uint8_t *buf, int len);
void fd_chr_update_read_handler(Chardev *chr);
void fd_chr_finalize(Chardev *chr);

Chardev *qemu_chardev_new_anonymous(const ChardevClass *cls, const char *label);

#endif
