/*
 * JSON text exactly as QEMU writes it (qemu-img --output=json, QMP):
 * object members in QEMU's QDict iteration order, "key": value spacing,
 * 4-space indentation when pretty, and QEMU's string escapes.
 */
#ifndef QEMU_JSON_WRITER_H
#define QEMU_JSON_WRITER_H

#include <stdbool.h>
#include <glib.h>
#include <jansson.h>

/*
 * Scripts compare this output textually, so member order matters: QEMU
 * keeps members in a 512-bucket hash table and prints bucket by bucket,
 * newest first within a bucket.  Insertion order of @obj stands in for
 * QEMU's insertion order.
 */
GString *qobject_to_json_pretty(json_t *obj, bool pretty);
static inline GString *qobject_to_json(json_t *obj)
{
    return qobject_to_json_pretty(obj, false);
}

/* @obj's member names in that order, NULL-terminated; g_free() the array. */
const char **qdict_ordered_keys(json_t *obj);

/* The bucket a key falls into (exposed for tests). */
unsigned qdict_bucket_of(const char *key);

#endif
