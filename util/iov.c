/*
 * Scatter/gather helpers over struct iovec.
 */
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "qemu/cutils.h"
#include "qemu/iov.h"

size_t iov_size(const struct iovec *iov, unsigned int iov_cnt)
{
    size_t len = 0;

    for (unsigned int i = 0; i < iov_cnt; i++) {
        len += iov[i].iov_len;
    }
    return len;
}

size_t iov_to_buf(const struct iovec *iov, unsigned int iov_cnt, size_t offset,
                  void *buf, size_t bytes)
{
    size_t done = 0;

    for (unsigned int i = 0; i < iov_cnt && done < bytes; i++) {
        if (offset >= iov[i].iov_len) {
            offset -= iov[i].iov_len;
            continue;
        }
        size_t len = iov[i].iov_len - offset;
        if (len > bytes - done) {
            len = bytes - done;
        }
        memcpy((char *)buf + done, (char *)iov[i].iov_base + offset, len);
        done += len;
        offset = 0;
    }
    return done;
}

size_t iov_from_buf(const struct iovec *iov, unsigned int iov_cnt, size_t offset,
                    const void *buf, size_t bytes)
{
    size_t done = 0;

    for (unsigned int i = 0; i < iov_cnt && done < bytes; i++) {
        if (offset >= iov[i].iov_len) {
            offset -= iov[i].iov_len;
            continue;
        }
        size_t len = iov[i].iov_len - offset;
        if (len > bytes - done) {
            len = bytes - done;
        }
        memcpy((char *)iov[i].iov_base + offset, (const char *)buf + done, len);
        done += len;
        offset = 0;
    }
    return done;
}

size_t iov_memset(const struct iovec *iov, unsigned int iov_cnt, size_t offset,
                  int fillc, size_t bytes)
{
    size_t done = 0;

    for (unsigned int i = 0; i < iov_cnt && done < bytes; i++) {
        if (offset >= iov[i].iov_len) {
            offset -= iov[i].iov_len;
            continue;
        }
        size_t len = iov[i].iov_len - offset;
        if (len > bytes - done) {
            len = bytes - done;
        }
        memset((char *)iov[i].iov_base + offset, fillc, len);
        done += len;
        offset = 0;
    }
    return done;
}

size_t iov_discard_front(struct iovec **iov, unsigned int *iov_cnt, size_t bytes)
{
    size_t done = 0;
    struct iovec *cur = *iov;

    while (*iov_cnt > 0 && done < bytes) {
        if (cur->iov_len > bytes - done) {
            size_t n = bytes - done;
            cur->iov_base = (char *)cur->iov_base + n;
            cur->iov_len -= n;
            done += n;
            break;
        }
        done += cur->iov_len;
        cur++;
        (*iov_cnt)--;
    }
    *iov = cur;
    return done;
}

size_t iov_discard_back(struct iovec *iov, unsigned int *iov_cnt, size_t bytes)
{
    size_t done = 0;

    while (*iov_cnt > 0 && done < bytes) {
        struct iovec *last = &iov[*iov_cnt - 1];
        if (last->iov_len > bytes - done) {
            last->iov_len -= bytes - done;
            done = bytes;
            break;
        }
        done += last->iov_len;
        (*iov_cnt)--;
    }
    return done;
}

/* ---- QEMUIOVector ---- */

void qemu_iovec_init(QEMUIOVector *qiov, int alloc_hint)
{
    qiov->nalloc = alloc_hint > 0 ? alloc_hint : 1;
    qiov->iov = g_new(struct iovec, qiov->nalloc);
    qiov->niov = 0;
    qiov->size = 0;
}

void qemu_iovec_init_buf(QEMUIOVector *qiov, void *buf, size_t len)
{
    qiov->local_iov.iov_base = buf;
    qiov->local_iov.iov_len = len;
    qiov->iov = &qiov->local_iov;
    qiov->niov = 1;
    qiov->nalloc = -1;
    qiov->size = len;
}

void qemu_iovec_init_external(QEMUIOVector *qiov, struct iovec *iov, int niov)
{
    qiov->iov = iov;
    qiov->niov = niov;
    qiov->nalloc = -1;
    qiov->size = iov_size(iov, niov);
}

void qemu_iovec_add(QEMUIOVector *qiov, void *base, size_t len)
{
    g_assert(qiov->nalloc != -1);
    if (qiov->niov == qiov->nalloc) {
        qiov->nalloc = 2 * qiov->nalloc + 1;
        qiov->iov = g_renew(struct iovec, qiov->iov, qiov->nalloc);
    }
    qiov->iov[qiov->niov].iov_base = base;
    qiov->iov[qiov->niov].iov_len = len;
    qiov->size += len;
    qiov->niov++;
}

void qemu_iovec_concat(QEMUIOVector *dst, QEMUIOVector *src, size_t offset, size_t bytes)
{
    int i;

    for (i = 0; i < src->niov && bytes; i++) {
        size_t len = src->iov[i].iov_len;

        if (offset >= len) {
            offset -= len;
            continue;
        }
        len = MIN(len - offset, bytes);
        qemu_iovec_add(dst, (char *)src->iov[i].iov_base + offset, len);
        bytes -= len;
        offset = 0;
    }
}

void qemu_iovec_reset(QEMUIOVector *qiov)
{
    qiov->niov = 0;
    qiov->size = 0;
}

void qemu_iovec_destroy(QEMUIOVector *qiov)
{
    if (qiov->nalloc != -1) {
        g_free(qiov->iov);
    }
    memset(qiov, 0, sizeof(*qiov));
}

static size_t iov_copy(QEMUIOVector *qiov, size_t offset, void *buf, size_t bytes, bool to_buf)
{
    size_t done = 0;
    int i;

    for (i = 0; i < qiov->niov && done < bytes; i++) {
        size_t len = qiov->iov[i].iov_len;
        char *base = qiov->iov[i].iov_base;

        if (offset >= len) {
            offset -= len;
            continue;
        }
        len = MIN(len - offset, bytes - done);
        if (to_buf) {
            memcpy((char *)buf + done, base + offset, len);
        } else {
            memcpy(base + offset, (char *)buf + done, len);
        }
        done += len;
        offset = 0;
    }
    return done;
}

size_t qemu_iovec_to_buf(QEMUIOVector *qiov, size_t offset, void *buf, size_t bytes)
{
    return iov_copy(qiov, offset, buf, bytes, true);
}

size_t qemu_iovec_from_buf(QEMUIOVector *qiov, size_t offset, const void *buf, size_t bytes)
{
    return iov_copy(qiov, offset, (void *)buf, bytes, false);
}

bool qemu_iovec_is_zero(QEMUIOVector *qiov, size_t offset, size_t bytes)
{
    for (int i = 0; i < qiov->niov && bytes; i++) {
        size_t len = qiov->iov[i].iov_len;

        if (offset >= len) {
            offset -= len;
            continue;
        }
        len = MIN(len - offset, bytes);
        if (!buffer_is_zero((const uint8_t *)qiov->iov[i].iov_base + offset, len)) {
            return false;
        }
        bytes -= len;
        offset = 0;
    }
    return true;
}

size_t qemu_iovec_memset(QEMUIOVector *qiov, size_t offset, int c, size_t bytes)
{
    size_t done = 0;
    int i;

    for (i = 0; i < qiov->niov && done < bytes; i++) {
        size_t len = qiov->iov[i].iov_len;

        if (offset >= len) {
            offset -= len;
            continue;
        }
        len = MIN(len - offset, bytes - done);
        memset((char *)qiov->iov[i].iov_base + offset, c, len);
        done += len;
        offset = 0;
    }
    return done;
}

bool qemu_iovec_is_aligned(QEMUIOVector *qiov, size_t mem_align, size_t len_align)
{
    int i;

    for (i = 0; i < qiov->niov; i++) {
        if ((uintptr_t)qiov->iov[i].iov_base % mem_align || qiov->iov[i].iov_len % len_align) {
            return false;
        }
    }
    return true;
}
