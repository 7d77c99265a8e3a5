/*
 * Error objects (see include/qemu/error.h) and stderr reporting
 * (include/qemu/error-report.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <glib.h>

#include "qemu/error.h"
#include "qemu/error-report.h"

struct Error {
    char *msg;
    GString *hint;
    ErrorClass cls;
    const char *src;
    int line;
    int os_errno;           /* from error_setg_errno, else 0 */
};

Error *error_fatal;
Error *error_abort;

static const char *progname = "minivm";

/* Command-line location stack; only the main thread parses options. */
#define LOC_DEPTH 8
static char *loc_stack[LOC_DEPTH];
static int loc_depth;

void error_set_progname(const char *argv0)
{
    const char *slash = strrchr(argv0, '/');

    progname = slash ? slash + 1 : argv0;
}

const char *error_get_progname(void)
{
    return progname;
}

static void loc_push(char *s)
{
    g_assert(loc_depth < LOC_DEPTH);
    loc_stack[loc_depth++] = s;
}

void loc_push_cmdline(const char *opt, const char *arg)
{
    loc_push(arg ? g_strdup_printf("%s %s", opt, arg) : g_strdup(opt));
}

void loc_push_none(void)
{
    loc_push(NULL);
}

void loc_pop(void)
{
    g_assert(loc_depth > 0);
    g_free(loc_stack[--loc_depth]);
}

const char *loc_current(void)
{
    return loc_depth ? loc_stack[loc_depth - 1] : NULL;
}

static void print_prefix(const char *kind)
{
    const char *loc = loc_current();

    fprintf(stderr, "%s: ", progname);
    if (loc) {
        fprintf(stderr, "%s: ", loc);
    }
    if (kind) {
        fprintf(stderr, "%s: ", kind);
    }
}

static void vreport(const char *kind, const char *fmt, va_list ap)
{
    print_prefix(kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void error_vreport(const char *fmt, va_list ap)
{
    vreport(NULL, fmt, ap);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(NULL, fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("warning", fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("info", fmt, ap);
    va_end(ap);
}

void guest_error_report(const char *fmt, ...)
{
    static GMutex lock;
    static GHashTable *last_seen;
    gint64 now = g_get_monotonic_time();
    gint64 *prev;
    char *msg;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    g_mutex_lock(&lock);
    if (!last_seen) {
        last_seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    }
    prev = g_hash_table_lookup(last_seen, msg);
    if (prev && now - *prev < G_USEC_PER_SEC) {
        g_mutex_unlock(&lock);
        g_free(msg);
        return;
    }
    fprintf(stderr, "%s: guest error: %s\n", progname, msg);
    g_hash_table_replace(last_seen, msg, g_memdup2(&now, sizeof(now)));
    g_mutex_unlock(&lock);
}

static void error_handle_special(Error **errp, Error *err)
{
    if (errp == &error_abort) {
        fprintf(stderr, "Unexpected error at %s:%d: %s\n", err->src, err->line, err->msg);
        abort();
    }
    if (errp == &error_fatal) {
        error_report_err(err);
        exit(1);
    }
}

static void error_store(Error **errp, Error *err)
{
    if (!errp) {
        error_free(err);
        return;
    }
    error_handle_special(errp, err);
    g_assert(*errp == NULL);
    *errp = err;
}

static Error *error_new(const char *src, int line, ErrorClass cls, char *msg)
{
    Error *err = g_new0(Error, 1);

    err->msg = msg;
    err->cls = cls;
    err->src = src;
    err->line = line;
    return err;
}

void error_setg_internal(Error **errp, const char *src, int line, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_store(errp, error_new(src, line, ERROR_CLASS_GENERIC_ERROR, msg));
}

void error_set_internal(Error **errp, const char *src, int line, ErrorClass cls,
                        const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_store(errp, error_new(src, line, cls, msg));
}

void error_setg_errno_internal(Error **errp, const char *src, int line,
                               int os_errno, const char *fmt, ...)
{
    va_list ap;
    char *msg, *full;
    Error *err;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    os_errno = os_errno > 0 ? os_errno : -os_errno;
    full = g_strdup_printf("%s: %s", msg, strerror(os_errno));
    g_free(msg);
    err = error_new(src, line, ERROR_CLASS_GENERIC_ERROR, full);
    err->os_errno = os_errno;
    error_store(errp, err);
}

int error_get_errno(const Error *err)
{
    return err->os_errno;
}

void error_prepend(Error **errp, const char *fmt, ...)
{
    va_list ap;
    char *prefix, *msg;

    if (!errp || !*errp || errp == &error_fatal || errp == &error_abort) {
        return;
    }
    va_start(ap, fmt);
    prefix = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    msg = g_strconcat(prefix, (*errp)->msg, NULL);
    g_free(prefix);
    g_free((*errp)->msg);
    (*errp)->msg = msg;
}

void error_append_hint(Error **errp, const char *fmt, ...)
{
    va_list ap;

    if (!errp || !*errp || errp == &error_fatal || errp == &error_abort) {
        return;
    }
    if (!(*errp)->hint) {
        (*errp)->hint = g_string_new(NULL);
    }
    va_start(ap, fmt);
    g_string_append_vprintf((*errp)->hint, fmt, ap);
    va_end(ap);
}

void error_propagate(Error **dst, Error *local)
{
    if (!local) {
        return;
    }
    if (dst == &error_fatal || dst == &error_abort) {
        error_handle_special(dst, local);
    }
    if (!dst || *dst) {
        error_free(local);
        return;
    }
    *dst = local;
}

const char *error_get_pretty(const Error *err)
{
    return err->msg;
}

const char *error_get_hint(const Error *err)
{
    return err->hint ? err->hint->str : NULL;
}

ErrorClass error_get_class(const Error *err)
{
    return err->cls;
}

Error *error_copy(const Error *err)
{
    Error *copy = error_new(err->src, err->line, err->cls, g_strdup(err->msg));

    copy->os_errno = err->os_errno;

    if (err->hint) {
        copy->hint = g_string_new(err->hint->str);
    }
    return copy;
}

void error_free(Error *err)
{
    if (err) {
        g_free(err->msg);
        if (err->hint) {
            g_string_free(err->hint, TRUE);
        }
        g_free(err);
    }
}

void error_free_or_abort(Error **errp)
{
    g_assert(errp && *errp);
    error_free(*errp);
    *errp = NULL;
}

void error_report_err(Error *err)
{
    error_report("%s", err->msg);
    if (err->hint) {
        fputs(err->hint->str, stderr);
    }
    error_free(err);
}

void warn_report_err(Error *err)
{
    warn_report("%s", err->msg);
    if (err->hint) {
        fputs(err->hint->str, stderr);
    }
    error_free(err);
}
