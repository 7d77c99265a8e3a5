/*
 * QMP monitors on chardevs.  Each client is a session with its own
 * stream parser and negotiation state.  A listening socket monitor takes
 * every connection as a new session, so several clients can work at once.
 *
 * Replies are queued and written after the main loop has carried out the
 * requests a command made (monitor_flush_responses), so a client sees
 * RESET/POWERDOWN/SHUTDOWN before the reply of the command that caused
 * them, in the order QEMU 7.2 produces.
 */
#include <string.h>

#include "chardev/char-fe.h"
#include "monitor/json-stream.h"
#include "monitor/monitor.h"
#include "monitor/qmp-internal.h"
#include "qemu/json-writer.h"
#include "qemu/main-loop.h"

#include "config-host.h"

typedef struct QmpSession {
    CharBackend be;
    bool owns_chr;          /* a connection of a multi-client listener */
    bool pretty;
    bool negotiating;
    bool oob;               /* the client enabled the "oob" capability */
    bool closed;
    JSONStream parser;
    GString *pending;       /* replies waiting for monitor_flush_responses() */
} QmpSession;

static GList *sessions;
static bool commands_registered;

json_t *qmp_version_info(void)
{
    unsigned major = 0, minor = 0, micro = 0;

    sscanf(MINIVM_VERSION, "%u.%u.%u", &major, &minor, &micro);
    return json_pack("{s:{s:i, s:i, s:i}, s:s}", "qemu", "major", major, "minor", minor,
                     "micro", micro, "package", "");
}

static void session_send_now(QmpSession *s, json_t *msg)
{
    GString *text = qobject_to_json_pretty(msg, s->pretty);

    g_string_append(text, "\r\n");
    qemu_chr_fe_write_all(&s->be, (const uint8_t *)text->str, text->len);
    g_string_free(text, TRUE);
}

static void session_flush(QmpSession *s)
{
    if (s->pending->len && !s->closed) {
        qemu_chr_fe_write_all(&s->be, (const uint8_t *)s->pending->str, s->pending->len);
    }
    g_string_truncate(s->pending, 0);
}

void monitor_flush_responses(void)
{
    for (GList *l = sessions; l; l = l->next) {
        session_flush(l->data);
    }
}

static void session_queue_reply(QmpSession *s, json_t *msg)
{
    GString *text = qobject_to_json_pretty(msg, s->pretty);

    g_string_append_len(s->pending, text->str, text->len);
    g_string_append(s->pending, "\r\n");
    g_string_free(text, TRUE);
}

void qapi_event_send(const char *event, json_t *data)
{
    gint64 now = g_get_real_time();
    json_t *msg = json_pack("{s:s, s:{s:I, s:I}}", "event", event, "timestamp",
                            "seconds", (json_int_t)(now / G_USEC_PER_SEC),
                            "microseconds", (json_int_t)(now % G_USEC_PER_SEC));

    if (data) {
        json_object_set_new(msg, "data", data);
    }
    for (GList *l = sessions; l; l = l->next) {
        QmpSession *s = l->data;

        if (!s->negotiating && !s->closed) {
            session_send_now(s, msg);
        }
    }
    json_decref(msg);
}

static void session_greet(QmpSession *s)
{
    json_t *greeting = json_pack("{s:{s:o, s:[s]}}", "QMP", "version", qmp_version_info(),
                                 "capabilities", "oob");

    s->negotiating = true;
    s->oob = false;
    json_stream_reset(&s->parser);
    session_send_now(s, greeting);
    json_decref(greeting);
}

static void session_handle(void *opaque, json_t *msg, Error *err)
{
    QmpSession *s = opaque;
    json_t *rsp;

    /* Earlier replies first: a command's events must not overtake them. */
    session_flush(s);
    if (err) {
        rsp = qmp_error_response(err);
    } else {
        const char *name = json_string_value(json_object_get(msg, "execute"));

        rsp = qmp_dispatch(msg, s->negotiating, s->oob);
        if (s->negotiating && name && !strcmp(name, "qmp_capabilities") &&
            json_object_get(rsp, "return")) {
            json_t *enable = json_object_get(json_object_get(msg, "arguments"), "enable");

            s->negotiating = false;
            s->oob = json_array_size(enable) > 0;   /* "oob" is the only valid one */
        }
        json_decref(msg);
    }
    session_queue_reply(s, rsp);
    json_decref(rsp);
}

static int session_can_read(void *opaque)
{
    return 65536;
}

static void session_read(void *opaque, const uint8_t *buf, int size)
{
    QmpSession *s = opaque;

    json_stream_feed(&s->parser, (const char *)buf, size);
}

static void session_free(void *opaque)
{
    QmpSession *s = opaque;

    sessions = g_list_remove(sessions, s);
    qemu_chr_fe_deinit(&s->be, s->owns_chr);
    json_stream_destroy(&s->parser);
    g_string_free(s->pending, TRUE);
    g_free(s);
}

static void session_event(void *opaque, QEMUChrEvent event)
{
    QmpSession *s = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
        session_greet(s);
        break;
    case CHR_EVENT_CLOSED:
        json_stream_reset(&s->parser);
        g_string_truncate(s->pending, 0);
        if (s->owns_chr) {
            /* Freed later: we are inside the connection's own read handler. */
            s->closed = true;
            aio_bh_schedule_oneshot(qemu_get_aio_context(), session_free, s);
        }
        break;
    default:
        break;
    }
}

static QmpSession *session_new(Chardev *chr, bool pretty, bool owns_chr, Error **errp)
{
    QmpSession *s = g_new0(QmpSession, 1);

    if (!qemu_chr_fe_init(&s->be, chr, errp)) {
        g_free(s);
        return NULL;
    }
    s->pretty = pretty;
    s->owns_chr = owns_chr;
    s->negotiating = true;
    s->oob = false;
    s->pending = g_string_new(NULL);
    json_stream_init(&s->parser, session_handle, s);
    sessions = g_list_append(sessions, s);
    qemu_chr_fe_set_handlers(&s->be, session_can_read, session_read, session_event, NULL,
                             s, NULL, true);
    return s;
}

static void monitor_accept(void *opaque, Chardev *conn)
{
    session_new(conn, GPOINTER_TO_INT(opaque), true, &error_abort);
}

bool monitor_init_qmp(Chardev *chr, bool pretty, Error **errp)
{
    if (!commands_registered) {
        commands_registered = true;
        qmp_register_builtin_commands();
        hmp_register_builtin_info();
    }
    if (qemu_chr_is_socket_server(chr)) {
        if (chr->be) {
            error_setg(errp, "Device '%s' is in use", chr->label);
            return false;
        }
        return qemu_chr_socket_accept_many(chr, monitor_accept, GINT_TO_POINTER(pretty), errp);
    }
    return session_new(chr, pretty, false, errp) != NULL;
}

void monitor_cleanup(void)
{
    monitor_flush_responses();
    while (sessions) {
        session_free(sessions->data);
    }
}
