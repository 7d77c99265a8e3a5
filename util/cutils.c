/*
 * String-to-value helpers (include/qemu/cutils.h).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "qemu/cutils.h"

static int check_end(const char *nptr, const char *ep, const char **end, int err)
{
    if (ep == nptr) {
        if (end) {
            *end = nptr;
        }
        return -EINVAL;
    }
    if (end) {
        *end = ep;
    } else if (*ep) {
        return -EINVAL;
    }
    return err;
}

int qemu_strtoi64(const char *nptr, const char **end, int base, int64_t *result)
{
    char *ep;
    long long v;

    if (!nptr) {
        return -EINVAL;
    }
    errno = 0;
    v = strtoll(nptr, &ep, base);
    *result = v;
    return check_end(nptr, ep, end, errno == ERANGE ? -ERANGE : 0);
}

int qemu_strtou64(const char *nptr, const char **end, int base, uint64_t *result)
{
    const char *p = nptr;
    char *ep;
    unsigned long long v;

    if (!nptr) {
        return -EINVAL;
    }
    while (isspace((unsigned char)*p)) {
        p++;
    }
    /* strtoull silently negates "-1"; a negative size is never valid. */
    if (*p == '-') {
        if (end) {
            *end = nptr;
        }
        return -EINVAL;
    }
    errno = 0;
    v = strtoull(nptr, &ep, base);
    *result = v;
    return check_end(nptr, ep, end, errno == ERANGE ? -ERANGE : 0);
}

static int64_t suffix_mul(char suffix)
{
    switch (toupper((unsigned char)suffix)) {
    case 'B': return 1;
    case 'K': return 1LL << 10;
    case 'M': return 1LL << 20;
    case 'G': return 1LL << 30;
    case 'T': return 1LL << 40;
    case 'P': return 1LL << 50;
    case 'E': return 1LL << 60;
    }
    return -1;
}

static int do_strtosz(const char *nptr, const char **end, char default_suffix,
                      uint64_t *result)
{
    const char *ep = nptr;
    uint64_t val;
    double frac = 0;
    int64_t mul;
    int ret;

    ret = qemu_strtou64(nptr, &ep, 10, &val);
    if (ret) {
        goto out;
    }
    if (val == 0 && (*ep == 'x' || *ep == 'X')) {
        ret = qemu_strtou64(nptr, &ep, 16, &val);
        if (ret || *ep == '.') {
            ret = ret ? ret : -EINVAL;
            ep = nptr;
            goto out;
        }
    } else if (*ep == '.') {
        char *fe;

        frac = strtod(ep, &fe);
        if (fe == ep) {
            frac = 0;          /* "1.k" is accepted as 1k */
            fe++;
        } else if (memchr(ep, 'e', fe - ep) || memchr(ep, 'E', fe - ep)) {
            ret = -EINVAL;
            ep = nptr;
            goto out;
        }
        ep = fe;
    }
    mul = suffix_mul(*ep);
    if (mul > 0) {
        ep++;
    } else {
        mul = suffix_mul(default_suffix);
    }
    if (mul == 1 && frac != 0) {
        ret = -EINVAL;
        ep = nptr;
        goto out;
    }
    if (val > UINT64_MAX / (uint64_t)mul) {
        ret = -ERANGE;
        goto out;
    }
    {
        uint64_t whole = val * (uint64_t)mul;
        uint64_t part = (uint64_t)(frac * (double)mul);

        if (whole > UINT64_MAX - part) {
            ret = -ERANGE;
            goto out;
        }
        val = whole + part;
    }
    /* Sizes are carried in int64_t offsets elsewhere: refuse what they cannot hold. */
    if (val > INT64_MAX) {
        ret = -ERANGE;
        goto out;
    }
    if (!end && *ep) {
        ret = -EINVAL;
        goto out;
    }
    *result = val;
out:
    if (end) {
        *end = ep;
    }
    return ret;
}

int qemu_strtosz(const char *nptr, const char **end, uint64_t *result)
{
    return do_strtosz(nptr, end, 'B', result);
}

int qemu_strtosz_MiB(const char *nptr, const char **end, uint64_t *result)
{
    return do_strtosz(nptr, end, 'M', result);
}

bool qemu_parse_bool(const char *value, bool *result)
{
    static const char *const yes[] = { "on", "yes", "true", "y" };
    static const char *const no[] = { "off", "no", "false", "n" };

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (!strcmp(value, yes[i])) {
            *result = true;
            return true;
        }
        if (!strcmp(value, no[i])) {
            *result = false;
            return true;
        }
    }
    return false;
}

bool parse_option_bool(const char *name, const char *value, bool *ret, Error **errp)
{
    if (!qemu_parse_bool(value, ret)) {
        error_setg(errp, "Parameter '%s' expects 'on' or 'off'", name);
        return false;
    }
    return true;
}

bool parse_option_number(const char *name, const char *value, uint64_t *ret, Error **errp)
{
    int err = qemu_strtou64(value, NULL, 0, ret);

    if (err == -ERANGE) {
        error_setg(errp, "Value '%s' is too large for parameter '%s'", value, name);
        return false;
    }
    if (err) {
        error_setg(errp, "Parameter '%s' expects a number", name);
        return false;
    }
    return true;
}

bool parse_option_size(const char *name, const char *value, uint64_t *ret, Error **errp)
{
    int err = qemu_strtosz(value, NULL, ret);

    if (err == -ERANGE) {
        error_setg(errp, "Value '%s' is out of range for parameter '%s'", value, name);
        return false;
    }
    if (err) {
        error_setg(errp, "Parameter '%s' expects a non-negative number below 2^64", name);
        error_append_hint(errp, "Optional suffix k, M, G, T, P or E means"
                          " kilo-, mega-, giga-, tera-, peta-\n"
                          "and exabytes, respectively.\n");
        return false;
    }
    return true;
}

char *size_to_str(uint64_t val)
{
    static const char *const prefix[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei" };
    /* Switch to the next unit once the number would reach 1000, not 1024. */
    double scaled = (double)val * 1024.0 / 1000.0;
    int i = 0;

    while (i < 6 && scaled >= (double)(1ULL << (10 * (i + 1)))) {
        i++;
    }
    return g_strdup_printf("%0.3g %sB", (double)val / (double)(1ULL << (10 * i)), prefix[i]);
}

bool buffer_is_zero(const void *buf, size_t len)
{
    const uint8_t *p = buf;

    /* each byte equals the next and the first is zero */
    return !len || (!p[0] && !memcmp(p, p + 1, len - 1));
}
