/*
 * Between the QMP monitor's files.
 */
#ifndef MONITOR_QMP_INTERNAL_H
#define MONITOR_QMP_INTERNAL_H

#include <stdbool.h>
#include <jansson.h>
#include "qemu/error.h"

/* Run one request; returns the response object ({"return"} or {"error"}, with "id"). */
json_t *qmp_dispatch(json_t *request, bool negotiating, bool oob_enabled);
json_t *qmp_error_response(Error *err);
/* [{"name": ...}] for query-commands. */
json_t *qmp_command_names(void);
/* The greeting's and query-version's version object. */
json_t *qmp_version_info(void);

/* Register the built-in commands (qmp-cmds.c, hmp.c). */
void qmp_register_builtin_commands(void);
char *hmp_run_command(const char *line);
/* The info subcommands the monitor itself answers (info status). */
void hmp_register_builtin_info(void);

#endif
