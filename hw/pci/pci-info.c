/*
 * What QMP query-pci and HMP "info pci" report about the bus.
 */
#include <glib.h>

#include "hw/pci/pci.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"

typedef struct PCIClassDesc {
    uint16_t class;
    const char *desc;
} PCIClassDesc;

/* The names QEMU's query-pci gives (hw/pci/pci.c pci_class_descriptions). */
static const PCIClassDesc class_descs[] = {
    { 0x0001, "VGA controller" }, { 0x0100, "SCSI controller" },
    { 0x0101, "IDE controller" }, { 0x0102, "Floppy controller" },
    { 0x0103, "IPI controller" }, { 0x0104, "RAID controller" },
    { 0x0106, "SATA controller" }, { 0x0107, "SAS controller" },
    { 0x0180, "Storage controller" }, { 0x0200, "Ethernet controller" },
    { 0x0280, "Network controller" }, { 0x0300, "VGA controller" },
    { 0x0380, "Display controller" }, { 0x0401, "Audio controller" },
    { 0x0580, "Memory controller" }, { 0x0600, "Host bridge" },
    { 0x0601, "ISA bridge" }, { 0x0604, "PCI bridge" }, { 0x0680, "Bridge" },
    { 0x0700, "Serial port" }, { 0x0800, "Interrupt controller" },
    { 0x0880, "System peripheral" }, { 0x0c03, "USB controller" },
    { 0x0c05, "SMBus" }, { 0x0108, "Non-Volatile memory controller" },
    { 0xff00, "Unclassified device" }, { 0, NULL },
};

static const char *class_desc(uint16_t class)
{
    for (const PCIClassDesc *d = class_descs; d->desc; d++) {
        if (d->class == class) {
            return d->desc;
        }
    }
    return NULL;
}

static json_t *regions_json(PCIDevice *dev)
{
    json_t *list = json_array();

    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        const PCIIORegion *r = &dev->io_regions[i];
        json_t *o;

        if (!r->size) {
            continue;
        }
        o = json_object();
        json_object_set_new(o, "bar", json_integer(i));
        if (r->type & PCI_BASE_ADDRESS_SPACE_IO) {
            json_object_set_new(o, "type", json_string("io"));
        } else {
            json_object_set_new(o, "type", json_string("memory"));
            json_object_set_new(o, "prefetch",
                                json_boolean(r->type & PCI_BASE_ADDRESS_MEM_PREFETCH));
            json_object_set_new(o, "mem_type_64",
                                json_boolean(r->type & PCI_BASE_ADDRESS_MEM_TYPE_64));
        }
        json_object_set_new(o, "address", json_integer((json_int_t)r->addr));
        json_object_set_new(o, "size", json_integer((json_int_t)r->size));
        json_array_append_new(list, o);
    }
    return list;
}

static void device_json(PCIBus *bus, PCIDevice *dev, void *opaque)
{
    json_t *devices = opaque;
    json_t *o = json_object(), *ci = json_object(), *id = json_object();
    uint16_t class = pci_get_word(dev->config + PCI_CLASS_DEVICE);
    const char *desc = class_desc(class);

    json_object_set_new(o, "bus", json_integer(0));
    json_object_set_new(o, "slot", json_integer(PCI_SLOT(dev->devfn)));
    json_object_set_new(o, "function", json_integer(PCI_FUNC(dev->devfn)));
    if (desc) {
        json_object_set_new(ci, "desc", json_string(desc));
    }
    json_object_set_new(ci, "class", json_integer(class));
    json_object_set_new(o, "class_info", ci);
    json_object_set_new(id, "device", json_integer(pci_get_word(dev->config + PCI_DEVICE_ID)));
    json_object_set_new(id, "vendor", json_integer(pci_get_word(dev->config + PCI_VENDOR_ID)));
    json_object_set_new(id, "subsystem",
                        json_integer(pci_get_word(dev->config + PCI_SUBSYSTEM_ID)));
    json_object_set_new(id, "subsystem-vendor",
                        json_integer(pci_get_word(dev->config + PCI_SUBSYSTEM_VENDOR_ID)));
    json_object_set_new(o, "id", id);
    if (dev->config[PCI_INTERRUPT_PIN]) {
        json_object_set_new(o, "irq", json_integer(dev->config[PCI_INTERRUPT_LINE]));
    }
    json_object_set_new(o, "irq_pin", json_integer(dev->config[PCI_INTERRUPT_PIN]));
    json_object_set_new(o, "qdev_id", json_string(dev->qdev.id ? dev->qdev.id : ""));
    json_object_set_new(o, "regions", regions_json(dev));
    json_array_append_new(devices, o);
}

json_t *qmp_query_pci(json_t *args, Error **errp)
{
    json_t *list = json_array();
    PCIBus *bus = pci_get_bus_default();

    if (bus) {
        json_t *b = json_object(), *devices = json_array();

        pci_for_each_device(bus, device_json, devices);
        json_object_set_new(b, "bus", json_integer(0));
        json_object_set_new(b, "devices", devices);
        json_array_append_new(list, b);
    }
    return list;
}

/* HMP "info pci", line for line as QEMU 7.2 prints it. */
static void device_text(PCIBus *bus, PCIDevice *dev, void *opaque)
{
    GString *s = opaque;
    uint16_t class = pci_get_word(dev->config + PCI_CLASS_DEVICE);
    const char *desc = class_desc(class);

    g_string_append_printf(s, "  Bus %2d, device %3d, function %d:\n", 0,
                           PCI_SLOT(dev->devfn), PCI_FUNC(dev->devfn));
    if (desc) {
        g_string_append_printf(s, "    %s", desc);
    } else {
        g_string_append_printf(s, "    Class %04d", class);
    }
    g_string_append_printf(s, ": PCI device %04x:%04x\n",
                           pci_get_word(dev->config + PCI_VENDOR_ID),
                           pci_get_word(dev->config + PCI_DEVICE_ID));
    g_string_append_printf(s, "      PCI subsystem %04x:%04x\n",
                           pci_get_word(dev->config + PCI_SUBSYSTEM_VENDOR_ID),
                           pci_get_word(dev->config + PCI_SUBSYSTEM_ID));
    if (dev->config[PCI_INTERRUPT_PIN]) {
        g_string_append_printf(s, "      IRQ %d, pin %c\n", dev->config[PCI_INTERRUPT_LINE],
                               'A' + dev->config[PCI_INTERRUPT_PIN] - 1);
    }
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        const PCIIORegion *r = &dev->io_regions[i];

        if (!r->size) {
            continue;
        }
        if (r->type & PCI_BASE_ADDRESS_SPACE_IO) {
            g_string_append_printf(s, "      BAR%d: I/O at 0x%04" PRIx64 " [0x%04" PRIx64 "].\n",
                                   i, r->addr, r->addr + r->size - 1);
        } else {
            g_string_append_printf(s, "      BAR%d: %d bit%s memory at 0x%08" PRIx64
                                   " [0x%08" PRIx64 "].\n", i,
                                   (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) ? 64 : 32,
                                   (r->type & PCI_BASE_ADDRESS_MEM_PREFETCH) ? " prefetchable"
                                                                              : "",
                                   r->addr, r->addr + r->size - 1);
        }
    }
    g_string_append_printf(s, "      id \"%s\"\n", dev->qdev.id ? dev->qdev.id : "");
}

void hmp_info_pci(GString *out)
{
    pci_for_each_device(pci_get_bus_default(), device_text, out);
}

void pci_register_monitor_commands(void)
{
    if (!qmp_command_exists("query-pci")) {
        qmp_register_command("query-pci", qmp_query_pci, NULL, QCO_NO_OPTIONS);
        hmp_register_info("pci", "show PCI info", hmp_info_pci);
    }
}
