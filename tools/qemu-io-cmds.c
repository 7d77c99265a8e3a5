/*
 * minivm-io command table and dispatch, plus the commands that are not
 * data transfers (flush, truncate, length, info, discard, alloc, map,
 * reopen, sleep, help...).  Messages follow qemu-io 7.2.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <glib.h>

#include "block/block.h"
#include "block/block_int.h"
#include "block/qapi.h"
#include "qemu/error-report.h"
#include "qemu/iov.h"
#include "qemu/main-loop.h"
#include "qemu/option.h"
#include "sysemu/block-backend.h"
#include "tools/qemu-io.h"
#include "tools/qemu-io-report.h"

static cmdinfo_t *cmdtab;
static int ncmds;

static int compare_cmdname(const void *a, const void *b)
{
    return strcmp(((const cmdinfo_t *)a)->name, ((const cmdinfo_t *)b)->name);
}

void qemuio_add_command(const cmdinfo_t *ci)
{
    cmdtab = g_renew(cmdinfo_t, cmdtab, ++ncmds);
    cmdtab[ncmds - 1] = *ci;
    qsort(cmdtab, ncmds, sizeof(*cmdtab), compare_cmdname);
}

void qemuio_command_usage(const cmdinfo_t *ci)
{
    printf("%s %s -- %s\n", ci->name, ci->args, ci->oneline);
}

static const cmdinfo_t *find_command(const char *cmd)
{
    int i;

    for (i = 0; i < ncmds; i++) {
        if (!strcmp(cmdtab[i].name, cmd) ||
            (cmdtab[i].altname && !strcmp(cmdtab[i].altname, cmd))) {
            return &cmdtab[i];
        }
    }
    return NULL;
}

/* ---- flush, truncate, length, info ---- */

static int flush_f(BlockBackend *blk, int argc, char **argv)
{
    return blk_flush(blk);
}

static const cmdinfo_t flush_cmd = {
    .name = "flush", .altname = "f", .cfunc = flush_f,
    .oneline = "flush all in-core file state to disk",
};

static int truncate_f(BlockBackend *blk, int argc, char **argv);

static const cmdinfo_t truncate_cmd = {
    .name = "truncate", .altname = "t", .cfunc = truncate_f, .needs_write = true,
    .argmin = 1, .argmax = 3, .args = "[-m prealloc_mode] off",
    .oneline = "truncates the current file at the given offset",
};

static int truncate_f(BlockBackend *blk, int argc, char **argv)
{
    static const char *const modes[] = { "off", "metadata", "falloc", "full", NULL };
    PreallocMode prealloc = PREALLOC_MODE_OFF;
    Error *local_err = NULL;
    int64_t offset;
    int c, i, ret;

    while ((c = getopt(argc, argv, "m:")) != -1) {
        switch (c) {
        case 'm':
            for (i = 0; modes[i] && strcmp(modes[i], optarg); i++) {
            }
            if (!modes[i]) {
                error_report("Invalid preallocation mode '%s'", optarg);
                return -EINVAL;
            }
            prealloc = (PreallocMode)i;
            break;
        default:
            qemuio_command_usage(&truncate_cmd);
            return -EINVAL;
        }
    }
    if (optind != argc - 1) {
        qemuio_command_usage(&truncate_cmd);
        return -EINVAL;
    }
    offset = qemuio_cvtnum(argv[optind]);
    if (offset < 0) {
        qemuio_print_cvtnum_err(offset, argv[optind]);
        return offset;
    }
    ret = blk_truncate(blk, offset, false, prealloc, 0, &local_err);
    if (ret < 0) {
        error_report_err(local_err);
        return ret;
    }
    return 0;
}

static int length_f(BlockBackend *blk, int argc, char **argv)
{
    int64_t size = blk_getlength(blk);
    char s1[64];

    if (size < 0) {
        printf("getlength: %s\n", strerror(-size));
        return size;
    }
    qemuio_cvtstr(size, s1, sizeof(s1));
    printf("%s\n", s1);
    return 0;
}

static const cmdinfo_t length_cmd = {
    .name = "length", .altname = "l", .cfunc = length_f,
    .oneline = "gets the length of the current file",
};

static int info_f(BlockBackend *blk, int argc, char **argv)
{
    BlockDriverState *bs = blk_bs(blk);
    Error *local_err = NULL;
    BlockDriverInfo bdi;
    json_t *spec;
    char s1[64], s2[64];
    int ret;

    if (bs->drv && bs->drv->format_name) {
        printf("format name: %s\n", bs->drv->format_name);
    }
    if (bs->drv && bs->drv->protocol_name) {
        printf("format name: %s\n", bs->drv->protocol_name);
    }
    ret = bdrv_get_info(bs, &bdi);
    if (ret) {
        return ret;
    }
    qemuio_cvtstr(bdi.cluster_size, s1, sizeof(s1));
    qemuio_cvtstr(bdi.vm_state_offset, s2, sizeof(s2));
    printf("cluster size: %s\n", s1);
    printf("vm state offset: %s\n", s2);
    spec = bdrv_get_specific_info(bs, &local_err);
    if (local_err) {
        error_report_err(local_err);
        return -EIO;
    }
    if (spec) {
        printf("Format specific information:\n");
        bdrv_image_info_specific_dump(spec);
        json_decref(spec);
    }
    return 0;
}

static const cmdinfo_t info_cmd = {
    .name = "info", .altname = "i", .cfunc = info_f,
    .oneline = "prints information about the current file",
};

/* ---- discard ---- */

static void discard_help(void)
{
    printf("\n"
           " discards a range of bytes from the given offset\n"
           "\n"
           " Example:\n"
           " 'discard 512 1k' - discards 1 kilobyte from 512 bytes into the file\n"
           "\n"
           " Discards a segment of the currently open file.\n"
           " -C, -- report statistics in a machine parsable format\n"
           " -q, -- quiet mode, do not show I/O statistics\n"
           "\n");
}

static int discard_f(BlockBackend *blk, int argc, char **argv);

static const cmdinfo_t discard_cmd = {
    .name = "discard", .altname = "d", .cfunc = discard_f, .needs_write = true,
    .argmin = 2, .argmax = -1, .args = "[-Cq] off len",
    .oneline = "discards a number of bytes at a specified offset", .help = discard_help,
};

static int discard_f(BlockBackend *blk, int argc, char **argv)
{
    bool Cflag = false, qflag = false;
    struct timespec t1, t2;
    int64_t offset, bytes;
    int c, ret;

    while ((c = getopt(argc, argv, "Cq")) != -1) {
        switch (c) {
        case 'C':
            Cflag = true;
            break;
        case 'q':
            qflag = true;
            break;
        default:
            qemuio_command_usage(&discard_cmd);
            return -EINVAL;
        }
    }
    if (optind != argc - 2) {
        qemuio_command_usage(&discard_cmd);
        return -EINVAL;
    }
    ret = qemuio_parse_off_len(argv, &offset, &bytes);
    if (ret < 0) {
        return ret;
    }
    if (bytes > QEMUIO_MAX_BYTES) {
        printf("length cannot exceed %" PRIu64 ", given %s\n", (uint64_t)QEMUIO_MAX_BYTES,
               argv[optind]);
        return -EINVAL;
    }
    t1 = qemuio_now();
    ret = blk_pdiscard(blk, offset, bytes);
    t2 = qemuio_now();
    if (ret < 0) {
        printf("discard failed: %s\n", strerror(-ret));
        return ret;
    }
    if (!qflag) {
        t2 = qemuio_tsub(t2, t1);
        qemuio_print_report("discard", &t2, offset, bytes, bytes, 1, Cflag);
    }
    return 0;
}

/* ---- alloc, map ---- */

static int alloc_f(BlockBackend *blk, int argc, char **argv)
{
    BlockDriverState *bs = blk_bs(blk);
    int64_t offset, start, remaining, count, num, sum_alloc = 0;
    char s1[64];
    int ret;

    start = offset = qemuio_cvtnum(argv[1]);
    if (offset < 0) {
        qemuio_print_cvtnum_err(offset, argv[1]);
        return offset;
    }
    if (argc == 3) {
        count = qemuio_cvtnum(argv[2]);
        if (count < 0) {
            qemuio_print_cvtnum_err(count, argv[2]);
            return count;
        }
    } else {
        count = 512;
    }
    remaining = count;
    while (remaining) {
        ret = bdrv_is_allocated(bs, offset, remaining, &num);
        if (ret < 0) {
            printf("is_allocated failed: %s\n", strerror(-ret));
            return ret;
        }
        offset += num;
        remaining -= num;
        if (ret) {
            sum_alloc += num;
        }
        if (num == 0) {
            /* past the end of the image: report what was asked for that exists */
            count -= remaining;
            remaining = 0;
        }
    }
    qemuio_cvtstr(start, s1, sizeof(s1));
    printf("%" PRId64 "/%" PRId64 " bytes allocated at offset %s\n", sum_alloc, count, s1);
    return 0;
}

static const cmdinfo_t alloc_cmd = {
    .name = "alloc", .altname = "a", .argmin = 1, .argmax = 2, .cfunc = alloc_f,
    .args = "offset [count]", .oneline = "checks if offset is allocated in the file",
};

/* The run of the same allocation status starting at @offset. */
static int map_is_allocated(BlockDriverState *bs, int64_t offset, int64_t bytes, int64_t *pnum)
{
    int64_t num;
    int ret, firstret;

    ret = bdrv_is_allocated(bs, offset, bytes, &num);
    if (ret < 0) {
        return ret;
    }
    firstret = ret;
    *pnum = num;
    while (bytes > 0 && ret == firstret) {
        offset += num;
        bytes -= num;
        ret = bdrv_is_allocated(bs, offset, bytes, &num);
        if (ret == firstret && num) {
            *pnum += num;
        } else {
            break;
        }
    }
    return firstret;
}

static int map_f(BlockBackend *blk, int argc, char **argv)
{
    int64_t offset = 0, bytes = blk_getlength(blk), num;
    char s1[64], s2[64];
    int ret;

    if (bytes < 0) {
        error_report("Failed to query image length: %s", strerror(-bytes));
        return bytes;
    }
    while (bytes) {
        ret = map_is_allocated(blk_bs(blk), offset, bytes, &num);
        if (ret < 0) {
            error_report("Failed to get allocation status: %s", strerror(-ret));
            return ret;
        } else if (!num) {
            error_report("Unexpected end of image");
            return -EIO;
        }
        qemuio_cvtstr(num, s1, sizeof(s1));
        qemuio_cvtstr(offset, s2, sizeof(s2));
        printf("%s (0x%" PRIx64 ") bytes %s at offset %s (0x%" PRIx64 ")\n", s1, num,
               ret ? "    allocated" : "not allocated", s2, offset);
        offset += num;
        bytes -= num;
    }
    return 0;
}

static const cmdinfo_t map_cmd = {
    .name = "map", .argmin = 0, .argmax = 0, .cfunc = map_f, .args = "",
    .oneline = "prints the allocated areas of a file",
};

/* ---- reopen ---- */

static void reopen_help(void)
{
    printf("\n"
           " Changes the open options of an already opened image\n"
           "\n"
           " Example:\n"
           " 'reopen -o lazy-refcounts=on' - activates lazy refcount writeback on a qcow2 image\n"
           "\n"
           " -r, -- Reopen the image read-only\n"
           " -w, -- Reopen the image read-write\n"
           " -c, -- Change the cache mode to the given value\n"
           " -o, -- Changes block driver options (cf. 'open' command)\n"
           "\n");
}

static int reopen_f(BlockBackend *blk, int argc, char **argv);

static const cmdinfo_t reopen_cmd = {
    .name = "reopen", .argmin = 0, .argmax = -1, .cfunc = reopen_f,
    .args = "[(-r|-w)] [-c cache] [-o options]",
    .oneline = "reopens an image with new options", .help = reopen_help,
};

static int reopen_f(BlockBackend *blk, int argc, char **argv)
{
    BlockDriverState *bs = blk_bs(blk);
    int flags = bs->open_flags;
    bool writethrough = !blk_enable_write_cache(blk);
    bool has_rw_option = false, has_cache_option = false;
    json_t *opts = json_object();
    Error *local_err = NULL;
    int c;

    while ((c = getopt(argc, argv, "c:o:rw")) != -1) {
        switch (c) {
        case 'c':
            if (bdrv_parse_cache_mode(optarg, &flags, &writethrough) < 0) {
                error_report("Invalid cache option: %s", optarg);
                goto fail;
            }
            has_cache_option = true;
            break;
        case 'o': {
            json_t *o = keyval_parse(optarg, NULL, NULL, &local_err);

            if (!o) {
                error_report_err(local_err);
                goto fail;
            }
            json_object_update(opts, o);
            json_decref(o);
            break;
        }
        case 'r':
        case 'w':
            if (has_rw_option) {
                error_report("Only one -r/-w option may be given");
                goto fail;
            }
            flags = c == 'r' ? flags & ~BDRV_O_RDWR : flags | BDRV_O_RDWR;
            has_rw_option = true;
            break;
        default:
            qemuio_command_usage(&reopen_cmd);
            goto fail;
        }
    }
    if (optind != argc) {
        qemuio_command_usage(&reopen_cmd);
        goto fail;
    }
    if (json_object_get(opts, BDRV_OPT_READ_ONLY)) {
        if (has_rw_option) {
            error_report("Cannot set both -r/-w and '" BDRV_OPT_READ_ONLY "'");
            goto fail;
        }
    } else {
        json_object_set_new(opts, BDRV_OPT_READ_ONLY,
                            json_string(flags & BDRV_O_RDWR ? "off" : "on"));
    }
    if (json_object_get(opts, "cache") &&
        (json_object_get(json_object_get(opts, "cache"), "direct") ||
         json_object_get(json_object_get(opts, "cache"), "no-flush"))) {
        if (has_cache_option) {
            error_report("Cannot set both -c and the cache options");
            goto fail;
        }
    } else {
        json_object_set_new(opts, "cache",
                            json_pack("{s:s, s:s}", "direct",
                                      flags & BDRV_O_NOCACHE ? "on" : "off", "no-flush",
                                      flags & BDRV_O_NO_FLUSH ? "on" : "off"));
    }
    qemuio_drain();
    if (bdrv_reopen(bs, opts, true, &local_err) < 0) {
        error_report_err(local_err);
        return -EINVAL;
    }
    blk_set_enable_write_cache(blk, !writethrough);
    return 0;

fail:
    json_decref(opts);
    return -EINVAL;
}

/* ---- blkdebug breakpoints: no driver here supports them ---- */

static int break_f(BlockBackend *blk, int argc, char **argv)
{
    printf("Could not set breakpoint: %s\n", strerror(ENOTSUP));
    return -ENOTSUP;
}

static int remove_break_f(BlockBackend *blk, int argc, char **argv)
{
    printf("Could not remove breakpoint %s: %s\n", argv[1], strerror(ENOTSUP));
    return -ENOTSUP;
}

static int resume_f(BlockBackend *blk, int argc, char **argv)
{
    printf("Could not resume request: %s\n", strerror(ENOTSUP));
    return -ENOTSUP;
}

static int wait_break_f(BlockBackend *blk, int argc, char **argv)
{
    return -ENOTSUP;
}

static const cmdinfo_t break_cmd = {
    .name = "break", .argmin = 2, .argmax = 2, .cfunc = break_f, .args = "event tag",
    .oneline = "sets a breakpoint on event and tags the stopped request as tag",
};
static const cmdinfo_t remove_break_cmd = {
    .name = "remove_break", .argmin = 1, .argmax = 1, .cfunc = remove_break_f, .args = "tag",
    .oneline = "remove a breakpoint by tag",
};
static const cmdinfo_t resume_cmd = {
    .name = "resume", .argmin = 1, .argmax = 1, .cfunc = resume_f, .args = "tag",
    .oneline = "resumes the request tagged as tag",
};
static const cmdinfo_t wait_break_cmd = {
    .name = "wait_break", .argmin = 1, .argmax = 1, .cfunc = wait_break_f, .args = "tag",
    .oneline = "waits for the suspension of a request",
};

/* ---- abort, sigraise, sleep ---- */

static int abort_f(BlockBackend *blk, int argc, char **argv)
{
    abort();
}

static const cmdinfo_t abort_cmd = {
    .name = "abort", .cfunc = abort_f, .flags = CMD_NOFILE_OK,
    .oneline = "simulate a program crash using abort(3)",
};

static void sigraise_help(void)
{
    printf("\n"
           " raises the given signal\n"
           "\n"
           " Example:\n"
           " 'sigraise %i' - raises SIGTERM\n"
           "\n"
           " Invokes raise(signal), where \"signal\" is the mandatory integer argument\n"
           " given to sigraise.\n"
           "\n", SIGTERM);
}

static int sigraise_f(BlockBackend *blk, int argc, char **argv)
{
    int64_t sig = qemuio_cvtnum(argv[1]);

    if (sig < 0) {
        qemuio_print_cvtnum_err(sig, argv[1]);
        return sig;
    } else if (sig > NSIG) {
        printf("signal argument '%s' is too large to be a valid signal\n", argv[1]);
        return -EINVAL;
    }
    fflush(stdout);
    fflush(stderr);
    raise(sig);
    return 0;
}

static const cmdinfo_t sigraise_cmd = {
    .name = "sigraise", .cfunc = sigraise_f, .argmin = 1, .argmax = 1, .flags = CMD_NOFILE_OK,
    .args = "signal", .oneline = "raises a signal", .help = sigraise_help,
};

static void sleep_cb(void *opaque)
{
    *(bool *)opaque = true;
}

static int sleep_f(BlockBackend *blk, int argc, char **argv)
{
    bool expired = false;
    QEMUTimer *timer;
    char *end;
    long ms = strtol(argv[1], &end, 0);

    if (ms < 0 || *end != '\0') {
        printf("%s is not a valid number\n", argv[1]);
        return -EINVAL;
    }
    /* completions keep arriving while we sleep, as in qemu-io */
    timer = timer_new_ns(QEMU_CLOCK_HOST, sleep_cb, &expired);
    timer_mod(timer, qemu_clock_get_ns(QEMU_CLOCK_HOST) + SCALE_MS * ms);
    while (!expired) {
        aio_poll(qemu_get_aio_context(), true);
    }
    timer_free(timer);
    return 0;
}

static const cmdinfo_t sleep_cmd = {
    .name = "sleep", .argmin = 1, .argmax = 1, .cfunc = sleep_f, .flags = CMD_NOFILE_OK,
    .oneline = "waits for the given value in milliseconds",
};

/* ---- help ---- */

static void help_oneline(const char *cmd, const cmdinfo_t *ct)
{
    printf("%s ", cmd);
    if (ct->args) {
        printf("%s ", ct->args);
    }
    printf("-- %s\n", ct->oneline);
}

static int help_f(BlockBackend *blk, int argc, char **argv)
{
    const cmdinfo_t *ct;
    int i;

    if (argc < 2) {
        for (i = 0; i < ncmds; i++) {
            help_oneline(cmdtab[i].name, &cmdtab[i]);
        }
        printf("\nUse 'help commandname' for extended help.\n");
        return 0;
    }
    ct = find_command(argv[1]);
    if (!ct) {
        printf("command %s not found\n", argv[1]);
        return -EINVAL;
    }
    help_oneline(argv[1], ct);
    if (ct->help) {
        ct->help();
    }
    return 0;
}

static const cmdinfo_t help_cmd = {
    .name = "help", .altname = "?", .cfunc = help_f, .argmin = 0, .argmax = 1,
    .flags = CMD_FLAG_GLOBAL, .args = "[command]", .oneline = "help for one or all commands",
};

/* ---- dispatch ---- */

static int command(BlockBackend *blk, const cmdinfo_t *ct, int argc, char **argv)
{
    if (!(ct->flags & (CMD_FLAG_GLOBAL | CMD_NOFILE_OK)) && !blk) {
        fprintf(stderr, "no file open, try 'help open'\n");
        return -EINVAL;
    }
    if (argc - 1 < ct->argmin || (ct->argmax != -1 && argc - 1 > ct->argmax)) {
        if (ct->argmax == -1) {
            fprintf(stderr, "bad argument count %d to %s, expected at least %d arguments\n",
                    argc - 1, argv[0], ct->argmin);
        } else if (ct->argmin == ct->argmax) {
            fprintf(stderr, "bad argument count %d to %s, expected %d arguments\n",
                    argc - 1, argv[0], ct->argmin);
        } else {
            fprintf(stderr,
                    "bad argument count %d to %s, expected between %d and %d arguments\n",
                    argc - 1, argv[0], ct->argmin, ct->argmax);
        }
        return -EINVAL;
    }
    if (ct->needs_write && !blk_is_writable(blk)) {
        error_report("Block node is read-only");
        return -EPERM;
    }
    optind = 0;     /* glibc: 0 also resets getopt's internal state */
    return ct->cfunc(blk, argc, argv);
}

int qemuio_command(BlockBackend *blk, const char *cmd)
{
    gchar **words = g_strsplit(cmd, " ", -1);
    char **argv = g_new0(char *, g_strv_length(words) + 1);
    const cmdinfo_t *ct;
    int argc = 0, ret = 0, i;

    for (i = 0; words[i]; i++) {
        if (*words[i]) {
            argv[argc++] = words[i];
        }
    }
    if (argc) {
        ct = find_command(argv[0]);
        if (ct) {
            ret = command(blk, ct, argc, argv);
        } else {
            fprintf(stderr, "command \"%s\" not found\n", argv[0]);
            ret = -EINVAL;
        }
    }
    g_free(argv);
    g_strfreev(words);
    return ret;
}

static void __attribute__((constructor)) qemuio_init_commands(void)
{
    static const cmdinfo_t *const cmds[] = {
        &help_cmd, &flush_cmd, &truncate_cmd, &length_cmd, &info_cmd,
        &discard_cmd, &alloc_cmd, &map_cmd, &reopen_cmd, &break_cmd, &remove_break_cmd,
        &resume_cmd, &wait_break_cmd, &abort_cmd, &sleep_cmd, &sigraise_cmd,
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cmds); i++) {
        qemuio_add_command(cmds[i]);
    }
}
