/*
 * Run state, reset and shutdown requests (QEMU 7.2's names).  Devices
 * only *request* a reset or shutdown; the main loop carries it out
 * between handlers, so no device is reset from inside its own callback.
 */
#ifndef SYSEMU_RUNSTATE_H
#define SYSEMU_RUNSTATE_H

#include <stdbool.h>
#include "qemu/notify.h"

/* QAPI's RunState, in its order (RunState_str gives the QMP names). */
typedef enum RunState {
    RUN_STATE_DEBUG,
    RUN_STATE_INMIGRATE,
    RUN_STATE_INTERNAL_ERROR,
    RUN_STATE_IO_ERROR,
    RUN_STATE_PAUSED,
    RUN_STATE_POSTMIGRATE,
    RUN_STATE_PRELAUNCH,
    RUN_STATE_FINISH_MIGRATE,
    RUN_STATE_RESTORE_VM,
    RUN_STATE_RUNNING,
    RUN_STATE_SAVE_VM,
    RUN_STATE_SHUTDOWN,
    RUN_STATE_SUSPENDED,
    RUN_STATE_WATCHDOG,
    RUN_STATE_GUEST_PANICKED,
    RUN_STATE_COLO,
    RUN_STATE__MAX,
} RunState;

const char *RunState_str(RunState state);
const char *ShutdownCause_str(int cause);

/* The state starts as prelaunch. */
RunState runstate_get(void);
bool runstate_check(RunState state);
void runstate_set(RunState new_state);
bool runstate_is_running(void);
/* internal-error, shutdown, guest-panicked: cont refuses until a reset. */
bool runstate_needs_reset(void);

typedef void VMChangeStateHandler(void *opaque, bool running, RunState state);
void qemu_add_vm_change_state_handler(VMChangeStateHandler *cb, void *opaque);

/* Start the vCPUs (RESUME event); stop them, entering @state (STOP event if they ran). */
void vm_start(void);
int vm_stop(RunState state);

/* What -no-reboot / -no-shutdown select (QEMU's -action reboot=shutdown / shutdown=pause). */
void runstate_set_no_reboot(bool on);
void runstate_set_no_shutdown(bool on);

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

/* With -no-reboot a reset request becomes a shutdown request, as in QEMU. */
void qemu_system_reset_request(ShutdownCause reason);
void qemu_system_shutdown_request(ShutdownCause reason);
/* A host-side shutdown (quit, a signal) always exits, even with -no-shutdown. */
void qemu_system_shutdown_request_force(ShutdownCause reason);
/* From a signal handler: records the signal for the "terminating on signal" line. */
void qemu_system_killed(int signal, int pid);
/* ACPI power button: POWERDOWN event, then the notifiers (the machine's ACPI). */
void qemu_system_powerdown_request(void);
void qemu_register_powerdown_notifier(Notifier *notifier);
/* Reset every device now (the main loop calls this for a pending request). */
void qemu_system_reset(ShutdownCause reason);

/*
 * Carry out pending requests; true when minivm should exit, with the
 * process exit status in *status.  The main loop calls it after each wait.
 */
bool main_loop_should_exit(int *status);

/* Pending requests, consumed by the main loop. */
ShutdownCause qemu_reset_requested(void);
ShutdownCause qemu_shutdown_requested(void);

#endif
