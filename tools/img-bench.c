/*
 * minivm-img bench: qemu-img bench's options, request pattern and output.
 * Requests walk the image from the start offset in steps, wrapping at the
 * end, with up to -d of them in flight; optionally a flush every N writes.
 */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <glib.h>

#include "block/block.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/iov.h"
#include "qemu/main-loop.h"
#include "qemu/memalign.h"
#include "sysemu/block-backend.h"
#include "tools/img-common.h"

typedef struct BenchData BenchData;

typedef struct BenchSlot {
    BenchData *b;
    QEMUIOVector qiov;
} BenchSlot;

struct BenchData {
    BlockBackend *blk;
    uint64_t image_size;
    bool write;
    int bufsize;
    int step;
    int nrreq;
    int n;              /* requests still to complete */
    int flush_interval;
    bool drain_on_flush;
    int in_flight;
    bool in_flush;
    uint64_t offset;
    BenchSlot *slots;
    int *free_slots;    /* stack of idle slot indexes */
    int nfree;
};

static void bench_submit(BenchData *b);

static void bench_undrained_flush_cb(void *opaque, int ret)
{
    if (ret < 0) {
        error_report("Failed flush request: %s", strerror(-ret));
        exit(EXIT_FAILURE);
    }
}

static void bench_flush_cb(void *opaque, int ret)
{
    BenchData *b = opaque;

    if (ret < 0) {
        error_report("Failed flush request: %s", strerror(-ret));
        exit(EXIT_FAILURE);
    }
    b->in_flush = false;
    bench_submit(b);
}

static void bench_cb(void *opaque, int ret)
{
    BenchSlot *slot = opaque;
    BenchData *b = slot->b;
    int remaining;

    if (ret < 0) {
        error_report("Failed request: %s", strerror(-ret));
        exit(EXIT_FAILURE);
    }
    b->free_slots[b->nfree++] = slot - b->slots;
    remaining = b->n - b->in_flight;
    b->n--;
    b->in_flight--;

    if (b->flush_interval && remaining % b->flush_interval == 0) {
        if (!b->drain_on_flush) {
            blk_aio_flush(b->blk, bench_undrained_flush_cb, b);
        } else {
            /* the flush goes out once the queue has drained, and resumes it */
            if (!b->in_flight) {
                b->in_flush = true;
                blk_aio_flush(b->blk, bench_flush_cb, b);
            }
            return;
        }
    }
    bench_submit(b);
}

static void bench_submit(BenchData *b)
{
    while (!b->in_flush && b->n > b->in_flight && b->in_flight < b->nrreq) {
        BenchSlot *slot = &b->slots[b->free_slots[--b->nfree]];
        uint64_t offset = b->offset;

        /* count it first: the callback may run before blk_aio_* returns */
        b->in_flight++;
        b->offset = (b->offset + b->step) % b->image_size;
        if (b->write) {
            blk_aio_pwritev(b->blk, offset, &slot->qiov, 0, bench_cb, slot);
        } else {
            blk_aio_preadv(b->blk, offset, &slot->qiov, 0, bench_cb, slot);
        }
    }
}

static bool parse_ulong_max(const char *s, unsigned long max, unsigned long *res)
{
    uint64_t v;

    if (qemu_strtou64(s, NULL, 0, &v) < 0 || v > max) {
        return false;
    }
    *res = v;
    return true;
}

int img_bench(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "flush-interval", required_argument, NULL, OPTION_FLUSH_INTERVAL },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { "pattern", required_argument, NULL, OPTION_PATTERN },
        { "no-drain", no_argument, NULL, OPTION_NO_DRAIN },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 }
    };
    const char *fmt = NULL, *filename;
    bool quiet = false, image_opts = false, is_write = false, force_share = false;
    bool drain_on_flush = true, writethrough = false;
    int count = 75000, depth = 64, flush_interval = 0, pattern = 0, flags = 0;
    int64_t offset = 0, image_size, sval;
    size_t bufsize = 4096, step = 0;
    BlockBackend *blk = NULL;
    BenchData data = { 0 };
    struct timeval t1, t2;
    uint8_t *buf = NULL;
    unsigned long res;
    int c, i, ret = 1;

    while ((c = img_getopt(argc, argv, ":hc:d:f:ni:o:qs:S:t:wU", long_options, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (!parse_ulong_max(optarg, INT_MAX, &res)) {
                error_report("Invalid request count specified");
                return 1;
            }
            count = res;
            break;
        case 'd':
            if (!parse_ulong_max(optarg, INT_MAX, &res)) {
                error_report("Invalid queue depth specified");
                return 1;
            }
            depth = res;
            break;
        case 'f':
            fmt = optarg;
            break;
        case 'n':
            flags |= BDRV_O_NATIVE_AIO;
            break;
        case 'i':
            if (bdrv_parse_aio(optarg, &flags) < 0) {
                error_report("Invalid aio option: %s", optarg);
                return 1;
            }
            break;
        case 'o':
            offset = img_cvtnum("offset", optarg);
            if (offset < 0) {
                return 1;
            }
            break;
        case 'q':
            quiet = true;
            break;
        case 's':
            sval = img_cvtnum_full("buffer size", optarg, 0, INT_MAX);
            if (sval < 0) {
                return 1;
            }
            bufsize = sval;
            break;
        case 'S':
            sval = img_cvtnum_full("step_size", optarg, 0, INT_MAX);
            if (sval < 0) {
                return 1;
            }
            step = sval;
            break;
        case 't':
            if (bdrv_parse_cache_mode(optarg, &flags, &writethrough) < 0) {
                error_report("Invalid cache mode");
                return 1;
            }
            break;
        case 'w':
            flags |= BDRV_O_RDWR;
            is_write = true;
            break;
        case 'U':
            force_share = true;
            break;
        case OPTION_PATTERN:
            if (!parse_ulong_max(optarg, 0xff, &res)) {
                error_report("Invalid pattern byte specified");
                return 1;
            }
            pattern = res;
            break;
        case OPTION_FLUSH_INTERVAL:
            if (!parse_ulong_max(optarg, INT_MAX, &res)) {
                error_report("Invalid flush interval specified");
                return 1;
            }
            flush_interval = res;
            break;
        case OPTION_NO_DRAIN:
            drain_on_flush = false;
            break;
        case OPTION_IMAGE_OPTS:
            image_opts = true;
            break;
        }
    }
    if (optind != argc - 1) {
        img_error_exit("Expecting one image file name");
    }
    filename = argv[argc - 1];
    if (!is_write && flush_interval) {
        error_report("--flush-interval is only available in write tests");
        return 1;
    }
    if (flush_interval && flush_interval < depth) {
        error_report("Flush interval can't be smaller than depth");
        return 1;
    }
    if (depth < 1 || bufsize == 0) {
        error_report("Queue depth and buffer size must be at least 1");
        return 1;
    }

    blk = img_open(image_opts, filename, fmt, flags, writethrough, quiet, force_share);
    if (!blk) {
        return 1;
    }
    image_size = blk_getlength(blk);
    if (image_size <= 0) {
        error_report("Image is empty or its size is unknown");
        goto out;
    }

    data = (BenchData) {
        .blk = blk, .image_size = image_size, .bufsize = bufsize, .step = step ? step : bufsize,
        .nrreq = depth, .n = count, .offset = offset, .write = is_write,
        .flush_interval = flush_interval, .drain_on_flush = drain_on_flush,
    };
    printf("Sending %d %s requests, %d bytes each, %d in parallel "
           "(starting at offset %" PRId64 ", step size %d)\n",
           data.n, data.write ? "write" : "read", data.bufsize, data.nrreq, offset, data.step);
    if (flush_interval) {
        printf("Sending flush every %d requests\n", flush_interval);
    }

    buf = blk_blockalign(blk, (size_t)depth * bufsize);
    memset(buf, pattern, (size_t)depth * bufsize);
    data.slots = g_new0(BenchSlot, depth);
    data.free_slots = g_new(int, depth);
    for (i = 0; i < depth; i++) {
        data.slots[i].b = &data;
        qemu_iovec_init(&data.slots[i].qiov, 1);
        qemu_iovec_add(&data.slots[i].qiov, buf + (size_t)i * bufsize, bufsize);
        data.free_slots[depth - 1 - i] = i;
    }
    data.nfree = depth;

    gettimeofday(&t1, NULL);
    bench_submit(&data);
    while (data.n > 0 || data.in_flush) {
        aio_poll(qemu_get_aio_context(), true);
    }
    gettimeofday(&t2, NULL);
    printf("Run completed in %3.3f seconds.\n",
           (t2.tv_sec - t1.tv_sec) + ((double)(t2.tv_usec - t1.tv_usec) / 1000000));
    ret = 0;

out:
    if (data.slots) {
        for (i = 0; i < depth; i++) {
            qemu_iovec_destroy(&data.slots[i].qiov);
        }
        g_free(data.slots);
        g_free(data.free_slots);
    }
    qemu_vfree(buf);
    blk_unref(blk);
    return ret;
}
