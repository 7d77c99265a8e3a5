/*
 * Scatter/gather helpers over struct iovec (QEMU's include/qemu/iov.h
 * names): devices copy request headers and statuses in and out of mapped
 * guest buffers with these.
 */
#ifndef QEMU_IOV_H
#define QEMU_IOV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

size_t iov_size(const struct iovec *iov, unsigned int iov_cnt);
/* Copy up to @bytes starting @offset bytes into the vector; returns the count. */
size_t iov_to_buf(const struct iovec *iov, unsigned int iov_cnt, size_t offset,
                  void *buf, size_t bytes);
size_t iov_from_buf(const struct iovec *iov, unsigned int iov_cnt, size_t offset,
                    const void *buf, size_t bytes);
size_t iov_memset(const struct iovec *iov, unsigned int iov_cnt, size_t offset,
                  int fillc, size_t bytes);
/*
 * Drop @bytes from the front of *iov (advancing *iov and shrinking
 * *iov_cnt; the first remaining element may be trimmed in place) or from
 * the back.  Returns what was dropped, less than @bytes if the vector is
 * shorter.
 */
size_t iov_discard_front(struct iovec **iov, unsigned int *iov_cnt, size_t bytes);
size_t iov_discard_back(struct iovec *iov, unsigned int *iov_cnt, size_t bytes);

/*
 * An I/O vector with its total size, as the block layer takes it.  With
 * qemu_iovec_init the array is owned (grown by qemu_iovec_add, freed by
 * qemu_iovec_destroy); init_external borrows the caller's array.
 */
typedef struct QEMUIOVector {
    struct iovec *iov;
    int niov;
    int nalloc;         /* -1: external array */
    size_t size;
} QEMUIOVector;

void qemu_iovec_init(QEMUIOVector *qiov, int alloc_hint);
void qemu_iovec_init_external(QEMUIOVector *qiov, struct iovec *iov, int niov);
void qemu_iovec_add(QEMUIOVector *qiov, void *base, size_t len);
/* Append @bytes of @src starting at @soffset. */
void qemu_iovec_concat(QEMUIOVector *dst, QEMUIOVector *src, size_t soffset, size_t bytes);
void qemu_iovec_reset(QEMUIOVector *qiov);
void qemu_iovec_destroy(QEMUIOVector *qiov);

#endif
