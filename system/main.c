/*
 * minivm: the system emulator's entry point.
 */
#include "qemu/error-report.h"
#include "sysemu/sysemu.h"

int main(int argc, char **argv)
{
    error_set_progname(argv[0]);
    qemu_parse_cmdline(argc, argv);
    return qemu_main_loop_run();
}
