/*
 * Interrupt lines and the registry qtest uses to intercept them.
 */
#include <string.h>
#include <glib.h>

#include "hw/irq.h"

struct IRQState {
    qemu_irq_handler handler;
    void *opaque;
    int n;
};

void qemu_set_irq(qemu_irq irq, int level)
{
    if (irq) {
        irq->handler(irq->opaque, irq->n, level);
    }
}

qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n)
{
    qemu_irq irq = g_new0(struct IRQState, 1);

    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
    return irq;
}

qemu_irq *qemu_allocate_irqs(qemu_irq_handler handler, void *opaque, int n)
{
    qemu_irq *s = g_new0(qemu_irq, n);

    for (int i = 0; i < n; i++) {
        s[i] = qemu_allocate_irq(handler, opaque, i);
    }
    return s;
}

void qemu_free_irq(qemu_irq irq)
{
    g_free(irq);
}

void qemu_free_irqs(qemu_irq *s, int n)
{
    for (int i = 0; i < n; i++) {
        qemu_free_irq(s[i]);
    }
    g_free(s);
}

/* ---- named groups for qtest ---- */

struct IRQGpioGroup {
    char *path;
    char *name;             /* NULL = unnamed */
    bool out;
    qemu_irq *lines;        /* in: our IRQStates; out: the device's output array */
    int n;
};

static GPtrArray *gpio_groups;
static GPtrArray *interceptors;     /* live as long as the lines they sit on */

static void gpio_register(const char *path, const char *name, qemu_irq *lines, int n, bool out)
{
    IRQGpioGroup *g = g_new0(IRQGpioGroup, 1);

    g->path = g_strdup(path);
    g->name = g_strdup(name);
    g->lines = lines;
    g->n = n;
    g->out = out;
    if (!gpio_groups) {
        gpio_groups = g_ptr_array_new();
    }
    g_ptr_array_add(gpio_groups, g);
}

void qemu_irq_register_gpio_in(const char *path, const char *name, qemu_irq *lines, int n)
{
    gpio_register(path, name, lines, n, false);
}

void qemu_irq_register_gpio_out(const char *path, const char *name, qemu_irq *lines, int n)
{
    gpio_register(path, name, lines, n, true);
}

/* "ioapic" matches "/machine/i440fx/ioapic" the way QOM resolves a partial path. */
static bool path_matches(const char *full, const char *want)
{
    const char *last;

    if (!strcmp(full, want)) {
        return true;
    }
    if (want[0] == '/') {
        return false;
    }
    last = strrchr(full, '/');
    return last && !strcmp(last + 1, want);
}

IRQGpioGroup *qemu_irq_find_gpio(const char *path, bool out)
{
    for (guint i = 0; gpio_groups && i < gpio_groups->len; i++) {
        IRQGpioGroup *g = g_ptr_array_index(gpio_groups, i);

        if (g->out == out && path_matches(g->path, path)) {
            return g;
        }
    }
    return NULL;
}

qemu_irq qemu_irq_gpio_line(IRQGpioGroup *g, const char *name, int n)
{
    for (guint i = 0; gpio_groups && i < gpio_groups->len; i++) {
        IRQGpioGroup *o = g_ptr_array_index(gpio_groups, i);
        bool unnamed = !name || !strcmp(name, "unnamed-gpio-in");

        if (o->out || strcmp(o->path, g->path)) {
            continue;
        }
        if ((unnamed && !o->name) || (o->name && name && !strcmp(o->name, name))) {
            return n >= 0 && n < o->n ? o->lines[n] : NULL;
        }
    }
    return NULL;
}

/*
 * Interception is passive, as in QEMU: the line still reaches its
 * receiver, and the interceptor hears about it afterwards.
 */
typedef struct Interceptor {
    struct IRQState orig;       /* in: a copy of the line as it was */
    qemu_irq old_out;           /* out: the receiver the device drove */
    qemu_irq_handler handler;
    void *opaque;
} Interceptor;

static void intercept_in_trampoline(void *opaque, int n, int level)
{
    Interceptor *ic = opaque;

    ic->orig.handler(ic->orig.opaque, ic->orig.n, level);
    ic->handler(ic->opaque, n, level);
}

static void intercept_out_trampoline(void *opaque, int n, int level)
{
    Interceptor *ic = opaque;

    qemu_set_irq(ic->old_out, level);
    ic->handler(ic->opaque, n, level);
}

bool qemu_irq_intercept(IRQGpioGroup *g, qemu_irq_handler handler, void *opaque)
{
    for (guint i = 0; gpio_groups && i < gpio_groups->len; i++) {
        IRQGpioGroup *o = g_ptr_array_index(gpio_groups, i);

        if (o->out != g->out || strcmp(o->path, g->path)) {
            continue;
        }
        for (int k = 0; k < o->n; k++) {
            Interceptor *ic = g_new0(Interceptor, 1);

            ic->handler = handler;
            ic->opaque = opaque;
            if (!interceptors) {
                interceptors = g_ptr_array_new_with_free_func(g_free);
            }
            g_ptr_array_add(interceptors, ic);
            if (o->out) {
                ic->old_out = o->lines[k];
                o->lines[k] = qemu_allocate_irq(intercept_out_trampoline, ic, k);
            } else if (o->lines[k]) {
                ic->orig = *o->lines[k];
                o->lines[k]->handler = intercept_in_trampoline;
                o->lines[k]->opaque = ic;
            }
        }
    }
    return true;
}

void qemu_irq_gpio_reset_registry(void)
{
    for (guint i = 0; gpio_groups && i < gpio_groups->len; i++) {
        IRQGpioGroup *g = g_ptr_array_index(gpio_groups, i);

        g_free(g->path);
        g_free(g->name);
        g_free(g);
    }
    if (gpio_groups) {
        g_ptr_array_set_size(gpio_groups, 0);
    }
}
