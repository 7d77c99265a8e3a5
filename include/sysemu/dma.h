/*
 * DMA from devices into guest memory.  Unlike QEMU, these refuse anything
 * that is not RAM (MMIO, holes, past the end): a descriptor pointing there
 * is a guest error the device reports as a status, never a host crash.
 */
#ifndef SYSEMU_DMA_H
#define SYSEMU_DMA_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include "exec/memory.h"

typedef uint64_t dma_addr_t;

typedef enum DMADirection {
    DMA_DIRECTION_TO_DEVICE = 0,        /* device reads guest memory */
    DMA_DIRECTION_FROM_DEVICE = 1,      /* device writes guest memory */
} DMADirection;

/* Whether [addr, addr + len) is RAM throughout (writable for FROM_DEVICE). */
bool dma_memory_valid(AddressSpace *as, dma_addr_t addr, dma_addr_t len,
                      DMADirection dir, MemTxAttrs attrs);

/* Copy; MEMTX_ERROR (nothing partial guaranteed) if any byte is not RAM. */
MemTxResult dma_memory_read(AddressSpace *as, dma_addr_t addr, void *buf,
                            dma_addr_t len, MemTxAttrs attrs);
MemTxResult dma_memory_write(AddressSpace *as, dma_addr_t addr, const void *buf,
                             dma_addr_t len, MemTxAttrs attrs);
MemTxResult dma_memory_set(AddressSpace *as, dma_addr_t addr, uint8_t c,
                           dma_addr_t len, MemTxAttrs attrs);

/*
 * Host pointer to guest RAM at @addr; *len is clipped to the contiguous
 * RAM there.  NULL if @addr is not RAM.  unmap is a no-op kept for the
 * QEMU call pattern (and for dirty tracking later).
 */
void *dma_memory_map(AddressSpace *as, dma_addr_t addr, dma_addr_t *len,
                     DMADirection dir, MemTxAttrs attrs);
void dma_memory_unmap(AddressSpace *as, void *buffer, dma_addr_t len,
                      DMADirection dir, dma_addr_t access_len);

/*
 * Told of every device write to guest RAM once its data is there (after
 * dma_memory_write/set, and at dma_memory_unmap of a FROM_DEVICE mapping
 * for the bytes accessed), by host address: an interpreter drops the code
 * it decoded from those bytes.  Called from whichever thread did the DMA.
 */
typedef void (*DMAWriteNotifyFn)(void *opaque, void *host, size_t len);
void dma_set_write_notifier(DMAWriteNotifyFn fn, void *opaque);

/* Little-endian helpers for descriptor fields. */
MemTxResult ldl_le_dma(AddressSpace *as, dma_addr_t addr, uint32_t *pval, MemTxAttrs attrs);
MemTxResult ldq_le_dma(AddressSpace *as, dma_addr_t addr, uint64_t *pval, MemTxAttrs attrs);
MemTxResult stl_le_dma(AddressSpace *as, dma_addr_t addr, uint32_t val, MemTxAttrs attrs);
MemTxResult stq_le_dma(AddressSpace *as, dma_addr_t addr, uint64_t val, MemTxAttrs attrs);

/* ---- scatter-gather lists ---- */
typedef struct ScatterGatherEntry {
    dma_addr_t base;
    dma_addr_t len;
} ScatterGatherEntry;

typedef struct QEMUSGList {
    ScatterGatherEntry *sg;
    int nsg;
    int nalloc;
    dma_addr_t size;
    void *dev;
    AddressSpace *as;
} QEMUSGList;

void qemu_sglist_init(QEMUSGList *qsg, void *dev, int alloc_hint, AddressSpace *as);
void qemu_sglist_add(QEMUSGList *qsg, dma_addr_t base, dma_addr_t len);
void qemu_sglist_destroy(QEMUSGList *qsg);

/*
 * Copy between a linear buffer and the list, up to min(len, sg->size);
 * *residual (if not NULL) gets what was not transferred.
 */
MemTxResult dma_buf_read(void *ptr, dma_addr_t len, dma_addr_t *residual,
                         QEMUSGList *sg, MemTxAttrs attrs);     /* guest -> ptr */
MemTxResult dma_buf_write(const void *ptr, dma_addr_t len, dma_addr_t *residual,
                          QEMUSGList *sg, MemTxAttrs attrs);    /* ptr -> guest */

/*
 * Map the whole list into an iovec of host pointers (for zero-copy block
 * I/O).  Fails with MEMTX_ERROR, *niov = 0, if any entry is not RAM.
 * The caller frees *iov with g_free.
 */
MemTxResult dma_sglist_to_iovec(QEMUSGList *sg, DMADirection dir, struct iovec **iov,
                                int *niov);

#endif
