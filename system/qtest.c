/*
 * The qtest server: QEMU's line protocol (docs/devel/qtest.rst) on a
 * socket or stdio.  Requests are words separated by single spaces;
 * replies are "OK[ ...]", "FAIL ..." or "ERR ...", and "IRQ raise N" /
 * "IRQ lower N" lines may come before any reply.  Malformed arguments get
 * "ERR invalid argument" where QEMU would assert.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "chardev/char-fe.h"
#include "exec/memory.h"
#include "qemu/main-loop.h"
#include "hw/irq.h"
#include "sysemu/qtest.h"

#define MAX_IRQ 256

typedef struct QTestServer {
    CharBackend chr;
    bool opened;
    GString *inbuf;
    GString *outbuf;        /* replies of the request being processed */
    FILE *log;
    GTimer *timer;
    IRQGpioGroup *intercepted;
    int irq_levels[MAX_IRQ];
} QTestServer;

static QTestServer *qts;
static bool qtest_accel;

bool qtest_enabled(void)
{
    return qtest_accel;
}

void qtest_set_enabled(bool on)
{
    qtest_accel = on;
}

static void qtest_log(const char *dir, const char *text)
{
    if (qts && qts->log) {
        fprintf(qts->log, "[%s +%.6f] %s", dir, g_timer_elapsed(qts->timer, NULL), text);
        fflush(qts->log);
    }
}

static void qtest_flush_out(void)
{
    if (qts->outbuf->len && qts->opened) {
        qemu_chr_fe_write_all(&qts->chr, (const uint8_t *)qts->outbuf->str, qts->outbuf->len);
    }
    g_string_truncate(qts->outbuf, 0);
}

static void G_GNUC_PRINTF(1, 2) qtest_sendf(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_log("S", s);
    g_string_append(qts->outbuf, s);
    g_free(s);
}

/* Asynchronous: written at once, possibly between two requests. */
static void qtest_irq_handler(void *opaque, int n, int level)
{
    if (n < 0 || n >= MAX_IRQ || qts->irq_levels[n] == level) {
        return;
    }
    qts->irq_levels[n] = level;
    qtest_sendf("IRQ %s %d\n", level ? "raise" : "lower", n);
    qtest_flush_out();
}

static bool parse_u64(const char *s, uint64_t *v)
{
    char *end;

    if (!s || !*s || *s == '-') {
        return false;
    }
    errno = 0;
    *v = strtoull(s, &end, 0);
    return !errno && !*end;
}

static bool parse_i64(const char *s, int64_t *v)
{
    char *end;

    if (!s || !*s) {
        return false;
    }
    errno = 0;
    *v = strtoll(s, &end, 0);
    return !errno && !*end;
}

static int hex2nib(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return 0;
}

static unsigned access_size(char suffix)
{
    switch (suffix) {
    case 'b':
        return 1;
    case 'w':
        return 2;
    case 'l':
        return 4;
    case 'q':
        return 8;
    default:
        return 0;
    }
}

/* Guest memory accesses larger than this are refused rather than allocated. */
#define QTEST_MAX_BUF (256u << 20)

static void cmd_irq_intercept(char **words)
{
    bool out = !strcmp(words[0], "irq_intercept_out");
    IRQGpioGroup *g = words[1] ? qemu_irq_find_gpio(words[1], out) : NULL;

    if (!g) {
        qtest_sendf("FAIL Unknown device\n");
        return;
    }
    if (qts->intercepted) {
        qtest_sendf(qts->intercepted == g ? "OK\n" : "FAIL IRQ intercept already enabled\n");
        return;
    }
    qemu_irq_intercept(g, qtest_irq_handler, NULL);
    qts->intercepted = g;
    qtest_sendf("OK\n");
}

static void cmd_set_irq_in(char **words)
{
    IRQGpioGroup *g = words[1] ? qemu_irq_find_gpio(words[1], false) : NULL;
    int64_t num, level;
    qemu_irq irq;

    if (!g) {
        qtest_sendf("FAIL Unknown device\n");
        return;
    }
    if (!words[2] || !parse_i64(words[3], &num) || !parse_i64(words[4], &level)) {
        qtest_sendf("ERR invalid argument\n");
        return;
    }
    irq = qemu_irq_gpio_line(g, words[2], num);
    if (!irq) {
        qtest_sendf("FAIL Unknown IRQ\n");
        return;
    }
    qemu_set_irq(irq, level);
    qtest_sendf("OK\n");
}

static void cmd_memory(char **words, int nwords)
{
    const char *cmd = words[0];
    uint64_t addr, len, val;

    if (!parse_u64(words[1], &addr)) {
        qtest_sendf("ERR invalid argument\n");
        return;
    }
    if (g_str_has_prefix(cmd, "write") && strlen(cmd) == 6) {
        if (!parse_u64(words[2], &val)) {
            qtest_sendf("ERR invalid argument\n");
            return;
        }
        address_space_write_sized(&address_space_memory, addr, val, access_size(cmd[5]),
                                  MEMTXATTRS_UNSPECIFIED);
        qtest_sendf("OK\n");
        return;
    }
    if (g_str_has_prefix(cmd, "read") && strlen(cmd) == 5) {
        address_space_read_sized(&address_space_memory, addr, &val, access_size(cmd[4]),
                                 MEMTXATTRS_UNSPECIFIED);
        qtest_sendf("OK 0x%016" PRIx64 "\n", val);
        return;
    }
    if (!parse_u64(words[2], &len) || len > QTEST_MAX_BUF) {
        qtest_sendf("ERR invalid argument\n");
        return;
    }
    if (!strcmp(cmd, "read") || !strcmp(cmd, "b64read")) {
        uint8_t *data;

        if (!len) {
            qtest_sendf("ERR invalid argument size\n");
            return;
        }
        data = g_malloc(len);
        address_space_read(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED, data, len);
        if (!strcmp(cmd, "read")) {
            GString *hex = g_string_sized_new(2 * len + 8);

            for (uint64_t i = 0; i < len; i++) {
                g_string_append_printf(hex, "%02x", data[i]);
            }
            qtest_sendf("OK 0x%s\n", hex->str);
            g_string_free(hex, TRUE);
        } else {
            gchar *b64 = g_base64_encode(data, len);

            qtest_sendf("OK %s\n", b64);
            g_free(b64);
        }
        g_free(data);
        return;
    }
    if (!strcmp(cmd, "memset")) {
        uint64_t pattern;

        if (!parse_u64(words[3], &pattern)) {
            qtest_sendf("ERR invalid argument\n");
            return;
        }
        if (len) {
            address_space_set(&address_space_memory, addr, pattern, len,
                              MEMTXATTRS_UNSPECIFIED);
        }
        qtest_sendf("OK\n");
        return;
    }
    /* write / b64write */
    if (!words[3] || strlen(words[3]) < 3) {
        qtest_sendf("ERR invalid argument size\n");
        return;
    }
    if (!strcmp(cmd, "write")) {
        size_t data_len = strlen(words[3]);
        uint8_t *data = g_malloc0(len ? len : 1);

        /* Missing digits are zero bytes, as QEMU fills them. */
        for (uint64_t i = 0; i < len; i++) {
            if (i * 2 + 4 <= data_len) {
                data[i] = hex2nib(words[3][i * 2 + 2]) << 4 | hex2nib(words[3][i * 2 + 3]);
            }
        }
        address_space_write(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED, data, len);
        g_free(data);
    } else {
        gsize out_len;
        guchar *decoded = g_base64_decode(words[3], &out_len);
        uint8_t *data = g_malloc0(len ? len : 1);

        if (out_len != len && qts->log) {
            fprintf(qts->log, "b64write: data length mismatch (told %" PRIu64 ", found %zu)\n",
                    len, (size_t)out_len);
        }
        memcpy(data, decoded, MIN(out_len, len));
        address_space_write(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED, data, len);
        g_free(decoded);
        g_free(data);
    }
    qtest_sendf("OK\n");
}

static void cmd_pio(char **words)
{
    uint64_t addr, val;
    unsigned size = access_size(words[0][strlen(words[0]) - 1]);
    bool out = words[0][0] == 'o';

    if (!parse_u64(words[1], &addr) || addr > 0xffff || (out && !parse_u64(words[2], &val))) {
        qtest_sendf("ERR invalid argument\n");
        return;
    }
    if (out) {
        address_space_write_sized(&address_space_io, addr, val, size, MEMTXATTRS_UNSPECIFIED);
        qtest_sendf("OK\n");
    } else {
        address_space_read_sized(&address_space_io, addr, &val, size, MEMTXATTRS_UNSPECIFIED);
        qtest_sendf("OK 0x%04x\n", (unsigned)val);
    }
}

static void cmd_clock(char **words)
{
    int64_t ns, now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    if (!strcmp(words[0], "clock_step")) {
        if (words[1]) {
            if (!parse_i64(words[1], &ns)) {
                qtest_sendf("ERR invalid argument\n");
                return;
            }
        } else {
            ns = qemu_clock_deadline_ns_all(QEMU_CLOCK_VIRTUAL);
        }
        ns += now;
    } else if (!parse_i64(words[1], &ns)) {
        qtest_sendf("ERR invalid argument\n");
        return;
    }
    if (ns > now) {
        qemu_clock_advance_virtual(ns);
    }
    qtest_sendf("OK %" PRIi64 "\n", qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
}

static bool is_one_of(const char *w, const char *const *list)
{
    for (; *list; list++) {
        if (!strcmp(w, *list)) {
            return true;
        }
    }
    return false;
}

/* Minimum words (command included) each command needs. */
static int min_words(const char *w)
{
    static const char *const two[] = { "inb", "inw", "inl", "readb", "readw", "readl", "readq",
                                       "irq_intercept_in", "irq_intercept_out", "clock_set",
                                       NULL };
    static const char *const three[] = { "outb", "outw", "outl", "writeb", "writew", "writel",
                                         "writeq", "read", "b64read", "module_load", NULL };
    static const char *const four[] = { "write", "b64write", "memset", NULL };

    if (is_one_of(w, two)) {
        return 2;
    }
    if (is_one_of(w, three)) {
        return 3;
    }
    if (is_one_of(w, four)) {
        return 4;
    }
    if (!strcmp(w, "set_irq_in")) {
        return 5;
    }
    return 1;
}

static void qtest_process_command(char **words)
{
    const char *w = words[0];
    int n = g_strv_length(words);
    static const char *const pio[] = { "outb", "outw", "outl", "inb", "inw", "inl", NULL };
    static const char *const mem[] = { "writeb", "writew", "writel", "writeq", "readb",
                                       "readw", "readl", "readq", "read", "b64read", "write",
                                       "b64write", "memset", NULL };

    if (n < min_words(w)) {
        qtest_sendf("ERR invalid argument\n");
    } else if (!strcmp(w, "irq_intercept_in") || !strcmp(w, "irq_intercept_out")) {
        cmd_irq_intercept(words);
    } else if (!strcmp(w, "set_irq_in")) {
        cmd_set_irq_in(words);
    } else if (is_one_of(w, pio)) {
        cmd_pio(words);
    } else if (is_one_of(w, mem)) {
        cmd_memory(words, n);
    } else if (!strcmp(w, "endianness")) {
        qtest_sendf("OK little\n");
    } else if (!strcmp(w, "module_load")) {
        qtest_sendf("FAIL\n");      /* everything is built in */
    } else if (qtest_enabled() && (!strcmp(w, "clock_step") || !strcmp(w, "clock_set"))) {
        cmd_clock(words);
    } else {
        qtest_sendf("FAIL Unknown command '%s'\n", w);
    }
}

static void qtest_handle_line(const char *line)
{
    char **words = g_strsplit(line, " ", 0);
    char *logline = g_strdup_printf("%s\n", line);

    qtest_log("R", logline);
    g_free(logline);
    if (words[0]) {
        qtest_process_command(words);
    }
    g_strfreev(words);
}

char *qtest_process_line(const char *line)
{
    char *r;

    qtest_handle_line(line);
    r = g_strdup(qts->outbuf->str);
    g_string_truncate(qts->outbuf, 0);
    return r;
}

static int qtest_can_read(void *opaque)
{
    return 4096;
}

static void qtest_read(void *opaque, const uint8_t *buf, int size)
{
    char *nl;

    g_string_append_len(qts->inbuf, (const char *)buf, size);
    while ((nl = memchr(qts->inbuf->str, '\n', qts->inbuf->len))) {
        size_t linelen = nl - qts->inbuf->str;
        char *line = g_strndup(qts->inbuf->str, linelen);

        if (linelen && line[linelen - 1] == '\r') {
            line[linelen - 1] = 0;
        }
        g_string_erase(qts->inbuf, 0, linelen + 1);
        qtest_handle_line(line);
        g_free(line);
        qtest_flush_out();
    }
}

static void qtest_event(void *opaque, QEMUChrEvent event)
{
    switch (event) {
    case CHR_EVENT_OPENED:
        /* A new client starts from "all lines low", as in QEMU. */
        memset(qts->irq_levels, 0, sizeof(qts->irq_levels));
        qts->opened = true;
        if (qts->log) {
            fprintf(qts->log, "[I %.6f] OPENED\n", g_timer_elapsed(qts->timer, NULL));
        }
        break;
    case CHR_EVENT_CLOSED:
        qts->opened = false;
        g_string_truncate(qts->inbuf, 0);
        if (qts->log) {
            fprintf(qts->log, "[I +%.6f] CLOSED\n", g_timer_elapsed(qts->timer, NULL));
        }
        break;
    default:
        break;
    }
}

bool qtest_server_init(const char *spec, const char *logfile, Error **errp)
{
    QTestServer *s = g_new0(QTestServer, 1);
    Chardev *chr;

    s->inbuf = g_string_new("");
    s->outbuf = g_string_new("");
    s->timer = g_timer_new();
    if (!logfile) {
        s->log = stderr;
    } else if (strcmp(logfile, "none")) {
        s->log = fopen(logfile, "w");
        if (!s->log) {
            error_setg_errno(errp, errno, "Could not open qtest log '%s'", logfile);
            return false;
        }
    }
    chr = qemu_chr_new("qtest", spec, errp);
    if (!chr) {
        if (errp && !*errp) {
            error_setg(errp, "qtest: '%s' is not a usable character device", spec);
        }
        return false;
    }
    qts = s;
    if (!qemu_chr_fe_init(&s->chr, chr, errp)) {
        qts = NULL;
        return false;
    }
    qemu_chr_fe_set_handlers(&s->chr, qtest_can_read, qtest_read, qtest_event, NULL, s, NULL,
                             true);
    return true;
}
