/*
 * The guest's physical address spaces: a tree of MemoryRegions (RAM, MMIO
 * or port I/O callbacks, containers and aliases) flattened into a sorted
 * range table that accesses are dispatched through.  QEMU 7.2's names,
 * simplified: no QOM owner objects, no IOMMUs, no dirty tracking.
 *
 * Locking: the tree is changed and MMIO/PIO callbacks run with the big lock
 * held.  Lookups of RAM (address_space_translate + memory_region_get_ram_ptr)
 * may run without it: a flattened view is never freed once published.
 */
#ifndef EXEC_MEMORY_H
#define EXEC_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include "qemu/error.h"

typedef uint64_t hwaddr;
#define HWADDR_PRIx "%" PRIx64

typedef enum MemTxResult {
    MEMTX_OK = 0,
    MEMTX_ERROR = 1 << 0,           /* device or bus refused the access */
    MEMTX_DECODE_ERROR = 1 << 1,    /* nothing at that address */
    MEMTX_ACCESS_ERROR = 1 << 2,    /* access size/alignment not allowed */
} MemTxResult;

typedef struct MemTxAttrs {
    unsigned int unspecified : 1;
    unsigned int secure : 1;
    unsigned int requester_id : 16;
} MemTxAttrs;

#define MEMTXATTRS_UNSPECIFIED ((MemTxAttrs) { .unspecified = 1 })

enum device_endian {
    DEVICE_NATIVE_ENDIAN,
    DEVICE_BIG_ENDIAN,
    DEVICE_LITTLE_ENDIAN,
};

typedef struct MemoryRegion MemoryRegion;
typedef struct AddressSpace AddressSpace;
typedef struct FlatView FlatView;

typedef struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, hwaddr addr, unsigned size);
    void (*write)(void *opaque, hwaddr addr, uint64_t data, unsigned size);
    /* Optional: with these a device can fail an access (bus error). */
    MemTxResult (*read_with_attrs)(void *opaque, hwaddr addr, uint64_t *data,
                                   unsigned size, MemTxAttrs attrs);
    MemTxResult (*write_with_attrs)(void *opaque, hwaddr addr, uint64_t data,
                                    unsigned size, MemTxAttrs attrs);
    enum device_endian endianness;
    /* What the guest may do; other accesses are refused (reads all ones). */
    struct {
        unsigned min_access_size;   /* 0 = 1 */
        unsigned max_access_size;   /* 0 = 4 */
        bool unaligned;
    } valid;
    /* What the callbacks handle; the core splits or widens the rest. */
    struct {
        unsigned min_access_size;   /* 0 = 1 */
        unsigned max_access_size;   /* 0 = 4 */
        bool unaligned;
    } impl;
} MemoryRegionOps;

struct MemoryRegion {
    char *name;
    uint64_t size;                  /* UINT64_MAX for "everything" */
    hwaddr addr;                    /* offset in the container */
    MemoryRegion *container;
    int priority;
    bool may_overlap;
    bool enabled;
    bool ram;
    bool readonly;                  /* ROM: writes are dropped */
    bool terminates;                /* has its own contents (RAM or ops) */
    bool is_io;                     /* lives in the port I/O space: unassigned reads 0xff.. */
    const MemoryRegionOps *ops;
    void *opaque;
    uint8_t *ram_block;             /* host memory of a RAM region */
    size_t ram_mapped;              /* mmap length, 0 if not ours */
    MemoryRegion *alias;
    hwaddr alias_offset;
    /* Subregions, highest priority first; equal priority: newest first. */
    MemoryRegion *subregions;
    MemoryRegion *next_sibling;
};

struct AddressSpace {
    char *name;
    MemoryRegion *root;
    FlatView *current_map;          /* rebuilt lazily after a topology change */
    unsigned generation;
    AddressSpace *next;
};

/* ---- regions ---- */
void memory_region_init(MemoryRegion *mr, void *owner, const char *name, uint64_t size);
void memory_region_init_io(MemoryRegion *mr, void *owner, const MemoryRegionOps *ops,
                           void *opaque, const char *name, uint64_t size);
/* Anonymous zeroed host memory. */
bool memory_region_init_ram(MemoryRegion *mr, void *owner, const char *name,
                            uint64_t size, Error **errp);
bool memory_region_init_rom(MemoryRegion *mr, void *owner, const char *name,
                            uint64_t size, Error **errp);
/* RAM backed by caller-owned host memory (not freed by the region). */
void memory_region_init_ram_ptr(MemoryRegion *mr, void *owner, const char *name,
                                uint64_t size, void *ptr);
void memory_region_init_alias(MemoryRegion *mr, void *owner, const char *name,
                              MemoryRegion *orig, hwaddr offset, uint64_t size);
/* Detach from the container and free what init allocated. */
void memory_region_finalize(MemoryRegion *mr);

void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset, MemoryRegion *subregion);
void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion, int priority);
void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion);
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
void memory_region_set_address(MemoryRegion *mr, hwaddr addr);
void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset);
void memory_region_set_readonly(MemoryRegion *mr, bool readonly);

/* Batch topology changes: the views are rebuilt once, at the outer commit. */
void memory_region_transaction_begin(void);
void memory_region_transaction_commit(void);

/* One access to a terminating region, with QEMU's size checks and splitting. */
MemTxResult memory_region_dispatch_read(MemoryRegion *mr, hwaddr addr, uint64_t *pval,
                                        unsigned size, MemTxAttrs attrs);
MemTxResult memory_region_dispatch_write(MemoryRegion *mr, hwaddr addr, uint64_t val,
                                         unsigned size, MemTxAttrs attrs);

static inline uint64_t memory_region_size(const MemoryRegion *mr)
{
    return mr->size;
}
static inline bool memory_region_is_ram(const MemoryRegion *mr)
{
    return mr->ram;
}
static inline bool memory_region_is_mapped(const MemoryRegion *mr)
{
    return mr->container != NULL;
}
static inline const char *memory_region_name(const MemoryRegion *mr)
{
    return mr->name;
}
/* Host pointer to the start of a RAM region (follows aliases). */
void *memory_region_get_ram_ptr(MemoryRegion *mr);

/* Direct host access is allowed (RAM; ROM only for reads). */
static inline bool memory_access_is_direct(const MemoryRegion *mr, bool is_write)
{
    return mr->ram && !(is_write && mr->readonly);
}

/* ---- address spaces ---- */
extern AddressSpace address_space_memory;
extern AddressSpace address_space_io;
MemoryRegion *get_system_memory(void);
MemoryRegion *get_system_io(void);

void address_space_init(AddressSpace *as, MemoryRegion *root, const char *name);
void address_space_destroy(AddressSpace *as);

/*
 * Find what is at @addr: returns the terminating region, *xlat the offset
 * in it and *plen clipped to the end of that contiguous piece.  Unassigned
 * space, and writes through a read-only view of RAM, return NULL.  For
 * RAM, memory_region_get_ram_ptr(mr) + *xlat is
 * the host address, which is how a vCPU reaches RAM without a callback.
 */
MemoryRegion *address_space_translate(AddressSpace *as, hwaddr addr, hwaddr *xlat,
                                      hwaddr *plen, bool is_write, MemTxAttrs attrs);

MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                             void *buf, hwaddr len, bool is_write);
MemTxResult address_space_read(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                               void *buf, hwaddr len);
MemTxResult address_space_write(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                                const void *buf, hwaddr len);
/* One access of 1, 2, 4 or 8 bytes, as a CPU or the qtest protocol does it. */
MemTxResult address_space_read_sized(AddressSpace *as, hwaddr addr, uint64_t *val,
                                     unsigned size, MemTxAttrs attrs);
MemTxResult address_space_write_sized(AddressSpace *as, hwaddr addr, uint64_t val,
                                      unsigned size, MemTxAttrs attrs);
/* Fill @len bytes with @c. */
MemTxResult address_space_set(AddressSpace *as, hwaddr addr, uint8_t c, hwaddr len,
                              MemTxAttrs attrs);

/* Little-endian load/store helpers (result of a failed load: all ones). */
uint32_t address_space_ldub(AddressSpace *as, hwaddr addr, MemTxAttrs attrs, MemTxResult *r);
uint32_t address_space_lduw_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs, MemTxResult *r);
uint32_t address_space_ldl_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs, MemTxResult *r);
uint64_t address_space_ldq_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs, MemTxResult *r);
void address_space_stb(AddressSpace *as, hwaddr addr, uint32_t val, MemTxAttrs attrs,
                       MemTxResult *r);
void address_space_stw_le(AddressSpace *as, hwaddr addr, uint32_t val, MemTxAttrs attrs,
                          MemTxResult *r);
void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val, MemTxAttrs attrs,
                          MemTxResult *r);
void address_space_stq_le(AddressSpace *as, hwaddr addr, uint64_t val, MemTxAttrs attrs,
                          MemTxResult *r);

/* Port I/O, as the accelerators' I/O exits and the qtest protocol use it. */
uint32_t cpu_inb(uint32_t addr);
uint32_t cpu_inw(uint32_t addr);
uint32_t cpu_inl(uint32_t addr);
void cpu_outb(uint32_t addr, uint8_t val);
void cpu_outw(uint32_t addr, uint16_t val);
void cpu_outl(uint32_t addr, uint32_t val);

/*
 * A counter bumped on every topology change of any address space: a vCPU
 * that caches RAM translations drops them when it moves.
 */
unsigned memory_topology_generation(void);

/* A piece of RAM in an address space's current view, as accelerators map it. */
typedef struct RAMSection {
    hwaddr gpa;
    uint64_t size;
    uint8_t *host;
    bool readonly;          /* ROM, or RAM seen through a read-only alias */
} RAMSection;

/*
 * The RAM of @as's current view in address order, neighbouring pieces of
 * one host mapping merged.  Returns a g_malloc'ed array of *count entries.
 */
RAMSection *address_space_get_ram_sections(AddressSpace *as, size_t *count);

/* "info mtree"-style dump of the flattened view, for debugging and tests. */
void address_space_dump(AddressSpace *as, void (*print)(void *opaque, const char *line),
                        void *opaque);

#endif
