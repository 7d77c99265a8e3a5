/*
 * The option table and -help text, both expanded from qemu-options.def
 * so that qemu-options.hx stays their single source.
 */
#include <stdio.h>
#include <string.h>

#include "sysemu/options.h"

const QEMUOption qemu_options[] = {
#define DEF(option, opt_arg, opt_enum, opt_help, arch_mask) \
    { option, opt_arg, opt_enum, opt_help },
#define DEFHEADING(text)
#include "qemu-options.def"
#undef DEF
#undef DEFHEADING
    { NULL, 0, 0, NULL },
};

const int qemu_options_count = QEMU_OPTION__COUNT;

const QEMUOption *qemu_option_lookup(const char *name)
{
    /* -h is the one alias: its DEF is "help" and its help text names both. */
    if (!strcmp(name, "h")) {
        name = "help";
    }
    for (const QEMUOption *o = qemu_options; o->name; o++) {
        if (!strcmp(o->name, name)) {
            return o;
        }
    }
    return NULL;
}

void qemu_options_print_help(void)
{
#define DEF(option, opt_arg, opt_enum, opt_help, arch_mask) fputs(opt_help, stdout);
#define DEFHEADING(text) puts(#text);
#include "qemu-options.def"
#undef DEF
#undef DEFHEADING
}
