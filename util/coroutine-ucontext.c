/*
 * Coroutines on their own stacks (include/qemu/coroutine.h).
 *
 * A coroutine is started once on its stack (a stack-pointer switch on
 * x86-64, makecontext/swapcontext elsewhere); after that, switches use
 * sigsetjmp/siglongjmp without saving the signal mask, so a switch costs
 * no system call.  Finished coroutines keep their stacks in a
 * per-thread pool for the next request.
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <ucontext.h>
#include <glib.h>

#include "qemu/coroutine.h"
#include "config-host.h"

#ifdef CONFIG_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define STACK_SIZE (1 << 20)
#define POOL_MAX 256

enum { COROUTINE_YIELD = 1, COROUTINE_TERMINATE = 2, COROUTINE_ENTER = 3 };

struct Coroutine {
    CoroutineEntry *entry;
    void *entry_arg;
    Coroutine *caller;
    Coroutine *next;            /* CoQueue / pool / wake list link */
    void *stack;
    size_t stack_size;
    sigjmp_buf env;
    void *fake_stack;           /* ASan bookkeeping for the stack switch */
};

static __thread Coroutine leader;
static __thread Coroutine *current;
static __thread Coroutine *pool;
static __thread int pool_size;

static void start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size)
{
#ifdef CONFIG_ASAN
    __sanitizer_start_switch_fiber(fake_stack_save, bottom, size);
#endif
}

/* @from, if its stack is not known yet (the thread's own stack), learns it here. */
static void finish_switch_fiber(void *fake_stack_save, Coroutine *from)
{
#ifdef CONFIG_ASAN
    const void *bottom_old;
    size_t size_old;

    __sanitizer_finish_switch_fiber(fake_stack_save, &bottom_old, &size_old);
    if (from && !from->stack) {
        from->stack = (void *)bottom_old;
        from->stack_size = size_old;
    }
#endif
}

static int coroutine_switch(Coroutine *from, Coroutine *to, int action)
{
    int ret;

    current = to;
    ret = sigsetjmp(from->env, 0);
    if (ret == 0) {
        start_switch_fiber(action == COROUTINE_TERMINATE ? NULL : &from->fake_stack,
                           to->stack, to->stack_size);
        siglongjmp(to->env, action);
    }
    finish_switch_fiber(from->fake_stack, NULL);
    return ret;
}

static void coroutine_trampoline(int i0, int i1)
{
    uintptr_t ptr = ((uintptr_t)(unsigned)i1 << 32) | (unsigned)i0;
    Coroutine *co = (Coroutine *)ptr;
    Coroutine *creator = co->caller;    /* set by coroutine_new() for this first jump */
    void *fake_stack_save = NULL;

    finish_switch_fiber(NULL, creator);
    co->caller = NULL;
    /* Back to the creator; the first qemu_coroutine_enter() lands below. */
    if (!sigsetjmp(co->env, 0)) {
        start_switch_fiber(&fake_stack_save, creator->stack, creator->stack_size);
        siglongjmp(*(sigjmp_buf *)co->entry_arg, 1);
    }
    finish_switch_fiber(fake_stack_save, NULL);
    for (;;) {
        co->entry(co->entry_arg);
        coroutine_switch(co, co->caller, COROUTINE_TERMINATE);
    }
}

#if defined(__x86_64__)
/*
 * First entry without swapcontext, which ASan intercepts and warns about:
 * switch the stack pointer by hand and call the trampoline, which never
 * returns (it siglongjmps back).
 */
static void start_on_stack(void *stack_top, Coroutine *co)
{
    uintptr_t ptr = (uintptr_t)co;

    asm volatile("mov %0, %%rsp\n\t"
                 "mov %1, %%edi\n\t"
                 "mov %2, %%esi\n\t"
                 "call *%3\n\t"
                 "ud2"
                 :
                 : "r"(stack_top), "r"((int)(uint32_t)ptr), "r"((int)(uint32_t)(ptr >> 32)),
                   "r"(coroutine_trampoline)
                 : "memory", "rdi", "rsi");
}
#endif

static Coroutine *coroutine_new(void)
{
    Coroutine *co = g_new0(Coroutine, 1);
    sigjmp_buf old_env;
    void *fake_stack_save = NULL;

    co->stack_size = STACK_SIZE;
    co->stack = g_malloc(co->stack_size);
    co->entry_arg = &old_env;
    co->caller = qemu_coroutine_self();

    if (!sigsetjmp(old_env, 0)) {
        start_switch_fiber(&fake_stack_save, co->stack, co->stack_size);
#if defined(__x86_64__)
        start_on_stack((char *)co->stack + co->stack_size, co);
#else
        {
            uintptr_t ptr = (uintptr_t)co;
            ucontext_t old_uc, uc;

            getcontext(&uc);
            uc.uc_link = &old_uc;
            uc.uc_stack.ss_sp = co->stack;
            uc.uc_stack.ss_size = co->stack_size;
            uc.uc_stack.ss_flags = 0;
            makecontext(&uc, (void (*)(void))coroutine_trampoline, 2, (int)(uint32_t)ptr,
                        (int)(uint32_t)(ptr >> 32));
            swapcontext(&old_uc, &uc);
        }
#endif
    }
    finish_switch_fiber(fake_stack_save, NULL);
    return co;
}

Coroutine *qemu_coroutine_create(CoroutineEntry *entry, void *opaque)
{
    Coroutine *co = pool;

    if (co) {
        pool = co->next;
        pool_size--;
    } else {
        co = coroutine_new();
    }
    co->entry = entry;
    co->entry_arg = opaque;
    co->next = NULL;
    co->caller = NULL;
    return co;
}

static void coroutine_release(Coroutine *co)
{
    if (pool_size < POOL_MAX) {
        co->next = pool;
        pool = co;
        pool_size++;
        return;
    }
    g_free(co->stack);
    g_free(co);
}

Coroutine *qemu_coroutine_self(void)
{
    return current ? current : &leader;
}

bool qemu_in_coroutine(void)
{
    return current && current != &leader;
}

void qemu_coroutine_enter(Coroutine *co)
{
    Coroutine *self = qemu_coroutine_self();
    int ret;

    g_assert(!co->caller);          /* entering a running coroutine is a bug */
    co->caller = self;
    ret = coroutine_switch(self, co, COROUTINE_ENTER);
    current = self;
    if (ret == COROUTINE_TERMINATE) {
        coroutine_release(co);
    }
}

void coroutine_fn qemu_coroutine_yield(void)
{
    Coroutine *self = qemu_coroutine_self();
    Coroutine *to = self->caller;

    g_assert(to);                   /* yield outside a coroutine */
    self->caller = NULL;
    coroutine_switch(self, to, COROUTINE_YIELD);
}

/* ---- deferred wake-ups through one bottom half ---- */

#include "qemu/main-loop.h"

static __thread Coroutine *wake_head, *wake_tail;
static __thread QEMUBH *wake_bh;

static void wake_bh_cb(void *opaque)
{
    while (wake_head) {
        Coroutine *co = wake_head;

        wake_head = co->next;
        if (!wake_head) {
            wake_tail = NULL;
        }
        co->next = NULL;
        qemu_coroutine_enter(co);
    }
}

void aio_co_wake(Coroutine *co)
{
    if (!wake_bh) {
        wake_bh = qemu_bh_new(wake_bh_cb, NULL);
    }
    co->next = NULL;
    if (wake_tail) {
        wake_tail->next = co;
    } else {
        wake_head = co;
    }
    wake_tail = co;
    qemu_bh_schedule(wake_bh);
}

/* ---- CoQueue and CoMutex ---- */

void qemu_co_queue_init(CoQueue *q)
{
    q->head = q->tail = NULL;
}

void coroutine_fn qemu_co_queue_wait(CoQueue *q)
{
    Coroutine *self = qemu_coroutine_self();

    self->next = NULL;
    if (q->tail) {
        q->tail->next = self;
    } else {
        q->head = self;
    }
    q->tail = self;
    qemu_coroutine_yield();
}

bool qemu_co_queue_next(CoQueue *q)
{
    Coroutine *co = q->head;

    if (!co) {
        return false;
    }
    q->head = co->next;
    if (!q->head) {
        q->tail = NULL;
    }
    aio_co_wake(co);
    return true;
}

void qemu_co_queue_restart_all(CoQueue *q)
{
    while (qemu_co_queue_next(q)) {
    }
}

bool qemu_co_queue_empty(CoQueue *q)
{
    return !q->head;
}

void qemu_co_mutex_init(CoMutex *m)
{
    m->locked = false;
    qemu_co_queue_init(&m->queue);
}

void coroutine_fn qemu_co_mutex_lock(CoMutex *m)
{
    while (m->locked) {
        qemu_co_queue_wait(&m->queue);
    }
    m->locked = true;
}

void coroutine_fn qemu_co_mutex_unlock(CoMutex *m)
{
    m->locked = false;
    qemu_co_queue_next(&m->queue);
}
