/*
 * The chardev core: backend registry, the label table, creation from
 * -chardev options or legacy specs, and the frontend (CharBackend) calls.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "chardev/char-fe.h"
#include "qemu/error-report.h"

static GPtrArray *char_drivers;
static GList *chardevs;         /* labelled ones, creation order */

void register_char_driver(const ChardevClass *cls)
{
    if (!char_drivers) {
        char_drivers = g_ptr_array_new();
    }
    g_ptr_array_add(char_drivers, (gpointer)cls);
}

static const ChardevClass *char_driver_find(const char *name)
{
    for (guint i = 0; char_drivers && i < char_drivers->len; i++) {
        const ChardevClass *cls = g_ptr_array_index(char_drivers, i);

        if (!strcmp(cls->name, name)) {
            return cls;
        }
    }
    return NULL;
}

Chardev *qemu_chr_find(const char *label)
{
    for (GList *l = chardevs; l; l = l->next) {
        Chardev *chr = l->data;

        if (!strcmp(chr->label, label)) {
            return chr;
        }
    }
    return NULL;
}

GList *qemu_chr_list(void)
{
    return chardevs;
}

/* Used by backends that create connections of their own (socket). */
Chardev *qemu_chardev_new_anonymous(const ChardevClass *cls, const char *label);

Chardev *qemu_chardev_new_anonymous(const ChardevClass *cls, const char *label)
{
    Chardev *chr = g_malloc0(cls->instance_size);

    chr->cls = cls;
    chr->label = g_strdup(label);
    chr->anonymous = true;
    return chr;
}

/*
 * The keys QEMU 7.2's -chardev accepts, whatever the backend (its option
 * list is one for all of them); anything else is "Invalid parameter".
 */
static const QemuOptDesc chardev_opts_desc[] = {
    { "backend", QEMU_OPT_STRING }, { "path", QEMU_OPT_STRING }, { "host", QEMU_OPT_STRING },
    { "port", QEMU_OPT_STRING }, { "fd", QEMU_OPT_STRING }, { "localaddr", QEMU_OPT_STRING },
    { "localport", QEMU_OPT_STRING }, { "to", QEMU_OPT_NUMBER }, { "ipv4", QEMU_OPT_BOOL },
    { "ipv6", QEMU_OPT_BOOL }, { "wait", QEMU_OPT_BOOL }, { "server", QEMU_OPT_BOOL },
    { "delay", QEMU_OPT_BOOL }, { "nodelay", QEMU_OPT_BOOL },
    { "reconnect", QEMU_OPT_NUMBER }, { "telnet", QEMU_OPT_BOOL },
    { "tn3270", QEMU_OPT_BOOL }, { "tls-creds", QEMU_OPT_STRING },
    { "tls-authz", QEMU_OPT_STRING }, { "websocket", QEMU_OPT_BOOL },
    { "width", QEMU_OPT_NUMBER }, { "height", QEMU_OPT_NUMBER }, { "cols", QEMU_OPT_NUMBER },
    { "rows", QEMU_OPT_NUMBER }, { "mux", QEMU_OPT_BOOL }, { "signal", QEMU_OPT_BOOL },
    { "name", QEMU_OPT_STRING }, { "debug", QEMU_OPT_NUMBER }, { "size", QEMU_OPT_SIZE },
    { "chardev", QEMU_OPT_STRING }, { "append", QEMU_OPT_BOOL },
    { "logfile", QEMU_OPT_STRING }, { "logappend", QEMU_OPT_BOOL },
    { "abstract", QEMU_OPT_BOOL }, { "tight", QEMU_OPT_BOOL },
    { NULL }
};

Chardev *qemu_chr_new_from_opts(QemuOpts *opts, Error **errp)
{
    const char *backend = qemu_opt_get(opts, "backend");
    const ChardevClass *cls;
    bool be_opened = true;
    Chardev *chr;

    if (!qemu_opts_validate(opts, chardev_opts_desc, NULL, errp)) {
        return NULL;
    }
    if (!opts->id) {
        error_setg(errp, "Parameter 'id' is missing");
        return NULL;
    }
    if (!backend) {
        error_setg(errp, "chardev: \"%s\" missing backend", opts->id);
        return NULL;
    }
    cls = char_driver_find(backend);
    if (!cls) {
        error_setg(errp, "'%s' is not a valid char driver name", backend);
        return NULL;
    }
    if (qemu_chr_find(opts->id)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object (type 'container')",
                   opts->id);
        return NULL;
    }
    chr = g_malloc0(cls->instance_size);
    chr->cls = cls;
    chr->label = g_strdup(opts->id);
    if (!cls->open(chr, opts, &be_opened, errp)) {
        g_free(chr->label);
        g_free(chr->filename);
        g_free(chr);
        return NULL;
    }
    if (!chr->filename) {
        chr->filename = g_strdup(cls->name);
    }
    chr->be_open = be_opened;
    chardevs = g_list_append(chardevs, chr);
    return chr;
}

/* "unix:PATH,opts" / "tcp:HOST:PORT,opts" -> "socket,path=PATH,opts". */
static char *legacy_socket_spec(const char *spec, Error **errp)
{
    const char *rest;
    g_autofree char *addr = NULL;
    const char *comma;

    if (g_str_has_prefix(spec, "unix:")) {
        rest = spec + 5;
        comma = strchr(rest, ',');
        addr = g_strndup(rest, comma ? (size_t)(comma - rest) : strlen(rest));
        /* QEMU parses the rest with "path" as the implied key: unix:path=X works too. */
        return g_strdup_printf("socket,path=%s%s",
                               g_str_has_prefix(addr, "path=") ? addr + 5 : addr,
                               comma ? comma : "");
    }
    rest = spec + 4;
    comma = strchr(rest, ',');
    addr = g_strndup(rest, comma ? (size_t)(comma - rest) : strlen(rest));
    {
        char *colon = strrchr(addr, ':');

        if (!colon) {
            error_setg(errp, "host and/or port not specified");
            return NULL;
        }
        *colon = '\0';
        return g_strdup_printf("socket,host=%s,port=%s%s", addr, colon + 1, comma ? comma : "");
    }
}

Chardev *qemu_chr_new(const char *label, const char *spec, Error **errp)
{
    g_autofree char *text = NULL;
    QemuOpts *opts;
    Chardev *chr;

    if (!strcmp(spec, "none") || !strcmp(spec, "vc") || g_str_has_prefix(spec, "vc:")) {
        return NULL;
    }
    if (g_str_has_prefix(spec, "chardev:")) {
        chr = qemu_chr_find(spec + 8);
        if (!chr) {
            error_setg(errp, "chardev '%s' not found", spec + 8);
        }
        return chr;
    }
    if (!strcmp(spec, "mon:stdio")) {
        text = g_strdup("stdio,mux=on");
    } else if (g_str_has_prefix(spec, "mon:")) {
        spec += 4;
    }
    if (text) {
        /* done */
    } else if (!strcmp(spec, "stdio") || !strcmp(spec, "null") || !strcmp(spec, "pty")) {
        text = g_strdup(spec);
    } else if (g_str_has_prefix(spec, "file:")) {
        text = g_strdup_printf("file,path=%s", spec + 5);
    } else if (g_str_has_prefix(spec, "unix:") || g_str_has_prefix(spec, "tcp:")) {
        text = legacy_socket_spec(spec, errp);
        if (!text) {
            return NULL;
        }
    } else {
        error_setg(errp, "'%s' is not a valid char driver", spec);
        return NULL;
    }
    opts = qemu_opts_parse(text, "backend", errp);
    if (!opts) {
        return NULL;
    }
    g_free(opts->id);
    opts->id = g_strdup(label);
    chr = qemu_chr_new_from_opts(opts, errp);
    qemu_opts_free(opts);
    return chr;
}

void qemu_chr_delete(Chardev *chr)
{
    if (!chr) {
        return;
    }
    if (chr->be) {
        chr->be->chr = NULL;
    }
    chardevs = g_list_remove(chardevs, chr);
    if (chr->cls->finalize) {
        chr->cls->finalize(chr);
    }
    g_free(chr->label);
    g_free(chr->filename);
    g_free(chr);
}

void qemu_chr_cleanup(void)
{
    while (chardevs) {
        qemu_chr_delete(chardevs->data);
    }
}

/* ---- backend side ---- */

int qemu_chr_be_can_write(Chardev *chr)
{
    CharBackend *be = chr->be;

    if (!be || !be->chr_read) {
        return 0;
    }
    return be->chr_can_read ? be->chr_can_read(be->opaque) : 4096;
}

void qemu_chr_be_write(Chardev *chr, const uint8_t *buf, int len)
{
    CharBackend *be = chr->be;

    if (be && be->chr_read) {
        be->chr_read(be->opaque, buf, len);
    }
}

void qemu_chr_be_event(Chardev *chr, QEMUChrEvent event)
{
    CharBackend *be = chr->be;

    if (event == CHR_EVENT_OPENED) {
        chr->be_open = true;
    } else if (event == CHR_EVENT_CLOSED) {
        chr->be_open = false;
    }
    if (be && be->chr_event) {
        be->chr_event(be->opaque, event);
    }
}

/* ---- frontend side ---- */

bool qemu_chr_fe_init(CharBackend *b, Chardev *s, Error **errp)
{
    if (s && s->be) {
        error_setg(errp, "Device '%s' is in use", s->label);
        return false;
    }
    memset(b, 0, sizeof(*b));
    b->chr = s;
    if (s) {
        s->be = b;
    }
    return true;
}

void qemu_chr_fe_deinit(CharBackend *b, bool del)
{
    Chardev *chr = b->chr;

    if (!chr) {
        return;
    }
    chr->be = NULL;
    b->chr = NULL;
    if (chr->cls->chr_update_read_handler) {
        chr->cls->chr_update_read_handler(chr);
    }
    if (del) {
        qemu_chr_delete(chr);
    }
}

void qemu_chr_fe_set_handlers(CharBackend *b, IOCanReadHandler *fd_can_read,
                              IOReadHandler *fd_read, IOEventHandler *fd_event,
                              BackendChangeHandler *be_change, void *opaque,
                              void *context, bool set_open)
{
    Chardev *chr = b->chr;

    b->chr_can_read = fd_can_read;
    b->chr_read = fd_read;
    b->chr_event = fd_event;
    b->opaque = opaque;
    if (!chr) {
        return;
    }
    if (chr->cls->chr_update_read_handler) {
        chr->cls->chr_update_read_handler(chr);
    }
    if (fd_event && chr->be_open) {
        fd_event(opaque, CHR_EVENT_OPENED);
    }
}

int qemu_chr_fe_write(CharBackend *be, const uint8_t *buf, int len)
{
    Chardev *chr = be->chr;

    if (!chr) {
        return len;     /* no backend: output goes nowhere, as in QEMU */
    }
    return chr->cls->chr_write ? chr->cls->chr_write(chr, buf, len) : len;
}

int qemu_chr_fe_write_all(CharBackend *be, const uint8_t *buf, int len)
{
    return qemu_chr_fe_write(be, buf, len);
}

void qemu_chr_fe_printf(CharBackend *be, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *s = NULL;

    va_start(ap, fmt);
    s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qemu_chr_fe_write_all(be, (const uint8_t *)s, strlen(s));
}

void qemu_chr_fe_accept_input(CharBackend *be)
{
    Chardev *chr = be->chr;

    if (chr && chr->cls->chr_update_read_handler) {
        chr->cls->chr_update_read_handler(chr);
    }
}
