/*
 * Intel 8254 programmable interval timer at 0x40-0x43 on the virtual
 * clock (channel 0 drives ISA IRQ0), plus port 0x61 (channel 2 gate and
 * output, as the PC speaker/NMI status port presents them).
 */
#ifndef HW_TIMER_I8254_H
#define HW_TIMER_I8254_H

#include "hw/irq.h"

#define PIT_FREQ 1193182

void i8254_init(qemu_irq irq0);

#endif
