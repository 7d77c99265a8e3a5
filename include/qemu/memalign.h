/*
 * Aligned buffers (O_DIRECT needs them); free with qemu_vfree().
 */
#ifndef QEMU_MEMALIGN_H
#define QEMU_MEMALIGN_H

#include <stddef.h>

void *qemu_try_memalign(size_t alignment, size_t size);   /* NULL on failure */
void *qemu_memalign(size_t alignment, size_t size);       /* aborts on failure */
void qemu_vfree(void *ptr);

#endif
