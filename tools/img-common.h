/*
 * Pieces every minivm-img subcommand shares: opening an image the way
 * qemu-img does, size arguments, and the usage-error exits.
 */
#ifndef TOOLS_IMG_COMMON_H
#define TOOLS_IMG_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <getopt.h>
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
    OPTION_TARGET_IMAGE_OPTS = 263,
    OPTION_TARGET_IS_ZERO = 264,
};

/* "PROG: MESSAGE" then "Try 'PROG --help' for more information", exit 1. */
void G_GNUC_PRINTF(1, 2) G_NORETURN img_error_exit(const char *fmt, ...);
void G_NORETURN img_missing_argument(const char *option);
void G_NORETURN img_unrecognized_option(const char *option);
void G_NORETURN img_help(void);
/*
 * getopt_long() for the subcommands, with what they all do about a missing
 * argument, an unknown option, -h and --object (no object types exist)
 * done here: a message and exit.  Returns the next option, or -1.
 */
int img_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               int *longindex);

/*
 * A size argument in [min, max]; on error prints qemu-img's two-line
 * message naming @name ("image size", "buffer size"...) and returns < 0.
 */
int64_t img_cvtnum_full(const char *name, const char *value, int64_t min, int64_t max);
int64_t img_cvtnum(const char *name, const char *value);
/* --output=human|json (NULL: human) into *json; false, with qemu-img's message, otherwise. */
bool img_parse_output(const char *output, bool *json);

/*
 * Open @filename (or the --image-opts string) and set the write cache as
 * -t asked.  Prints "Could not open 'X': reason" on failure.
 */
BlockBackend *img_open(bool image_opts, const char *filename, const char *fmt, int flags,
                       bool writethrough, bool quiet, bool force_share);

typedef struct BlockDriverState BlockDriverState;

/*
 * qemu-img's view of a backing chain at @offset: the status from the first
 * layer (counted in *depth, 0 = @bs) that has data or zeroes there, else
 * from the bottom layer; it stops above @base (NULL: the whole chain).
 * *pnum is the length that status holds for.  Negative errno on failure.
 */
int img_block_status_above(BlockDriverState *bs, BlockDriverState *base, int64_t offset,
                           int64_t bytes, int64_t *pnum, int *depth, int64_t *map,
                           BlockDriverState **file);

int img_create(int argc, char **argv);
int img_info(int argc, char **argv);
int img_bench(int argc, char **argv);
int img_map(int argc, char **argv);
int img_convert(int argc, char **argv);
int img_check(int argc, char **argv);

#endif
