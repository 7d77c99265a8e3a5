/*
 * Run a function and return everything it printed on stdout, so tests can
 * compare tool output byte for byte.
 */
#ifndef TESTS_UNIT_CAPTURE_H
#define TESTS_UNIT_CAPTURE_H

#include <stdio.h>
#include <unistd.h>
#include <glib.h>

static inline char *capture_stdout(void (*fn)(void *opaque), void *opaque)
{
    FILE *tmp = tmpfile();
    int saved = dup(STDOUT_FILENO);
    GString *out = g_string_new(NULL);
    char buf[4096];
    size_t n;

    g_assert_nonnull(tmp);
    fflush(stdout);
    dup2(fileno(tmp), STDOUT_FILENO);
    fn(opaque);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    rewind(tmp);
    while ((n = fread(buf, 1, sizeof(buf), tmp)) > 0) {
        g_string_append_len(out, buf, n);
    }
    fclose(tmp);
    return g_string_free(out, false);
}

#endif
