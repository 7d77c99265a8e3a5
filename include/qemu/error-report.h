/*
 * Human-readable messages on stderr: "minivm: -drive file=x: reason".
 * The location part names the command-line option being processed, so
 * the user sees which of many options was at fault.
 */
#ifndef QEMU_ERROR_REPORT_H
#define QEMU_ERROR_REPORT_H

#include <stdarg.h>

/* Set once from main(); every report is prefixed with it. */
void error_set_progname(const char *argv0);
const char *error_get_progname(void);

/*
 * Location stack: while an option is processed, reports name it.
 * loc_push_cmdline("-drive", "file=x") makes reports read
 * "minivm: -drive file=x: ...".  loc_push_none() hides any outer location.
 */
void loc_push_cmdline(const char *opt, const char *arg);
void loc_push_none(void);
void loc_pop(void);
/* The current location prefix (without trailing ": "), or NULL. */
const char *loc_current(void);

void error_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void error_vreport(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/*
 * Guest errors: a misbehaving guest gets a status, the host log gets one
 * line per message text and second at most, so a hostile guest cannot
 * flood it.
 */
void guest_error_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
