/*
 * minivm-io: exercise the block layer from the command line, with
 * qemu-io's options, commands and output.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "block/block.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "qemu/option.h"
#include "sysemu/block-backend.h"
#include "tools/qemu-io.h"
#include "config-host.h"

static BlockBackend *qemuio_blk;
static bool quit_qemu_io;
static bool image_opts;

static int close_f(BlockBackend *blk, int argc, char **argv)
{
    qemuio_drain();
    blk_unref(qemuio_blk);
    qemuio_blk = NULL;
    return 0;
}

static const cmdinfo_t close_cmd = {
    .name = "close", .altname = "c", .cfunc = close_f,
    .oneline = "close the current open file",
};

/*
 * Open @name (or, with --image-opts, whatever @opts describe) as the
 * image every later command works on.  Takes ownership of @opts.
 */
static int openfile(const char *name, int flags, bool writethrough, bool force_share,
                    json_t *opts)
{
    Error *local_err = NULL;

    if (qemuio_blk) {
        error_report("file open already, try 'help close'");
        json_decref(opts);
        return 1;
    }
    if (force_share) {
        json_t *fs;

        if (!opts) {
            opts = json_object();
        }
        fs = json_object_get(opts, BDRV_OPT_FORCE_SHARE);
        if (fs && (!json_is_string(fs) || strcmp(json_string_value(fs), "on"))) {
            error_report("-U conflicts with image options");
            json_decref(opts);
            return 1;
        }
        json_object_set_new(opts, BDRV_OPT_FORCE_SHARE, json_string("on"));
    }
    qemuio_blk = blk_new_open(name, NULL, opts, flags, &local_err);
    if (!qemuio_blk) {
        error_prepend(&local_err, "can't open%s%s: ", name ? " device " : "", name ? name : "");
        error_report_err(local_err);
        return 1;
    }
    blk_set_enable_write_cache(qemuio_blk, !writethrough);
    return 0;
}

/* "key=val,..." as given to --image-opts or open -o: nested options. */
static json_t *parse_image_opts(const char *optstr, const char *implied_key)
{
    Error *local_err = NULL;
    json_t *opts = keyval_parse(optstr, implied_key, NULL, &local_err);

    if (!opts) {
        error_report_err(local_err);
    }
    return opts;
}

static void open_help(void)
{
    printf("\n"
           " opens a new file in the requested mode\n"
           "\n"
           " Example:\n"
           " 'open -n -o driver=raw /tmp/data' - opens raw data file read-write, uncached\n"
           "\n"
           " Opens a file for subsequent use by all of the other %s commands.\n"
           " -r, -- open file read-only\n"
           " -s, -- use snapshot file\n"
           " -C, -- use copy-on-read\n"
           " -n, -- disable host cache, short for -t none\n"
           " -U, -- force shared permissions\n"
           " -k, -- use kernel AIO implementation (Linux only, prefer use of -i)\n"
           " -i, -- use AIO mode (threads, native or io_uring)\n"
           " -t, -- use the given cache mode for the image\n"
           " -d, -- use the given discard mode for the image\n"
           " -o, -- options to be given to the block driver"
           "\n", g_get_prgname());
}

static int open_f(BlockBackend *blk, int argc, char **argv);

static const cmdinfo_t open_cmd = {
    .name = "open", .altname = "o", .cfunc = open_f, .argmin = 1, .argmax = -1,
    .flags = CMD_NOFILE_OK, .args = "[-rsCnkU] [-t cache] [-d discard] [-o options] [path]",
    .oneline = "open the file specified by path", .help = open_help,
};

static int open_f(BlockBackend *blk, int argc, char **argv)
{
    int flags = BDRV_O_UNMAP;
    bool readonly = false, writethrough = true, force_share = false;
    json_t *opts = NULL, *o;
    int c, ret;

    while ((c = getopt(argc, argv, "snCro:ki:t:d:U")) != -1) {
        switch (c) {
        case 's':
            flags |= BDRV_O_SNAPSHOT;
            break;
        case 'n':
            flags |= BDRV_O_NOCACHE;
            writethrough = false;
            break;
        case 'C':
            flags |= BDRV_O_COPY_ON_READ;
            break;
        case 'r':
            readonly = true;
            break;
        case 'k':
            flags |= BDRV_O_NATIVE_AIO;
            break;
        case 't':
            if (bdrv_parse_cache_mode(optarg, &flags, &writethrough) < 0) {
                error_report("Invalid cache option: %s", optarg);
                goto fail;
            }
            break;
        case 'd':
            if (bdrv_parse_discard_flags(optarg, &flags) < 0) {
                error_report("Invalid discard option: %s", optarg);
                goto fail;
            }
            break;
        case 'i':
            if (bdrv_parse_aio(optarg, &flags) < 0) {
                error_report("Invalid aio option: %s", optarg);
                goto fail;
            }
            break;
        case 'o':
            if (image_opts) {
                printf("--image-opts and 'open -o' are mutually exclusive\n");
                goto fail;
            }
            o = parse_image_opts(optarg, NULL);
            if (!o) {
                goto fail;
            }
            if (!opts) {
                opts = json_object();
            }
            json_object_update(opts, o);
            json_decref(o);
            break;
        case 'U':
            force_share = true;
            break;
        default:
            qemuio_command_usage(&open_cmd);
            goto fail;
        }
    }
    if (!readonly) {
        flags |= BDRV_O_RDWR;
    }
    if (image_opts && optind == argc - 1) {
        opts = parse_image_opts(argv[optind++], NULL);
        if (!opts) {
            return -EINVAL;
        }
    }
    if (optind == argc - 1) {
        ret = openfile(argv[optind], flags, writethrough, force_share, opts);
    } else if (optind == argc) {
        ret = openfile(NULL, flags, writethrough, force_share, opts);
    } else {
        qemuio_command_usage(&open_cmd);
        goto fail;
    }
    return ret ? -EINVAL : 0;

fail:
    json_decref(opts);
    return -EINVAL;
}

static int quit_f(BlockBackend *blk, int argc, char **argv)
{
    quit_qemu_io = true;
    return 0;
}

static const cmdinfo_t quit_cmd = {
    .name = "quit", .altname = "q", .cfunc = quit_f, .argmin = -1, .argmax = -1,
    .flags = CMD_FLAG_GLOBAL, .oneline = "exit the program",
};

static void usage(const char *name)
{
    printf("Usage: %s [OPTIONS]... [-c STRING]... [file]\n"
           "QEMU Disk exerciser\n"
           "\n"
           "  --object OBJECTDEF   define an object such as 'secret' for\n"
           "                       passwords and/or encryption keys\n"
           "  --image-opts         treat file as option string\n"
           "  -c, --cmd STRING     execute command with its arguments\n"
           "                       from the given string\n"
           "  -f, --format FMT     specifies the block driver to use\n"
           "  -r, --read-only      export read-only\n"
           "  -s, --snapshot       use snapshot file\n"
           "  -n, --nocache        disable host cache, short for -t none\n"
           "  -C, --copy-on-read   enable copy-on-read\n"
           "  -m, --misalign       misalign allocations for O_DIRECT\n"
           "  -k, --native-aio     use kernel AIO implementation\n"
           "                       (Linux only, prefer use of -i)\n"
           "  -i, --aio=MODE       use AIO mode (threads, native or io_uring)\n"
           "  -t, --cache=MODE     use the given cache mode for the image\n"
           "  -d, --discard=MODE   use the given discard mode for the image\n"
           "  -T, --trace [[enable=]<pattern>][,events=<file>][,file=<file>]\n"
           "                       specify tracing options\n"
           "                       see qemu-img(1) man page for full description\n"
           "  -U, --force-share    force shared permissions\n"
           "  -h, --help           display this help and exit\n"
           "  -V, --version        output version information and exit\n"
           "\n"
           "See '%s -c help' for information on available commands.\n",
           name, name);
}

/* Commands from -c in order, else lines from stdin; the last failure decides the exit code. */
static int command_loop(char **cmdline, int ncmdline)
{
    char line[1024];
    int i, ret, last_error = 0;
    bool tty = isatty(STDIN_FILENO);

    for (i = 0; !quit_qemu_io && i < ncmdline; i++) {
        ret = qemuio_command(qemuio_blk, cmdline[i]);
        if (ret < 0) {
            last_error = ret;
        }
    }
    if (ncmdline) {
        return last_error;
    }
    while (!quit_qemu_io) {
        size_t len;

        printf("%s> ", g_get_prgname());
        fflush(stdout);
        if (!fgets(line, sizeof(line), stdin)) {
            if (tty) {
                printf("\n");
            }
            break;
        }
        len = strlen(line);
        if (len && line[len - 1] == '\n') {
            line[len - 1] = '\0';
        }
        ret = qemuio_command(qemuio_blk, line);
        if (ret < 0) {
            last_error = ret;
        }
    }
    return last_error;
}

enum { OPTION_OBJECT = 256, OPTION_IMAGE_OPTS = 257 };

int main(int argc, char **argv)
{
    static const struct option lopt[] = {
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { "cmd", required_argument, NULL, 'c' },
        { "format", required_argument, NULL, 'f' },
        { "read-only", no_argument, NULL, 'r' },
        { "snapshot", no_argument, NULL, 's' },
        { "nocache", no_argument, NULL, 'n' },
        { "copy-on-read", no_argument, NULL, 'C' },
        { "misalign", no_argument, NULL, 'm' },
        { "native-aio", no_argument, NULL, 'k' },
        { "aio", required_argument, NULL, 'i' },
        { "discard", required_argument, NULL, 'd' },
        { "cache", required_argument, NULL, 't' },
        { "trace", required_argument, NULL, 'T' },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 }
    };
    int flags = BDRV_O_UNMAP;
    bool readonly = false, writethrough = true, force_share = false;
    const char *format = NULL;
    char **cmdline = NULL;
    int ncmdline = 0, c, ret;
    json_t *opts = NULL;

    signal(SIGPIPE, SIG_IGN);
    error_set_progname(argv[0]);
    g_set_prgname(error_get_progname());

    while ((c = getopt_long(argc, argv, "hVc:d:f:rsnCmki:t:T:U", lopt, NULL)) != -1) {
        switch (c) {
        case 's':
            flags |= BDRV_O_SNAPSHOT;
            break;
        case 'n':
            flags |= BDRV_O_NOCACHE;
            writethrough = false;
            break;
        case 'C':
            flags |= BDRV_O_COPY_ON_READ;
            break;
        case 'd':
            if (bdrv_parse_discard_flags(optarg, &flags) < 0) {
                error_report("Invalid discard option: %s", optarg);
                exit(1);
            }
            break;
        case 'f':
            format = optarg;
            break;
        case 'c':
            cmdline = g_renew(char *, cmdline, ncmdline + 1);
            cmdline[ncmdline++] = optarg;
            break;
        case 'r':
            readonly = true;
            break;
        case 'm':
            qemuio_misalign = true;
            break;
        case 'k':
            flags |= BDRV_O_NATIVE_AIO;
            break;
        case 'i':
            if (bdrv_parse_aio(optarg, &flags) < 0) {
                error_report("Invalid aio option: %s", optarg);
                exit(1);
            }
            break;
        case 't':
            if (bdrv_parse_cache_mode(optarg, &flags, &writethrough) < 0) {
                error_report("Invalid cache option: %s", optarg);
                exit(1);
            }
            break;
        case 'T': {
            /*
             * minivm has no trace events: the option is accepted so scripts
             * keep working, and a named event gets qemu-io's warning for one
             * that does not exist (patterns simply match nothing).
             */
            json_t *t = keyval_parse(optarg, "enable", NULL, NULL);
            const char *ev = t ? json_string_value(json_object_get(t, "enable")) : NULL;

            if (ev && !is_help_option(ev) && !strpbrk(ev, "*?")) {
                warn_report("trace event '%s' does not exist", ev);
            }
            json_decref(t);
            break;
        }
        case 'V':
            printf("%s version " MINIVM_VERSION "\n", g_get_prgname());
            exit(0);
        case 'h':
            usage(g_get_prgname());
            exit(0);
        case 'U':
            force_share = true;
            break;
        case OPTION_OBJECT:
            error_report("--object is not supported: no object types exist in this build");
            exit(1);
        case OPTION_IMAGE_OPTS:
            image_opts = true;
            break;
        default:
            usage(g_get_prgname());
            exit(1);
        }
    }
    if (argc - optind > 1) {
        usage(g_get_prgname());
        exit(1);
    }
    if (format && image_opts) {
        error_report("--image-opts and -f are mutually exclusive");
        exit(1);
    }

    qemuio_add_command(&quit_cmd);
    qemuio_add_command(&open_cmd);
    qemuio_add_command(&close_cmd);

    if (!readonly) {
        flags |= BDRV_O_RDWR;
    }
    if (argc - optind == 1) {
        if (image_opts) {
            opts = parse_image_opts(argv[optind], "file");
            if (!opts || openfile(NULL, flags, writethrough, force_share, opts)) {
                exit(1);
            }
        } else {
            if (format) {
                opts = json_pack("{s:s}", "driver", format);
            }
            if (openfile(argv[optind], flags, writethrough, force_share, opts)) {
                exit(1);
            }
        }
    }

    ret = command_loop(cmdline, ncmdline);
    g_free(cmdline);
    qemuio_drain();
    blk_unref(qemuio_blk);
    return ret < 0 ? 1 : 0;
}
