/*
 * Run state and the requests that change it.  Devices and monitors only
 * *request* a reset, shutdown or power-down; main_loop_should_exit()
 * carries them out between handlers, so no device is reset from inside
 * its own callback.  Semantics follow QEMU 7.2's softmmu/runstate.c.
 */
#include <signal.h>
#include <stdlib.h>
#include <glib.h>

#include "hw/qdev-core.h"
#include "monitor/monitor.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "sysemu/cpus.h"
#include "sysemu/runstate.h"

typedef struct ResetEntry {
    QEMUResetHandler *func;
    void *opaque;
} ResetEntry;

typedef struct VMChangeEntry {
    VMChangeStateHandler *cb;
    void *opaque;
} VMChangeEntry;

static GArray *reset_handlers;
static GArray *vm_change_handlers;
static NotifierList powerdown_notifiers;
static RunState current_run_state = RUN_STATE_PRELAUNCH;
static bool no_reboot, no_shutdown;
static volatile ShutdownCause reset_requested;
static volatile ShutdownCause shutdown_requested;
static volatile bool shutdown_forced;
static volatile bool powerdown_requested;
static volatile int shutdown_signal;
static volatile int shutdown_pid;

static const char *const run_state_names[RUN_STATE__MAX] = {
    [RUN_STATE_DEBUG] = "debug",
    [RUN_STATE_INMIGRATE] = "inmigrate",
    [RUN_STATE_INTERNAL_ERROR] = "internal-error",
    [RUN_STATE_IO_ERROR] = "io-error",
    [RUN_STATE_PAUSED] = "paused",
    [RUN_STATE_POSTMIGRATE] = "postmigrate",
    [RUN_STATE_PRELAUNCH] = "prelaunch",
    [RUN_STATE_FINISH_MIGRATE] = "finish-migrate",
    [RUN_STATE_RESTORE_VM] = "restore-vm",
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_SAVE_VM] = "save-vm",
    [RUN_STATE_SHUTDOWN] = "shutdown",
    [RUN_STATE_SUSPENDED] = "suspended",
    [RUN_STATE_WATCHDOG] = "watchdog",
    [RUN_STATE_GUEST_PANICKED] = "guest-panicked",
    [RUN_STATE_COLO] = "colo",
};

static const char *const shutdown_cause_names[SHUTDOWN_CAUSE__MAX] = {
    [SHUTDOWN_CAUSE_NONE] = "none",
    [SHUTDOWN_CAUSE_HOST_ERROR] = "host-error",
    [SHUTDOWN_CAUSE_HOST_QMP_QUIT] = "host-qmp-quit",
    [SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET] = "host-qmp-system-reset",
    [SHUTDOWN_CAUSE_HOST_SIGNAL] = "host-signal",
    [SHUTDOWN_CAUSE_HOST_UI] = "host-ui",
    [SHUTDOWN_CAUSE_GUEST_SHUTDOWN] = "guest-shutdown",
    [SHUTDOWN_CAUSE_GUEST_RESET] = "guest-reset",
    [SHUTDOWN_CAUSE_GUEST_PANIC] = "guest-panic",
    [SHUTDOWN_CAUSE_SUBSYSTEM_RESET] = "subsystem-reset",
    [SHUTDOWN_CAUSE_SNAPSHOT_LOAD] = "snapshot-load",
};

const char *RunState_str(RunState state)
{
    return state < RUN_STATE__MAX ? run_state_names[state] : "unknown";
}

const char *ShutdownCause_str(int cause)
{
    return cause >= 0 && cause < SHUTDOWN_CAUSE__MAX ? shutdown_cause_names[cause] : "unknown";
}

/* Causes after host-ui come from the guest (QEMU's shutdown_caused_by_guest). */
static bool cause_is_guest(ShutdownCause cause)
{
    return cause > SHUTDOWN_CAUSE_HOST_UI;
}

static json_t *shutdown_event_data(ShutdownCause cause)
{
    return json_pack("{s:b, s:s}", "guest", cause_is_guest(cause),
                     "reason", ShutdownCause_str(cause));
}

/* ---- run state ---- */

RunState runstate_get(void)
{
    return current_run_state;
}

bool runstate_check(RunState state)
{
    return current_run_state == state;
}

void runstate_set(RunState new_state)
{
    current_run_state = new_state;
}

bool runstate_is_running(void)
{
    return current_run_state == RUN_STATE_RUNNING;
}

bool runstate_needs_reset(void)
{
    return current_run_state == RUN_STATE_INTERNAL_ERROR ||
           current_run_state == RUN_STATE_SHUTDOWN ||
           current_run_state == RUN_STATE_GUEST_PANICKED;
}

void runstate_set_no_reboot(bool on)
{
    no_reboot = on;
}

void runstate_set_no_shutdown(bool on)
{
    no_shutdown = on;
}

void qemu_add_vm_change_state_handler(VMChangeStateHandler *cb, void *opaque)
{
    VMChangeEntry e = { cb, opaque };

    if (!vm_change_handlers) {
        vm_change_handlers = g_array_new(FALSE, FALSE, sizeof(VMChangeEntry));
    }
    g_array_append_val(vm_change_handlers, e);
}

static void vm_state_notify(bool running, RunState state)
{
    for (guint i = 0; vm_change_handlers && i < vm_change_handlers->len; i++) {
        VMChangeEntry *e = &g_array_index(vm_change_handlers, VMChangeEntry, i);

        e->cb(e->opaque, running, state);
    }
}

void vm_start(void)
{
    if (runstate_is_running()) {
        return;
    }
    qemu_clock_virtual_pause(false);
    runstate_set(RUN_STATE_RUNNING);
    vm_state_notify(true, RUN_STATE_RUNNING);
    qapi_event_send("RESUME", NULL);
}

int vm_stop(RunState state)
{
    if (!runstate_is_running()) {
        return 0;
    }
    runstate_set(state);
    vm_state_notify(false, state);
    qemu_clock_virtual_pause(true);
    qapi_event_send("STOP", NULL);
    return 0;
}

/* ---- reset ---- */

void qemu_register_reset(QEMUResetHandler *func, void *opaque)
{
    ResetEntry e = { func, opaque };

    if (!reset_handlers) {
        reset_handlers = g_array_new(FALSE, FALSE, sizeof(ResetEntry));
    }
    g_array_append_val(reset_handlers, e);
}

void qemu_unregister_reset(QEMUResetHandler *func, void *opaque)
{
    for (guint i = 0; reset_handlers && i < reset_handlers->len; i++) {
        ResetEntry *e = &g_array_index(reset_handlers, ResetEntry, i);

        if (e->func == func && e->opaque == opaque) {
            g_array_remove_index(reset_handlers, i);
            return;
        }
    }
}

void qemu_system_reset(ShutdownCause reason)
{
    pause_all_vcpus();
    qdev_reset_all();
    for (guint i = 0; reset_handlers && i < reset_handlers->len; i++) {
        ResetEntry *e = &g_array_index(reset_handlers, ResetEntry, i);

        e->func(e->opaque);
    }
    if (reason != SHUTDOWN_CAUSE_NONE && reason != SHUTDOWN_CAUSE_SUBSYSTEM_RESET) {
        qapi_event_send("RESET", shutdown_event_data(reason));
    }
    resume_all_vcpus();
}

/* ---- requests (any thread; signal handlers for shutdown) ---- */

void qemu_system_reset_request(ShutdownCause reason)
{
    cpu_stop_current();
    if (no_reboot && reason != SHUTDOWN_CAUSE_SUBSYSTEM_RESET) {
        shutdown_requested = reason;
    } else {
        reset_requested = reason;
    }
    qemu_notify_event();
}

void qemu_system_shutdown_request(ShutdownCause reason)
{
    cpu_stop_current();
    shutdown_requested = reason;
    qemu_notify_event();
}

void qemu_system_shutdown_request_force(ShutdownCause reason)
{
    shutdown_forced = true;
    qemu_system_shutdown_request(reason);
}

void qemu_system_killed(int signal, int pid)
{
    shutdown_signal = signal;
    shutdown_pid = pid;
    qemu_system_shutdown_request_force(SHUTDOWN_CAUSE_HOST_SIGNAL);
}

void qemu_system_powerdown_request(void)
{
    powerdown_requested = true;
    qemu_notify_event();
}

void qemu_register_powerdown_notifier(Notifier *notifier)
{
    notifier_list_add(&powerdown_notifiers, notifier);
}

ShutdownCause qemu_reset_requested(void)
{
    ShutdownCause r = reset_requested;

    reset_requested = SHUTDOWN_CAUSE_NONE;
    return r;
}

ShutdownCause qemu_shutdown_requested(void)
{
    ShutdownCause r = shutdown_requested;

    shutdown_requested = SHUTDOWN_CAUSE_NONE;
    return r;
}

/* ---- the main loop's part ---- */

static void kill_report(void)
{
    if (!shutdown_signal) {
        return;
    }
    if (shutdown_pid == 0) {
        error_report("terminating on signal %d", shutdown_signal);
    } else {
        g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", shutdown_pid);
        g_autofree char *cmd = NULL;

        if (!g_file_get_contents(path, &cmd, NULL, NULL) || !*cmd) {
            g_free(cmd);
            cmd = g_strdup("<unknown process>");
        }
        error_report("terminating on signal %d from pid %d (%s)", shutdown_signal,
                     shutdown_pid, cmd);
    }
    shutdown_signal = 0;
}

bool main_loop_should_exit(int *status)
{
    ShutdownCause request;

    request = qemu_shutdown_requested();
    if (request != SHUTDOWN_CAUSE_NONE) {
        bool forced = shutdown_forced;

        shutdown_forced = false;
        kill_report();
        qapi_event_send("SHUTDOWN", shutdown_event_data(request));
        if (no_shutdown && !forced) {
            /* As QEMU: a VM that was not running (-S, stop) keeps its state. */
            vm_stop(RUN_STATE_SHUTDOWN);
        } else {
            *status = 0;     /* QEMU's default panic action also exits 0 */
            monitor_flush_responses();
            return true;
        }
    }
    request = qemu_reset_requested();
    if (request != SHUTDOWN_CAUSE_NONE) {
        qemu_system_reset(request);
        if (!runstate_check(RUN_STATE_RUNNING)) {
            runstate_set(RUN_STATE_PRELAUNCH);
        }
    }
    if (powerdown_requested) {
        powerdown_requested = false;
        qapi_event_send("POWERDOWN", NULL);
        notifier_list_notify(&powerdown_notifiers, NULL);
    }
    /* Replies go out after the events their commands caused, as in QEMU. */
    monitor_flush_responses();
    return false;
}
