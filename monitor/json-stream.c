/*
 * QMP input framing; see json-stream.h.
 */
#include <string.h>

#include "monitor/json-stream.h"

void json_stream_init(JSONStream *js, JSONStreamEmit *emit, void *opaque)
{
    memset(js, 0, sizeof(*js));
    js->emit = emit;
    js->opaque = opaque;
    js->buf = g_string_new(NULL);
}

/* Do not keep the memory of one huge message for the life of the session. */
static void json_stream_clear_buf(JSONStream *js)
{
    if (js->buf->allocated_len > (1 << 20)) {
        g_string_free(js->buf, TRUE);
        js->buf = g_string_new(NULL);
    } else {
        g_string_truncate(js->buf, 0);
    }
}

void json_stream_reset(JSONStream *js)
{
    json_stream_clear_buf(js);
    js->depth = 0;
    js->quote = 0;
    js->escape = false;
    js->in_scalar = false;
    js->discarding = false;
}

void json_stream_destroy(JSONStream *js)
{
    g_string_free(js->buf, TRUE);
    js->buf = NULL;
}

static void emit_error(JSONStream *js, const char *fmt, const char *arg)
{
    Error *err = NULL;

    error_setg(&err, fmt, arg);
    js->emit(js->opaque, NULL, err);
}

/* jansson's complaint, in the words QEMU's parser uses for the same mistake. */
static const char *qemu_parse_error(const char *text)
{
    static const struct {
        const char *jansson, *qemu;
    } map[] = {
        { "string or '}' expected", "key is not a string in object" },
        { "':' expected", "missing : in object pair" },
        { "duplicate object key", "duplicate key" },
        { "'}' expected", "expected separator in dict" },
        { "']' expected", "expected separator in list" },
        { "invalid escape", "invalid escape sequence in string" },
        { "UTF-8", "invalid UTF-8 sequence in string" },
        { "unable to decode byte", "invalid UTF-8 sequence in string" },
        { "control character", "invalid UTF-8 sequence in string" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
        if (strstr(text, map[i].jansson)) {
            return map[i].qemu;
        }
    }
    return "expecting value";
}

static void finish_message(JSONStream *js)
{
    json_error_t jerr;
    json_t *msg = json_loadb(js->buf->str, js->buf->len,
                             JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
                             &jerr);

    json_stream_clear_buf(js);
    if (!msg) {
        emit_error(js, "JSON parse error, %s", qemu_parse_error(jerr.text));
        return;
    }
    js->emit(js->opaque, msg, NULL);
}

static bool is_scalar_char(char c)
{
    return g_ascii_isalnum(c) || c == '-' || c == '+' || c == '.';
}

static void finish_scalar(JSONStream *js)
{
    const char *s = js->buf->str;

    js->in_scalar = false;
    if (!g_ascii_isdigit(s[0]) && s[0] != '-' && strcmp(s, "true") && strcmp(s, "false") &&
        strcmp(s, "null")) {
        g_autofree char *word = g_strdup(s);

        g_string_truncate(js->buf, 0);
        emit_error(js, "JSON parse error, invalid keyword '%s'", word);
        return;
    }
    finish_message(js);
}

/* One byte inside a string; single-quoted strings become double-quoted. */
static void string_byte(JSONStream *js, char c)
{
    if (js->escape) {
        js->escape = false;
        if (c == '\'') {
            g_string_truncate(js->buf, js->buf->len - 1);   /* \' is just ' */
        }
        g_string_append_c(js->buf, c);
        return;
    }
    if (c == '\\') {
        js->escape = true;
        g_string_append_c(js->buf, c);
    } else if (c == js->quote) {
        js->quote = 0;
        g_string_append_c(js->buf, '"');
        if (js->depth == 0) {
            finish_message(js);         /* a top-level string */
        }
    } else if (c == '"') {
        g_string_append(js->buf, "\\\"");
    } else {
        g_string_append_c(js->buf, c);
    }
}

static void feed_byte(JSONStream *js, char c)
{
    if (js->quote) {
        string_byte(js, c);
        return;
    }
    if (js->in_scalar) {
        if (is_scalar_char(c)) {
            g_string_append_c(js->buf, c);
            return;
        }
        finish_scalar(js);
    }
    switch (c) {
    case ' ': case '\t': case '\r': case '\n':
        if (js->depth) {
            g_string_append_c(js->buf, c);
        }
        return;
    case '"': case '\'':
        js->quote = c;
        g_string_append_c(js->buf, '"');
        return;
    case '{': case '[':
        js->depth++;
        g_string_append_c(js->buf, c);
        return;
    case '}': case ']':
        g_string_append_c(js->buf, c);
        if (--js->depth <= 0) {
            js->depth = 0;
            finish_message(js);
        }
        return;
    default:
        if (js->depth) {
            g_string_append_c(js->buf, c);
        } else if (is_scalar_char(c)) {
            js->in_scalar = true;
            g_string_append_c(js->buf, c);
        } else {
            char stray[2] = { c, 0 };

            /* QEMU quotes the raw byte; invalid UTF-8 reaches the client as U+FFFD. */
            emit_error(js, "JSON parse error, stray '%s'",
                       (unsigned char)c < 0x80 ? stray : "\xef\xbf\xbd");
        }
        return;
    }
}

/* After a limit error, skip to the end of the offending message. */
static void discard_byte(JSONStream *js, char c)
{
    if (js->quote) {
        if (js->escape) {
            js->escape = false;
        } else if (c == '\\') {
            js->escape = true;
        } else if (c == js->quote) {
            js->quote = 0;
        }
        return;
    }
    if (c == '"' || c == '\'') {
        js->quote = c;
    } else if (c == '{' || c == '[') {
        js->depth++;
    } else if ((c == '}' || c == ']') && --js->depth <= 0) {
        json_stream_reset(js);
    }
}

void json_stream_feed(JSONStream *js, const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (js->discarding) {
            discard_byte(js, data[i]);
            continue;
        }
        feed_byte(js, data[i]);
        if (js->depth > JSON_STREAM_MAX_NESTING) {
            json_stream_clear_buf(js);
            js->discarding = true;
            emit_error(js, "JSON nesting depth limit exceeded%s", "");
        } else if (js->buf->len > JSON_STREAM_MAX_SIZE) {
            json_stream_clear_buf(js);
            js->discarding = true;
            if (!js->depth) {
                json_stream_reset(js);
            }
            emit_error(js, "JSON token size limit exceeded%s", "");
        }
    }
    /* A scalar at the very end of the input waits for its delimiter. */
}
