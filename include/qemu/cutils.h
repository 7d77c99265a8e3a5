/*
 * Small string-to-value helpers with QEMU's semantics.  Each returns 0 on
 * success, -EINVAL for malformed input, -ERANGE for a value that does not
 * fit; *end (when non-NULL) is set past the parsed text, otherwise trailing
 * garbage is an error.
 */
#ifndef QEMU_CUTILS_H
#define QEMU_CUTILS_H

#include <stdbool.h>
#include <stdint.h>
#include "qemu/error.h"

int qemu_strtoi64(const char *nptr, const char **end, int base, int64_t *result);
int qemu_strtou64(const char *nptr, const char **end, int base, uint64_t *result);

/*
 * Sizes: decimal (optionally with a fraction) or hex, then an optional
 * suffix B, K, M, G, T, P, E (any case, powers of 1024).  qemu_strtosz
 * assumes bytes without a suffix, qemu_strtosz_MiB assumes MiB (-m).
 */
int qemu_strtosz(const char *nptr, const char **end, uint64_t *result);
int qemu_strtosz_MiB(const char *nptr, const char **end, uint64_t *result);

/* "1 MiB", "1.5 GiB", "0 B": qemu-img's size format (3 significant digits). */
char *size_to_str(uint64_t val);
/* Whether the @len bytes at @buf are all zero. */
bool buffer_is_zero(const void *buf, size_t len);

/* on/off/yes/no/true/false, as the option parsers accept them. */
bool qemu_parse_bool(const char *value, bool *result);

/* Option-value parsers that name the parameter in their error, as QEMU does. */
bool parse_option_bool(const char *name, const char *value, bool *ret, Error **errp);
bool parse_option_number(const char *name, const char *value, uint64_t *ret, Error **errp);
bool parse_option_size(const char *name, const char *value, uint64_t *ret, Error **errp);

#endif
