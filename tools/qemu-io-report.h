/*
 * The text qemu-io prints for each request, reproduced byte for byte so
 * that scripts and the iotests' output filters work on minivm-io too.
 */
#ifndef TOOLS_QEMU_IO_REPORT_H
#define TOOLS_QEMU_IO_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <time.h>

/* "4 KiB", "1.500 MiB", "100 bytes": three decimals, ".000" dropped. */
void qemuio_cvtstr(double value, char *str, size_t size);

/*
 * Elapsed time: "00.00 sec" below a second, "h:mm:ss.ss" above, and
 * always the long form when @fixed (the -C CSV column).
 */
void qemuio_timestr(const struct timespec *tv, char *ts, size_t size, bool fixed);

struct timespec qemuio_tsub(struct timespec t1, struct timespec t2);

/*
 * The two report lines ("wrote 4096/4096 bytes at offset 0" and
 * "4 KiB, 1 ops; 00.00 sec (...)"), or with @csv one line
 * "bytes,ops,time,bytes/sec,ops/sec".
 */
void qemuio_print_report(const char *op, const struct timespec *t, int64_t offset,
                         int64_t count, int64_t total, int cnt, bool csv);

/* -v: 16 bytes a line, "%08x:  " address, hex, then alphanumerics or '.'. */
void qemuio_dump_buffer(const void *buffer, int64_t offset, int64_t len);

/*
 * Numbers in commands take size suffixes; returns the value or a negative
 * errno, and qemuio_print_cvtnum_err() prints qemu-io's message for it.
 */
int64_t qemuio_cvtnum(const char *s);
void qemuio_print_cvtnum_err(int64_t rc, const char *arg);

/* The largest request the block layer takes: INT_MAX rounded down to sectors. */
#define QEMUIO_MAX_BYTES ((int64_t)(INT_MAX >> 9) << 9)

/* "off len" at argv[optind] (optind ends on len); prints qemu-io's message on error. */
int qemuio_parse_off_len(char **argv, int64_t *offset, int64_t *count);

struct timespec qemuio_now(void);

/* A fill/verify byte for -P; prints "X is not a valid pattern byte" and returns -1. */
int qemuio_parse_pattern(const char *arg);

#endif
