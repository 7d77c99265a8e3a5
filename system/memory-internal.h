/*
 * Shared between system/memory.c (the tree) and system/physmem.c (access).
 */
#ifndef SYSTEM_MEMORY_INTERNAL_H
#define SYSTEM_MEMORY_INTERNAL_H

#include "exec/memory.h"

typedef struct FlatRange {
    hwaddr start;
    hwaddr last;            /* inclusive, so the top of the space fits */
    MemoryRegion *mr;       /* terminating region */
    hwaddr offset;          /* offset in mr of @start */
    bool readonly;          /* reached through a read-only alias (ROM view of RAM) */
} FlatRange;

struct FlatView {
    FlatRange *ranges;
    size_t nr;
};

FlatView *address_space_get_flatview(AddressSpace *as);
const FlatRange *flatview_lookup(const FlatView *fv, hwaddr addr);

#endif
