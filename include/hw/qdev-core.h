/*
 * Device models: a registry of the types -device can create.
 */
#ifndef HW_QDEV_CORE_H
#define HW_QDEV_CORE_H

#include <stdbool.h>
#include "qemu/error.h"

typedef enum DeviceCategory {
    DEVICE_CATEGORY_BRIDGE,
    DEVICE_CATEGORY_STORAGE,
    DEVICE_CATEGORY_INPUT,
    DEVICE_CATEGORY_MISC,
    DEVICE_CATEGORY_MAX
} DeviceCategory;

typedef struct DeviceProp {
    const char *name;
    const char *type;       /* as -device X,help prints it: "str", "bool", "uint32"... */
    const char *help;
} DeviceProp;

typedef struct DeviceTypeInfo {
    const char *name;
    const char *bus;        /* "PCI", "ISA", "System" */
    const char *desc;
    DeviceCategory category;
    bool user_creatable;
    const DeviceProp *props; /* ends with a NULL name */
} DeviceTypeInfo;

void device_type_register(const DeviceTypeInfo *info);
const DeviceTypeInfo *device_type_find(const char *name);

/* -device help and -device NAME,help. */
void device_print_help(void);
bool device_print_properties(const char *name, Error **errp);

#endif
