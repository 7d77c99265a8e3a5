/*
 * -daemonize and -pidfile (QEMU's os-posix.c names).
 */
#ifndef SYSEMU_OS_POSIX_H
#define SYSEMU_OS_POSIX_H

#include <stdbool.h>
#include "qemu/error.h"

/* Fork; the parent waits until os_setup_post() reports the child ready. */
void os_daemonize(void);
bool is_daemonized(void);
/* Start-up finished: detach stdio and let the parent exit 0. */
void os_setup_post(void);
/* Write and lock the pid file; it is removed at exit. */
bool qemu_write_pidfile(const char *path, Error **errp);

#endif
