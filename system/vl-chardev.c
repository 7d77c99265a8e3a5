/*
 * Start-up of chardevs and monitors from the command line (QEMU's vl.c
 * does this; kept apart so the machine's start-up code stays its own).
 */
#include <stdlib.h>
#include <string.h>

#include "chardev/char.h"
#include "monitor/monitor.h"
#include "qemu/error-report.h"
#include "sysemu/os-posix.h"
#include "sysemu/runstate.h"
#include "sysemu/sysemu.h"
#include "sysemu/vl-chardev.h"

static Chardev *serial_hds[MAX_SERIAL_PORTS];
static int monitor_count;

Chardev *serial_hd(int i)
{
    return i >= 0 && i < MAX_SERIAL_PORTS ? serial_hds[i] : NULL;
}

static void die_with(Error *err)
{
    error_report_err(err);
    exit(1);
}

void qemu_early_setup(void)
{
    Error *err = NULL;

    /*
     * As QEMU: -nographic would put the default serial, parallel port and
     * monitor on stdio; only -nodefaults (no default parallel port here)
     * leaves nothing for it to redirect.
     */
    if (vm_config.daemonize && vm_config.nographic && !vm_config.nodefaults) {
        error_report("-nographic cannot be used with -daemonize");
        exit(1);
    }
    if (vm_config.daemonize) {
        os_daemonize();
    }
    if (vm_config.pidfile && !qemu_write_pidfile(vm_config.pidfile, &err)) {
        error_prepend(&err, "cannot create PID file: ");
        die_with(err);
    }
    runstate_set_no_reboot(vm_config.no_reboot);
    runstate_set_no_shutdown(vm_config.no_shutdown);
}

static void mon_add(const CmdlineOpt *o)
{
    const char *id = qemu_opt_get(o->opts, "chardev");
    const char *mode = qemu_opt_get(o->opts, "mode");
    Error *err = NULL;
    bool pretty = qemu_opt_get_bool(o->opts, "pretty", false, &err);
    Chardev *chr;

    if (err) {
        die_with(err);
    }
    if (!id) {
        error_report("Parameter 'chardev' is missing");
        exit(1);
    }
    chr = qemu_chr_find(id);
    if (!chr) {
        error_report("chardev \"%s\" not found", id);
        exit(1);
    }
    if (mode && strcmp(mode, "control") && strcmp(mode, "readline")) {
        error_report("unknown monitor mode \"%s\"", mode);
        exit(1);
    }
    if (!mode || !strcmp(mode, "readline")) {
        warn_report("the human monitor is not available; use mode=control");
        return;
    }
    /* Only -qmp/-monitor number the compat_monitorN labels, as in QEMU. */
    if (!monitor_init_qmp(chr, pretty, &err)) {
        die_with(err);
    }
}

static void qmp_add(const CmdlineOpt *o)
{
    g_autofree char *label = g_strdup_printf("compat_monitor%d", monitor_count++);
    Error *err = NULL;
    Chardev *chr = qemu_chr_new(label, o->arg, &err);

    if (!chr) {
        if (!err) {
            error_setg(&err, "'%s' is not a valid char driver", o->arg);
        }
        die_with(err);
    }
    if (!monitor_init_qmp(chr, false, &err)) {
        die_with(err);
    }
}

static void serial_add(int index, const char *spec)
{
    g_autofree char *label = g_strdup_printf("serial%d", index);
    Error *err = NULL;

    if (index >= MAX_SERIAL_PORTS) {
        error_report("too many serial ports");
        exit(1);
    }
    serial_hds[index] = qemu_chr_new(label, spec, &err);
    if (err) {
        die_with(err);
    }
}

void qemu_create_chardevs_and_monitors(void)
{
    for (guint i = 0; vm_config.chardevs && i < vm_config.chardevs->len; i++) {
        CmdlineOpt *o = g_ptr_array_index(vm_config.chardevs, i);
        Error *err = NULL;

        cmdline_opt_loc_push(o);
        if (!qemu_chr_new_from_opts(o->opts, &err)) {
            die_with(err);
        }
        loc_pop();
    }
    for (guint i = 0; vm_config.serials && i < vm_config.serials->len; i++) {
        CmdlineOpt *o = g_ptr_array_index(vm_config.serials, i);

        cmdline_opt_loc_push(o);
        serial_add(i, o->arg);
        loc_pop();
    }
    if (!vm_config.serials && !vm_config.nodefaults && vm_config.nographic) {
        serial_add(0, "mon:stdio");
    }
    for (guint i = 0; vm_config.mons && i < vm_config.mons->len; i++) {
        CmdlineOpt *o = g_ptr_array_index(vm_config.mons, i);

        cmdline_opt_loc_push(o);
        mon_add(o);
        loc_pop();
    }
    for (guint i = 0; vm_config.qmps && i < vm_config.qmps->len; i++) {
        CmdlineOpt *o = g_ptr_array_index(vm_config.qmps, i);

        cmdline_opt_loc_push(o);
        qmp_add(o);
        loc_pop();
    }
}

void qemu_finish_setup(void)
{
    if (!vm_config.start_stopped) {
        vm_start();
    }
    os_setup_post();
}

void qemu_cleanup_chardevs(void)
{
    monitor_cleanup();
    qemu_chr_cleanup();
}
