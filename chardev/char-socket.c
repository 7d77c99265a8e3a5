/*
 * socket: unix (path=) or tcp (host=, port=) stream, as a server
 * (server=on: listen; wait=on: block at start-up for the first client)
 * or a client (connect at start-up, as libqtest and QEMUMachine expect).
 *
 * A server serves one client at a time, like QEMU; further clients wait
 * in the backlog.  qemu_chr_socket_accept_many() switches a listener to
 * handing every connection out as its own chardev (several QMP clients).
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib-unix.h>

#include "chardev/char-fd.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"

typedef struct SocketChardev {
    FDChardev fd;           /* the connection */
    int listen_fd;
    bool is_listen;
    bool is_unix;
    bool nodelay;
    char *path;             /* unix */
    char *host, *port;      /* tcp */
    ChardevAcceptFunc *accept_many;
    void *accept_opaque;
    unsigned nconn;
    unsigned nlive;         /* open connections handed out */
} SocketChardev;

typedef struct SocketConn {
    FDChardev fd;
    SocketChardev *listener;
} SocketConn;

static const ChardevClass char_socket_class;
static const ChardevClass char_socket_conn_class;

static char *socket_addr_str(SocketChardev *s, const char *prefix)
{
    if (s->is_unix) {
        return g_strdup_printf("%sunix:%s%s", prefix, s->path, s->is_listen ? ",server=on" : "");
    }
    return g_strdup_printf("%stcp:%s:%s%s", prefix, s->host, s->port,
                           s->is_listen ? ",server=on" : "");
}

static void socket_set_filename(SocketChardev *s, bool connected)
{
    g_free(s->fd.parent.filename);
    s->fd.parent.filename = socket_addr_str(s, connected ? "" : "disconnected:");
}

static void socket_accept(void *opaque);

static void socket_listen_watch(SocketChardev *s, bool on)
{
    aio_set_fd_handler(qemu_get_aio_context(), s->listen_fd, on ? socket_accept : NULL,
                       NULL, s);
}

static void socket_hup(FDChardev *fd)
{
    SocketChardev *s = (SocketChardev *)fd;

    fd_chr_close(fd);
    socket_set_filename(s, false);
    if (s->is_listen) {
        socket_listen_watch(s, true);
    }
    qemu_chr_be_event(&fd->parent, CHR_EVENT_CLOSED);
}

/* A connection handed out by a multi-client listener. */
static void socket_conn_hup(FDChardev *fd)
{
    SocketChardev *s = ((SocketConn *)fd)->listener;

    socket_set_filename(s, --s->nlive > 0);
    fd_chr_close(fd);
    qemu_chr_be_event(&fd->parent, CHR_EVENT_CLOSED);
}

static void socket_setup_conn(SocketChardev *s, int fd)
{
    int one = 1;

    g_unix_set_fd_nonblocking(fd, TRUE, NULL);
    if (!s->is_unix && s->nodelay) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
}

/* A multi-client listener's new connection becomes a chardev of its own. */
static void socket_hand_out(SocketChardev *s, int fd)
{
    g_autofree char *label = g_strdup_printf("%s-conn%u", s->fd.parent.label, ++s->nconn);
    SocketConn *conn = (SocketConn *)qemu_chardev_new_anonymous(&char_socket_conn_class,
                                                                label);

    conn->listener = s;
    conn->fd.parent.filename = socket_addr_str(s, "");
    conn->fd.parent.be_open = true;
    conn->fd.hup = socket_conn_hup;
    s->nlive++;
    socket_set_filename(s, true);
    fd_chr_attach(&conn->fd, fd, fd, true);
    s->accept_many(s->accept_opaque, &conn->fd.parent);
}

static void socket_accept(void *opaque)
{
    SocketChardev *s = opaque;
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);

    if (fd < 0) {
        return;
    }
    socket_setup_conn(s, fd);
    if (s->accept_many) {
        socket_hand_out(s, fd);
        return;
    }
    /* One client at a time: stop accepting until this one leaves. */
    socket_listen_watch(s, false);
    fd_chr_attach(&s->fd, fd, fd, true);
    socket_set_filename(s, true);
    qemu_chr_be_event(&s->fd.parent, CHR_EVENT_OPENED);
}

static int socket_unix_fd(SocketChardev *s, Error **errp)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(s->path) >= sizeof(sun.sun_path)) {
        error_setg(errp, "UNIX socket path '%s' is too long", s->path);
        return -1;
    }
    strcpy(sun.sun_path, s->path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to create socket");
        return -1;
    }
    if (s->is_listen) {
        unlink(s->path);
        if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
            error_setg_errno(errp, errno, "Failed to bind socket to %s", s->path);
            close(fd);
            return -1;
        }
        if (listen(fd, 16) < 0) {
            error_setg_errno(errp, errno, "Failed to listen on socket");
            close(fd);
            return -1;
        }
    } else if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        error_setg_errno(errp, errno, "Failed to connect to '%s'", s->path);
        close(fd);
        return -1;
    }
    return fd;
}

static int socket_inet_fd(SocketChardev *s, Error **errp)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG };
    struct addrinfo *res, *ai;
    int err, fd = -1, saved_errno = 0;

    if (s->is_listen) {
        hints.ai_flags |= AI_PASSIVE;
    }
    err = getaddrinfo(*s->host ? s->host : NULL, s->port, &hints, &res);
    if (err) {
        error_setg(errp, "address resolution failed for %s:%s: %s", s->host, s->port,
                   gai_strerror(err));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        int one = 1;

        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved_errno = errno;
            continue;
        }
        if (s->is_listen) {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 16) == 0) {
                break;
            }
        } else if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            break;
        }
        saved_errno = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        if (s->is_listen) {
            error_setg_errno(errp, saved_errno, "Failed to bind socket");
        } else {
            error_setg_errno(errp, saved_errno, "Failed to connect to '%s:%s'",
                             s->host, s->port);
        }
    }
    return fd;
}

static bool socket_chr_open(Chardev *chr, QemuOpts *opts, bool *be_opened, Error **errp)
{
    SocketChardev *s = (SocketChardev *)chr;
    const char *path = qemu_opt_get(opts, "path");
    const char *host = qemu_opt_get(opts, "host");
    const char *port = qemu_opt_get(opts, "port");
    Error *err = NULL;
    bool server = qemu_opt_get_bool(opts, "server", false, &err);
    bool wait = !err && qemu_opt_get_bool(opts, "wait", true, &err);
    /* "nodelay" alone means delay=off (the short form); nodelay=on is QEMU's alias */
    bool nodelay = !err && (!qemu_opt_get_bool(opts, "delay", true, &err) ||
                            (!err && qemu_opt_get_bool(opts, "nodelay", false, &err)));
    int fd;

    if (err) {
        error_propagate(errp, err);
        return false;
    }
    if (path && (host || port)) {
        error_setg(errp, "chardev: socket: 'host' and 'path' are mutually exclusive");
        return false;
    }
    if (!path && !port) {
        error_setg(errp, path || host ? "chardev: socket: no port given"
                                      : "chardev: socket: no host given");
        return false;
    }
    s->fd.fd_in = s->fd.fd_out = -1;
    s->listen_fd = -1;
    s->is_listen = server;
    s->is_unix = path != NULL;
    s->nodelay = nodelay;
    s->path = g_strdup(path);
    s->host = g_strdup(host ? host : "");
    s->port = g_strdup(port);
    s->fd.hup = socket_hup;
    socket_set_filename(s, false);

    fd = s->is_unix ? socket_unix_fd(s, errp) : socket_inet_fd(s, errp);
    if (fd < 0) {
        g_free(s->path);
        g_free(s->host);
        g_free(s->port);
        return false;
    }
    if (!server) {
        socket_setup_conn(s, fd);
        fd_chr_attach(&s->fd, fd, fd, true);
        socket_set_filename(s, true);
        *be_opened = true;
        return true;
    }
    s->listen_fd = fd;
    *be_opened = false;
    if (wait) {
        info_report("QEMU waiting for connection on: %s", chr->filename);
        g_unix_set_fd_nonblocking(fd, FALSE, NULL);
        socket_accept(s);
        if (s->fd.fd_in < 0) {
            error_setg(errp, "Failed to accept a connection on %s", chr->filename);
            close(fd);
            return false;
        }
        *be_opened = true;
    }
    g_unix_set_fd_nonblocking(fd, TRUE, NULL);
    if (s->fd.fd_in < 0) {
        socket_listen_watch(s, true);
    }
    return true;
}

bool qemu_chr_is_socket_server(Chardev *chr)
{
    return chr->cls == &char_socket_class && ((SocketChardev *)chr)->is_listen;
}

bool qemu_chr_socket_accept_many(Chardev *listener, ChardevAcceptFunc *fn, void *opaque,
                                 Error **errp)
{
    SocketChardev *s = (SocketChardev *)listener;

    if (!qemu_chr_is_socket_server(listener)) {
        error_setg(errp, "chardev '%s' is not a listening socket", listener->label);
        return false;
    }
    s->accept_many = fn;
    s->accept_opaque = opaque;
    /* A client accepted by wait=on before this call becomes the first connection. */
    if (s->fd.fd_in >= 0) {
        int fd = s->fd.fd_in;

        aio_set_fd_handler(qemu_get_aio_context(), fd, NULL, NULL, NULL);
        s->fd.fd_in = s->fd.fd_out = -1;
        listener->be_open = false;
        socket_hand_out(s, fd);
    }
    socket_listen_watch(s, true);
    return true;
}

static void socket_chr_finalize(Chardev *chr)
{
    SocketChardev *s = (SocketChardev *)chr;

    fd_chr_finalize(chr);
    if (s->listen_fd >= 0) {
        socket_listen_watch(s, false);
        close(s->listen_fd);
        if (s->is_unix) {
            unlink(s->path);
        }
    }
    g_free(s->path);
    g_free(s->host);
    g_free(s->port);
}

static const ChardevClass char_socket_class = {
    .name = "socket",
    .instance_size = sizeof(SocketChardev),
    .open = socket_chr_open,
    .chr_write = fd_chr_write,
    .chr_update_read_handler = fd_chr_update_read_handler,
    .finalize = socket_chr_finalize,
};

static const ChardevClass char_socket_conn_class = {
    .name = "socket",
    .instance_size = sizeof(SocketConn),
    .chr_write = fd_chr_write,
    .chr_update_read_handler = fd_chr_update_read_handler,
    .finalize = fd_chr_finalize,
};

static void __attribute__((constructor)) char_socket_register(void)
{
    register_char_driver(&char_socket_class);
}
