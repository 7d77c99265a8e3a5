/*
 * Pieces every minivm-img subcommand shares: opening an image the way
 * qemu-img does, size arguments, and the usage-error exits.
 */
#ifndef TOOLS_IMG_COMMON_H
#define TOOLS_IMG_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

typedef struct BlockBackend BlockBackend;

/* Long options without a short letter, as qemu-img numbers them. */
enum {
    OPTION_OUTPUT = 256,
    OPTION_BACKING_CHAIN = 257,
    OPTION_OBJECT = 258,
    OPTION_IMAGE_OPTS = 259,
    OPTION_PATTERN = 260,
    OPTION_FLUSH_INTERVAL = 261,
    OPTION_NO_DRAIN = 262,
};

/* "PROG: MESSAGE" then "Try 'PROG --help' for more information", exit 1. */
void G_GNUC_PRINTF(1, 2) G_NORETURN img_error_exit(const char *fmt, ...);
void G_NORETURN img_missing_argument(const char *option);
void G_NORETURN img_unrecognized_option(const char *option);
void G_NORETURN img_help(void);

/*
 * A size argument in [min, max]; on error prints qemu-img's two-line
 * message naming @name ("image size", "buffer size"...) and returns < 0.
 */
int64_t img_cvtnum_full(const char *name, const char *value, int64_t min, int64_t max);
int64_t img_cvtnum(const char *name, const char *value);

/*
 * Open @filename (or the --image-opts string) and set the write cache as
 * -t asked.  Prints "Could not open 'X': reason" on failure.
 */
BlockBackend *img_open(bool image_opts, const char *filename, const char *fmt, int flags,
                       bool writethrough, bool quiet, bool force_share);

int img_create(int argc, char **argv);
int img_info(int argc, char **argv);
int img_bench(int argc, char **argv);
int img_map(int argc, char **argv);

#endif
