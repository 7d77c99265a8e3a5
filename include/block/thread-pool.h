/*
 * Worker threads for blocking system calls (aio=threads, fdatasync,
 * fallocate...).  The calling coroutine yields until its function has run
 * on a worker; completions come back through a bottom half of the main
 * context.
 */
#ifndef BLOCK_THREAD_POOL_H
#define BLOCK_THREAD_POOL_H

#include "qemu/coroutine.h"

typedef int ThreadPoolFunc(void *opaque);

/* Run @func(@arg) on a worker and return its result. */
int coroutine_fn thread_pool_submit_co(ThreadPoolFunc *func, void *arg);

#endif
