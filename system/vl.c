/*
 * The command line: turn argv into vm_config, QEMU-style.
 *
 * Options are looked up in the table generated from qemu-options.hx.
 * Each option is checked as it is read, with the option itself as the
 * error location ("minivm: -drive file=x,cache=bogus: invalid cache
 * option"), so a user with twenty options sees which one is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/option.h"
#include "sysemu/blockdev.h"
#include "sysemu/options.h"
#include "sysemu/sysemu.h"
#include "sysemu/machine.h"
#include "hw/qdev-core.h"

#include "config-host.h"

VMConfig vm_config;

static void version(void)
{
    printf("minivm emulator version " MINIVM_VERSION " (QEMU 7.2 compatible)\n"
           "Copyright (c) the minivm authors\n");
}

static void help(void)
{
    version();
    printf("usage: %s [options] [disk_image]\n\n"
           "'disk_image' is a raw hard disk image for IDE hard disk 0\n\n",
           error_get_progname());
    qemu_options_print_help();
    printf("\nDuring emulation, the following keys are useful:\n"
           "ctrl-a x    exit emulation (with -nographic)\n"
           "ctrl-a h    print help on the console escapes\n");
}

static const QEMUOption *lookup_opt(int argc, char **argv, const char **poptarg, int *poptind)
{
    const char *r = argv[*poptind];
    const QEMUOption *popt;

    loc_push_cmdline(r, NULL);
    (*poptind)++;
    popt = qemu_option_lookup(r[1] == '-' ? r + 2 : r + 1);
    if (!popt) {
        error_report("invalid option");
        exit(1);
    }
    loc_pop();
    if (popt->flags & HAS_ARG) {
        if (*poptind >= argc) {
            loc_push_cmdline(r, NULL);
            error_report("requires an argument");
            exit(1);
        }
        *poptarg = argv[(*poptind)++];
    } else {
        *poptarg = NULL;
    }
    loc_push_cmdline(r, *poptarg);
    return popt;
}

static CmdlineOpt *cmdline_opt_new(GPtrArray **list, const char *opt, const char *arg,
                                   QemuOpts *opts)
{
    CmdlineOpt *o = g_new0(CmdlineOpt, 1);

    o->opt = opt;
    o->arg = arg;
    o->opts = opts;
    if (!*list) {
        *list = g_ptr_array_new();
    }
    g_ptr_array_add(*list, o);
    return o;
}

void cmdline_opt_loc_push(const CmdlineOpt *o)
{
    loc_push_cmdline(o->opt, o->arg);
}

static const QemuOptDesc name_opts_desc[] = {
    { .name = "guest", .type = QEMU_OPT_STRING },
    { .name = "process", .type = QEMU_OPT_STRING },
    { .name = "debug-threads", .type = QEMU_OPT_BOOL },
    { NULL }
};

static QemuOpts *parse_or_die(const char *arg, const char *implied)
{
    Error *err = NULL;
    QemuOpts *opts = qemu_opts_parse(arg, implied, &err);

    if (!opts) {
        error_report_err(err);
        exit(1);
    }
    qemu_opts_warn_short_form(opts);
    return opts;
}

/* -machine may be given several times; later keys override earlier ones. */
static void machine_merge(const char *arg)
{
    QemuOpts *opts = parse_or_die(arg, "type");

    if (opts->help) {
        machine_print_help();
        exit(0);
    }
    if (!vm_config.machine) {
        vm_config.machine = qemu_opts_parse("", NULL, &error_abort);
    }
    for (size_t i = 0; i < opts->count; i++) {
        qemu_opt_set(vm_config.machine, opts->opts[i].name, opts->opts[i].str);
    }
    qemu_opts_free(opts);
}

static void accel_add(const char *opt, const char *arg)
{
    QemuOpts *opts = parse_or_die(arg, "accel");

    if (opts->help) {
        qemu_opts_free(opts);
        accel_print_help();
        exit(0);
    }
    cmdline_opt_new(&vm_config.accels, opt, arg, opts);
}

static void set_ram_size(const char *arg)
{
    QemuOpts *opts = parse_or_die(arg, "size");
    const char *s = qemu_opt_get(opts, "size");
    uint64_t sz;

    if (!s || qemu_strtosz_MiB(s, NULL, &sz) < 0) {
        error_report("Parameter 'size' expects a non-negative number below 2^64");
        fprintf(stderr, "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, "
                     "peta-\nand exabytes, respectively.\n");
        exit(1);
    }
    /* as QEMU: -m 0 is the default size, and sizes round up to 8 KiB */
    if (sz) {
        vm_config.ram_size = (sz + 8191) & ~(uint64_t)8191;
    }
    qemu_opts_free(opts);
}

static void set_smp(const char *arg)
{
    QemuOpts *opts = parse_or_die(arg, "cpus");
    Error *err = NULL;
    uint64_t n = qemu_opt_get_number(opts, "cpus", 1, &err);

    if (err) {
        error_report_err(err);
        exit(1);
    }
    if (n < 1 || n > 255) {
        error_report("Invalid SMP CPUs %" G_GUINT64_FORMAT ". The max CPUs supported "
                     "by machine 'pc-i440fx-7.2' is 255", n);
        exit(1);
    }
    vm_config.smp = n;
    qemu_opts_free(opts);
}

static void set_string(char **dst, const char *arg)
{
    g_free(*dst);
    *dst = g_strdup(arg);
}

void qemu_parse_cmdline(int argc, char **argv)
{
    Error *err = NULL;
    int optind = 1;

    vm_config.ram_size = 128 * 1024 * 1024;
    vm_config.smp = 1;

    while (optind < argc) {
        const QEMUOption *popt;
        const char *optarg;
        QemuOpts *opts;

        if (argv[optind][0] != '-') {
            /* A bare file name is the first IDE disk, as in QEMU. */
            char *def = g_strdup_printf("file=%s,index=0,media=disk", argv[optind]);
            char *esc = NULL;

            if (strchr(argv[optind], ',')) {
                gchar **parts = g_strsplit(argv[optind], ",", -1);

                esc = g_strjoinv(",,", parts);
                g_strfreev(parts);
                g_free(def);
                def = g_strdup_printf("file=%s,index=0,media=disk", esc);
            }
            loc_push_cmdline(argv[optind], NULL);
            opts = drive_def(def, &err);
            if (!opts) {
                error_report_err(err);
                exit(1);
            }
            cmdline_opt_new(&vm_config.drives, argv[optind], NULL, opts);
            loc_pop();
            g_free(esc);
            optind++;
            continue;
        }

        popt = lookup_opt(argc, argv, &optarg, &optind);
        switch (popt->index) {
        case QEMU_OPTION_h:
            help();
            exit(0);
        case QEMU_OPTION_version:
            version();
            exit(0);
        case QEMU_OPTION_machine:
        case QEMU_OPTION_M:
            machine_merge(optarg);
            break;
        case QEMU_OPTION_accel:
            accel_add(argv[optind - 2], optarg);
            break;
        case QEMU_OPTION_enable_kvm:
            accel_add(argv[optind - 1], "kvm");
            break;
        case QEMU_OPTION_m:
            set_ram_size(optarg);
            break;
        case QEMU_OPTION_smp:
            set_smp(optarg);
            break;
        case QEMU_OPTION_name:
            opts = parse_or_die(optarg, "guest");
            if (!qemu_opts_validate(opts, name_opts_desc, NULL, &err)) {
                error_report_err(err);
                exit(1);
            }
            set_string(&vm_config.name, qemu_opt_get(opts, "guest"));
            if (qemu_opt_get(opts, "process")) {
                /* What ps and top show for this process, as QEMU sets it. */
                prctl(PR_SET_NAME, qemu_opt_get(opts, "process"));
            }
            qemu_opts_free(opts);
            break;
        case QEMU_OPTION_uuid:
            set_string(&vm_config.uuid, optarg);
            break;
        case QEMU_OPTION_drive:
            opts = drive_def(optarg, &err);
            if (!opts) {
                error_report_err(err);
                exit(1);
            }
            cmdline_opt_new(&vm_config.drives, argv[optind - 2], optarg, opts);
            break;
        case QEMU_OPTION_blockdev:
            cmdline_opt_new(&vm_config.blockdevs, argv[optind - 2], optarg, NULL);
            break;
        case QEMU_OPTION_snapshot:
            vm_config.snapshot = true;
            break;
        case QEMU_OPTION_device:
            opts = parse_or_die(optarg, "driver");
            if (opts->help && !qemu_opt_has(opts, "driver")) {
                device_print_help();
                exit(0);
            }
            if (opts->help) {
                if (!device_print_properties(qemu_opt_get(opts, "driver"), &err)) {
                    error_report_err(err);
                    exit(1);
                }
                exit(0);
            }
            cmdline_opt_new(&vm_config.devices, argv[optind - 2], optarg, opts);
            break;
        case QEMU_OPTION_nographic:
            vm_config.nographic = true;
            break;
        case QEMU_OPTION_display:
            if (strcmp(optarg, "none") && !g_str_has_prefix(optarg, "none,")) {
                error_report("Display '%s' is not available in this build", optarg);
                exit(1);
            }
            set_string(&vm_config.display, "none");
            break;
        case QEMU_OPTION_chardev:
            opts = parse_or_die(optarg, "backend");
            if (!opts->id) {
                error_report("Parameter 'id' is missing");
                exit(1);
            }
            cmdline_opt_new(&vm_config.chardevs, argv[optind - 2], optarg, opts);
            break;
        case QEMU_OPTION_serial:
            cmdline_opt_new(&vm_config.serials, argv[optind - 2], optarg, NULL);
            break;
        case QEMU_OPTION_mon:
            opts = parse_or_die(optarg, "chardev");
            cmdline_opt_new(&vm_config.mons, argv[optind - 2], optarg, opts);
            break;
        case QEMU_OPTION_qmp:
            cmdline_opt_new(&vm_config.qmps, argv[optind - 2], optarg, NULL);
            break;
        case QEMU_OPTION_qtest:
            set_string(&vm_config.qtest, optarg);
            break;
        case QEMU_OPTION_qtest_log:
            set_string(&vm_config.qtest_log, optarg);
            break;
        case QEMU_OPTION_kernel:
            set_string(&vm_config.kernel, optarg);
            break;
        case QEMU_OPTION_append:
            set_string(&vm_config.append, optarg);
            break;
        case QEMU_OPTION_initrd:
            set_string(&vm_config.initrd, optarg);
            break;
        case QEMU_OPTION_S:
            vm_config.start_stopped = true;
            break;
        case QEMU_OPTION_no_reboot:
            vm_config.no_reboot = true;
            break;
        case QEMU_OPTION_no_shutdown:
            vm_config.no_shutdown = true;
            break;
        case QEMU_OPTION_nodefaults:
            vm_config.nodefaults = true;
            break;
        case QEMU_OPTION_daemonize:
            vm_config.daemonize = true;
            break;
        case QEMU_OPTION_pidfile:
            set_string(&vm_config.pidfile, optarg);
            break;
        default:
            error_report("option not handled by this build");
            exit(1);
        }
        loc_pop();
    }
}
