/*
 * Run state, reset and shutdown requests (QEMU 7.2's names).  Devices
 * only *request* a reset or shutdown; the main loop carries it out
 * between handlers, so no device is reset from inside its own callback.
 */
#ifndef SYSEMU_RUNSTATE_H
#define SYSEMU_RUNSTATE_H

#include <stdbool.h>

typedef enum ShutdownCause {
    SHUTDOWN_CAUSE_NONE,
    SHUTDOWN_CAUSE_HOST_ERROR,
    SHUTDOWN_CAUSE_HOST_QMP_QUIT,
    SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET,
    SHUTDOWN_CAUSE_HOST_SIGNAL,
    SHUTDOWN_CAUSE_HOST_UI,
    SHUTDOWN_CAUSE_GUEST_SHUTDOWN,
    SHUTDOWN_CAUSE_GUEST_RESET,
    SHUTDOWN_CAUSE_GUEST_PANIC,
    SHUTDOWN_CAUSE_SUBSYSTEM_RESET,
    SHUTDOWN_CAUSE_SNAPSHOT_LOAD,
    SHUTDOWN_CAUSE__MAX,
} ShutdownCause;

typedef void QEMUResetHandler(void *opaque);

/* Handlers run on every system reset, in registration order, after the devices. */
void qemu_register_reset(QEMUResetHandler *func, void *opaque);
void qemu_unregister_reset(QEMUResetHandler *func, void *opaque);

void qemu_system_reset_request(ShutdownCause reason);
void qemu_system_shutdown_request(ShutdownCause reason);
/* Reset every device now (the main loop calls this for a pending request). */
void qemu_system_reset(ShutdownCause reason);

/* Pending requests, consumed by the main loop. */
ShutdownCause qemu_reset_requested(void);
ShutdownCause qemu_shutdown_requested(void);

#endif
