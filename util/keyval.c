/*
 * Option-string parsing: the flat QemuOpts form and the nested keyval
 * form, sharing one tokenizer so escaping rules cannot drift apart.
 */
#include <string.h>
#include <glib.h>

#include <stdio.h>
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/option.h"

#define KEY_MAX 127

bool is_help_option(const char *s)
{
    return !strcmp(s, "help") || !strcmp(s, "?");
}

/*
 * Read one "key[=value]" item starting at *pp.  *key is NULL when the
 * item has no '='; then *value holds the whole item (unescaped).
 */
static void next_item(const char **pp, char **key, char **value)
{
    const char *p = *pp;
    const char *eq = NULL;
    GString *buf = g_string_new(NULL);

    *key = NULL;
    while (*p) {
        if (*p == ',') {
            if (p[1] != ',') {
                p++;
                break;
            }
            p++;            /* ",," is a literal comma */
        } else if (*p == '=' && !eq && !*key) {
            eq = p;
            *key = g_string_free(buf, FALSE);
            buf = g_string_new(NULL);
            p++;
            continue;
        }
        g_string_append_c(buf, *p++);
    }
    *value = g_string_free(buf, FALSE);
    *pp = p;
}

static void opts_add(QemuOpts *opts, char *name, char *str)
{
    opts->opts = g_renew(QemuOpt, opts->opts, opts->count + 1);
    opts->opts[opts->count].name = name;
    opts->opts[opts->count].str = str;
    opts->count++;
}

QemuOpts *qemu_opts_parse(const char *params, const char *implied_key, Error **errp)
{
    QemuOpts *opts = g_new0(QemuOpts, 1);
    const char *p = params;
    bool first = true;

    while (*p) {
        char *key, *value;

        next_item(&p, &key, &value);
        if (!key) {
            if (is_help_option(value)) {
                opts->help = true;
                g_free(value);
            } else if (first && implied_key) {
                opts_add(opts, g_strdup(implied_key), value);
            } else if (!*value) {
                error_setg(errp, "Invalid parameter ''");
                g_free(value);
                goto fail;
            } else {
                /* QemuOpts' short form: "key" is key=on, "nokey" key=off. */
                bool no = g_str_has_prefix(value, "no") && value[2];

                opts->flags = g_renew(char *, opts->flags, opts->nflags + 1);
                opts->flags[opts->nflags++] = g_strdup(value);
                opts_add(opts, g_strdup(value + (no ? 2 : 0)), g_strdup(no ? "off" : "on"));
                g_free(value);
            }
        } else if (!*key) {
            error_setg(errp, "Invalid parameter ''");
            g_free(key);
            g_free(value);
            goto fail;
        } else if (!strcmp(key, "id")) {
            g_free(opts->id);
            opts->id = value;
            g_free(key);
        } else {
            opts_add(opts, key, value);
        }
        first = false;
    }
    return opts;

fail:
    qemu_opts_free(opts);
    return NULL;
}

void qemu_opts_free(QemuOpts *opts)
{
    if (!opts) {
        return;
    }
    for (size_t i = 0; i < opts->count; i++) {
        g_free(opts->opts[i].name);
        g_free(opts->opts[i].str);
    }
    g_free(opts->opts);
    for (size_t i = 0; i < opts->nflags; i++) {
        g_free(opts->flags[i]);
    }
    g_free(opts->flags);
    g_free(opts->id);
    g_free(opts);
}

void qemu_opts_warn_short_form(const QemuOpts *opts)
{
    for (size_t i = 0; i < opts->nflags; i++) {
        const char *w = opts->flags[i];
        bool no = g_str_has_prefix(w, "no") && w[2];

        warn_report("short-form boolean option '%s' deprecated", w);
        fprintf(stderr, "Please use %s=%s instead\n", w + (no ? 2 : 0), no ? "off" : "on");
    }
}

const char *qemu_opt_get(const QemuOpts *opts, const char *name)
{
    for (size_t i = opts->count; i-- > 0;) {
        if (!strcmp(opts->opts[i].name, name)) {
            return opts->opts[i].str;
        }
    }
    return NULL;
}

bool qemu_opt_has(const QemuOpts *opts, const char *name)
{
    return qemu_opt_get(opts, name) != NULL;
}

bool qemu_opt_get_bool(const QemuOpts *opts, const char *name, bool def, Error **errp)
{
    const char *s = qemu_opt_get(opts, name);
    bool v;

    if (!s) {
        return def;
    }
    return parse_option_bool(name, s, &v, errp) ? v : def;
}

uint64_t qemu_opt_get_number(const QemuOpts *opts, const char *name, uint64_t def,
                             Error **errp)
{
    const char *s = qemu_opt_get(opts, name);
    uint64_t v;

    if (!s) {
        return def;
    }
    return parse_option_number(name, s, &v, errp) ? v : def;
}

uint64_t qemu_opt_get_size(const QemuOpts *opts, const char *name, uint64_t def,
                           Error **errp)
{
    const char *s = qemu_opt_get(opts, name);
    uint64_t v;

    if (!s) {
        return def;
    }
    return parse_option_size(name, s, &v, errp) ? v : def;
}

void qemu_opt_unset(QemuOpts *opts, const char *name)
{
    size_t j = 0;

    for (size_t i = 0; i < opts->count; i++) {
        if (!strcmp(opts->opts[i].name, name)) {
            g_free(opts->opts[i].name);
            g_free(opts->opts[i].str);
        } else {
            opts->opts[j++] = opts->opts[i];
        }
    }
    opts->count = j;
}

void qemu_opt_set(QemuOpts *opts, const char *name, const char *value)
{
    opts_add(opts, g_strdup(name), g_strdup(value));
}

static bool has_prefix(const char *s, const char *const *prefixes)
{
    for (; prefixes && *prefixes; prefixes++) {
        if (g_str_has_prefix(s, *prefixes)) {
            return true;
        }
    }
    return false;
}

bool qemu_opts_validate(const QemuOpts *opts, const QemuOptDesc *desc,
                        const char *const *pass_prefixes, Error **errp)
{
    for (size_t i = 0; i < opts->count; i++) {
        const QemuOpt *o = &opts->opts[i];
        const QemuOptDesc *d;
        bool b;
        uint64_t n;

        for (d = desc; d->name && strcmp(d->name, o->name); d++) {
        }
        if (!d->name) {
            if (has_prefix(o->name, pass_prefixes)) {
                continue;
            }
            error_setg(errp, "Invalid parameter '%s'", o->name);
            return false;
        }
        switch (d->type) {
        case QEMU_OPT_STRING:
            break;
        case QEMU_OPT_BOOL:
            if (!parse_option_bool(o->name, o->str, &b, errp)) {
                return false;
            }
            break;
        case QEMU_OPT_NUMBER:
            if (!parse_option_number(o->name, o->str, &n, errp)) {
                return false;
            }
            break;
        case QEMU_OPT_SIZE:
            if (!parse_option_size(o->name, o->str, &n, errp)) {
                return false;
            }
            break;
        }
    }
    return true;
}

static void append_escaped(GString *s, const char *v)
{
    for (; *v; v++) {
        if (*v == ',') {
            g_string_append_c(s, ',');
        }
        g_string_append_c(s, *v);
    }
}

char *qemu_opts_to_string(const QemuOpts *opts)
{
    GString *s = g_string_new(NULL);

    if (opts->id) {
        g_string_append(s, "id=");
        append_escaped(s, opts->id);
    }
    for (size_t i = 0; i < opts->count; i++) {
        if (s->len) {
            g_string_append_c(s, ',');
        }
        g_string_append_printf(s, "%s=", opts->opts[i].name);
        append_escaped(s, opts->opts[i].str);
    }
    return g_string_free(s, FALSE);
}

/* A key fragment is a QAPI-style name or a run of digits. */
static bool valid_fragment(const char *f, size_t len)
{
    if (!len) {
        return false;
    }
    if (g_ascii_isdigit(f[0])) {
        for (size_t i = 0; i < len; i++) {
            if (!g_ascii_isdigit(f[i])) {
                return false;
            }
        }
        return true;
    }
    if (!g_ascii_isalpha(f[0]) && f[0] != '_') {
        return false;
    }
    for (size_t i = 1; i < len; i++) {
        if (!g_ascii_isalnum(f[i]) && f[i] != '-' && f[i] != '_') {
            return false;
        }
    }
    return true;
}

static bool keyval_put(json_t *root, const char *key, const char *value, Error **errp)
{
    gchar **frags = g_strsplit(key, ".", -1);
    json_t *cur = root;
    bool ok = false;
    guint n = g_strv_length(frags);

    for (guint i = 0; i < n; i++) {
        size_t len = strlen(frags[i]);

        if (!valid_fragment(frags[i], len)) {
            error_setg(errp, "Invalid parameter '%s'", key);
            goto out;
        }
        if (len > KEY_MAX) {
            error_setg(errp, "Parameter%s '%s' is too long", n > 1 ? " fragment" : "", frags[i]);
            goto out;
        }
    }
    for (guint i = 0; i + 1 < n; i++) {
        json_t *next = json_object_get(cur, frags[i]);

        if (!next) {
            next = json_object();
            json_object_set_new(cur, frags[i], next);
        } else if (!json_is_object(next)) {
            goto inconsistent;
        }
        cur = next;
    }
    if (json_is_object(json_object_get(cur, frags[n - 1]))) {
        goto inconsistent;
    }
    json_object_set_new(cur, frags[n - 1], json_string(value));
    ok = true;
    goto out;

inconsistent:
    error_setg(errp, "Parameters '%s' used inconsistently", key);
out:
    g_strfreev(frags);
    return ok;
}

json_t *keyval_parse(const char *params, const char *implied_key, bool *p_help,
                     Error **errp)
{
    json_t *root = json_object();
    const char *p = params;
    bool first = true;

    if (p_help) {
        *p_help = false;
    }
    while (*p) {
        char *key, *value;
        bool ok;

        next_item(&p, &key, &value);
        if (!key && is_help_option(value)) {
            if (!p_help) {
                error_setg(errp, "Help is not available for this option");
                g_free(value);
                goto fail;
            }
            *p_help = true;
            ok = true;
        } else if (!key && first && implied_key) {
            ok = keyval_put(root, implied_key, value, errp);
        } else if (!key) {
            if (valid_fragment(value, strlen(value))) {
                error_setg(errp, "Expected '=' after parameter '%s'", value);
            } else {
                error_setg(errp, "Invalid parameter '%s'", value);
            }
            ok = false;
        } else {
            ok = keyval_put(root, key, value, errp);
        }
        g_free(key);
        g_free(value);
        if (!ok) {
            goto fail;
        }
        first = false;
    }
    return root;

fail:
    json_decref(root);
    return NULL;
}
