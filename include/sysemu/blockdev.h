/*
 * -drive and -blockdev: the command-line front door of the block layer.
 */
#ifndef SYSEMU_BLOCKDEV_H
#define SYSEMU_BLOCKDEV_H

#include "qemu/error.h"
#include "qemu/option.h"

typedef enum BlockInterfaceType {
    IF_NONE, IF_IDE, IF_VIRTIO, IF_NVME, IF_COUNT
} BlockInterfaceType;

/*
 * Parse and check one -drive argument and queue it for creation.
 * cache= is expanded into cache.writeback/cache.direct/cache.no-flush
 * here, explicit cache.* keys winning.  Returns the parsed options
 * (owned by the drive list) or NULL with errp set.
 */
QemuOpts *drive_def(const char *optstr, Error **errp);

/* Number of drives queued by drive_def(). */
int drive_count(void);
QemuOpts *drive_get_opts(int index);

typedef struct BlockBackend BlockBackend;

/* A created -drive: where it plugs in and its backend. */
typedef struct DriveInfo {
    BlockInterfaceType type;
    int bus;
    int unit;
    QemuOpts *opts;
    BlockBackend *blk;
} DriveInfo;

/*
 * Create the BlockBackend of queued drive @index: open the image with its
 * cache/aio/discard/read-only settings, name it (id= or the interface's
 * default such as "virtio0"), and apply cache.writeback and
 * rerror/werror.  Errors are QEMU's ("'x' invalid write error action").
 */
DriveInfo *drive_new(int index, Error **errp);

/*
 * -blockdev ARG (keyval with an implied "driver", or a JSON object): open
 * the node graph it describes; the root needs a node-name, which a
 * device's drive= then names.  The monitor keeps the nodes until exit.
 */
bool blockdev_new(const char *arg, Error **errp);
/* The created drive of interface @type at @bus/@unit, NULL if none. */
DriveInfo *drive_get(BlockInterfaceType type, int bus, int unit);
/*
 * Emulator only (system/block-qmp.c): BLOCK_IO_ERROR and the VM stop for
 * rerror/werror, the retry on cont, and the query-block command.
 */
void block_qmp_init(void);

/* How many created drives use interface @type. */
int drive_count_type(BlockInterfaceType type);

#endif
