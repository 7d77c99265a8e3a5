/*
 * qtest: a test program drives the machine's I/O ports, memory, IRQ lines
 * and virtual clock over QEMU's qtest text protocol.
 */
#ifndef SYSEMU_QTEST_H
#define SYSEMU_QTEST_H

#include <stdbool.h>
#include "qemu/error.h"

/* -accel qtest: no CPU runs, the virtual clock moves only on clock_step/set. */
bool qtest_enabled(void);
void qtest_set_enabled(bool on);

/*
 * -qtest SPEC: "unix:PATH" or "unix:path=PATH" (connect; add ",server=on"
 * to listen), "stdio", or "chardev:ID" once chardevs exist.  @logfile:
 * NULL = stderr, "none" = no log.
 */
bool qtest_server_init(const char *spec, const char *logfile, Error **errp);

/* Process one request line (without the newline) and return the reply lines. */
char *qtest_process_line(const char *line);

#endif
