/*
 * HMP "info" subcommands other layers provide (info pci, info block...).
 */
#ifndef MONITOR_HMP_H
#define MONITOR_HMP_H

#include <glib.h>

/* Append the text (with "\n" line ends) to @out. */
typedef void HmpInfoFunc(GString *out);

/* @help is the text "info" alone lists after "info NAME  -- " (QEMU's wording). */
void hmp_register_info(const char *name, const char *help, HmpInfoFunc *fn);

#endif
