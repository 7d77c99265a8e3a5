/*
 * Device models: a registry of the types -device can create, their typed
 * properties, and instances (DeviceState) built from "-device NAME,k=v".
 * A small stand-in for QOM/qdev: one level of "parent type" (e.g. every
 * PCI device's realize goes through the PCI core first).
 */
#ifndef HW_QDEV_CORE_H
#define HW_QDEV_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "qemu/error.h"
#include "qemu/option.h"

typedef enum DeviceCategory {
    DEVICE_CATEGORY_BRIDGE,
    DEVICE_CATEGORY_STORAGE,
    DEVICE_CATEGORY_INPUT,
    DEVICE_CATEGORY_MISC,
    DEVICE_CATEGORY_MAX
} DeviceCategory;

typedef enum PropertyKind {
    PROP_KIND_STRING,       /* char * (g_strdup'ed), default defstr */
    PROP_KIND_BOOL,         /* bool */
    PROP_KIND_UINT8,
    PROP_KIND_UINT16,
    PROP_KIND_UINT32,
    PROP_KIND_UINT64,
    PROP_KIND_INT32,
    PROP_KIND_SIZE,         /* uint64_t, accepts suffixes k/M/G */
    PROP_KIND_PCI_DEVFN,    /* int32_t, "SLOT[.FN]" in hex; -1 = auto */
    PROP_KIND_ON_OFF_AUTO,  /* OnOffAuto */
} PropertyKind;

typedef enum OnOffAuto {
    ON_OFF_AUTO_AUTO,
    ON_OFF_AUTO_ON,
    ON_OFF_AUTO_OFF,
} OnOffAuto;

typedef struct DeviceProp {
    const char *name;
    const char *type;       /* as -device X,help prints it: "str", "bool", "uint32"... */
    const char *help;
    PropertyKind kind;
    size_t offset;          /* of the field in the instance */
    uint64_t defval;        /* numbers, bools, OnOffAuto */
    const char *defstr;     /* strings */
} DeviceProp;

#define DEFINE_PROP_(n, st, f, k, t, d) \
    { .name = (n), .type = (t), .kind = (k), .offset = offsetof(st, f), .defval = (d) }
#define DEFINE_PROP_BOOL(n, st, f, d)   DEFINE_PROP_(n, st, f, PROP_KIND_BOOL, "bool", d)
#define DEFINE_PROP_UINT8(n, st, f, d)  DEFINE_PROP_(n, st, f, PROP_KIND_UINT8, "uint8", d)
#define DEFINE_PROP_UINT16(n, st, f, d) DEFINE_PROP_(n, st, f, PROP_KIND_UINT16, "uint16", d)
#define DEFINE_PROP_UINT32(n, st, f, d) DEFINE_PROP_(n, st, f, PROP_KIND_UINT32, "uint32", d)
#define DEFINE_PROP_UINT64(n, st, f, d) DEFINE_PROP_(n, st, f, PROP_KIND_UINT64, "uint64", d)
#define DEFINE_PROP_INT32(n, st, f, d)  DEFINE_PROP_(n, st, f, PROP_KIND_INT32, "int32", d)
#define DEFINE_PROP_SIZE(n, st, f, d)   DEFINE_PROP_(n, st, f, PROP_KIND_SIZE, "size", d)
#define DEFINE_PROP_ON_OFF_AUTO(n, st, f, d) \
    DEFINE_PROP_(n, st, f, PROP_KIND_ON_OFF_AUTO, "OnOffAuto", d)
#define DEFINE_PROP_STRING(n, st, f) \
    { .name = (n), .type = "str", .kind = PROP_KIND_STRING, .offset = offsetof(st, f) }
#define DEFINE_PROP_END_OF_LIST() { .name = NULL }

typedef struct DeviceState DeviceState;
typedef struct DeviceTypeInfo DeviceTypeInfo;

typedef void DeviceRealize(DeviceState *dev, Error **errp);
typedef void DeviceUnrealize(DeviceState *dev);
typedef void DeviceReset(DeviceState *dev);

struct DeviceTypeInfo {
    const char *name;
    const char *bus;        /* "PCI", "ISA", "System" */
    const char *desc;
    DeviceCategory category;
    bool user_creatable;
    const DeviceProp *props; /* ends with a NULL name */
    /* Set by "parent" types (PCI): their props come first, their realize wraps ours. */
    const DeviceTypeInfo *parent;
    size_t instance_size;   /* >= sizeof(DeviceState), which must come first */
    void (*instance_init)(DeviceState *dev);
    DeviceRealize *realize;
    DeviceUnrealize *unrealize;
    DeviceReset *reset;
    const void *class_data; /* e.g. the PCIDeviceClass of a PCI device */
};

struct DeviceState {
    const DeviceTypeInfo *type;
    char *id;               /* -device ...,id=X, or NULL */
    char *canonical_path;   /* "/machine/peripheral/X" or "/machine/unattached/device[N]" */
    bool realized;
    DeviceState *next;      /* all realized devices, newest first */
};

void device_type_register(const DeviceTypeInfo *info);
const DeviceTypeInfo *device_type_find(const char *name);
bool device_type_is_a(const DeviceTypeInfo *t, const char *ancestor);

/* -device help and -device NAME,help. */
void device_print_help(void);
bool device_print_properties(const char *name, Error **errp);

/*
 * Create an instance with every property at its default; set properties
 * (errors name "TYPE.PROP"), then realize it.
 */
DeviceState *qdev_new(const char *type_name);
bool qdev_prop_set(DeviceState *dev, const char *name, const char *value, Error **errp);
bool qdev_realize(DeviceState *dev, Error **errp);
/* Unrealize and free. */
void qdev_unplug(DeviceState *dev);
/* -device: create, set every option, realize.  NULL with *errp on failure. */
DeviceState *qdev_device_add(const QemuOpts *opts, Error **errp);

DeviceState *qdev_find_by_id(const char *id);
/* Reset every realized device (system reset). */
void qdev_reset_all(void);
/* Call @fn on every realized device, oldest first. */
void qdev_foreach(void (*fn)(DeviceState *dev, void *opaque), void *opaque);

static inline const char *object_get_typename(const DeviceState *dev)
{
    return dev->type->name;
}

#endif
