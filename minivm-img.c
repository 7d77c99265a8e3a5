/*
 * minivm-img: create, inspect and benchmark disk images (qemu-img compatible).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "qemu/error-report.h"
#include "tools/img-common.h"
#include "config-host.h"

static const struct {
    const char *name;
    int (*handler)(int argc, char **argv);
} img_cmds[] = {
    { "bench", img_bench },
    { "convert", img_convert },
    { "create", img_create },
    { "info", img_info },
    { "map", img_map },
    { "check", img_check },
};

int main(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { "trace", required_argument, NULL, 'T' },
        { NULL, 0, NULL, 0 }
    };
    const char *cmdname;
    size_t i;
    int c;

    signal(SIGPIPE, SIG_IGN);
    error_set_progname(argv[0]);
    if (argc < 2) {
        img_error_exit("Not enough arguments");
    }
    while ((c = img_getopt(argc, argv, "+:hVT:", long_options, NULL)) != -1) {
        switch (c) {
        case 'V':
            printf("%s version " MINIVM_VERSION "\n", error_get_progname());
            return 0;
        case 'T':
            /* no trace events in minivm: accepted so scripts keep working */
            break;
        }
    }
    if (optind >= argc) {
        return 0;
    }
    cmdname = argv[optind];
    argc -= optind;
    argv += optind;
    optind = 0;
    for (i = 0; i < G_N_ELEMENTS(img_cmds); i++) {
        if (!strcmp(cmdname, img_cmds[i].name)) {
            return img_cmds[i].handler(argc, argv);
        }
    }
    img_error_exit("Command not found: %s", cmdname);
}
