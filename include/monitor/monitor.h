/*
 * The QMP monitor: a command registry, events, and monitors on chardevs.
 *
 * Commands are plain functions taking their arguments as a JSON object
 * already checked against a small schema, so each qmp_* function only
 * does its job.  Schema: comma-separated "name:type", a leading '*'
 * marks an optional argument; types are str, int, bool, number, any
 * (e.g. "command-line:str,*cpu-index:int").
 */
#ifndef MONITOR_MONITOR_H
#define MONITOR_MONITOR_H

#include <stdbool.h>
#include <jansson.h>
#include "chardev/char.h"
#include "qemu/error.h"

/* Returns the "return" value (new reference; NULL with *errp set on failure). */
typedef json_t *QmpCommandFunc(json_t *args, Error **errp);

typedef enum QmpCommandOptions {
    QCO_NO_OPTIONS = 0,
    QCO_ALLOW_OOB = 1 << 0,
    QCO_ALLOW_PRECONFIG = 1 << 1,
} QmpCommandOptions;

void qmp_register_command(const char *name, QmpCommandFunc *fn, const char *args_schema,
                          unsigned flags);
bool qmp_command_exists(const char *name);

/* Broadcast to every QMP client past negotiation; steals @data (NULL: no data). */
void qapi_event_send(const char *event, json_t *data);

/* Serve QMP on @chr (a listening socket serves several clients at once). */
bool monitor_init_qmp(Chardev *chr, bool pretty, Error **errp);
void monitor_cleanup(void);
/* Write queued replies; the main loop calls it after carrying out requests. */
void monitor_flush_responses(void);

#endif
