/*
 * With no local APIC (qtest), interrupt messages to 0xfee00000 land in
 * this window: each DWORD written is kept and reads back, so a test can
 * see what the IOAPIC or an MSI-X vector sent and to which destination.
 */
#include <string.h>
#include <glib.h>

#include "exec/memory.h"
#include "hw/intc/msi-route.h"

#define WINDOW_SIZE 0x100000

typedef struct MSIRecorder {
    MemoryRegion io;
    GHashTable *last;       /* offset -> data */
} MSIRecorder;

static uint64_t recorder_read(void *opaque, hwaddr addr, unsigned size)
{
    MSIRecorder *r = opaque;

    return GPOINTER_TO_UINT(g_hash_table_lookup(r->last, GSIZE_TO_POINTER(addr)));
}

static void recorder_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    MSIRecorder *r = opaque;

    g_hash_table_insert(r->last, GSIZE_TO_POINTER(addr), GUINT_TO_POINTER((guint)val));
}

static const MemoryRegionOps recorder_ops = {
    .read = recorder_read,
    .write = recorder_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

void apic_msi_recorder_init(void)
{
    MSIRecorder *r = g_new0(MSIRecorder, 1);

    r->last = g_hash_table_new(g_direct_hash, g_direct_equal);
    memory_region_init_io(&r->io, NULL, &recorder_ops, r, "apic-msi", WINDOW_SIZE);
    memory_region_add_subregion_overlap(get_system_memory(), APIC_DEFAULT_ADDRESS, &r->io, 1);
}
