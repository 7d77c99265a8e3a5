/*
 * Machine selection and start-up: build the pc machine from vm_config,
 * attach serial backends and -device models, start qtest, and run the
 * main loop until a shutdown request.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "hw/i386/pc.h"
#include "hw/intc/msi-route.h"
#include "hw/qdev-core.h"
#include "hw/virtio/virtio-blk.h"
#include "sysemu/blockdev.h"
#include "sysemu/machine.h"
#include "sysemu/qtest.h"
#include "sysemu/runstate.h"
#include "sysemu/sysemu.h"

void machine_print_help(void)
{
    printf("Supported machines are:\n");
    printf("%-20s %s (alias of pc-i440fx-7.2)\n", "pc", "Standard PC (i440FX + PIIX, 1996)");
    printf("%-20s %s (default)\n", "pc-i440fx-7.2", "Standard PC (i440FX + PIIX, 1996)");
}

void accel_print_help(void)
{
    printf("Accelerators supported in QEMU binary:\n");
    printf("qtest\ntcg\nkvm\n");
}

/* ---- serial backends (until the chardev layer takes them over) ---- */

typedef struct SerialBackend {
    SerialState *uart;
    int in_fd;
    int out_fd;
} SerialBackend;

static void serial_be_write(void *opaque, const uint8_t *buf, int len)
{
    SerialBackend *be = opaque;

    while (len > 0 && be->out_fd >= 0) {
        ssize_t n = write(be->out_fd, buf, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        buf += n;
        len -= n;
    }
}

static void serial_be_read(void *opaque)
{
    SerialBackend *be = opaque;
    uint8_t buf[16];
    int room = serial_can_receive(be->uart);
    ssize_t n;

    if (room <= 0) {
        return;     /* poll again on the next loop iteration */
    }
    n = read(be->in_fd, buf, MIN((int)sizeof(buf), room));
    if (n <= 0) {
        aio_set_fd_handler(qemu_get_aio_context(), be->in_fd, NULL, NULL, NULL);
        return;
    }
    serial_receive(be->uart, buf, n);
}

static bool serial_attach(SerialState *uart, const char *spec, Error **errp)
{
    SerialBackend *be = g_new0(SerialBackend, 1);

    be->uart = uart;
    be->in_fd = be->out_fd = -1;
    if (!strcmp(spec, "stdio") || !strcmp(spec, "mon:stdio")) {
        be->in_fd = STDIN_FILENO;
        be->out_fd = STDOUT_FILENO;
        aio_set_fd_handler(qemu_get_aio_context(), be->in_fd, serial_be_read, NULL, be);
    } else if (g_str_has_prefix(spec, "file:")) {
        be->out_fd = open(spec + 5, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (be->out_fd < 0) {
            error_setg_errno(errp, errno, "Could not open '%s'", spec + 5);
            g_free(be);
            return false;
        }
    } else if (strcmp(spec, "null") && strcmp(spec, "vc") && strcmp(spec, "none")) {
        error_setg(errp, "'%s' is not a valid char driver", spec);
        g_free(be);
        return false;
    }
    serial_set_backend(uart, serial_be_write, be);
    return true;
}

/* ---- start-up ---- */

static volatile sig_atomic_t got_signal;

static void term_handler(int sig)
{
    got_signal = sig;
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_SIGNAL);
}

static const char *accel_choice(void)
{
    const char *accel = NULL;

    for (guint i = 0; vm_config.accels && i < vm_config.accels->len; i++) {
        CmdlineOpt *o = g_ptr_array_index(vm_config.accels, i);

        accel = qemu_opt_get(o->opts, "accel");
    }
    if (!accel && vm_config.machine) {
        accel = qemu_opt_get(vm_config.machine, "accel");
    }
    return accel;
}

static int serial_count(void)
{
    int n = 0;

    for (guint i = 0; vm_config.serials && i < vm_config.serials->len; i++) {
        CmdlineOpt *o = g_ptr_array_index(vm_config.serials, i);

        if (strcmp(o->arg, "none")) {
            n = i + 1;
        }
    }
    if (!vm_config.serials && !vm_config.nodefaults) {
        n = 1;      /* QEMU's default COM1 */
    }
    return n;
}

static bool machine_setup(Error **errp)
{
    PCMachineConfig cfg = {
        .ram_size = vm_config.ram_size,
        .smp_cpus = vm_config.smp,
        .nographic = vm_config.nographic,
        .nb_serial = serial_count(),
    };
    PCMachineState *pcms;

    /* Backends first: devices find their drive= by name. */
    for (guint i = 0; vm_config.drives && i < vm_config.drives->len; i++) {
        CmdlineOpt *o = g_ptr_array_index(vm_config.drives, i);

        for (int j = 0; j < drive_count(); j++) {
            if (drive_get_opts(j) != o->opts) {
                continue;
            }
            cmdline_opt_loc_push(o);
            if (!drive_new(j, errp)) {
                return false;
            }
            loc_pop();
        }
    }
    pcms = pc_init1(&cfg, errp);
    if (!pcms) {
        return false;
    }
    for (int i = 0; i < pcms->nb_serial; i++) {
        const char *spec = vm_config.nographic ? "mon:stdio" : "null";

        if (vm_config.serials && (guint)i < vm_config.serials->len) {
            CmdlineOpt *o = g_ptr_array_index(vm_config.serials, i);

            cmdline_opt_loc_push(o);
            spec = o->arg;
            if (!serial_attach(pcms->serial[i], spec, errp)) {
                return false;
            }
            loc_pop();
            continue;
        }
        if (!serial_attach(pcms->serial[i], spec, errp)) {
            return false;
        }
    }
    for (guint i = 0; vm_config.devices && i < vm_config.devices->len; i++) {
        CmdlineOpt *o = g_ptr_array_index(vm_config.devices, i);

        cmdline_opt_loc_push(o);
        if (!qdev_device_add(o->opts, errp)) {
            return false;
        }
        loc_pop();
    }
    /* -drive if=virtio: its device comes after the -device ones, as in QEMU. */
    return virtio_blk_pci_create_drives(errp);
}

int qemu_main_loop_run(void)
{
    const char *type = vm_config.machine ? qemu_opt_get(vm_config.machine, "type") : NULL;
    const char *accel = accel_choice();
    Error *err = NULL;
    ShutdownCause cause;

    if (type && strcmp(type, "pc") && strcmp(type, "pc-i440fx-7.2")) {
        error_report("unsupported machine type");
        fprintf(stderr, "Use -machine help to list supported machines\n");
        return 1;
    }
    if (accel && strcmp(accel, "qtest") && strcmp(accel, "tcg") && strcmp(accel, "kvm")) {
        error_report("invalid accelerator %s", accel);
        return 1;
    }
    if (!accel || strcmp(accel, "qtest")) {
        error_report("the pc machine cannot run guests in this version yet");
        return 1;
    }
    qtest_set_enabled(true);
    qemu_clock_set_virtual_manual(true);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, term_handler);
    signal(SIGINT, term_handler);
    signal(SIGHUP, term_handler);

    qemu_mutex_lock_iothread();
    if (!machine_setup(&err)) {
        error_report_err(err);
        return 1;
    }
    /* No local APIC runs under qtest: make interrupt messages observable. */
    apic_msi_recorder_init();
    if (vm_config.qtest && !qtest_server_init(vm_config.qtest, vm_config.qtest_log, &err)) {
        error_report_err(err);
        return 1;
    }
    qemu_system_reset(SHUTDOWN_CAUSE_NONE);

    for (;;) {
        main_loop_wait(false);
        cause = qemu_shutdown_requested();
        if (cause != SHUTDOWN_CAUSE_NONE) {
            break;
        }
        cause = qemu_reset_requested();
        if (cause != SHUTDOWN_CAUSE_NONE) {
            if (vm_config.no_reboot && cause == SHUTDOWN_CAUSE_GUEST_RESET) {
                break;
            }
            qemu_system_reset(cause);
        }
    }
    qemu_mutex_unlock_iothread();
    return 0;
}
