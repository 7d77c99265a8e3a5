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

#include "chardev/char-fe.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "hw/i386/pc.h"
#include "hw/intc/msi-route.h"
#include "hw/qdev-core.h"
#include "hw/virtio/virtio-blk.h"
#include "block/block.h"
#include "sysemu/blockdev.h"
#include "sysemu/cpus.h"
#include "sysemu/machine.h"
#include "sysemu/qtest.h"
#include "sysemu/runstate.h"
#include "sysemu/sysemu.h"
#include "sysemu/vl-chardev.h"

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

/* ---- serial backends: the -serial chardevs (serial_hd) ---- */

typedef struct SerialBackend {
    SerialState *uart;
    CharBackend be;
    QEMUTimer *retry;       /* the FIFO was full: look again shortly */
} SerialBackend;

static void serial_be_write(void *opaque, const uint8_t *buf, int len)
{
    SerialBackend *sb = opaque;

    qemu_chr_fe_write_all(&sb->be, buf, len);
}

static int serial_be_can_read(void *opaque)
{
    SerialBackend *sb = opaque;
    int room = serial_can_receive(sb->uart);

    if (room <= 0) {
        timer_mod(sb->retry, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 1);
    }
    return room;
}

static void serial_be_read(void *opaque, const uint8_t *buf, int len)
{
    SerialBackend *sb = opaque;

    serial_receive(sb->uart, buf, len);
}

static void serial_be_retry(void *opaque)
{
    SerialBackend *sb = opaque;

    qemu_chr_fe_accept_input(&sb->be);
}

static bool serial_attach(SerialState *uart, Chardev *chr, Error **errp)
{
    SerialBackend *sb = g_new0(SerialBackend, 1);

    sb->uart = uart;
    if (!qemu_chr_fe_init(&sb->be, chr, errp)) {
        g_free(sb);
        return false;
    }
    sb->retry = timer_new_ms(QEMU_CLOCK_REALTIME, serial_be_retry, sb);
    qemu_chr_fe_set_handlers(&sb->be, serial_be_can_read, serial_be_read, NULL, NULL, sb,
                             NULL, true);
    serial_set_backend(uart, serial_be_write, sb);
    return true;
}

/* ---- start-up ---- */

static void term_handler(int sig, siginfo_t *info, void *ctx)
{
    qemu_system_killed(sig, info->si_pid);
}

/* qtest mode: -accel qtest (or "-machine accel=qtest"), or -qtest with no accelerator named. */
static bool qtest_mode(void)
{
    const char *accel = NULL;

    for (guint i = 0; vm_config.accels && i < vm_config.accels->len; i++) {
        CmdlineOpt *o = g_ptr_array_index(vm_config.accels, i);

        accel = qemu_opt_get(o->opts, "accel");
    }
    if (!accel && vm_config.machine) {
        accel = qemu_opt_get(vm_config.machine, "accel");
    }
    return accel ? !strcmp(accel, "qtest") : vm_config.qtest != NULL;
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

/*
 * Block backends come before the monitors, as in QEMU: a bad -drive or
 * -blockdev ends the process before any QMP greeting goes out.
 */
static bool block_setup(Error **errp)
{
    block_qmp_init();
    /* Backends first: devices find their drive= by name; -blockdev before -drive, as QEMU. */
    for (guint i = 0; vm_config.blockdevs && i < vm_config.blockdevs->len; i++) {
        CmdlineOpt *o = g_ptr_array_index(vm_config.blockdevs, i);

        cmdline_opt_loc_push(o);
        if (!blockdev_new(o->arg, errp)) {
            return false;
        }
        loc_pop();
    }
    for (guint i = 0; vm_config.drives && i < vm_config.drives->len; i++) {
        CmdlineOpt *o = g_ptr_array_index(vm_config.drives, i);

        for (int j = 0; j < drive_count(); j++) {
            if (drive_get_opts(j) != o->opts) {
                continue;
            }
            cmdline_opt_loc_push(o);
            /* -snapshot is snapshot=on for every -drive that does not say otherwise */
            if (vm_config.snapshot && !qemu_opt_get(o->opts, "snapshot")) {
                qemu_opt_set(o->opts, "snapshot", "on");
            }
            if (!drive_new(j, errp)) {
                return false;
            }
            loc_pop();
        }
    }
    return true;
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

    pcms = pc_init1(&cfg, errp);
    if (!pcms) {
        return false;
    }
    for (int i = 0; i < pcms->nb_serial; i++) {
        if (!serial_attach(pcms->serial[i], serial_hd(i), errp)) {
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

/* What the vCPUs need before the first reset: a kernel to boot and an accelerator. */
static bool guest_setup(Error **errp)
{
    if (!pc_kernel_init(pc_machine(), vm_config.kernel, vm_config.initrd, vm_config.append,
                        errp)) {
        return false;
    }
    if (!vm_config.kernel) {
        error_setg(errp, "no -kernel given: minivm boots multiboot and ELF kernels directly; "
                   "firmware boot from a disk (SeaBIOS) is not implemented yet");
        return false;
    }
    return cpus_init(vm_config.smp, errp);
}

int qemu_main_loop_run(void)
{
    const char *type = vm_config.machine ? qemu_opt_get(vm_config.machine, "type") : NULL;
    bool qtest = qtest_mode();
    Error *err = NULL;
    struct sigaction act = { .sa_sigaction = term_handler, .sa_flags = SA_SIGINFO };
    int status = 0;

    if (type && strcmp(type, "pc") && strcmp(type, "pc-i440fx-7.2")) {
        error_report("unsupported machine type");
        fprintf(stderr, "Use -machine help to list supported machines\n");
        return 1;
    }
    if (qtest) {
        qtest_set_enabled(true);
        qemu_clock_set_virtual_manual(true);
    } else if (vm_config.qtest) {
        error_report("-qtest needs -accel qtest");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGINT, &act, NULL);
    sigaction(SIGHUP, &act, NULL);

    qemu_early_setup();
    qemu_mutex_lock_iothread();
    if (!block_setup(&err)) {
        error_report_err(err);
        return 1;
    }
    qemu_create_chardevs_and_monitors();
    if (!machine_setup(&err) || (!qtest && !guest_setup(&err))) {
        if (err) {
            error_report_err(err);
        }
        return 1;
    }
    if (qtest) {
        /* No local APIC runs under qtest: make interrupt messages observable. */
        apic_msi_recorder_init();
        if (vm_config.qtest &&
            !qtest_server_init(vm_config.qtest, vm_config.qtest_log, &err)) {
            error_report_err(err);
            return 1;
        }
    }
    qemu_system_reset(SHUTDOWN_CAUSE_NONE);
    cpus_start();
    qemu_finish_setup();

    do {
        main_loop_wait(false);
    } while (!main_loop_should_exit(&status));
    /* No guest instruction runs while the process winds down. */
    pause_all_vcpus();
    bdrv_flush_all();
    qemu_cleanup_chardevs();
    qemu_mutex_unlock_iothread();
    return status;
}
