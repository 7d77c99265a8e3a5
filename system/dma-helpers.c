/*
 * Device DMA: RAM only, checked before a byte moves.
 */
#include <string.h>
#include <glib.h>

#include "sysemu/dma.h"

static DMAWriteNotifyFn write_notify;
static void *write_notify_opaque;

void dma_set_write_notifier(DMAWriteNotifyFn fn, void *opaque)
{
    write_notify = fn;
    write_notify_opaque = opaque;
}

static void dma_written(void *host, dma_addr_t len)
{
    if (write_notify && len) {
        write_notify(write_notify_opaque, host, len);
    }
}

void *dma_memory_map(AddressSpace *as, dma_addr_t addr, dma_addr_t *len,
                     DMADirection dir, MemTxAttrs attrs)
{
    bool is_write = dir == DMA_DIRECTION_FROM_DEVICE;
    hwaddr xlat, l = *len;
    MemoryRegion *mr;

    if (!l) {
        return NULL;
    }
    mr = address_space_translate(as, addr, &xlat, &l, is_write, attrs);
    if (!mr || !memory_access_is_direct(mr, is_write)) {
        *len = 0;
        return NULL;
    }
    *len = l;
    return (uint8_t *)memory_region_get_ram_ptr(mr) + xlat;
}

void dma_memory_unmap(AddressSpace *as, void *buffer, dma_addr_t len,
                      DMADirection dir, dma_addr_t access_len)
{
    if (dir == DMA_DIRECTION_FROM_DEVICE) {
        dma_written(buffer, access_len < len ? access_len : len);
    }
}

bool dma_memory_valid(AddressSpace *as, dma_addr_t addr, dma_addr_t len,
                      DMADirection dir, MemTxAttrs attrs)
{
    if (len && addr + len - 1 < addr) {
        return false;       /* wraps around the address space */
    }
    while (len) {
        dma_addr_t l = len;

        if (!dma_memory_map(as, addr, &l, dir, attrs)) {
            return false;
        }
        addr += l;
        len -= l;
    }
    return true;
}

/* Copy in contiguous RAM pieces; @from_guest picks the direction. */
static MemTxResult dma_copy(AddressSpace *as, dma_addr_t addr, uint8_t *buf, dma_addr_t len,
                           DMADirection dir, MemTxAttrs attrs, int fill)
{
    if (!dma_memory_valid(as, addr, len, dir, attrs)) {
        return MEMTX_ERROR;
    }
    while (len) {
        dma_addr_t l = len;
        uint8_t *host = dma_memory_map(as, addr, &l, dir, attrs);

        if (fill >= 0) {
            memset(host, fill, l);
        } else if (dir == DMA_DIRECTION_TO_DEVICE) {
            memcpy(buf, host, l);
            buf += l;
        } else {
            memcpy(host, buf, l);
            buf += l;
        }
        if (dir == DMA_DIRECTION_FROM_DEVICE) {
            dma_written(host, l);
        }
        addr += l;
        len -= l;
    }
    return MEMTX_OK;
}

MemTxResult dma_memory_read(AddressSpace *as, dma_addr_t addr, void *buf,
                            dma_addr_t len, MemTxAttrs attrs)
{
    return dma_copy(as, addr, buf, len, DMA_DIRECTION_TO_DEVICE, attrs, -1);
}

MemTxResult dma_memory_write(AddressSpace *as, dma_addr_t addr, const void *buf,
                             dma_addr_t len, MemTxAttrs attrs)
{
    return dma_copy(as, addr, (uint8_t *)buf, len, DMA_DIRECTION_FROM_DEVICE, attrs, -1);
}

MemTxResult dma_memory_set(AddressSpace *as, dma_addr_t addr, uint8_t c,
                           dma_addr_t len, MemTxAttrs attrs)
{
    return dma_copy(as, addr, NULL, len, DMA_DIRECTION_FROM_DEVICE, attrs, c);
}

MemTxResult ldl_le_dma(AddressSpace *as, dma_addr_t addr, uint32_t *pval, MemTxAttrs attrs)
{
    uint8_t b[4];
    MemTxResult r = dma_memory_read(as, addr, b, 4, attrs);

    *pval = r ? 0 : (b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24);
    return r;
}

MemTxResult ldq_le_dma(AddressSpace *as, dma_addr_t addr, uint64_t *pval, MemTxAttrs attrs)
{
    uint32_t lo, hi;
    MemTxResult r = ldl_le_dma(as, addr, &lo, attrs);

    r |= ldl_le_dma(as, addr + 4, &hi, attrs);
    *pval = r ? 0 : ((uint64_t)hi << 32 | lo);
    return r;
}

MemTxResult stl_le_dma(AddressSpace *as, dma_addr_t addr, uint32_t val, MemTxAttrs attrs)
{
    uint8_t b[4] = { val, val >> 8, val >> 16, val >> 24 };

    return dma_memory_write(as, addr, b, 4, attrs);
}

MemTxResult stq_le_dma(AddressSpace *as, dma_addr_t addr, uint64_t val, MemTxAttrs attrs)
{
    uint8_t b[8];

    for (int i = 0; i < 8; i++) {
        b[i] = val >> (i * 8);
    }
    return dma_memory_write(as, addr, b, 8, attrs);
}

/* ---- scatter-gather lists ---- */

void qemu_sglist_init(QEMUSGList *qsg, void *dev, int alloc_hint, AddressSpace *as)
{
    qsg->nalloc = alloc_hint > 0 ? alloc_hint : 1;
    qsg->sg = g_new(ScatterGatherEntry, qsg->nalloc);
    qsg->nsg = 0;
    qsg->size = 0;
    qsg->dev = dev;
    qsg->as = as;
}

void qemu_sglist_add(QEMUSGList *qsg, dma_addr_t base, dma_addr_t len)
{
    if (qsg->nsg == qsg->nalloc) {
        qsg->nalloc = 2 * qsg->nalloc + 1;
        qsg->sg = g_renew(ScatterGatherEntry, qsg->sg, qsg->nalloc);
    }
    qsg->sg[qsg->nsg].base = base;
    qsg->sg[qsg->nsg].len = len;
    qsg->size += len;
    qsg->nsg++;
}

void qemu_sglist_destroy(QEMUSGList *qsg)
{
    g_free(qsg->sg);
    memset(qsg, 0, sizeof(*qsg));
}

static MemTxResult dma_buf_rw(uint8_t *ptr, dma_addr_t len, dma_addr_t *residual,
                              QEMUSGList *sg, DMADirection dir, MemTxAttrs attrs)
{
    MemTxResult r = MEMTX_OK;
    dma_addr_t xfer = len < sg->size ? len : sg->size;
    dma_addr_t left = xfer;

    for (int i = 0; i < sg->nsg && left; i++) {
        dma_addr_t l = sg->sg[i].len < left ? sg->sg[i].len : left;

        if (dir == DMA_DIRECTION_TO_DEVICE) {
            r |= dma_memory_read(sg->as, sg->sg[i].base, ptr, l, attrs);
        } else {
            r |= dma_memory_write(sg->as, sg->sg[i].base, ptr, l, attrs);
        }
        ptr += l;
        left -= l;
    }
    if (residual) {
        *residual = len - xfer;
    }
    return r;
}

MemTxResult dma_buf_read(void *ptr, dma_addr_t len, dma_addr_t *residual,
                         QEMUSGList *sg, MemTxAttrs attrs)
{
    return dma_buf_rw(ptr, len, residual, sg, DMA_DIRECTION_TO_DEVICE, attrs);
}

MemTxResult dma_buf_write(const void *ptr, dma_addr_t len, dma_addr_t *residual,
                          QEMUSGList *sg, MemTxAttrs attrs)
{
    return dma_buf_rw((uint8_t *)ptr, len, residual, sg, DMA_DIRECTION_FROM_DEVICE, attrs);
}

MemTxResult dma_sglist_to_iovec(QEMUSGList *sg, DMADirection dir, struct iovec **iov,
                                int *niov)
{
    GArray *v = g_array_new(FALSE, FALSE, sizeof(struct iovec));

    for (int i = 0; i < sg->nsg; i++) {
        dma_addr_t addr = sg->sg[i].base, len = sg->sg[i].len;

        if (!dma_memory_valid(sg->as, addr, len, dir, MEMTXATTRS_UNSPECIFIED)) {
            g_array_free(v, TRUE);
            *iov = NULL;
            *niov = 0;
            return MEMTX_ERROR;
        }
        while (len) {
            dma_addr_t l = len;
            struct iovec e;

            e.iov_base = dma_memory_map(sg->as, addr, &l, dir, MEMTXATTRS_UNSPECIFIED);
            e.iov_len = l;
            g_array_append_val(v, e);
            addr += l;
            len -= l;
        }
    }
    *niov = v->len;
    *iov = (struct iovec *)g_array_free(v, FALSE);
    return MEMTX_OK;
}
