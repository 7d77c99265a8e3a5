/*
 * Coroutines: block requests are written as straight-line code that
 * yields while it waits for I/O.  All coroutines of a thread run on that
 * thread; qemu_coroutine_enter() runs one until it yields or returns.
 */
#ifndef QEMU_COROUTINE_H
#define QEMU_COROUTINE_H

#include <stdbool.h>

/* Marks functions that may yield: call them only from coroutine context. */
#define coroutine_fn

typedef struct Coroutine Coroutine;
typedef void coroutine_fn CoroutineEntry(void *opaque);

Coroutine *qemu_coroutine_create(CoroutineEntry *entry, void *opaque);
void qemu_coroutine_enter(Coroutine *co);
void coroutine_fn qemu_coroutine_yield(void);
Coroutine *qemu_coroutine_self(void);
bool qemu_in_coroutine(void);

/*
 * Enter @co from a bottom half of the main context: safe to call from
 * inside another coroutine, where entering directly would nest.
 */
void aio_co_wake(Coroutine *co);

/* FIFO of coroutines waiting for something. */
typedef struct CoQueue {
    Coroutine *head, *tail;
} CoQueue;

void qemu_co_queue_init(CoQueue *q);
void coroutine_fn qemu_co_queue_wait(CoQueue *q);
bool qemu_co_queue_next(CoQueue *q);         /* wakes one; false if none waited */
void qemu_co_queue_restart_all(CoQueue *q);
bool qemu_co_queue_empty(CoQueue *q);

/* A mutex for coroutines: waiting yields instead of blocking the thread. */
typedef struct CoMutex {
    bool locked;
    CoQueue queue;
} CoMutex;

void qemu_co_mutex_init(CoMutex *m);
void coroutine_fn qemu_co_mutex_lock(CoMutex *m);
void coroutine_fn qemu_co_mutex_unlock(CoMutex *m);

#endif
