/*
 * Splitting a QMP byte stream into JSON messages.  The stream is cut the
 * way QEMU's json-streamer cuts it (a message ends when its outermost
 * brace or bracket closes; a top-level scalar ends at a delimiter), and
 * each message is then parsed by jansson.  QEMU's single-quoted strings
 * are rewritten to double-quoted ones on the way.
 */
#ifndef MONITOR_JSON_STREAM_H
#define MONITOR_JSON_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>
#include <jansson.h>
#include "qemu/error.h"

/* QEMU's limits (qobject/json-streamer.c). */
#define JSON_STREAM_MAX_SIZE (64ULL << 20)
#define JSON_STREAM_MAX_NESTING (1 << 10)

/* Exactly one of @msg (owned by the callee) and @err (likewise) is set. */
typedef void JSONStreamEmit(void *opaque, json_t *msg, Error *err);

typedef struct JSONStream {
    JSONStreamEmit *emit;
    void *opaque;
    GString *buf;           /* the message so far, quotes normalised */
    int depth;
    char quote;             /* inside a string: its quote character */
    bool escape;            /* the previous string byte was a backslash */
    bool in_scalar;         /* a top-level keyword or number */
    bool discarding;        /* a limit was hit: drop the rest of this message */
} JSONStream;

void json_stream_init(JSONStream *js, JSONStreamEmit *emit, void *opaque);
void json_stream_feed(JSONStream *js, const char *data, size_t len);
/* Forget a partial message (the peer went away). */
void json_stream_reset(JSONStream *js);
void json_stream_destroy(JSONStream *js);

#endif
