/*
 * What the command line asked for.  system/vl.c fills it; the machine,
 * the accelerators and the monitors read it once at start-up.
 */
#ifndef SYSEMU_SYSEMU_H
#define SYSEMU_SYSEMU_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "qemu/option.h"

/* One option occurrence, kept with its text so later errors can name it. */
typedef struct CmdlineOpt {
    const char *opt;        /* as typed: "-drive" or "--drive" */
    const char *arg;        /* its argument, or NULL */
    QemuOpts *opts;         /* parsed form, for keyval-style options */
} CmdlineOpt;

typedef struct VMConfig {
    QemuOpts *machine;          /* -machine/-M, merged; type in "type" */
    GPtrArray *accels;          /* CmdlineOpt: -accel, in order */
    uint64_t ram_size;          /* bytes */
    unsigned smp;
    char *name;
    char *uuid;
    char *kernel, *initrd, *append;
    bool nographic;
    char *display;
    bool nodefaults;
    bool daemonize;
    char *pidfile;
    bool start_stopped;         /* -S */
    bool no_reboot, no_shutdown;
    bool snapshot;
    GPtrArray *serials;         /* CmdlineOpt: -serial */
    GPtrArray *chardevs;        /* CmdlineOpt: -chardev, opts parsed */
    GPtrArray *mons;            /* CmdlineOpt: -mon, opts parsed */
    GPtrArray *qmps;            /* CmdlineOpt: -qmp */
    GPtrArray *devices;         /* CmdlineOpt: -device, opts parsed */
    GPtrArray *drives;          /* CmdlineOpt: -drive, opts from drive_def() */
    GPtrArray *blockdevs;       /* CmdlineOpt: -blockdev */
    char *qtest;
    char *qtest_log;
} VMConfig;

extern VMConfig vm_config;

/* Parse argv into vm_config; exits with a message on bad options. */
void qemu_parse_cmdline(int argc, char **argv);

/* Push the option's text as the error location, for late errors. */
void cmdline_opt_loc_push(const CmdlineOpt *o);

/* Start the machine described by vm_config and run until the guest exits. */
int qemu_main_loop_run(void);

#endif
