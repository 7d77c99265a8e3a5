/*
 * The MemoryRegion tree and its flattening.
 *
 * Every topology change (outside a transaction) re-renders each address
 * space into a FlatView: a sorted array of non-overlapping ranges, each
 * naming the terminating region (RAM or ops) and the offset in it.
 * Rendering goes from the highest-priority subregion down, and a region
 * only fills what nothing above it claimed, which gives QEMU's overlap
 * rules.  A published FlatView is immutable and never freed, so a vCPU
 * may look RAM up without the big lock.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <glib.h>

#include "exec/memory.h"
#include "memory-internal.h"

static MemoryRegion system_memory;
static MemoryRegion system_io;
AddressSpace address_space_memory;
AddressSpace address_space_io;

static AddressSpace *address_spaces;
static unsigned topology_generation;
static int transaction_depth;
static bool transaction_pending;
static GPtrArray *retired_views;    /* kept reachable, see above */

static const MemoryRegionOps unassigned_io_ops;

static void memory_init_once(void)
{
    static bool done;

    if (done) {
        return;
    }
    done = true;
    memory_region_init(&system_memory, NULL, "system", UINT64_MAX);
    /* Unassigned ports read as all ones, as on a real ISA bus. */
    memory_region_init_io(&system_io, NULL, &unassigned_io_ops, NULL, "io", 0x10000);
    system_io.terminates = false;
    system_io.is_io = true;
    address_space_init(&address_space_memory, &system_memory, "memory");
    address_space_init(&address_space_io, &system_io, "I/O");
}

MemoryRegion *get_system_memory(void)
{
    memory_init_once();
    return &system_memory;
}

MemoryRegion *get_system_io(void)
{
    memory_init_once();
    return &system_io;
}

unsigned memory_topology_generation(void)
{
    return __atomic_load_n(&topology_generation, __ATOMIC_ACQUIRE);
}

/* ---- rendering ---- */

static void flatview_fill_gaps(GArray *ranges, MemoryRegion *mr, hwaddr first,
                               hwaddr last, hwaddr offset_at_first, bool readonly)
{
    hwaddr cur = first;
    guint i = 0;

    /* Skip ranges entirely before @first. */
    while (i < ranges->len && g_array_index(ranges, FlatRange, i).last < cur) {
        i++;
    }
    for (;;) {
        hwaddr gap_last = last;
        bool more = i < ranges->len;
        const FlatRange *fr = more ? &g_array_index(ranges, FlatRange, i) : NULL;

        if (fr && fr->start <= cur) {
            if (fr->last >= last) {
                return;
            }
            cur = fr->last + 1;
            i++;
            continue;
        }
        if (fr && fr->start <= last) {
            gap_last = fr->start - 1;
        }
        {
            FlatRange nr = {
                .start = cur, .last = gap_last, .mr = mr,
                .offset = offset_at_first + (cur - first),
                .readonly = readonly || mr->readonly,
            };
            g_array_insert_val(ranges, i, nr);
            i++;
        }
        if (gap_last >= last) {
            return;
        }
        cur = gap_last + 1;
    }
}

/*
 * Render @mr whose local offset X sits at absolute address X + @delta,
 * restricted to local offsets [@lo, @hi].
 */
static void render_region(GArray *ranges, MemoryRegion *mr, hwaddr delta, hwaddr lo, hwaddr hi,
                          bool readonly)
{
    hwaddr mlast = mr->size ? mr->size - 1 : 0;

    if (!mr->enabled || !mr->size) {
        return;
    }
    if (hi > mlast) {
        hi = mlast;
    }
    if (lo > hi) {
        return;
    }
    if (mr->alias) {
        hwaddr off = mr->alias_offset;

        render_region(ranges, mr->alias, delta - off, lo + off, hi + off,
                      readonly || mr->readonly);
        return;
    }
    for (MemoryRegion *sub = mr->subregions; sub; sub = sub->next_sibling) {
        hwaddr slast = sub->addr + (sub->size ? sub->size - 1 : 0);
        hwaddr slo, shi;

        if (!sub->enabled || !sub->size || sub->addr > hi || slast < lo ||
            slast < sub->addr) {
            continue;
        }
        slo = (lo > sub->addr ? lo : sub->addr) - sub->addr;
        shi = (hi < slast ? hi : slast) - sub->addr;
        render_region(ranges, sub, delta + sub->addr, slo, shi, readonly);
    }
    if (mr->terminates) {
        flatview_fill_gaps(ranges, mr, lo + delta, hi + delta, lo, readonly);
    }
}

static FlatView *generate_flatview(MemoryRegion *root)
{
    GArray *ranges = g_array_new(FALSE, FALSE, sizeof(FlatRange));
    FlatView *fv = g_new0(FlatView, 1);

    render_region(ranges, root, 0, 0, UINT64_MAX, false);
    fv->nr = ranges->len;
    fv->ranges = (FlatRange *)g_array_free(ranges, FALSE);
    return fv;
}

static void address_space_update_topology(AddressSpace *as)
{
    FlatView *old = as->current_map;

    __atomic_store_n(&as->current_map, generate_flatview(as->root), __ATOMIC_RELEASE);
    if (old) {
        if (!retired_views) {
            retired_views = g_ptr_array_new();
        }
        g_ptr_array_add(retired_views, old);
    }
    as->generation++;
}

static void memory_region_update_pending(void)
{
    if (transaction_depth) {
        transaction_pending = true;
        return;
    }
    transaction_pending = false;
    for (AddressSpace *as = address_spaces; as; as = as->next) {
        address_space_update_topology(as);
    }
    __atomic_add_fetch(&topology_generation, 1, __ATOMIC_RELEASE);
}

void memory_region_transaction_begin(void)
{
    transaction_depth++;
}

void memory_region_transaction_commit(void)
{
    g_assert(transaction_depth > 0);
    if (--transaction_depth == 0 && transaction_pending) {
        memory_region_update_pending();
    }
}

FlatView *address_space_get_flatview(AddressSpace *as)
{
    return __atomic_load_n(&as->current_map, __ATOMIC_ACQUIRE);
}

const FlatRange *flatview_lookup(const FlatView *fv, hwaddr addr)
{
    size_t lo = 0, hi = fv->nr;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const FlatRange *fr = &fv->ranges[mid];

        if (addr < fr->start) {
            hi = mid;
        } else if (addr > fr->last) {
            lo = mid + 1;
        } else {
            return fr;
        }
    }
    return NULL;
}

/* ---- address spaces ---- */

void address_space_init(AddressSpace *as, MemoryRegion *root, const char *name)
{
    memory_init_once();
    as->name = g_strdup(name);
    as->root = root;
    as->next = address_spaces;
    address_spaces = as;
    address_space_update_topology(as);
}

void address_space_destroy(AddressSpace *as)
{
    if (!retired_views) {
        retired_views = g_ptr_array_new();
    }
    g_ptr_array_add(retired_views, as->current_map);
    as->current_map = NULL;
    for (AddressSpace **p = &address_spaces; *p; p = &(*p)->next) {
        if (*p == as) {
            *p = as->next;
            break;
        }
    }
    g_free(as->name);
    as->name = NULL;
}

void address_space_dump(AddressSpace *as, void (*print)(void *opaque, const char *line),
                        void *opaque)
{
    const FlatView *fv = address_space_get_flatview(as);

    for (size_t i = 0; i < fv->nr; i++) {
        const FlatRange *fr = &fv->ranges[i];
        char *line = g_strdup_printf("%016" PRIx64 "-%016" PRIx64 " (%s) %s @%" PRIx64,
                                     fr->start, fr->last, fr->mr->ram ? "ram" : "i/o",
                                     fr->mr->name, fr->offset);

        print(opaque, line);
        g_free(line);
    }
}

RAMSection *address_space_get_ram_sections(AddressSpace *as, size_t *count)
{
    const FlatView *fv = address_space_get_flatview(as);
    GArray *out = g_array_new(FALSE, FALSE, sizeof(RAMSection));

    for (size_t i = 0; i < fv->nr; i++) {
        const FlatRange *fr = &fv->ranges[i];
        bool ro = fr->readonly || fr->mr->readonly;
        RAMSection s, *prev;

        if (!fr->mr->ram) {
            continue;
        }
        s = (RAMSection) {
            .gpa = fr->start,
            .size = fr->last - fr->start + 1,
            .host = fr->mr->ram_block + fr->offset,
            .readonly = ro,
        };
        prev = out->len ? &g_array_index(out, RAMSection, out->len - 1) : NULL;
        if (prev && prev->gpa + prev->size == s.gpa && prev->host + prev->size == s.host &&
            prev->readonly == ro) {
            prev->size += s.size;
        } else {
            g_array_append_val(out, s);
        }
    }
    *count = out->len;
    return (RAMSection *)g_array_free(out, FALSE);
}

/* ---- regions ---- */

void memory_region_init(MemoryRegion *mr, void *owner, const char *name, uint64_t size)
{
    memset(mr, 0, sizeof(*mr));
    mr->name = g_strdup(name ? name : "anonymous");
    mr->size = size;
    mr->enabled = true;
}

void memory_region_init_io(MemoryRegion *mr, void *owner, const MemoryRegionOps *ops,
                           void *opaque, const char *name, uint64_t size)
{
    memory_region_init(mr, owner, name, size);
    mr->ops = ops ? ops : &unassigned_io_ops;
    mr->opaque = opaque;
    mr->terminates = true;
}

bool memory_region_init_ram(MemoryRegion *mr, void *owner, const char *name,
                            uint64_t size, Error **errp)
{
    void *p;

    memory_region_init(mr, owner, name, size);
    p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
             -1, 0);
    if (p == MAP_FAILED) {
        error_setg_errno(errp, errno, "cannot set up guest memory '%s'", mr->name);
        g_free(mr->name);
        mr->name = NULL;
        return false;
    }
    madvise(p, size, MADV_HUGEPAGE);
    mr->ram_block = p;
    mr->ram_mapped = size;
    mr->ram = true;
    mr->terminates = true;
    return true;
}

bool memory_region_init_rom(MemoryRegion *mr, void *owner, const char *name,
                            uint64_t size, Error **errp)
{
    if (!memory_region_init_ram(mr, owner, name, size, errp)) {
        return false;
    }
    mr->readonly = true;
    return true;
}

void memory_region_init_ram_ptr(MemoryRegion *mr, void *owner, const char *name,
                                uint64_t size, void *ptr)
{
    memory_region_init(mr, owner, name, size);
    mr->ram_block = ptr;
    mr->ram = true;
    mr->terminates = true;
}

void memory_region_init_alias(MemoryRegion *mr, void *owner, const char *name,
                              MemoryRegion *orig, hwaddr offset, uint64_t size)
{
    memory_region_init(mr, owner, name, size);
    mr->alias = orig;
    mr->alias_offset = offset;
    mr->ram = orig->ram;
    mr->readonly = orig->readonly;
}

void memory_region_finalize(MemoryRegion *mr)
{
    if (mr->container) {
        memory_region_del_subregion(mr->container, mr);
    }
    if (mr->ram_mapped) {
        munmap(mr->ram_block, mr->ram_mapped);
    }
    g_free(mr->name);
    memset(mr, 0, sizeof(*mr));
}

void *memory_region_get_ram_ptr(MemoryRegion *mr)
{
    hwaddr off = 0;

    while (mr->alias) {
        off += mr->alias_offset;
        mr = mr->alias;
    }
    return mr->ram_block ? mr->ram_block + off : NULL;
}

static void subregion_link(MemoryRegion *mr, MemoryRegion *sub)
{
    MemoryRegion **p = &mr->subregions;

    /* Before the first of lower or equal priority: newest wins ties. */
    while (*p && (*p)->priority > sub->priority) {
        p = &(*p)->next_sibling;
    }
    sub->next_sibling = *p;
    *p = sub;
}

static void subregion_unlink(MemoryRegion *mr, MemoryRegion *sub)
{
    for (MemoryRegion **p = &mr->subregions; *p; p = &(*p)->next_sibling) {
        if (*p == sub) {
            *p = sub->next_sibling;
            sub->next_sibling = NULL;
            return;
        }
    }
}

static void add_subregion_common(MemoryRegion *mr, hwaddr offset, MemoryRegion *sub)
{
    g_assert(!sub->container);
    sub->container = mr;
    sub->addr = offset;
    subregion_link(mr, sub);
    memory_region_update_pending();
}

void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset, MemoryRegion *subregion)
{
    subregion->may_overlap = false;
    subregion->priority = 0;
    add_subregion_common(mr, offset, subregion);
}

void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion, int priority)
{
    subregion->may_overlap = true;
    subregion->priority = priority;
    add_subregion_common(mr, offset, subregion);
}

void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion)
{
    g_assert(subregion->container == mr);
    subregion_unlink(mr, subregion);
    subregion->container = NULL;
    memory_region_update_pending();
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    if (mr->enabled == enabled) {
        return;
    }
    mr->enabled = enabled;
    memory_region_update_pending();
}

void memory_region_set_address(MemoryRegion *mr, hwaddr addr)
{
    MemoryRegion *c = mr->container;

    if (addr == mr->addr || !c) {
        mr->addr = addr;
        return;
    }
    memory_region_transaction_begin();
    memory_region_del_subregion(c, mr);
    mr->addr = addr;
    subregion_link(c, mr);
    mr->container = c;
    memory_region_update_pending();
    memory_region_transaction_commit();
}

void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset)
{
    if (mr->alias_offset == offset) {
        return;
    }
    mr->alias_offset = offset;
    memory_region_update_pending();
}

void memory_region_set_readonly(MemoryRegion *mr, bool readonly)
{
    if (mr->readonly == readonly) {
        return;
    }
    mr->readonly = readonly;
    memory_region_update_pending();
}

/* ---- access to one terminating region ---- */

static uint64_t unassigned_io_read(void *opaque, hwaddr addr, unsigned size)
{
    return ~0ULL;
}

static void unassigned_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
}

static const MemoryRegionOps unassigned_io_ops = {
    .read = unassigned_io_read,
    .write = unassigned_io_write,
    .valid.max_access_size = 8,
    .impl.max_access_size = 8,
};

static uint64_t bswap_sized(uint64_t v, unsigned size)
{
    switch (size) {
    case 2:
        return __builtin_bswap16(v);
    case 4:
        return __builtin_bswap32(v);
    case 8:
        return __builtin_bswap64(v);
    default:
        return v;
    }
}

static bool access_valid(const MemoryRegion *mr, hwaddr addr, unsigned size)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned min = ops->valid.min_access_size ? ops->valid.min_access_size : 1;
    unsigned max = ops->valid.max_access_size ? ops->valid.max_access_size : 4;

    if (size < min || size > max) {
        return false;
    }
    return ops->valid.unaligned || !(addr & (size - 1));
}

static MemTxResult call_read(MemoryRegion *mr, hwaddr addr, uint64_t *val, unsigned size,
                             MemTxAttrs attrs)
{
    const MemoryRegionOps *ops = mr->ops;

    if (ops->read_with_attrs) {
        return ops->read_with_attrs(mr->opaque, addr, val, size, attrs);
    }
    *val = ops->read ? ops->read(mr->opaque, addr, size) : 0;
    return MEMTX_OK;
}

static MemTxResult call_write(MemoryRegion *mr, hwaddr addr, uint64_t val, unsigned size,
                              MemTxAttrs attrs)
{
    const MemoryRegionOps *ops = mr->ops;

    if (ops->write_with_attrs) {
        return ops->write_with_attrs(mr->opaque, addr, val, size, attrs);
    }
    if (ops->write) {
        ops->write(mr->opaque, addr, val, size);
    }
    return MEMTX_OK;
}

static unsigned impl_size(const MemoryRegion *mr, unsigned size)
{
    unsigned min = mr->ops->impl.min_access_size ? mr->ops->impl.min_access_size : 1;
    unsigned max = mr->ops->impl.max_access_size ? mr->ops->impl.max_access_size : 4;

    return size < min ? min : size > max ? max : size;
}

MemTxResult memory_region_dispatch_read(MemoryRegion *mr, hwaddr addr, uint64_t *pval,
                                        unsigned size, MemTxAttrs attrs)
{
    unsigned asz;
    uint64_t v = 0;
    MemTxResult r = MEMTX_OK;

    if (!access_valid(mr, addr, size)) {
        *pval = 0;
        return MEMTX_DECODE_ERROR;
    }
    asz = impl_size(mr, size);
    for (unsigned i = 0; i < size; i += asz) {
        uint64_t part = 0;

        r |= call_read(mr, addr + i, &part, asz, attrs);
        if (mr->ops->endianness == DEVICE_BIG_ENDIAN) {
            part = bswap_sized(part, asz);
        }
        if (asz < 8) {
            part &= (1ULL << (asz * 8)) - 1;
        }
        v |= part << (i * 8);
    }
    if (size < 8) {
        v &= (1ULL << (size * 8)) - 1;
    }
    *pval = v;
    return r;
}

MemTxResult memory_region_dispatch_write(MemoryRegion *mr, hwaddr addr, uint64_t val,
                                         unsigned size, MemTxAttrs attrs)
{
    unsigned asz;
    MemTxResult r = MEMTX_OK;

    if (!access_valid(mr, addr, size)) {
        return MEMTX_DECODE_ERROR;
    }
    asz = impl_size(mr, size);
    for (unsigned i = 0; i < size; i += asz) {
        uint64_t part = i < 8 ? val >> (i * 8) : 0;

        if (asz < 8) {
            part &= (1ULL << (asz * 8)) - 1;
        }
        if (mr->ops->endianness == DEVICE_BIG_ENDIAN) {
            part = bswap_sized(part, asz);
        }
        r |= call_write(mr, addr + i, part, asz, attrs);
    }
    return r;
}
