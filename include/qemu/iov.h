/*
 * Scatter/gather helpers over struct iovec (QEMU's include/qemu/iov.h
 * names): devices copy request headers and statuses in and out of mapped
 * guest buffers with these, and QEMUIOVector carries one block request's
 * buffers.
 */
#ifndef QEMU_IOV_H
#define QEMU_IOV_H

#include <stdbool.h>
#include <stddef.h>
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


typedef struct QEMUIOVector {
    struct iovec *iov;
    int niov;
    int nalloc;         /* -1: iov points at local_iov or foreign memory */
    size_t size;
    struct iovec local_iov;
} QEMUIOVector;

void qemu_iovec_init(QEMUIOVector *qiov, int alloc_hint);
/* A one-element vector over @buf, no allocation. */
void qemu_iovec_init_buf(QEMUIOVector *qiov, void *buf, size_t len);
/* Borrow the caller's array (not freed by qemu_iovec_destroy). */
void qemu_iovec_init_external(QEMUIOVector *qiov, struct iovec *iov, int niov);
void qemu_iovec_add(QEMUIOVector *qiov, void *base, size_t len);
/* Append bytes [offset, offset+bytes) of @src's elements to @dst. */
void qemu_iovec_concat(QEMUIOVector *dst, QEMUIOVector *src, size_t offset, size_t bytes);
void qemu_iovec_reset(QEMUIOVector *qiov);
void qemu_iovec_destroy(QEMUIOVector *qiov);

size_t qemu_iovec_to_buf(QEMUIOVector *qiov, size_t offset, void *buf, size_t bytes);
size_t qemu_iovec_from_buf(QEMUIOVector *qiov, size_t offset, const void *buf, size_t bytes);
size_t qemu_iovec_memset(QEMUIOVector *qiov, size_t offset, int c, size_t bytes);
/* Whether bytes [offset, offset + bytes) are all zero (detect-zeroes). */
bool qemu_iovec_is_zero(QEMUIOVector *qiov, size_t offset, size_t bytes);

/* Every base aligned to @mem_align and every length a multiple of @len_align. */
bool qemu_iovec_is_aligned(QEMUIOVector *qiov, size_t mem_align, size_t len_align);

#endif
