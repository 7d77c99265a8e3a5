/*
 * The command line's chardev and monitor options, set up at start-up:
 * -chardev, -serial, -mon, -qmp, -daemonize, -pidfile, -S, -no-reboot,
 * -no-shutdown.
 */
#ifndef SYSEMU_VL_CHARDEV_H
#define SYSEMU_VL_CHARDEV_H

#include <stdbool.h>
#include "chardev/char.h"
#include "qemu/error.h"

#define MAX_SERIAL_PORTS 4

/* Before anything else is opened: fork for -daemonize, write -pidfile. */
void qemu_early_setup(void);
/* Create -chardev, -serial backends, -mon and -qmp monitors; exits on error. */
void qemu_create_chardevs_and_monitors(void);
/* The backend of COMn (0-based), or NULL (none/vc, or not given). */
Chardev *serial_hd(int i);
/* Machine built: enter the requested run state and detach for -daemonize. */
void qemu_finish_setup(void);
/* At exit: flush monitors, close chardevs, restore the terminal. */
void qemu_cleanup_chardevs(void);

#endif
