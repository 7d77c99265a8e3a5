/*
 * Reset and shutdown requests: recorded here, carried out by the main loop.
 */
#include <glib.h>

#include "qemu/main-loop.h"
#include "hw/qdev-core.h"
#include "sysemu/runstate.h"

typedef struct ResetEntry {
    QEMUResetHandler *func;
    void *opaque;
} ResetEntry;

static GArray *reset_handlers;
static ShutdownCause reset_requested;
static ShutdownCause shutdown_requested;

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
    qdev_reset_all();
    for (guint i = 0; reset_handlers && i < reset_handlers->len; i++) {
        ResetEntry *e = &g_array_index(reset_handlers, ResetEntry, i);

        e->func(e->opaque);
    }
}

void qemu_system_reset_request(ShutdownCause reason)
{
    reset_requested = reason;
    qemu_notify_event();
}

void qemu_system_shutdown_request(ShutdownCause reason)
{
    shutdown_requested = reason;
    qemu_notify_event();
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
