/*
 * LD_PRELOAD fault injector for rerror/werror tests: while the file named
 * by $FAULT_FLAG exists, reads and/or writes ($FAULT_OPS: r, w or rw) to
 * the file named by $FAULT_FILE fail with errno $FAULT_ERRNO (default EIO).
 * Everything else passes through to libc.  Works on minivm and QEMU alike,
 * since both do aio=threads I/O with pread/pwrite and their vector forms.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static int fault_now(int fd, char op)
{
    const char *file = getenv("FAULT_FILE"), *flag = getenv("FAULT_FLAG");
    const char *ops = getenv("FAULT_OPS");
    struct stat a, b;

    if (!file || !flag || access(flag, F_OK) != 0 || (ops && !strchr(ops, op))) {
        return 0;
    }
    if (fstat(fd, &a) != 0 || stat(file, &b) != 0 || a.st_dev != b.st_dev ||
        a.st_ino != b.st_ino) {
        return 0;
    }
    errno = getenv("FAULT_ERRNO") ? atoi(getenv("FAULT_ERRNO")) : EIO;
    return 1;
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
    return fault_now(fd, 'r') ? -1 : REAL(pread)(fd, buf, n, off);
}

ssize_t pread64(int fd, void *buf, size_t n, off_t off)
{
    return fault_now(fd, 'r') ? -1 : REAL(pread64)(fd, buf, n, off);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    return fault_now(fd, 'w') ? -1 : REAL(pwrite)(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    return fault_now(fd, 'w') ? -1 : REAL(pwrite64)(fd, buf, n, off);
}

ssize_t preadv(int fd, const struct iovec *iov, int cnt, off_t off)
{
    return fault_now(fd, 'r') ? -1 : REAL(preadv)(fd, iov, cnt, off);
}

ssize_t preadv64(int fd, const struct iovec *iov, int cnt, off_t off)
{
    return fault_now(fd, 'r') ? -1 : REAL(preadv64)(fd, iov, cnt, off);
}

ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
    return fault_now(fd, 'w') ? -1 : REAL(pwritev)(fd, iov, cnt, off);
}

ssize_t pwritev64(int fd, const struct iovec *iov, int cnt, off_t off)
{
    return fault_now(fd, 'w') ? -1 : REAL(pwritev64)(fd, iov, cnt, off);
}

ssize_t preadv2(int fd, const struct iovec *iov, int cnt, off_t off, int flags)
{
    return fault_now(fd, 'r') ? -1 : REAL(preadv2)(fd, iov, cnt, off, flags);
}

ssize_t pwritev2(int fd, const struct iovec *iov, int cnt, off_t off, int flags)
{
    return fault_now(fd, 'w') ? -1 : REAL(pwritev2)(fd, iov, cnt, off, flags);
}

/* What preadv2/pwritev2 become under _FILE_OFFSET_BITS=64. */
ssize_t preadv64v2(int fd, const struct iovec *iov, int cnt, off_t off, int flags)
{
    return fault_now(fd, 'r') ? -1 : REAL(preadv64v2)(fd, iov, cnt, off, flags);
}

ssize_t pwritev64v2(int fd, const struct iovec *iov, int cnt, off_t off, int flags)
{
    return fault_now(fd, 'w') ? -1 : REAL(pwritev64v2)(fd, iov, cnt, off, flags);
}
