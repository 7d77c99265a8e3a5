/*
 * The system emulator's option table, generated from qemu-options.hx.
 */
#ifndef SYSEMU_OPTIONS_H
#define SYSEMU_OPTIONS_H

#include <stdbool.h>

#define HAS_ARG 0x0001

enum {
#define DEF(option, opt_arg, opt_enum, opt_help, arch_mask) opt_enum,
#define DEFHEADING(text)
#include "qemu-options.def"
#undef DEF
#undef DEFHEADING
    QEMU_OPTION__COUNT
};

typedef struct QEMUOption {
    const char *name;
    int flags;
    int index;
    const char *help;       /* the DEF help text, one or more lines */
} QEMUOption;

extern const QEMUOption qemu_options[];
extern const int qemu_options_count;

/* Look up an option by name, without its leading '-' or '--'. */
const QEMUOption *qemu_option_lookup(const char *name);
/* Print the -help text: headings and every DEF's help, in .hx order. */
void qemu_options_print_help(void);

#endif
