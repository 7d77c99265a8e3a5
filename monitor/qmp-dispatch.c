/*
 * The QMP command registry and request dispatch: validating the request
 * object and the arguments against each command's schema, with QEMU's
 * error texts (qapi/qmp-dispatch.c and the QObject input visitor).
 */
#include <string.h>

#include "monitor/monitor.h"
#include "monitor/qmp-internal.h"

typedef struct QmpArgSpec {
    char *name;
    char *type;
    bool optional;
} QmpArgSpec;

typedef struct QmpCommand {
    char *name;
    QmpCommandFunc *fn;
    GArray *args;           /* QmpArgSpec */
    unsigned flags;
} QmpCommand;

static GPtrArray *qmp_commands;

static QmpCommand *qmp_find_command(const char *name)
{
    for (guint i = 0; qmp_commands && i < qmp_commands->len; i++) {
        QmpCommand *cmd = g_ptr_array_index(qmp_commands, i);

        if (!strcmp(cmd->name, name)) {
            return cmd;
        }
    }
    return NULL;
}

bool qmp_command_exists(const char *name)
{
    return qmp_find_command(name) != NULL;
}

void qmp_register_command(const char *name, QmpCommandFunc *fn, const char *args_schema,
                          unsigned flags)
{
    QmpCommand *cmd = qmp_find_command(name);
    gchar **specs;

    g_assert(!cmd);
    cmd = g_new0(QmpCommand, 1);
    cmd->name = g_strdup(name);
    cmd->fn = fn;
    cmd->flags = flags;
    cmd->args = g_array_new(FALSE, FALSE, sizeof(QmpArgSpec));
    specs = g_strsplit(args_schema ? args_schema : "", ",", -1);
    for (int i = 0; specs[i]; i++) {
        const char *s = specs[i];
        const char *colon;
        QmpArgSpec a;

        if (!*s) {
            continue;
        }
        a.optional = *s == '*';
        s += a.optional;
        colon = strchr(s, ':');
        g_assert(colon);
        a.name = g_strndup(s, colon - s);
        a.type = g_strdup(colon + 1);
        g_array_append_val(cmd->args, a);
    }
    g_strfreev(specs);
    if (!qmp_commands) {
        qmp_commands = g_ptr_array_new();
    }
    g_ptr_array_add(qmp_commands, cmd);
}

json_t *qmp_command_names(void)
{
    json_t *list = json_array();

    for (guint i = 0; qmp_commands && i < qmp_commands->len; i++) {
        QmpCommand *cmd = g_ptr_array_index(qmp_commands, i);

        json_array_append_new(list, json_pack("{s:s}", "name", cmd->name));
    }
    return list;
}

/* The QAPI type name QEMU puts in "expected: ..." */
static bool arg_type_ok(const char *type, json_t *v, const char **expected)
{
    if (!strcmp(type, "str")) {
        *expected = "string";
        return json_is_string(v);
    } else if (!strcmp(type, "int")) {
        *expected = "integer";
        return json_is_integer(v);
    } else if (!strcmp(type, "bool")) {
        *expected = "boolean";
        return json_is_boolean(v);
    } else if (!strcmp(type, "number")) {
        *expected = "number";
        return json_is_number(v);
    } else if (!strcmp(type, "object")) {
        *expected = "object";
        return json_is_object(v);
    } else if (!strcmp(type, "array")) {
        *expected = "array";
        return json_is_array(v);
    }
    *expected = "any";
    return true;
}

static bool qmp_check_args(QmpCommand *cmd, json_t *args, Error **errp)
{
    const char *key;
    json_t *v;

    /* The visitor reports members in declaration order, then leftovers. */
    for (guint i = 0; i < cmd->args->len; i++) {
        QmpArgSpec *a = &g_array_index(cmd->args, QmpArgSpec, i);
        const char *expected;

        v = json_object_get(args, a->name);
        if (!v) {
            if (!a->optional) {
                error_setg(errp, "Parameter '%s' is missing", a->name);
                return false;
            }
            continue;
        }
        if (!arg_type_ok(a->type, v, &expected)) {
            error_setg(errp, "Invalid parameter type for '%s', expected: %s", a->name,
                       expected);
            return false;
        }
    }
    json_object_foreach(args, key, v) {
        bool known = false;

        for (guint i = 0; i < cmd->args->len && !known; i++) {
            known = !strcmp(g_array_index(cmd->args, QmpArgSpec, i).name, key);
        }
        if (!known) {
            error_setg(errp, "Parameter '%s' is unexpected", key);
            return false;
        }
    }
    return true;
}

/* qapi/qmp-dispatch.c: the request object's own members. */
static const char *qmp_check_request(json_t *req, bool allow_oob, Error **errp)
{
    const char *exec = NULL;
    const char *key;
    json_t *v;

    json_object_foreach(req, key, v) {
        if (!strcmp(key, "execute") || (allow_oob && !strcmp(key, "exec-oob"))) {
            if (!json_is_string(v)) {
                error_setg(errp, "QMP input member '%s' must be a string", key);
                return NULL;
            }
            if (exec) {
                error_setg(errp, "QMP input member '%s' clashes with '%s'", key,
                           json_object_get(req, "execute") == v ? "exec-oob" : "execute");
                return NULL;
            }
            exec = json_string_value(v);
        } else if (!strcmp(key, "arguments")) {
            if (!json_is_object(v)) {
                error_setg(errp, "QMP input member 'arguments' must be an object");
                return NULL;
            }
        } else if (strcmp(key, "id")) {
            error_setg(errp, "QMP input member '%s' is unexpected", key);
            return NULL;
        }
    }
    if (!exec) {
        error_setg(errp, "QMP input lacks member 'execute'");
    }
    return exec;
}

json_t *qmp_error_response(Error *err)
{
    static const char *const class_names[] = {
        [ERROR_CLASS_GENERIC_ERROR] = "GenericError",
        [ERROR_CLASS_COMMAND_NOT_FOUND] = "CommandNotFound",
        [ERROR_CLASS_DEVICE_NOT_ACTIVE] = "DeviceNotActive",
        [ERROR_CLASS_DEVICE_NOT_FOUND] = "DeviceNotFound",
        [ERROR_CLASS_KVM_MISSING_CAP] = "KVMMissingCap",
    };
    json_t *rsp = json_pack("{s:{s:s, s:s}}", "error", "class",
                            class_names[error_get_class(err)], "desc",
                            error_get_pretty(err));

    error_free(err);
    return rsp;
}

json_t *qmp_dispatch(json_t *request, bool negotiating, bool oob_enabled)
{
    Error *err = NULL;
    json_t *id = NULL;
    json_t *ret = NULL;
    json_t *rsp;
    const char *name;
    QmpCommand *cmd;
    json_t *args;

    if (!json_is_object(request)) {
        error_setg(&err, "QMP input must be a JSON object");
        goto out;
    }
    id = json_object_get(request, "id");
    /* Without the "oob" capability exec-oob is just an unknown member, as in QEMU. */
    name = qmp_check_request(request, oob_enabled, &err);
    if (!name) {
        goto out;
    }
    if (json_object_get(request, "exec-oob")) {
        /* Out-of-band execution is not offered: every command runs in order. */
        error_setg(&err, "The command %s does not support OOB", name);
        goto out;
    }
    if (negotiating && strcmp(name, "qmp_capabilities")) {
        error_set(&err, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "Expecting capabilities negotiation with 'qmp_capabilities'");
        goto out;
    }
    cmd = qmp_find_command(name);
    if (!cmd) {
        error_set(&err, ERROR_CLASS_COMMAND_NOT_FOUND, "The command %s has not been found",
                  name);
        goto out;
    }
    args = json_object_get(request, "arguments");
    if (args) {
        json_incref(args);
    } else {
        args = json_object();
    }
    if (qmp_check_args(cmd, args, &err)) {
        ret = cmd->fn(args, &err);
        if (ret && !negotiating && !strcmp(name, "qmp_capabilities")) {
            json_decref(ret);
            ret = NULL;
            error_set(&err, ERROR_CLASS_COMMAND_NOT_FOUND,
                      "Capabilities negotiation is already complete, command ignored");
        }
    }
    json_decref(args);

out:
    if (err) {
        rsp = qmp_error_response(err);
        json_decref(ret);
    } else {
        rsp = json_object();
        json_object_set_new(rsp, "return", ret ? ret : json_object());
    }
    if (id) {
        json_object_set(rsp, "id", id);
    }
    return rsp;
}
