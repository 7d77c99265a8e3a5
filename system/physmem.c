/*
 * Accesses through an address space: RAM by memcpy, everything else
 * through the regions' callbacks in naturally sized pieces; port I/O.
 */
#include <string.h>
#include <glib.h>

#include "exec/memory.h"
#include "memory-internal.h"

MemoryRegion *address_space_translate(AddressSpace *as, hwaddr addr, hwaddr *xlat,
                                      hwaddr *plen, bool is_write, MemTxAttrs attrs)
{
    const FlatRange *fr = flatview_lookup(address_space_get_flatview(as), addr);
    hwaddr avail;

    if (!fr) {
        return NULL;
    }
    if (is_write && fr->readonly && fr->mr->ram) {
        return NULL;        /* a ROM view of RAM: writes go nowhere */
    }
    *xlat = fr->offset + (addr - fr->start);
    /*
     * Registers are accessed whole, by their start address, even where a
     * neighbour decodes the next byte (the PC's 0xcf8 dword and 0xcf9
     * byte): only RAM is clipped to the flat range; MMIO only to the end
     * of its own region.
     */
    if (fr->mr->ram) {
        avail = fr->last - addr;    /* bytes left minus one: cannot overflow */
    } else {
        avail = fr->mr->size - 1 - *xlat;
    }
    if (*plen - 1 > avail) {
        *plen = avail + 1;
    }
    return fr->mr;
}

/* Largest power of two <= @l that the region accepts at @addr. */
static unsigned io_access_size(const MemoryRegion *mr, hwaddr addr, hwaddr l)
{
    unsigned max = mr->ops->valid.max_access_size ? mr->ops->valid.max_access_size : 4;
    unsigned sz;

    if (l > max) {
        l = max;
    }
    if (!mr->ops->valid.unaligned && (addr & (l - 1))) {
        l = addr & -addr;
        if (l > max) {
            l = max;
        }
    }
    sz = 1;
    while (sz * 2 <= l) {
        sz *= 2;
    }
    return sz;
}

static MemTxResult unassigned_fill(AddressSpace *as, uint8_t *buf, hwaddr l, bool is_write)
{
    if (!is_write) {
        memset(buf, as->root->is_io ? 0xff : 0, l);
    }
    return MEMTX_DECODE_ERROR;
}

MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                             void *buf, hwaddr len, bool is_write)
{
    uint8_t *p = buf;
    MemTxResult r = MEMTX_OK;

    while (len > 0) {
        hwaddr l = len, xlat;
        MemoryRegion *mr = address_space_translate(as, addr, &xlat, &l, is_write, attrs);

        if (!mr) {
            /* Unassigned until the next mapped range, or to the end. */
            const FlatView *fv = address_space_get_flatview(as);
            hwaddr gap = len;

            for (size_t i = 0; i < fv->nr; i++) {
                if (fv->ranges[i].start > addr) {
                    if (fv->ranges[i].start - addr < gap) {
                        gap = fv->ranges[i].start - addr;
                    }
                    break;
                }
            }
            l = gap;
            r |= unassigned_fill(as, p, l, is_write);
        } else if (mr->ram) {
            uint8_t *host = (uint8_t *)memory_region_get_ram_ptr(mr) + xlat;

            if (!is_write) {
                memcpy(p, host, l);
            } else if (!mr->readonly) {
                memcpy(host, p, l);
            }
        } else {
            uint64_t val = 0;

            l = io_access_size(mr, xlat, l);
            if (is_write) {
                memcpy(&val, p, l);
                r |= memory_region_dispatch_write(mr, xlat, val, l, attrs);
            } else {
                r |= memory_region_dispatch_read(mr, xlat, &val, l, attrs);
                memcpy(p, &val, l);
            }
        }
        p += l;
        addr += l;
        len -= l;
    }
    return r;
}

MemTxResult address_space_read(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                               void *buf, hwaddr len)
{
    return address_space_rw(as, addr, attrs, buf, len, false);
}

MemTxResult address_space_write(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                                const void *buf, hwaddr len)
{
    return address_space_rw(as, addr, attrs, (void *)buf, len, true);
}

/*
 * A sized access is one access when it falls in one region, so a 4-byte
 * MMIO read reaches the device as one 4-byte read (or as the region's
 * impl sizes), not four byte reads.
 */
MemTxResult address_space_read_sized(AddressSpace *as, hwaddr addr, uint64_t *val,
                                     unsigned size, MemTxAttrs attrs)
{
    hwaddr l = size, xlat;
    MemoryRegion *mr = address_space_translate(as, addr, &xlat, &l, false, attrs);

    *val = 0;
    if (mr && !mr->ram && l == size) {
        return memory_region_dispatch_read(mr, xlat, val, size, attrs);
    }
    return address_space_read(as, addr, attrs, val, size);
}

MemTxResult address_space_write_sized(AddressSpace *as, hwaddr addr, uint64_t val,
                                      unsigned size, MemTxAttrs attrs)
{
    hwaddr l = size, xlat;
    MemoryRegion *mr = address_space_translate(as, addr, &xlat, &l, true, attrs);

    if (mr && !mr->ram && l == size) {
        if (size < 8) {
            val &= (1ULL << (size * 8)) - 1;
        }
        return memory_region_dispatch_write(mr, xlat, val, size, attrs);
    }
    return address_space_write(as, addr, attrs, &val, size);
}

MemTxResult address_space_set(AddressSpace *as, hwaddr addr, uint8_t c, hwaddr len,
                              MemTxAttrs attrs)
{
    uint8_t chunk[512];
    MemTxResult r = MEMTX_OK;

    memset(chunk, c, sizeof(chunk));
    while (len) {
        hwaddr l = len < sizeof(chunk) ? len : sizeof(chunk);

        r |= address_space_write(as, addr, attrs, chunk, l);
        addr += l;
        len -= l;
    }
    return r;
}

static uint64_t ld_sized(AddressSpace *as, hwaddr addr, unsigned size, MemTxAttrs attrs,
                         MemTxResult *res)
{
    uint64_t v;
    MemTxResult r = address_space_read_sized(as, addr, &v, size, attrs);

    if (res) {
        *res = r;
    }
    return v;
}

static void st_sized(AddressSpace *as, hwaddr addr, uint64_t v, unsigned size,
                     MemTxAttrs attrs, MemTxResult *res)
{
    MemTxResult r = address_space_write_sized(as, addr, v, size, attrs);

    if (res) {
        *res = r;
    }
}

uint32_t address_space_ldub(AddressSpace *as, hwaddr addr, MemTxAttrs attrs, MemTxResult *r)
{
    return ld_sized(as, addr, 1, attrs, r);
}

uint32_t address_space_lduw_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                               MemTxResult *r)
{
    return ld_sized(as, addr, 2, attrs, r);
}

uint32_t address_space_ldl_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs, MemTxResult *r)
{
    return ld_sized(as, addr, 4, attrs, r);
}

uint64_t address_space_ldq_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs, MemTxResult *r)
{
    return ld_sized(as, addr, 8, attrs, r);
}

void address_space_stb(AddressSpace *as, hwaddr addr, uint32_t val, MemTxAttrs attrs,
                       MemTxResult *r)
{
    st_sized(as, addr, val, 1, attrs, r);
}

void address_space_stw_le(AddressSpace *as, hwaddr addr, uint32_t val, MemTxAttrs attrs,
                          MemTxResult *r)
{
    st_sized(as, addr, val, 2, attrs, r);
}

void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val, MemTxAttrs attrs,
                          MemTxResult *r)
{
    st_sized(as, addr, val, 4, attrs, r);
}

void address_space_stq_le(AddressSpace *as, hwaddr addr, uint64_t val, MemTxAttrs attrs,
                          MemTxResult *r)
{
    st_sized(as, addr, val, 8, attrs, r);
}

/* ---- port I/O ---- */

static uint32_t pio_read(uint32_t addr, unsigned size)
{
    uint64_t v;

    get_system_io();
    address_space_read_sized(&address_space_io, addr, &v, size, MEMTXATTRS_UNSPECIFIED);
    return v;
}

static void pio_write(uint32_t addr, uint32_t val, unsigned size)
{
    get_system_io();
    address_space_write_sized(&address_space_io, addr, val, size, MEMTXATTRS_UNSPECIFIED);
}

uint32_t cpu_inb(uint32_t addr)
{
    return pio_read(addr, 1);
}

uint32_t cpu_inw(uint32_t addr)
{
    return pio_read(addr, 2);
}

uint32_t cpu_inl(uint32_t addr)
{
    return pio_read(addr, 4);
}

void cpu_outb(uint32_t addr, uint8_t val)
{
    pio_write(addr, val, 1);
}

void cpu_outw(uint32_t addr, uint16_t val)
{
    pio_write(addr, val, 2);
}

void cpu_outl(uint32_t addr, uint32_t val)
{
    pio_write(addr, val, 4);
}
