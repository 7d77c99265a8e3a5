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
    char *help;
    HmpInfoFunc *fn;
} HmpInfoCmd;

static GPtrArray *info_cmds;

void hmp_register_info(const char *name, const char *help, HmpInfoFunc *fn)
{
    HmpInfoCmd *c = g_new0(HmpInfoCmd, 1);

    c->name = g_strdup(name);
    c->help = g_strdup(help);
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

static gint info_cmd_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp((*(HmpInfoCmd *const *)a)->name, (*(HmpInfoCmd *const *)b)->name);
}

/* "info" alone: every subcommand with its help, sorted, as QEMU lists them. */
static void hmp_info_list(GString *out)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new();

    for (guint i = 0; info_cmds && i < info_cmds->len; i++) {
        g_ptr_array_add(all, g_ptr_array_index(info_cmds, i));
    }
    g_ptr_array_sort(all, info_cmd_cmp);
    for (guint i = 0; i < all->len; i++) {
        HmpInfoCmd *c = g_ptr_array_index(all, i);

        g_string_append_printf(out, "info %s  -- %s\n", c->name, c->help);
    }
}

char *hmp_run_command(const char *line)
{
    GString *out = g_string_new(NULL);
    g_autofree char *trimmed = g_strstrip(g_strdup(line));
    g_auto(GStrv) all = g_strsplit_set(trimmed, " \t", -1);
    g_autoptr(GPtrArray) words = g_ptr_array_new();
    const char *cmd, *sub;
    HmpInfoCmd *info = NULL;

    /* runs of blanks separate words, as in QEMU's parser */
    for (int i = 0; all[i]; i++) {
        if (*all[i]) {
            g_ptr_array_add(words, all[i]);
        }
    }
    cmd = words->len ? g_ptr_array_index(words, 0) : "";
    sub = words->len > 1 ? g_ptr_array_index(words, 1) : NULL;
    if (!strcmp(cmd, "info") && sub) {
        info = hmp_find_info(sub);
    }

    if (!*cmd) {
        /* an empty line does nothing */
    } else if (!strcmp(cmd, "info") && !sub) {
        hmp_info_list(out);
    } else if (!strcmp(cmd, "info") && info && words->len > 2) {
        g_string_append_printf(out, "%s: extraneous characters at the end of line\n"
                               "Try \"help info %s\" for more information\n", sub, sub);
    } else if (info) {
        info->fn(out);
    } else {
        g_string_append_printf(out, "unknown command: '%s'\n", trimmed);
    }
    return crlf(out);
}

void hmp_register_builtin_info(void)
{
    hmp_register_info("status", "show the current VM status (running|paused)",
                      hmp_info_status);
}
