/*
 * Option strings: "key=val,key2=val2" with ",," escaping a comma.
 *
 * QemuOpts is the flat form most options use (-drive, -machine, -device,
 * -chardev, -accel): an ordered list of key/value strings, dotted keys kept
 * as they are ("cache.direct", "file.driver").  keyval_parse() builds the
 * nested JSON object that -blockdev and the QMP layer take.
 */
#ifndef QEMU_OPTION_H
#define QEMU_OPTION_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "qemu/error.h"

typedef enum QemuOptType {
    QEMU_OPT_STRING,
    QEMU_OPT_BOOL,
    QEMU_OPT_NUMBER,
    QEMU_OPT_SIZE,
} QemuOptType;

typedef struct QemuOptDesc {
    const char *name;
    QemuOptType type;
    const char *help;
    const char *def_value_str;  /* printed by qemu-img create when not given */
} QemuOptDesc;

typedef struct QemuOpt {
    char *name;
    char *str;
} QemuOpt;

typedef struct QemuOpts {
    char *id;
    QemuOpt *opts;
    size_t count;
    bool help;          /* "help" or "?" was given */
    char **flags;       /* items given in the short boolean form, as typed */
    size_t nflags;
} QemuOpts;

/*
 * Parse @params.  If @implied_key is non-NULL, a first item without '='
 * is its value (-drive disk.img == -drive file=disk.img).  Any other item
 * without '=' is a flag: "key" means key=on, "nokey" key=off (QemuOpts'
 * deprecated short form; see qemu_opts_warn_short_form).  "id" is pulled out into
 * opts->id.  Repeated keys are kept in order; qemu_opt_get() returns the
 * last, as QEMU does.
 */
QemuOpts *qemu_opts_parse(const char *params, const char *implied_key, Error **errp);
void qemu_opts_free(QemuOpts *opts);
/* QEMU's deprecation warnings for the short-form flags (command-line options only). */
void qemu_opts_warn_short_form(const QemuOpts *opts);

const char *qemu_opt_get(const QemuOpts *opts, const char *name);
bool qemu_opt_has(const QemuOpts *opts, const char *name);
/* Typed getters: on a malformed value they set errp and return @def. */
bool qemu_opt_get_bool(const QemuOpts *opts, const char *name, bool def, Error **errp);
uint64_t qemu_opt_get_number(const QemuOpts *opts, const char *name, uint64_t def,
                             Error **errp);
uint64_t qemu_opt_get_size(const QemuOpts *opts, const char *name, uint64_t def,
                           Error **errp);
/* Remove every occurrence of @name (for options consumed by one layer). */
void qemu_opt_unset(QemuOpts *opts, const char *name);
void qemu_opt_set(QemuOpts *opts, const char *name, const char *value);

/*
 * Check every key against @desc (a table ending in a NULL name) and every
 * value against its type: "Invalid parameter 'x'" for an unknown key.
 * Other keys with a prefix listed in @pass_prefixes (e.g. "file.", or ""
 * for all) are skipped, being some other layer's business.
 */
bool qemu_opts_validate(const QemuOpts *opts, const QemuOptDesc *desc,
                        const char *const *pass_prefixes, Error **errp);

/* Render back to "k=v,..." with commas escaped (for messages and logs). */
char *qemu_opts_to_string(const QemuOpts *opts);

/*
 * keyval syntax (-blockdev driver=qcow2,file.driver=file,file.filename=x):
 * returns a new JSON object whose leaves are strings, dotted keys nested.
 * A key used both as a leaf and as a parent is an error.  Last duplicate
 * wins.  *p_help, if non-NULL, is set when "help" or "?" appears.
 */
json_t *keyval_parse(const char *params, const char *implied_key, bool *p_help,
                     Error **errp);

/* True for "help" and "?", the strings that ask an option to list itself. */
bool is_help_option(const char *s);

#endif
