/*
 * qemu-io's request reports: sizes, times and hex dumps.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>

#include "qemu/cutils.h"
#include "tools/qemu-io-report.h"

void qemuio_cvtstr(double value, char *str, size_t size)
{
    static const char *const units[] = { " EiB", " PiB", " TiB", " GiB", " MiB", " KiB" };
    const char *suffix = " bytes";
    char *trim;
    int i;

    snprintf(str, size - 6, "%f", value);
    for (i = 0; i < 6; i++) {
        double unit = (double)(1ULL << (10 * (6 - i)));

        if (value >= unit) {
            suffix = units[i];
            snprintf(str, size - 4, "%.3f", value / unit);
            break;
        }
    }
    /* "4.000 KiB" reads better as "4 KiB"; other fractions stay */
    trim = strstr(str, ".000");
    if (trim) {
        *trim = '\0';
    }
    if (strlen(str) + strlen(suffix) < size) {
        strcat(str, suffix);
    }
}

struct timespec qemuio_tsub(struct timespec t1, struct timespec t2)
{
    t1.tv_nsec -= t2.tv_nsec;
    if (t1.tv_nsec < 0) {
        t1.tv_nsec += 1000000000L;
        t1.tv_sec--;
    }
    t1.tv_sec -= t2.tv_sec;
    return t1;
}

static double tdiv(double value, const struct timespec *tv)
{
    return value / (tv->tv_sec + tv->tv_nsec / 1e9);
}

void qemuio_timestr(const struct timespec *tv, char *ts, size_t size, bool fixed)
{
    double frac = tv->tv_nsec / 1e9;
    unsigned long sec = tv->tv_sec;

    if (fixed || sec) {
        snprintf(ts, size, "%lu:%02lu:%05.2f", sec / 3600, (sec % 3600) / 60,
                 (sec % 60) + frac);
    } else {
        snprintf(ts, size, "%05.2f sec", frac);
    }
}

void qemuio_print_report(const char *op, const struct timespec *t, int64_t offset,
                         int64_t count, int64_t total, int cnt, bool csv)
{
    char s1[64], s2[64], ts[64];

    qemuio_timestr(t, ts, sizeof(ts), csv);
    if (csv) {
        printf("%" PRId64 ",%d,%s,%.3f,%.3f\n", total, cnt, ts,
               tdiv((double)total, t), tdiv((double)cnt, t));
        return;
    }
    qemuio_cvtstr((double)total, s1, sizeof(s1));
    qemuio_cvtstr(tdiv((double)total, t), s2, sizeof(s2));
    printf("%s %" PRId64 "/%" PRId64 " bytes at offset %" PRId64 "\n", op, total, count, offset);
    printf("%s, %d ops; %s (%s/sec and %.4f ops/sec)\n", s1, cnt, ts, s2,
           tdiv((double)cnt, t));
}

void qemuio_dump_buffer(const void *buffer, int64_t offset, int64_t len)
{
    const uint8_t *p = buffer;
    int64_t i;
    int j;

    for (i = 0; i < len; i += 16) {
        int n = len - i < 16 ? (int)(len - i) : 16;

        printf("%08" PRIx64 ":  ", (uint64_t)(offset + i));
        for (j = 0; j < n; j++) {
            printf("%02x ", p[i + j]);
        }
        putchar(' ');
        for (j = 0; j < n; j++) {
            putchar(isalnum(p[i + j]) ? p[i + j] : '.');
        }
        putchar('\n');
    }
}

int64_t qemuio_cvtnum(const char *s)
{
    uint64_t value;
    int err = qemu_strtosz(s, NULL, &value);

    if (err < 0) {
        return err;
    }
    return value > INT64_MAX ? -ERANGE : (int64_t)value;
}

void qemuio_print_cvtnum_err(int64_t rc, const char *arg)
{
    if (rc == -EINVAL) {
        printf("Parsing error: non-numeric argument, or extraneous/unrecognized suffix -- %s\n",
               arg);
    } else if (rc == -ERANGE) {
        printf("Parsing error: argument too large -- %s\n", arg);
    } else {
        printf("Parsing error: %s\n", arg);
    }
}

int qemuio_parse_pattern(const char *arg)
{
    char *end;
    long pattern = strtol(arg, &end, 0);

    if (pattern < 0 || pattern > UCHAR_MAX || *end != '\0') {
        printf("%s is not a valid pattern byte\n", arg);
        return -1;
    }
    return pattern;
}

int qemuio_parse_off_len(char **argv, int64_t *offset, int64_t *count)
{
    *offset = qemuio_cvtnum(argv[optind]);
    if (*offset < 0) {
        qemuio_print_cvtnum_err(*offset, argv[optind]);
        return *offset;
    }
    optind++;
    *count = qemuio_cvtnum(argv[optind]);
    if (*count < 0) {
        qemuio_print_cvtnum_err(*count, argv[optind]);
        return *count;
    }
    return 0;
}

struct timespec qemuio_now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t;
}
