/*
 * Error objects, the QEMU way: a function that can fail takes
 * "Error **errp" as its last argument and fills it on failure; the caller
 * decides whether to print, propagate or ignore it.
 *
 * Pass &error_fatal to exit(1) on error, &error_abort to abort (for
 * "cannot happen" cases), or NULL to ignore the error.
 */
#ifndef QEMU_ERROR_H
#define QEMU_ERROR_H

#include <stdarg.h>
#include <stdbool.h>

typedef struct Error Error;

typedef enum ErrorClass {
    ERROR_CLASS_GENERIC_ERROR,
    ERROR_CLASS_COMMAND_NOT_FOUND,
    ERROR_CLASS_DEVICE_NOT_ACTIVE,
    ERROR_CLASS_DEVICE_NOT_FOUND,
    ERROR_CLASS_KVM_MISSING_CAP,
} ErrorClass;

extern Error *error_fatal;
extern Error *error_abort;

#define error_setg(errp, fmt, ...) \
    error_setg_internal((errp), __FILE__, __LINE__, (fmt), ## __VA_ARGS__)
#define error_setg_errno(errp, os_errno, fmt, ...) \
    error_setg_errno_internal((errp), __FILE__, __LINE__, (os_errno), (fmt), ## __VA_ARGS__)
#define error_set(errp, cls, fmt, ...) \
    error_set_internal((errp), __FILE__, __LINE__, (cls), (fmt), ## __VA_ARGS__)

void error_setg_internal(Error **errp, const char *src, int line,
                         const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void error_setg_errno_internal(Error **errp, const char *src, int line,
                               int os_errno, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void error_set_internal(Error **errp, const char *src, int line, ErrorClass cls,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Prefix the message of *errp (if set) with a formatted string. */
void error_prepend(Error **errp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Add a hint printed on its own lines after the message (human output only). */
void error_append_hint(Error **errp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Move @local into *dst; frees @local if *dst is already set or dst is NULL. */
void error_propagate(Error **dst, Error *local);

const char *error_get_pretty(const Error *err);
const char *error_get_hint(const Error *err);
ErrorClass error_get_class(const Error *err);
/* The errno given to error_setg_errno, or 0. */
int error_get_errno(const Error *err);
Error *error_copy(const Error *err);
void error_free(Error *err);
void error_free_or_abort(Error **errp);

/* Print "PROG: [LOCATION: ]MESSAGE" (plus hint) to stderr and free it. */
void error_report_err(Error *err);
void warn_report_err(Error *err);

#endif
