/*
 * The PC's cascaded 8259A pair: master at 0x20, slave at 0xa0 on the
 * master's IR2, ELCR at 0x4d0/0x4d1.
 */
#ifndef HW_INTC_I8259_H
#define HW_INTC_I8259_H

#include "hw/irq.h"

/*
 * Create both PICs; @parent_irq is the INTR line to the CPU.  Returns the
 * 16 ISA input lines (registered for qtest as "/machine/i8259").
 */
qemu_irq *i8259_init(qemu_irq parent_irq);
/* Interrupt acknowledge: the vector the CPU takes (spurious: base + 7). */
int pic_read_irq(void);
/* Whether INTR is asserted now. */
bool pic_get_output(void);

#endif
