/*
 * minivm-img: create, inspect and benchmark disk images (qemu-img compatible).
 */
#include <stdio.h>
#include <string.h>

#include "qemu/error-report.h"
#include "config-host.h"

static void help(void)
{
    printf("minivm-img version " MINIVM_VERSION "\n"
           "usage: minivm-img [standard options] command [command options]\n"
           "Disk image utility, compatible with qemu-img.\n\n"
           "    '-h', '--help'       display this help and exit\n"
           "    '-V', '--version'    output version information and exit\n");
}

int main(int argc, char **argv)
{
    error_set_progname(argv[0]);
    if (argc < 2) {
        error_report("Not enough arguments");
        fprintf(stderr, "Try 'minivm-img --help' for more information\n");
        return 1;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        help();
        return 0;
    }
    if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
        printf("minivm-img version " MINIVM_VERSION "\n");
        return 0;
    }
    error_report("Command not found: %s", argv[1]);
    return 1;
}
