/*
 * Character devices (QEMU 7.2's names): a Chardev is a byte-stream
 * backend (stdio, null, file, socket, pty) found by its label; a device
 * or monitor talks to it through a CharBackend (chardev/char-fe.h).
 *
 * Everything here runs in the main loop thread under the BQL; backends
 * are driven by fd handlers on the main AioContext.
 */
#ifndef CHARDEV_CHAR_H
#define CHARDEV_CHAR_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "qemu/error.h"
#include "qemu/option.h"

typedef enum QEMUChrEvent {
    CHR_EVENT_BREAK,
    CHR_EVENT_OPENED,       /* a peer is there: a client connected, the file opened */
    CHR_EVENT_MUX_IN,
    CHR_EVENT_MUX_OUT,
    CHR_EVENT_CLOSED,       /* the peer went away */
} QEMUChrEvent;

typedef struct Chardev Chardev;
typedef struct ChardevClass ChardevClass;
typedef struct CharBackend CharBackend;

/* Called for every accepted connection of a multi-client listener. */
typedef void ChardevAcceptFunc(void *opaque, Chardev *conn);

struct ChardevClass {
    const char *name;                   /* "socket", "file", ... */
    size_t instance_size;
    /* Parse @opts and open; set *be_opened if a peer is there from the start. */
    bool (*open)(Chardev *chr, QemuOpts *opts, bool *be_opened, Error **errp);
    /* Write what can be written now, buffering the rest; returns bytes taken or -1. */
    int (*chr_write)(Chardev *chr, const uint8_t *buf, int len);
    /* The frontend changed handlers or can take input again: re-arm reading. */
    void (*chr_update_read_handler)(Chardev *chr);
    void (*finalize)(Chardev *chr);
};

struct Chardev {
    const ChardevClass *cls;
    char *label;
    char *filename;         /* as query-chardev shows it */
    CharBackend *be;
    bool be_open;           /* a peer is connected */
    bool anonymous;         /* not in the label table (multi-client connections) */
};

/* Create from a -chardev option group ("socket,id=x,path=..."): id is the label. */
Chardev *qemu_chr_new_from_opts(QemuOpts *opts, Error **errp);
/*
 * Create from a legacy spec as -serial and -qmp take it: "stdio", "null",
 * "pty", "file:PATH", "unix:PATH[,opts]", "tcp:HOST:PORT[,opts]",
 * "mon:stdio", "chardev:ID" (returns the existing one).  "none" and "vc"
 * give NULL with no error.
 */
Chardev *qemu_chr_new(const char *label, const char *spec, Error **errp);
Chardev *qemu_chr_find(const char *label);
void qemu_chr_delete(Chardev *chr);
/* Every labelled chardev, in creation order (query-chardev). */
GList *qemu_chr_list(void);

/* Backend side: deliver to the frontend, report a peer. */
int qemu_chr_be_can_write(Chardev *chr);
void qemu_chr_be_write(Chardev *chr, const uint8_t *buf, int len);
void qemu_chr_be_event(Chardev *chr, QEMUChrEvent event);

/*
 * Socket listeners only: hand each accepted connection to @fn as its own
 * anonymous Chardev instead of serving one client at a time.  Monitors use
 * this so several QMP clients can talk at once.
 */
bool qemu_chr_socket_accept_many(Chardev *listener, ChardevAcceptFunc *fn, void *opaque,
                                 Error **errp);
/* True for a listening socket (server=on). */
bool qemu_chr_is_socket_server(Chardev *chr);

/* Registration of backend types (constructors in each backend file). */
void register_char_driver(const ChardevClass *cls);

/* Put the terminal back as it was (stdio backends); called at exit. */
void qemu_chr_cleanup(void);

#endif
