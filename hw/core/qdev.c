/*
 * The device-type registry behind -device.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "hw/qdev-core.h"

static GPtrArray *device_types;

static const char *const category_names[DEVICE_CATEGORY_MAX] = {
    [DEVICE_CATEGORY_BRIDGE] = "Controller/Bridge/Hub devices",
    [DEVICE_CATEGORY_STORAGE] = "Storage devices",
    [DEVICE_CATEGORY_INPUT] = "Input devices",
    [DEVICE_CATEGORY_MISC] = "Misc devices",
};

void device_type_register(const DeviceTypeInfo *info)
{
    if (!device_types) {
        device_types = g_ptr_array_new();
    }
    g_ptr_array_add(device_types, (gpointer)info);
}

const DeviceTypeInfo *device_type_find(const char *name)
{
    for (guint i = 0; device_types && i < device_types->len; i++) {
        const DeviceTypeInfo *t = g_ptr_array_index(device_types, i);

        if (!strcmp(t->name, name)) {
            return t;
        }
    }
    return NULL;
}

static gint type_cmp(gconstpointer a, gconstpointer b)
{
    const DeviceTypeInfo *x = *(const DeviceTypeInfo *const *)a;
    const DeviceTypeInfo *y = *(const DeviceTypeInfo *const *)b;

    return strcmp(x->name, y->name);
}

void device_print_help(void)
{
    if (device_types) {
        g_ptr_array_sort(device_types, type_cmp);
    }
    for (int c = 0; c < DEVICE_CATEGORY_MAX; c++) {
        bool header = false;

        for (guint i = 0; device_types && i < device_types->len; i++) {
            const DeviceTypeInfo *t = g_ptr_array_index(device_types, i);

            if (t->category != (DeviceCategory)c || !t->user_creatable) {
                continue;
            }
            if (!header) {
                printf("%s:\n", category_names[c]);
                header = true;
            }
            printf("name \"%s\", bus %s", t->name, t->bus);
            if (t->desc) {
                printf(", desc \"%s\"", t->desc);
            }
            printf("\n");
        }
        if (header) {
            printf("\n");
        }
    }
}

bool device_print_properties(const char *name, Error **errp)
{
    const DeviceTypeInfo *t = device_type_find(name);

    if (!t || !t->user_creatable) {
        error_setg(errp, "'%s' is not a valid device model name", name);
        return false;
    }
    printf("%s options:\n", t->name);
    for (const DeviceProp *p = t->props; p && p->name; p++) {
        printf("  %s=<%s>%s%s\n", p->name, p->type, p->help ? " - " : "",
               p->help ? p->help : "");
    }
    return true;
}
