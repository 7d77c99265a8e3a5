/*
 * Interrupt lines between devices: a qemu_irq is one input pin of a
 * receiver (handler + opaque + pin number).  Levels are 0/1; a pulse is a
 * raise then a lower.
 */
#ifndef HW_IRQ_H
#define HW_IRQ_H

#include <stdbool.h>

typedef struct IRQState *qemu_irq;
typedef void (*qemu_irq_handler)(void *opaque, int n, int level);

void qemu_set_irq(qemu_irq irq, int level);

static inline void qemu_irq_raise(qemu_irq irq)
{
    qemu_set_irq(irq, 1);
}
static inline void qemu_irq_lower(qemu_irq irq)
{
    qemu_set_irq(irq, 0);
}
static inline void qemu_irq_pulse(qemu_irq irq)
{
    qemu_set_irq(irq, 1);
    qemu_set_irq(irq, 0);
}

qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n);
/* @n lines numbered 0..n-1; free with qemu_free_irqs. */
qemu_irq *qemu_allocate_irqs(qemu_irq_handler handler, void *opaque, int n);
void qemu_free_irq(qemu_irq irq);
void qemu_free_irqs(qemu_irq *s, int n);

/*
 * Named groups of input lines ("gpio-in" of a device), so that qtest's
 * irq_intercept_in/set_irq_in can find them by a QOM-like path such as
 * "ioapic" or "/machine/i440fx/ioapic".  @name NULL is "unnamed-gpio-in".
 */
void qemu_irq_register_gpio_in(const char *path, const char *name, qemu_irq *lines, int n);
/* Output lines of a device, for irq_intercept_out. */
void qemu_irq_register_gpio_out(const char *path, const char *name, qemu_irq *lines, int n);

typedef struct IRQGpioGroup IRQGpioGroup;
/* Find a registered group by path (exact, or matching the last component). */
IRQGpioGroup *qemu_irq_find_gpio(const char *path, bool out);
/* Look up one input line of a group by name and number; NULL if absent. */
qemu_irq qemu_irq_gpio_line(IRQGpioGroup *g, const char *name, int n);
/*
 * Also report every line of every group under @path to @handler (called
 * with the line number, after the original receiver): "in" groups at the
 * receiver, "out" groups by replacing the lines the device drives.
 */
bool qemu_irq_intercept(IRQGpioGroup *g, qemu_irq_handler handler, void *opaque);
/* Forget every registration (machine teardown in tests). */
void qemu_irq_gpio_reset_registry(void);

#endif
