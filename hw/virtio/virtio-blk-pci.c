/*
 * virtio-blk-pci: virtio-blk on the virtio PCI transport, as -device
 * virtio-blk-pci,drive=ID and -drive if=virtio create it.  Transitional
 * 1af4:1001 by default (legacy I/O BAR plus the modern interface, as QEMU
 * 7.2 on a conventional PCI bus); disable-legacy=on makes it 1af4:1042.
 */
#include <glib.h>

#include "hw/virtio/virtio-blk.h"
#include "hw/virtio/virtio-pci.h"
#include "sysemu/blockdev.h"

typedef struct VirtIOBlkPCI {
    VirtIOPCIProxy proxy;       /* first: starts with the PCIDevice */
    VirtIOBlock vdev;
} VirtIOBlkPCI;

static void virtio_blk_pci_realize(PCIDevice *d, Error **errp)
{
    VirtIOBlkPCI *dev = (VirtIOBlkPCI *)d;
    VirtIOBlock *s = &dev->vdev;

    if (s->conf.drive) {
        Error *local_err = NULL;

        s->blk = blk_for_device(s->conf.drive, &local_err);
        if (!s->blk) {
            if (!local_err) {
                error_setg(&local_err, "Property 'virtio-blk-device.drive' can't find value "
                           "'%s'", s->conf.drive);
            }
            error_propagate(errp, local_err);
            return;
        }
        if (blk_attach_dev(s->blk, dev) < 0) {
            error_setg(errp, "Drive '%s' is already in use by another device", s->conf.drive);
            blk_unref(s->blk);
            s->blk = NULL;
            return;
        }
    }
    if (!virtio_blk_device_realize(s, errp)) {
        goto fail;
    }
    if (!virtio_pci_plug(&dev->proxy, &s->parent_obj, PCI_DEVICE_ID_VIRTIO_BLOCK,
                         PCI_CLASS_STORAGE_SCSI, errp)) {
        virtio_blk_device_unrealize(s);
        goto fail;
    }
    return;

fail:
    if (s->blk) {
        blk_detach_dev(s->blk, dev);
        blk_unref(s->blk);
        s->blk = NULL;
    }
}

static void virtio_blk_pci_exit(PCIDevice *d)
{
    VirtIOBlkPCI *dev = (VirtIOBlkPCI *)d;

    virtio_pci_unplug(&dev->proxy);
    virtio_blk_device_unrealize(&dev->vdev);
    if (dev->vdev.blk) {
        blk_detach_dev(dev->vdev.blk, dev);
        blk_unref(dev->vdev.blk);
        dev->vdev.blk = NULL;
    }
}

static void virtio_blk_pci_reset(PCIDevice *d)
{
    virtio_pci_reset(&((VirtIOBlkPCI *)d)->proxy);
}

static const DeviceProp virtio_blk_pci_props[] = {
    DEFINE_VIRTIO_PCI_PROPS(VirtIOBlkPCI, proxy),
    DEFINE_VIRTIO_BLK_PROPS(VirtIOBlkPCI, vdev.conf),
    DEFINE_PROP_END_OF_LIST(),
};

static const PCIDeviceClass virtio_blk_pci_class = {
    .realize = virtio_blk_pci_realize,
    .exit = virtio_blk_pci_exit,
    .reset = virtio_blk_pci_reset,
    .vendor_id = PCI_VENDOR_ID_REDHAT_QUMRANET,
    .device_id = PCI_DEVICE_ID_VIRTIO_BLOCK,
    .class_id = PCI_CLASS_STORAGE_SCSI,
};

static const DeviceTypeInfo virtio_blk_pci_info = {
    .name = "virtio-blk-pci",
    .bus = "PCI",
    .desc = "virtio block device",
    .category = DEVICE_CATEGORY_STORAGE,
    .user_creatable = true,
    .parent = &pci_device_type_info,
    .instance_size = sizeof(VirtIOBlkPCI),
    .props = virtio_blk_pci_props,
    .class_data = &virtio_blk_pci_class,
};

static void __attribute__((constructor)) virtio_blk_pci_register(void)
{
    device_type_register(&virtio_blk_pci_info);
}

bool virtio_blk_pci_create_drives(Error **errp)
{
    int n = drive_count_type(IF_VIRTIO);

    /* -drive if=virtio is shorthand for -device virtio-blk-pci,drive=ID. */
    for (int unit = 0, found = 0; found < n; unit++) {
        DriveInfo *d = drive_get(IF_VIRTIO, 0, unit);
        DeviceState *dev;

        if (!d) {
            continue;
        }
        found++;
        dev = qdev_new("virtio-blk-pci");
        if (!qdev_prop_set(dev, "drive", blk_name(d->blk), errp) || !qdev_realize(dev, errp)) {
            qdev_unplug(dev);
            return false;
        }
    }
    return true;
}
