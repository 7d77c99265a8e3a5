/*
 * libqtest: a minivm process in qtest mode and the protocol client.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>

#include <jansson.h>

#include "libqtest.h"

#define MAX_IRQ 256

struct QTestState {
    int fd;
    int qmp_fd;
    GString *qmp_rx;
    GQueue *events;         /* json_t * events seen while waiting for replies */
    pid_t pid;
    char *sock_path;
    GString *rx;
    bool irq_level[MAX_IRQ];
    bool exited;
    int wstatus;
};

static int socket_listen(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(strlen(path), <, sizeof(sun.sun_path));
    strcpy(sun.sun_path, path);
    unlink(path);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), ==, 0);
    g_assert_cmpint(listen(fd, 1), ==, 0);
    return fd;
}

/*
 * Wait for minivm to connect; if it exits first (bad arguments), fail
 * with its status instead of hanging.
 */
static int socket_accept_or_child_exit(QTestState *s, int listen_fd)
{
    for (;;) {
        struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };
        int r = poll(&pfd, 1, 100);

        if (r > 0) {
            return accept(listen_fd, NULL, NULL);
        }
        if (waitpid(s->pid, &s->wstatus, WNOHANG) == s->pid) {
            s->exited = true;
            g_error("minivm exited before connecting (status 0x%x)", s->wstatus);
        }
    }
}

static void write_all(int fd, const char *buf, size_t len)
{
    size_t off = 0;

    while (off < len) {
        ssize_t n = write(fd, buf + off, len - off);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        g_assert_cmpint(n, >, 0);
        off += n;
    }
}

static json_t *qmp_recv(QTestState *s)
{
    char *nl;
    json_t *j;
    json_error_t jerr;

    while (!(nl = memchr(s->qmp_rx->str, '\n', s->qmp_rx->len))) {
        char buf[4096];
        ssize_t n = read(s->qmp_fd, buf, sizeof(buf));

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            g_error("minivm closed the QMP connection");
        }
        g_string_append_len(s->qmp_rx, buf, n);
    }
    j = json_loadb(s->qmp_rx->str, nl - s->qmp_rx->str, 0, &jerr);
    if (!j) {
        g_error("QMP: bad JSON from minivm: %s", jerr.text);
    }
    g_string_erase(s->qmp_rx, 0, nl - s->qmp_rx->str + 1);
    return j;
}

json_t *qtest_qmp(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    write_all(s->qmp_fd, msg, strlen(msg));
    write_all(s->qmp_fd, "\n", 1);
    g_free(msg);
    for (;;) {
        json_t *j = qmp_recv(s);

        if (json_object_get(j, "event")) {
            g_queue_push_tail(s->events, j);
            continue;
        }
        return j;
    }
}

static void qtest_qmp_handshake(QTestState *s)
{
    json_t *greeting = qmp_recv(s), *r;

    g_assert_nonnull(json_object_get(greeting, "QMP"));
    json_decref(greeting);
    r = qtest_qmp(s, "{\"execute\": \"qmp_capabilities\"}");
    g_assert_nonnull(json_object_get(r, "return"));
    json_decref(r);
}

QTestState *qtest_init(const char *extra_args)
{
    static int counter;
    QTestState *s = g_new0(QTestState, 1);
    const char *binary = getenv("QTEST_QEMU_BINARY");
    GError *gerr = NULL;
    gchar **extra = NULL;
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    int listen_fd, qmp_listen_fd;
    char *qmp_path;

    if (!binary) {
        g_error("QTEST_QEMU_BINARY is not set");
    }
    s->sock_path = g_strdup_printf("%s/minivm-qtest-%d-%d.sock", g_get_tmp_dir(), getpid(),
                                   counter++);
    listen_fd = socket_listen(s->sock_path);
    qmp_path = g_strdup_printf("%s.qmp", s->sock_path);
    qmp_listen_fd = socket_listen(qmp_path);
    if (!g_shell_parse_argv(extra_args && *extra_args ? extra_args : "true", NULL, &extra,
                            &gerr)) {
        g_error("bad extra args: %s", gerr->message);
    }
    g_ptr_array_add(argv, g_strdup(binary));
    g_ptr_array_add(argv, g_strdup("-qtest"));
    g_ptr_array_add(argv, g_strdup_printf("unix:%s", s->sock_path));
    g_ptr_array_add(argv, g_strdup("-qtest-log"));
    g_ptr_array_add(argv, g_strdup(getenv("QTEST_LOG") ? "/dev/fd/2" : "/dev/null"));
    g_ptr_array_add(argv, g_strdup("-chardev"));
    g_ptr_array_add(argv, g_strdup_printf("socket,path=%s,id=char0", qmp_path));
    g_ptr_array_add(argv, g_strdup("-mon"));
    g_ptr_array_add(argv, g_strdup("chardev=char0,mode=control"));
    g_ptr_array_add(argv, g_strdup("-display"));
    g_ptr_array_add(argv, g_strdup("none"));
    for (int i = 0; extra_args && *extra_args && extra[i]; i++) {
        g_ptr_array_add(argv, g_strdup(extra[i]));
    }
    g_ptr_array_add(argv, g_strdup("-accel"));
    g_ptr_array_add(argv, g_strdup("qtest"));
    g_ptr_array_add(argv, NULL);

    s->pid = fork();
    g_assert_cmpint(s->pid, >=, 0);
    if (s->pid == 0) {
        /* Never outlive the test, whatever happens to it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        execv(binary, (char **)argv->pdata);
        _exit(127);
    }
    s->fd = socket_accept_or_child_exit(s, listen_fd);
    g_assert_cmpint(s->fd, >=, 0);
    close(listen_fd);
    unlink(s->sock_path);
    s->qmp_fd = socket_accept_or_child_exit(s, qmp_listen_fd);
    g_assert_cmpint(s->qmp_fd, >=, 0);
    close(qmp_listen_fd);
    unlink(qmp_path);
    g_free(qmp_path);
    s->rx = g_string_new("");
    s->qmp_rx = g_string_new("");
    s->events = g_queue_new();
    qtest_qmp_handshake(s);
    g_strfreev(extra);
    g_ptr_array_free(argv, TRUE);
    return s;
}

QTestState *qtest_initf(const char *fmt, ...)
{
    va_list ap;
    char *args;
    QTestState *s;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    s = qtest_init(args);
    g_free(args);
    return s;
}

pid_t qtest_pid(QTestState *s)
{
    return s->pid;
}

int qtest_wait_qemu(QTestState *s)
{
    if (!s->exited) {
        g_assert_cmpint(waitpid(s->pid, &s->wstatus, 0), ==, s->pid);
        s->exited = true;
    }
    return s->wstatus;
}

void qtest_quit(QTestState *s)
{
    if (!s->exited) {
        kill(s->pid, SIGTERM);
        qtest_wait_qemu(s);
        g_assert_true(WIFEXITED(s->wstatus));
        g_assert_cmpint(WEXITSTATUS(s->wstatus), ==, 0);
    }
    close(s->fd);
    close(s->qmp_fd);
    g_string_free(s->rx, TRUE);
    g_string_free(s->qmp_rx, TRUE);
    g_queue_free_full(s->events, (GDestroyNotify)json_decref);
    g_free(s->sock_path);
    g_free(s);
}

static void qtest_sendf(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    char *line;
    size_t len, off = 0;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    len = strlen(line);
    while (off < len) {
        ssize_t n = write(s->fd, line + off, len - off);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        g_assert_cmpint(n, >, 0);
        off += n;
    }
    g_free(line);
}

static char *qtest_recv_line(QTestState *s)
{
    char *nl;

    while (!(nl = memchr(s->rx->str, '\n', s->rx->len))) {
        char buf[4096];
        ssize_t n = read(s->fd, buf, sizeof(buf));

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            g_error("minivm closed the qtest connection");
        }
        g_string_append_len(s->rx, buf, n);
    }
    {
        size_t len = nl - s->rx->str;
        char *line = g_strndup(s->rx->str, len);

        g_string_erase(s->rx, 0, len + 1);
        return line;
    }
}

/* The reply to the last request; IRQ notifications on the way are recorded. */
static char *qtest_reply(QTestState *s)
{
    for (;;) {
        char *line = qtest_recv_line(s);
        int n;

        if (sscanf(line, "IRQ raise %d", &n) == 1 && n >= 0 && n < MAX_IRQ) {
            s->irq_level[n] = true;
        } else if (sscanf(line, "IRQ lower %d", &n) == 1 && n >= 0 && n < MAX_IRQ) {
            s->irq_level[n] = false;
        } else {
            return line;
        }
        g_free(line);
    }
}

char *qtest_raw_cmd(QTestState *s, const char *line)
{
    qtest_sendf(s, "%s\n", line);
    return qtest_reply(s);
}

void qtest_raw_cmd_noreply(QTestState *s, const char *line)
{
    qtest_sendf(s, "%s\n", line);
}

/* Expect "OK" (optionally followed by a value) and return the value part. */
static char *qtest_ok(QTestState *s)
{
    char *r = qtest_reply(s);
    char *v;

    if (strcmp(r, "OK") && !g_str_has_prefix(r, "OK ")) {
        g_error("qtest: unexpected reply '%s'", r);
    }
    v = g_strdup(r[2] ? r + 3 : "");
    g_free(r);
    return v;
}

static uint64_t qtest_ok_u64(QTestState *s)
{
    char *v = qtest_ok(s);
    uint64_t r = g_ascii_strtoull(v, NULL, 0);

    g_free(v);
    return r;
}

static void qtest_ok_void(QTestState *s)
{
    g_free(qtest_ok(s));
}

#define DEF_OUT(n, t) \
    void qtest_out##n(QTestState *s, uint16_t addr, t value) \
    { \
        qtest_sendf(s, "out" #n " 0x%x 0x%x\n", addr, value); \
        qtest_ok_void(s); \
    }
DEF_OUT(b, uint8_t)
DEF_OUT(w, uint16_t)
DEF_OUT(l, uint32_t)

#define DEF_IN(n, t) \
    t qtest_in##n(QTestState *s, uint16_t addr) \
    { \
        qtest_sendf(s, "in" #n " 0x%x\n", addr); \
        return qtest_ok_u64(s); \
    }
DEF_IN(b, uint8_t)
DEF_IN(w, uint16_t)
DEF_IN(l, uint32_t)

#define DEF_WRITE(n, t) \
    void qtest_write##n(QTestState *s, uint64_t addr, t value) \
    { \
        qtest_sendf(s, "write" #n " 0x%" PRIx64 " 0x%" PRIx64 "\n", addr, (uint64_t)value); \
        qtest_ok_void(s); \
    }
DEF_WRITE(b, uint8_t)
DEF_WRITE(w, uint16_t)
DEF_WRITE(l, uint32_t)
DEF_WRITE(q, uint64_t)

#define DEF_READ(n, t) \
    t qtest_read##n(QTestState *s, uint64_t addr) \
    { \
        qtest_sendf(s, "read" #n " 0x%" PRIx64 "\n", addr); \
        return qtest_ok_u64(s); \
    }
DEF_READ(b, uint8_t)
DEF_READ(w, uint16_t)
DEF_READ(l, uint32_t)
DEF_READ(q, uint64_t)

static int hexval(char c)
{
    return g_ascii_xdigit_value(c);
}

void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    uint8_t *p = data;
    char *v;

    qtest_sendf(s, "read 0x%" PRIx64 " 0x%zx\n", addr, size);
    v = qtest_ok(s);
    g_assert_true(g_str_has_prefix(v, "0x"));
    g_assert_cmpuint(strlen(v), ==, 2 + 2 * size);
    for (size_t i = 0; i < size; i++) {
        p[i] = hexval(v[2 + 2 * i]) << 4 | hexval(v[3 + 2 * i]);
    }
    g_free(v);
}

void qtest_memwrite(QTestState *s, uint64_t addr, const void *data, size_t size)
{
    const uint8_t *p = data;
    GString *hex = g_string_new("0x");

    for (size_t i = 0; i < size; i++) {
        g_string_append_printf(hex, "%02x", p[i]);
    }
    qtest_sendf(s, "write 0x%" PRIx64 " 0x%zx %s\n", addr, size, hex->str);
    g_string_free(hex, TRUE);
    qtest_ok_void(s);
}

void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    char *v;
    guchar *dec;
    gsize len;

    qtest_sendf(s, "b64read 0x%" PRIx64 " 0x%zx\n", addr, size);
    v = qtest_ok(s);
    dec = g_base64_decode(v, &len);
    g_assert_cmpuint(len, ==, size);
    memcpy(data, dec, size);
    g_free(dec);
    g_free(v);
}

void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data, size_t size)
{
    gchar *b64 = g_base64_encode(data, size);

    qtest_sendf(s, "b64write 0x%" PRIx64 " 0x%zx %s\n", addr, size, b64);
    g_free(b64);
    qtest_ok_void(s);
}

void qtest_memset(QTestState *s, uint64_t addr, uint8_t patt, size_t size)
{
    qtest_sendf(s, "memset 0x%" PRIx64 " 0x%zx 0x%02x\n", addr, size, patt);
    qtest_ok_void(s);
}

int64_t qtest_clock_step(QTestState *s, int64_t step)
{
    qtest_sendf(s, "clock_step %" PRIi64 "\n", step);
    return qtest_ok_u64(s);
}

int64_t qtest_clock_step_next(QTestState *s)
{
    qtest_sendf(s, "clock_step\n");
    return qtest_ok_u64(s);
}

int64_t qtest_clock_set(QTestState *s, int64_t val)
{
    qtest_sendf(s, "clock_set %" PRIi64 "\n", val);
    return qtest_ok_u64(s);
}

void qtest_irq_intercept_in(QTestState *s, const char *qom_path)
{
    qtest_sendf(s, "irq_intercept_in %s\n", qom_path);
    qtest_ok_void(s);
}

void qtest_irq_intercept_out(QTestState *s, const char *qom_path)
{
    qtest_sendf(s, "irq_intercept_out %s\n", qom_path);
    qtest_ok_void(s);
}

bool qtest_get_irq(QTestState *s, int num)
{
    /* Drain notifications already sent: a no-op request flushes them in order. */
    g_free(qtest_raw_cmd(s, "endianness"));
    g_assert(num >= 0 && num < MAX_IRQ);
    return s->irq_level[num];
}

void qtest_set_irq_in(QTestState *s, const char *qom_path, const char *name, int num,
                      int level)
{
    qtest_sendf(s, "set_irq_in %s %s %d %d\n", qom_path, name ? name : "unnamed-gpio-in",
                num, level);
    qtest_ok_void(s);
}
