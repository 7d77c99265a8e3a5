/*
 * The device-type registry behind -device, typed properties, and device
 * instances.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "qemu/cutils.h"
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
    for (const DeviceTypeInfo *c = t; c; c = c->parent) {
        for (const DeviceProp *p = c->props; p && p->name; p++) {
            printf("  %s=<%s>%s%s\n", p->name, p->type, p->help ? " - " : "",
                   p->help ? p->help : "");
        }
    }
    return true;
}

bool device_type_is_a(const DeviceTypeInfo *t, const char *ancestor)
{
    for (; t; t = t->parent) {
        if (!strcmp(t->name, ancestor)) {
            return true;
        }
    }
    return false;
}

/* ---- properties ---- */

static const DeviceProp *prop_find(const DeviceTypeInfo *t, const char *name)
{
    for (; t; t = t->parent) {
        for (const DeviceProp *p = t->props; p && p->name; p++) {
            if (!strcmp(p->name, name)) {
                return p;
            }
        }
    }
    return NULL;
}

static void prop_set_default(DeviceState *dev, const DeviceProp *p)
{
    void *f = (char *)dev + p->offset;

    switch (p->kind) {
    case PROP_KIND_STRING:
        *(char **)f = g_strdup(p->defstr);
        break;
    case PROP_KIND_BOOL:
        *(bool *)f = p->defval;
        break;
    case PROP_KIND_UINT8:
        *(uint8_t *)f = p->defval;
        break;
    case PROP_KIND_UINT16:
        *(uint16_t *)f = p->defval;
        break;
    case PROP_KIND_UINT32:
        *(uint32_t *)f = p->defval;
        break;
    case PROP_KIND_INT32:
    case PROP_KIND_PCI_DEVFN:
        *(int32_t *)f = (int32_t)p->defval;
        break;
    case PROP_KIND_UINT64:
    case PROP_KIND_SIZE:
        *(uint64_t *)f = p->defval;
        break;
    case PROP_KIND_ON_OFF_AUTO:
        *(OnOffAuto *)f = p->defval;
        break;
    }
}

/* "SLOT[.FN]", hexadecimal, as QEMU's PCI "addr" property reads it. */
static bool parse_devfn(const char *s, int32_t *devfn)
{
    char *end;
    unsigned long slot, fn = 0;

    errno = 0;
    slot = strtoul(s, &end, 16);
    if (end == s || errno || slot > 0x1f) {
        return false;
    }
    if (*end == '.') {
        const char *f = end + 1;

        fn = strtoul(f, &end, 16);
        if (end == f || fn > 7) {
            return false;
        }
    }
    if (*end) {
        return false;
    }
    *devfn = (slot << 3) | fn;
    return true;
}

static bool parse_uint(const char *s, uint64_t max, uint64_t *v)
{
    char *end;

    if (!*s || *s == '-') {
        return false;
    }
    errno = 0;
    *v = strtoull(s, &end, 0);
    return !errno && !*end && *v <= max;
}

bool qdev_prop_set(DeviceState *dev, const char *name, const char *value, Error **errp)
{
    const DeviceProp *p = prop_find(dev->type, name);
    void *f;
    uint64_t v;

    if (!p) {
        error_setg(errp, "Property '%s.%s' not found", dev->type->name, name);
        return false;
    }
    f = (char *)dev + p->offset;
    switch (p->kind) {
    case PROP_KIND_STRING:
        g_free(*(char **)f);
        *(char **)f = g_strdup(value);
        return true;
    case PROP_KIND_BOOL:
        if (!strcmp(value, "on") || !strcmp(value, "true") || !strcmp(value, "yes")) {
            *(bool *)f = true;
        } else if (!strcmp(value, "off") || !strcmp(value, "false") || !strcmp(value, "no")) {
            *(bool *)f = false;
        } else {
            error_setg(errp, "Parameter '%s' expects 'on' or 'off'", name);
            return false;
        }
        return true;
    case PROP_KIND_ON_OFF_AUTO:
        if (!strcmp(value, "on")) {
            *(OnOffAuto *)f = ON_OFF_AUTO_ON;
        } else if (!strcmp(value, "off")) {
            *(OnOffAuto *)f = ON_OFF_AUTO_OFF;
        } else if (!strcmp(value, "auto")) {
            *(OnOffAuto *)f = ON_OFF_AUTO_AUTO;
        } else {
            error_setg(errp, "Parameter '%s' does not accept value '%s'", name, value);
            return false;
        }
        return true;
    case PROP_KIND_PCI_DEVFN:
        if (!parse_devfn(value, (int32_t *)f)) {
            error_setg(errp, "Property '%s.%s' doesn't take value '%s'",
                       dev->type->name, name, value);
            return false;
        }
        return true;
    case PROP_KIND_SIZE:
        if (qemu_strtosz(value, NULL, &v) < 0) {
            error_setg(errp, "Parameter '%s' expects a non-negative number below 2^64",
                       name);
            return false;
        }
        *(uint64_t *)f = v;
        return true;
    case PROP_KIND_INT32: {
        char *end;
        long long sv;

        errno = 0;
        sv = strtoll(value, &end, 0);
        if (!*value || *end || errno || sv < INT32_MIN || sv > INT32_MAX) {
            error_setg(errp, "Parameter '%s' expects int32_t", name);
            return false;
        }
        *(int32_t *)f = sv;
        return true;
    }
    default:
        break;
    }
    {
        static const struct { uint64_t max; const char *what; } lim[] = {
            [PROP_KIND_UINT8] = { UINT8_MAX, "uint8_t" },
            [PROP_KIND_UINT16] = { UINT16_MAX, "uint16_t" },
            [PROP_KIND_UINT32] = { UINT32_MAX, "uint32_t" },
            [PROP_KIND_UINT64] = { UINT64_MAX, "uint64_t" },
        };

        if (!parse_uint(value, UINT64_MAX, &v)) {
            error_setg(errp, "Parameter '%s' expects integer", name);
            return false;
        }
        if (v > lim[p->kind].max) {
            error_setg(errp, "Parameter '%s' expects %s", name, lim[p->kind].what);
            return false;
        }
        switch (p->kind) {
        case PROP_KIND_UINT8:
            *(uint8_t *)f = v;
            break;
        case PROP_KIND_UINT16:
            *(uint16_t *)f = v;
            break;
        case PROP_KIND_UINT32:
            *(uint32_t *)f = v;
            break;
        default:
            *(uint64_t *)f = v;
            break;
        }
    }
    return true;
}

/* ---- instances ---- */

static DeviceState *realized_devices;
static unsigned unattached_count;

DeviceState *qdev_new(const char *type_name)
{
    const DeviceTypeInfo *t = device_type_find(type_name);
    DeviceState *dev;

    g_assert(t && t->instance_size >= sizeof(DeviceState));
    dev = g_malloc0(t->instance_size);
    dev->type = t;
    for (const DeviceTypeInfo *c = t; c; c = c->parent) {
        for (const DeviceProp *p = c->props; p && p->name; p++) {
            prop_set_default(dev, p);
        }
    }
    for (const DeviceTypeInfo *c = t; c; c = c->parent) {
        if (c->instance_init) {
            c->instance_init(dev);
            break;
        }
    }
    return dev;
}

static void qdev_free(DeviceState *dev)
{
    for (const DeviceTypeInfo *c = dev->type; c; c = c->parent) {
        for (const DeviceProp *p = c->props; p && p->name; p++) {
            if (p->kind == PROP_KIND_STRING) {
                g_free(*(char **)((char *)dev + p->offset));
            }
        }
    }
    g_free(dev->id);
    g_free(dev->canonical_path);
    g_free(dev);
}

/* The nearest realize up the type chain; parents call the child's themselves. */
static DeviceRealize *type_realize(const DeviceTypeInfo *t)
{
    for (; t; t = t->parent) {
        if (t->realize) {
            return t->realize;
        }
    }
    return NULL;
}

bool qdev_realize(DeviceState *dev, Error **errp)
{
    DeviceRealize *realize = type_realize(dev->type);
    Error *err = NULL;

    if (realize) {
        realize(dev, &err);
        if (err) {
            error_propagate(errp, err);
            return false;
        }
    }
    dev->realized = true;
    if (!dev->canonical_path) {
        dev->canonical_path = dev->id
            ? g_strdup_printf("/machine/peripheral/%s", dev->id)
            : g_strdup_printf("/machine/unattached/device[%u]", unattached_count++);
    }
    dev->next = realized_devices;
    realized_devices = dev;
    return true;
}

void qdev_unplug(DeviceState *dev)
{
    if (dev->realized) {
        for (DeviceState **p = &realized_devices; *p; p = &(*p)->next) {
            if (*p == dev) {
                *p = dev->next;
                break;
            }
        }
        for (const DeviceTypeInfo *c = dev->type; c; c = c->parent) {
            if (c->unrealize) {
                c->unrealize(dev);
                break;
            }
        }
    }
    qdev_free(dev);
}

DeviceState *qdev_find_by_id(const char *id)
{
    for (DeviceState *d = realized_devices; d; d = d->next) {
        if (d->id && !strcmp(d->id, id)) {
            return d;
        }
    }
    return NULL;
}

static void foreach_rec(DeviceState *d, void (*fn)(DeviceState *, void *), void *opaque)
{
    if (d) {
        foreach_rec(d->next, fn, opaque);
        fn(d, opaque);
    }
}

void qdev_foreach(void (*fn)(DeviceState *dev, void *opaque), void *opaque)
{
    foreach_rec(realized_devices, fn, opaque);
}

static void reset_one(DeviceState *d, void *opaque)
{
    for (const DeviceTypeInfo *c = d->type; c; c = c->parent) {
        if (c->reset) {
            c->reset(d);
            break;
        }
    }
}

void qdev_reset_all(void)
{
    qdev_foreach(reset_one, NULL);
}

DeviceState *qdev_device_add(const QemuOpts *opts, Error **errp)
{
    const char *driver = qemu_opt_get(opts, "driver");
    const DeviceTypeInfo *t;
    DeviceState *dev;

    if (!driver) {
        error_setg(errp, "Parameter 'driver' is missing");
        return NULL;
    }
    t = device_type_find(driver);
    if (!t || !t->user_creatable) {
        error_setg(errp, "'%s' is not a valid device model name", driver);
        return NULL;
    }
    if (opts->id && qdev_find_by_id(opts->id)) {
        error_setg(errp, "Duplicate device ID '%s'", opts->id);
        return NULL;
    }
    dev = qdev_new(driver);
    dev->id = g_strdup(opts->id);
    for (size_t i = 0; i < opts->count; i++) {
        const QemuOpt *o = &opts->opts[i];

        if (!strcmp(o->name, "driver") || !strcmp(o->name, "id")) {
            continue;
        }
        if (!qdev_prop_set(dev, o->name, o->str, errp)) {
            qdev_free(dev);
            return NULL;
        }
    }
    if (!qdev_realize(dev, errp)) {
        qdev_free(dev);
        return NULL;
    }
    return dev;
}
