/*
 * Machine selection and start-up.
 */
#include <stdio.h>
#include <string.h>

#include "qemu/error-report.h"
#include "sysemu/machine.h"
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

int qemu_main_loop_run(void)
{
    const char *type = vm_config.machine ? qemu_opt_get(vm_config.machine, "type") : NULL;

    if (type && strcmp(type, "pc") && strcmp(type, "pc-i440fx-7.2")) {
        error_report("unsupported machine type");
        fprintf(stderr, "Use -machine help to list supported machines\n");
        return 1;
    }
    error_report("the pc machine cannot run guests in this version yet");
    return 1;
}
