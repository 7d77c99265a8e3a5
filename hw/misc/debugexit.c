/*
 * isa-debug-exit: any write ends the emulator with status (value << 1) | 1,
 * so a test can report pass/fail without an ACPI power-off path.
 */
#include <stdlib.h>
#include <glib.h>

#include "exec/memory.h"
#include "hw/qdev-core.h"

typedef struct ISADebugExitState {
    DeviceState parent_obj;
    uint32_t iobase;
    uint32_t iosize;
    MemoryRegion io;
} ISADebugExitState;

static uint64_t debug_exit_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void debug_exit_write(void *opaque, hwaddr addr, uint64_t val, unsigned width)
{
    exit((val << 1) | 1);
}

static const MemoryRegionOps debug_exit_ops = {
    .read = debug_exit_read,
    .write = debug_exit_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static void debug_exit_realize(DeviceState *dev, Error **errp)
{
    ISADebugExitState *s = (ISADebugExitState *)dev;

    if (!s->iosize || s->iobase + s->iosize > 0x10000) {
        error_setg(errp, "isa-debug-exit: iobase 0x%x iosize 0x%x out of the I/O space",
                   s->iobase, s->iosize);
        return;
    }
    memory_region_init_io(&s->io, NULL, &debug_exit_ops, s, "isa-debug-exit", s->iosize);
    memory_region_add_subregion(get_system_io(), s->iobase, &s->io);
}

static void debug_exit_unrealize(DeviceState *dev)
{
    ISADebugExitState *s = (ISADebugExitState *)dev;

    memory_region_finalize(&s->io);
}

static const DeviceProp debug_exit_props[] = {
    DEFINE_PROP_UINT32("iobase", ISADebugExitState, iobase, 0x501),
    DEFINE_PROP_UINT32("iosize", ISADebugExitState, iosize, 0x02),
    DEFINE_PROP_END_OF_LIST(),
};

static const DeviceTypeInfo debug_exit_info = {
    .name = "isa-debug-exit",
    .bus = "ISA",
    .category = DEVICE_CATEGORY_MISC,
    .user_creatable = true,
    .props = debug_exit_props,
    .instance_size = sizeof(ISADebugExitState),
    .realize = debug_exit_realize,
    .unrealize = debug_exit_unrealize,
};

static void __attribute__((constructor)) debug_exit_register(void)
{
    device_type_register(&debug_exit_info);
}
