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

#endif
