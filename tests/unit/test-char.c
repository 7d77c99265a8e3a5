/*
 * Chardev core and backends: socket server/client pairs over a unix
 * socket, file output, null, legacy specs, flow control and hang-ups.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "chardev/char-fe.h"
#include "qemu/main-loop.h"

typedef struct Sink {
    GString *data;
    int room;               /* what can_read reports */
    int opened, closed;
} Sink;

static int sink_can_read(void *opaque)
{
    return ((Sink *)opaque)->room;
}

static void sink_read(void *opaque, const uint8_t *buf, int size)
{
    Sink *s = opaque;

    g_assert_cmpint(size, <=, s->room);
    g_string_append_len(s->data, (const char *)buf, size);
}

static void sink_event(void *opaque, QEMUChrEvent ev)
{
    Sink *s = opaque;

    if (ev == CHR_EVENT_OPENED) {
        s->opened++;
    } else if (ev == CHR_EVENT_CLOSED) {
        s->closed++;
    }
}

static void poll_until(bool (*cond)(void *), void *opaque)
{
    for (int i = 0; i < 1000 && !cond(opaque); i++) {
        aio_poll(qemu_get_aio_context(), true);
    }
    g_assert_true(cond(opaque));
}

static bool has_4_bytes(void *opaque)
{
    return ((Sink *)opaque)->data->len >= 4;
}

static bool got_closed(void *opaque)
{
    return ((Sink *)opaque)->closed > 0;
}

static bool got_opened(void *opaque)
{
    return ((Sink *)opaque)->opened > 0;
}

static char *dir;

static char *tmp_path(const char *name)
{
    if (!dir) {
        dir = g_dir_make_tmp("test-char-XXXXXX", NULL);
    }
    return g_build_filename(dir, name, NULL);
}

static int unix_connect(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), ==, 0);
    return fd;
}

static void test_socket_server_client_roundtrip(void)
{
    g_autofree char *path = tmp_path("rt.sock");
    g_autofree char *spec = g_strdup_printf("unix:%s,server=on,wait=off", path);
    Error *err = NULL;
    Chardev *srv = qemu_chr_new("srv", spec, &err);
    g_autofree char *cspec = g_strdup_printf("socket,id=cli,path=%s", path);
    QemuOpts *opts;
    Chardev *cli;
    CharBackend sbe, cbe;
    Sink ss = { g_string_new(NULL), 4096 }, cs = { g_string_new(NULL), 4096 };

    g_assert_nonnull(srv);
    g_assert_true(qemu_chr_is_socket_server(srv));
    g_assert_false(srv->be_open);
    g_assert_true(g_str_has_prefix(srv->filename, "disconnected:unix:"));
    qemu_chr_fe_init(&sbe, srv, &error_abort);
    qemu_chr_fe_set_handlers(&sbe, sink_can_read, sink_read, sink_event, NULL, &ss, NULL, true);

    opts = qemu_opts_parse(cspec, "backend", &error_abort);
    cli = qemu_chr_new_from_opts(opts, &error_abort);
    qemu_opts_free(opts);
    g_assert_true(cli->be_open);
    g_assert_true(qemu_chr_find("cli") == cli);
    qemu_chr_fe_init(&cbe, cli, &error_abort);
    qemu_chr_fe_set_handlers(&cbe, sink_can_read, sink_read, sink_event, NULL, &cs, NULL, true);
    g_assert_cmpint(cs.opened, ==, 1);      /* already open: told at once */

    poll_until(got_opened, &ss);
    g_assert_cmpint(qemu_chr_fe_write_all(&cbe, (const uint8_t *)"ping", 4), ==, 4);
    poll_until(has_4_bytes, &ss);
    g_assert_cmpstr(ss.data->str, ==, "ping");
    qemu_chr_fe_write_all(&sbe, (const uint8_t *)"pong", 4);
    poll_until(has_4_bytes, &cs);
    g_assert_cmpstr(cs.data->str, ==, "pong");

    /* The client leaves: the server reports it and listens again. */
    qemu_chr_fe_deinit(&cbe, true);
    g_assert_null(qemu_chr_find("cli"));
    poll_until(got_closed, &ss);
    g_assert_false(srv->be_open);
    ss.opened = 0;
    close(unix_connect(path));
    poll_until(got_opened, &ss);

    qemu_chr_fe_deinit(&sbe, true);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    g_string_free(ss.data, TRUE);
    g_string_free(cs.data, TRUE);
}

static void test_socket_flow_control(void)
{
    g_autofree char *path = tmp_path("fc.sock");
    g_autofree char *spec = g_strdup_printf("unix:%s,server=on,wait=off", path);
    Chardev *srv = qemu_chr_new("fc", spec, &error_abort);
    CharBackend be;
    Sink s = { g_string_new(NULL), 0 };
    int fd;

    qemu_chr_fe_init(&be, srv, &error_abort);
    qemu_chr_fe_set_handlers(&be, sink_can_read, sink_read, sink_event, NULL, &s, NULL, true);
    fd = unix_connect(path);
    g_assert_cmpint(write(fd, "abcdef", 6), ==, 6);
    poll_until(got_opened, &s);
    for (int i = 0; i < 5; i++) {
        aio_poll(qemu_get_aio_context(), false);
    }
    g_assert_cmpuint(s.data->len, ==, 0);   /* no room, nothing delivered */
    s.room = 4;
    qemu_chr_fe_accept_input(&be);
    poll_until(has_4_bytes, &s);
    g_assert_cmpstr(s.data->str, ==, "abcd");
    s.room = 100;
    qemu_chr_fe_accept_input(&be);
    while (s.data->len < 6) {
        aio_poll(qemu_get_aio_context(), true);
    }
    g_assert_cmpstr(s.data->str, ==, "abcdef");
    close(fd);
    poll_until(got_closed, &s);
    qemu_chr_fe_deinit(&be, true);
    g_string_free(s.data, TRUE);
}

static void chr_accept_cb(void *opaque, Chardev *conn)
{
    g_ptr_array_add(opaque, conn);
}

static void test_socket_accept_many(void)
{
    g_autofree char *path = tmp_path("many.sock");
    g_autofree char *spec = g_strdup_printf("unix:%s,server=on,wait=off", path);
    Chardev *srv = qemu_chr_new("many", spec, &error_abort);
    Chardev *nul = qemu_chr_new("nul", "null", &error_abort);
    GPtrArray *conns = g_ptr_array_new();
    Error *err = NULL;
    int fds[3];

    g_assert_false(qemu_chr_socket_accept_many(nul, chr_accept_cb, conns, &err));
    error_free_or_abort(&err);
    g_assert_true(qemu_chr_socket_accept_many(srv, chr_accept_cb, conns, &error_abort));
    for (int i = 0; i < 3; i++) {
        fds[i] = unix_connect(path);
    }
    while (conns->len < 3) {
        aio_poll(qemu_get_aio_context(), true);
    }
    for (int i = 0; i < 3; i++) {
        Chardev *c = g_ptr_array_index(conns, i);
        CharBackend be;
        char buf[8] = "";

        g_assert_true(c->be_open);
        g_assert_null(qemu_chr_find(c->label));     /* anonymous */
        qemu_chr_fe_init(&be, c, &error_abort);
        qemu_chr_fe_write_all(&be, (const uint8_t *)"hi", 2);
        qemu_chr_fe_deinit(&be, true);
        g_assert_cmpint(read(fds[i], buf, sizeof(buf)), ==, 2);
        g_assert_cmpstr(buf, ==, "hi");
        close(fds[i]);
    }
    qemu_chr_delete(srv);
    qemu_chr_delete(nul);
    g_ptr_array_free(conns, TRUE);
}

static void test_file_backend_writes(void)
{
    g_autofree char *path = tmp_path("out.txt");
    g_autofree char *spec = g_strdup_printf("file:%s", path);
    g_autofree char *contents = NULL;
    Chardev *chr = qemu_chr_new("f", spec, &error_abort);
    CharBackend be;

    qemu_chr_fe_init(&be, chr, &error_abort);
    qemu_chr_fe_printf(&be, "hello %d\n", 42);
    qemu_chr_fe_deinit(&be, true);
    g_assert_true(g_file_get_contents(path, &contents, NULL, NULL));
    g_assert_cmpstr(contents, ==, "hello 42\n");
    g_unlink(path);
}

static void test_bad_specs(void)
{
    Error *err = NULL;
    QemuOpts *opts;

    g_assert_null(qemu_chr_new("x", "bogus", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "'bogus' is not a valid char driver");
    error_free(err);
    err = NULL;
    g_assert_null(qemu_chr_new("x", "chardev:nope", &err));
    error_free_or_abort(&err);
    g_assert_null(qemu_chr_new("x", "file:/nonexistent-dir/x", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Could not open '/nonexistent-dir/x': No such file or directory");
    error_free(err);
    err = NULL;
    g_assert_null(qemu_chr_new("x", "unix:/nonexistent-dir/s", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Failed to connect to '/nonexistent-dir/s': No such file or directory");
    error_free(err);
    err = NULL;
    g_assert_null(qemu_chr_find("x"));
    g_assert_null(qemu_chr_new("v", "vc", &error_abort));

    opts = qemu_opts_parse("nosuch,id=y", "backend", &error_abort);
    g_assert_null(qemu_chr_new_from_opts(opts, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "'nosuch' is not a valid char driver name");
    error_free(err);
    err = NULL;
    qemu_opts_free(opts);

    g_assert_nonnull(qemu_chr_new("dup", "null", &error_abort));
    g_assert_null(qemu_chr_new("dup", "null", &err));
    error_free_or_abort(&err);
    g_assert_true(qemu_chr_new("z", "chardev:dup", &error_abort) == qemu_chr_find("dup"));
    qemu_chr_delete(qemu_chr_find("dup"));
}

static void test_frontend_exclusive(void)
{
    Chardev *chr = qemu_chr_new("excl", "null", &error_abort);
    CharBackend a, b;
    Error *err = NULL;

    g_assert_true(qemu_chr_fe_init(&a, chr, &error_abort));
    g_assert_false(qemu_chr_fe_init(&b, chr, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Device 'excl' is in use");
    error_free(err);
    g_assert_cmpint(qemu_chr_fe_write(&a, (const uint8_t *)"x", 1), ==, 1);
    qemu_chr_fe_deinit(&a, true);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/char/socket/roundtrip", test_socket_server_client_roundtrip);
    g_test_add_func("/char/socket/flow-control", test_socket_flow_control);
    g_test_add_func("/char/socket/accept-many", test_socket_accept_many);
    g_test_add_func("/char/file/writes", test_file_backend_writes);
    g_test_add_func("/char/bad-specs", test_bad_specs);
    g_test_add_func("/char/frontend-exclusive", test_frontend_exclusive);
    ret = g_test_run();
    if (dir) {
        g_rmdir(dir);
    }
    return ret;
}
