/*
 * The human monitor as human-monitor-command reaches it.  Only what the
 * CI scripts read is implemented; anything else gets QEMU's answer for
 * an unknown command.  Lines end in CRLF, as QEMU's monitor writes them.
 */
#include <string.h>

#include "monitor/hmp.h"
#include "monitor/qmp-internal.h"
#include "sysemu/runstate.h"

typedef struct HmpInfoCmd {
    char *name;
    HmpInfoFunc *fn;
} HmpInfoCmd;

static GPtrArray *info_cmds;

void hmp_register_info(const char *name, HmpInfoFunc *fn)
{
    HmpInfoCmd *c = g_new0(HmpInfoCmd, 1);

    c->name = g_strdup(name);
    c->fn = fn;
    if (!info_cmds) {
        info_cmds = g_ptr_array_new();
    }
    g_ptr_array_add(info_cmds, c);
}

static void hmp_info_status(GString *out)
{
    bool running = runstate_is_running();

    g_string_append_printf(out, "VM status: %s", running ? "running" : "paused");
    if (!running && !runstate_check(RUN_STATE_PAUSED)) {
        g_string_append_printf(out, " (%s)", RunState_str(runstate_get()));
    }
    g_string_append_c(out, '\n');
}

static HmpInfoCmd *hmp_find_info(const char *name)
{
    for (guint i = 0; info_cmds && i < info_cmds->len; i++) {
        HmpInfoCmd *c = g_ptr_array_index(info_cmds, i);

        if (!strcmp(c->name, name)) {
            return c;
        }
    }
    return NULL;
}

/* "\n" -> "\r\n", as the monitor's output path does. */
static char *crlf(GString *s)
{
    GString *o = g_string_sized_new(s->len + 8);

    for (gsize i = 0; i < s->len; i++) {
        if (s->str[i] == '\n') {
            g_string_append_c(o, '\r');
        }
        g_string_append_c(o, s->str[i]);
    }
    g_string_free(s, TRUE);
    return g_string_free(o, FALSE);
}

char *hmp_run_command(const char *line)
{
    GString *out = g_string_new(NULL);
    g_autofree char *trimmed = g_strstrip(g_strdup(line));
    gchar **words = g_strsplit_set(trimmed, " \t", -1);
    const char *cmd = words[0] ? words[0] : "";
    const char *sub = words[0] && words[1] ? words[1] : NULL;

    if (!*cmd) {
        /* an empty line does nothing */
    } else if (!strcmp(cmd, "info") && sub && !strcmp(sub, "status")) {
        hmp_info_status(out);
    } else if (!strcmp(cmd, "info") && sub && hmp_find_info(sub)) {
        hmp_find_info(sub)->fn(out);
    } else {
        g_string_append_printf(out, "unknown command: '%s'\n", trimmed);
    }
    g_strfreev(words);
    return crlf(out);
}
