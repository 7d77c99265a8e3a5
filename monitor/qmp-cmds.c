/*
 * The built-in QMP commands: one qmp_* function per command, arguments
 * already checked against the schema given at registration.  Members are
 * added in QAPI declaration order: QEMU's output order derives from it.
 */
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "chardev/char-fe.h"
#include "monitor/monitor.h"
#include "monitor/qmp-internal.h"
#include "sysemu/accel-ops.h"
#include "sysemu/cpus.h"
#include "sysemu/runstate.h"
#include "sysemu/sysemu.h"

static json_t *qmp_qmp_capabilities(json_t *args, Error **errp)
{
    json_t *enable = json_object_get(args, "enable");
    json_t *cap;
    size_t i;

    json_array_foreach(enable, i, cap) {
        if (!json_is_string(cap)) {
            error_setg(errp, "Invalid parameter type for 'enable[%zu]', expected: string", i);
            return NULL;
        }
        if (strcmp(json_string_value(cap), "oob")) {
            /* QEMU 7.2 names the enum member "null" in this message. */
            error_setg(errp, "Parameter 'null' does not accept value '%s'",
                       json_string_value(cap));
            return NULL;
        }
    }
    return json_object();
}

static json_t *qmp_query_version(json_t *args, Error **errp)
{
    return qmp_version_info();
}

static json_t *qmp_query_commands(json_t *args, Error **errp)
{
    return qmp_command_names();
}

static json_t *qmp_query_status(json_t *args, Error **errp)
{
    return json_pack("{s:b, s:b, s:s}", "running", runstate_is_running(), "singlestep", 0,
                     "status", RunState_str(runstate_get()));
}

static json_t *qmp_query_name(json_t *args, Error **errp)
{
    json_t *ret = json_object();

    if (vm_config.name) {
        json_object_set_new(ret, "name", json_string(vm_config.name));
    }
    return ret;
}

static json_t *qmp_query_chardev(json_t *args, Error **errp)
{
    json_t *list = json_array();

    for (GList *l = qemu_chr_list(); l; l = l->next) {
        Chardev *chr = l->data;
        bool fe_open = chr->be != NULL || qemu_chr_is_socket_server(chr);

        json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "label", chr->label,
                                              "filename", chr->filename,
                                              "frontend-open", fe_open));
    }
    return list;
}

static json_t *qmp_query_kvm(json_t *args, Error **errp)
{
    const char *accel = cpus_accel_name();

    /* As QEMU: "present" means this binary has KVM support, "enabled" that it runs. */
    return json_pack("{s:b, s:b}", "enabled", accel && !strcmp(accel, "kvm"),
                     "present", accel_find("kvm") != NULL);
}

static json_t *qmp_query_machines(json_t *args, Error **errp)
{
    return json_pack("[{s:s, s:s, s:b, s:i, s:b, s:b, s:b, s:s, s:s}]",
                     "name", "pc-i440fx-7.2", "alias", "pc", "is-default", 1, "cpu-max", 255,
                     "hotpluggable-cpus", 1, "numa-mem-supported", 0, "deprecated", 0,
                     "default-cpu-type", "qemu64-x86_64-cpu", "default-ram-id", "pc.ram");
}

static json_t *qmp_query_cpus_fast(json_t *args, Error **errp)
{
    json_t *list = json_array();
    for (unsigned i = 0; i < (vm_config.smp ? vm_config.smp : 1); i++) {
        g_autofree char *path = g_strdup_printf("/machine/unattached/device[%u]", i);
        /* Under qtest no vCPU thread exists; QEMU names the main thread then. */
        long tid = cpus_thread_id(i) ? cpus_thread_id(i) : syscall(SYS_gettid);

        json_array_append_new(list, json_pack("{s:i, s:s, s:I, s:{s:i, s:i, s:i}, s:s}",
                                              "cpu-index", i, "qom-path", path,
                                              "thread-id", (json_int_t)tid,
                                              "props", "socket-id", i, "core-id", 0,
                                              "thread-id", 0, "target", "x86_64"));
    }
    return list;
}

static json_t *qmp_stop(json_t *args, Error **errp)
{
    vm_stop(RUN_STATE_PAUSED);
    return json_object();
}

static json_t *qmp_cont(json_t *args, Error **errp)
{
    if (runstate_needs_reset()) {
        error_setg(errp, "Resetting the Virtual Machine is required");
        return NULL;
    }
    vm_start();
    return json_object();
}

static json_t *qmp_system_reset(json_t *args, Error **errp)
{
    qemu_system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    return json_object();
}

static json_t *qmp_system_powerdown(json_t *args, Error **errp)
{
    qemu_system_powerdown_request();
    return json_object();
}

static json_t *qmp_quit(json_t *args, Error **errp)
{
    qemu_system_shutdown_request_force(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
    return json_object();
}

static json_t *qmp_human_monitor_command(json_t *args, Error **errp)
{
    const char *line = json_string_value(json_object_get(args, "command-line"));
    json_t *cpu = json_object_get(args, "cpu-index");
    g_autofree char *out = NULL;

    if (cpu && (json_integer_value(cpu) < 0 ||
                json_integer_value(cpu) >= (vm_config.smp ? vm_config.smp : 1))) {
        error_setg(errp, "Parameter 'cpu-index' expects a CPU number");
        return NULL;
    }
    out = hmp_run_command(line);
    return json_string(out);
}

void qmp_register_builtin_commands(void)
{
    qmp_register_command("qmp_capabilities", qmp_qmp_capabilities, "*enable:array",
                         QCO_ALLOW_PRECONFIG);
    qmp_register_command("query-version", qmp_query_version, NULL, QCO_ALLOW_PRECONFIG);
    qmp_register_command("query-commands", qmp_query_commands, NULL, QCO_ALLOW_PRECONFIG);
    qmp_register_command("query-status", qmp_query_status, NULL, QCO_ALLOW_PRECONFIG);
    qmp_register_command("query-name", qmp_query_name, NULL, QCO_ALLOW_PRECONFIG);
    qmp_register_command("query-chardev", qmp_query_chardev, NULL, QCO_ALLOW_PRECONFIG);
    qmp_register_command("query-kvm", qmp_query_kvm, NULL, QCO_NO_OPTIONS);
    qmp_register_command("query-machines", qmp_query_machines, NULL, QCO_ALLOW_PRECONFIG);
    qmp_register_command("query-cpus-fast", qmp_query_cpus_fast, NULL, QCO_NO_OPTIONS);
    qmp_register_command("stop", qmp_stop, NULL, QCO_NO_OPTIONS);
    qmp_register_command("cont", qmp_cont, NULL, QCO_NO_OPTIONS);
    qmp_register_command("system_reset", qmp_system_reset, NULL, QCO_NO_OPTIONS);
    qmp_register_command("system_powerdown", qmp_system_powerdown, NULL, QCO_NO_OPTIONS);
    qmp_register_command("quit", qmp_quit, NULL, QCO_ALLOW_PRECONFIG);
    qmp_register_command("human-monitor-command", qmp_human_monitor_command,
                         "command-line:str,*cpu-index:int", QCO_NO_OPTIONS);
}
