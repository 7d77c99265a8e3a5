/*
 * minivm-io: exercise the block layer from the command line (qemu-io compatible).
 */
#include <stdio.h>
#include <string.h>

#include "qemu/error-report.h"
#include "config-host.h"

int main(int argc, char **argv)
{
    error_set_progname(argv[0]);
    if (argc > 1 && (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))) {
        printf("minivm-io version " MINIVM_VERSION "\n");
        return 0;
    }
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        printf("Usage: minivm-io [OPTIONS]... [-c STRING]... [file]\n");
        return 0;
    }
    error_report("no image commands are available in this version yet");
    return 1;
}
