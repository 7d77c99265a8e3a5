/*
 * The frontend side of a chardev: what a serial port, the qtest server
 * or a monitor holds.  One CharBackend per Chardev.
 */
#ifndef CHARDEV_CHAR_FE_H
#define CHARDEV_CHAR_FE_H

#include "chardev/char.h"

typedef int IOCanReadHandler(void *opaque);
typedef void IOReadHandler(void *opaque, const uint8_t *buf, int size);
typedef void IOEventHandler(void *opaque, QEMUChrEvent event);
typedef int BackendChangeHandler(void *opaque);

struct CharBackend {
    Chardev *chr;
    IOCanReadHandler *chr_can_read;
    IOReadHandler *chr_read;
    IOEventHandler *chr_event;
    void *opaque;
};

/* Attach @b to @s (NULL: a backend that is not connected); fails if taken. */
bool qemu_chr_fe_init(CharBackend *b, Chardev *s, Error **errp);
/* Detach; with @del, delete the chardev too. */
void qemu_chr_fe_deinit(CharBackend *b, bool del);

/*
 * Install the frontend's handlers.  @fd_can_read returns how many bytes
 * the frontend can take now; 0 stops reading until qemu_chr_fe_accept_input().
 * If the chardev is already open, @fd_event gets CHR_EVENT_OPENED at once
 * (QEMU delivers it the same way), so a monitor greets a waiting client.
 */
void qemu_chr_fe_set_handlers(CharBackend *b, IOCanReadHandler *fd_can_read,
                              IOReadHandler *fd_read, IOEventHandler *fd_event,
                              BackendChangeHandler *be_change, void *opaque,
                              void *context, bool set_open);

/* Returns bytes accepted (the rest is dropped if the peer is slow), -1 on error. */
int qemu_chr_fe_write(CharBackend *be, const uint8_t *buf, int len);
/* Takes everything (buffered until the peer reads it), or -1. */
int qemu_chr_fe_write_all(CharBackend *be, const uint8_t *buf, int len);
void qemu_chr_fe_printf(CharBackend *be, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The frontend has room again: resume reading. */
void qemu_chr_fe_accept_input(CharBackend *be);

static inline Chardev *qemu_chr_fe_get_driver(CharBackend *be)
{
    return be->chr;
}
static inline bool qemu_chr_fe_backend_connected(CharBackend *be)
{
    return be->chr != NULL;
}
static inline bool qemu_chr_fe_backend_open(CharBackend *be)
{
    return be->chr && be->chr->be_open;
}

#endif
