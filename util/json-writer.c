/*
 * QEMU-compatible JSON output (include/qemu/json-writer.h).
 */
#include <inttypes.h>
#include <string.h>

#include "qemu/json-writer.h"

#define QDICT_BUCKETS 512

unsigned qdict_bucket_of(const char *key)
{
    /* gdbm's string hash, which QEMU's QDict uses to pick a bucket */
    unsigned value = 0x238F13AF * (unsigned)strlen(key);
    unsigned i;

    for (i = 0; key[i]; i++) {
        value += (unsigned)(unsigned char)key[i] << (i * 5 % 24);
    }
    return (1103515243 * value + 12345) % QDICT_BUCKETS;
}

typedef struct Member {
    const char *key;
    json_t *value;
    unsigned bucket;
    size_t seq;
} Member;

static int member_cmp(const void *a, const void *b)
{
    const Member *x = a, *y = b;

    if (x->bucket != y->bucket) {
        return x->bucket < y->bucket ? -1 : 1;
    }
    /* later insertions sit at the head of their bucket's list */
    return x->seq > y->seq ? -1 : x->seq < y->seq;
}

static void newline(GString *out, bool pretty, int depth)
{
    if (pretty) {
        g_string_append_printf(out, "\n%*s", depth * 4, "");
    }
}

static void quoted_str(GString *out, const char *s)
{
    const char *p = s;

    g_string_append_c(out, '"');
    while (*p) {
        gunichar cp = g_utf8_get_char_validated(p, -1);

        if (cp == (gunichar)-1 || cp == (gunichar)-2) {
            cp = 0xFFFD;
            p++;
        } else {
            p = g_utf8_next_char(p);
        }
        switch (cp) {
        case '"':  g_string_append(out, "\\\""); break;
        case '\\': g_string_append(out, "\\\\"); break;
        case '\b': g_string_append(out, "\\b"); break;
        case '\f': g_string_append(out, "\\f"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\t': g_string_append(out, "\\t"); break;
        default:
            if (cp > 0xFFFF) {
                g_string_append_printf(out, "\\u%04X\\u%04X", 0xD800 + ((cp - 0x10000) >> 10),
                                       0xDC00 + ((cp - 0x10000) & 0x3FF));
            } else if (cp < 0x20 || cp >= 0x7F) {
                g_string_append_printf(out, "\\u%04X", cp);
            } else {
                g_string_append_c(out, (char)cp);
            }
        }
    }
    g_string_append_c(out, '"');
}

static void write_value(GString *out, json_t *v, bool pretty, int depth);

/* A member or element: comma, then newline (pretty) or a space (compact). */
static void separator(GString *out, bool first, bool pretty, int depth)
{
    if (!first) {
        g_string_append_c(out, ',');
        if (!pretty) {
            g_string_append_c(out, ' ');
        }
    }
    newline(out, pretty, depth);
}

const char **qdict_ordered_keys(json_t *obj)
{
    size_t n = json_object_size(obj), i = 0;
    Member *m = g_new(Member, n + 1);
    const char **keys = g_new(const char *, n + 1);
    const char *key;
    json_t *value;

    json_object_foreach(obj, key, value) {
        m[i] = (Member){ key, value, qdict_bucket_of(key), i };
        i++;
    }
    qsort(m, n, sizeof(*m), member_cmp);
    for (i = 0; i < n; i++) {
        keys[i] = m[i].key;
    }
    keys[n] = NULL;
    g_free(m);
    return keys;
}

static void write_object(GString *out, json_t *obj, bool pretty, int depth)
{
    const char **keys = qdict_ordered_keys(obj);
    size_t i;

    g_string_append_c(out, '{');
    for (i = 0; keys[i]; i++) {
        separator(out, i == 0, pretty, depth + 1);
        quoted_str(out, keys[i]);
        g_string_append(out, ": ");
        write_value(out, json_object_get(obj, keys[i]), pretty, depth + 1);
    }
    newline(out, pretty, depth);
    g_string_append_c(out, '}');
    g_free(keys);
}

static void write_value(GString *out, json_t *v, bool pretty, int depth)
{
    size_t i;

    switch (json_typeof(v)) {
    case JSON_OBJECT:
        write_object(out, v, pretty, depth);
        break;
    case JSON_ARRAY:
        g_string_append_c(out, '[');
        for (i = 0; i < json_array_size(v); i++) {
            separator(out, i == 0, pretty, depth + 1);
            write_value(out, json_array_get(v, i), pretty, depth + 1);
        }
        newline(out, pretty, depth);
        g_string_append_c(out, ']');
        break;
    case JSON_STRING:
        quoted_str(out, json_string_value(v));
        break;
    case JSON_INTEGER:
        g_string_append_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        g_string_append_printf(out, "%.17g", json_real_value(v));
        break;
    case JSON_TRUE:
        g_string_append(out, "true");
        break;
    case JSON_FALSE:
        g_string_append(out, "false");
        break;
    case JSON_NULL:
        g_string_append(out, "null");
        break;
    }
}

GString *qobject_to_json_pretty(json_t *obj, bool pretty)
{
    GString *out = g_string_new(NULL);

    write_value(out, obj, pretty, 0);
    return out;
}
