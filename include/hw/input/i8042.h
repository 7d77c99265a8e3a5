/*
 * i8042 PS/2 controller (0x60/0x64, IRQ1 and IRQ12).
 */
#ifndef HW_INPUT_I8042_H
#define HW_INPUT_I8042_H

#include <stdbool.h>
#include "hw/irq.h"

void i8042_init(qemu_irq kbd_irq, qemu_irq mouse_irq);
/* A20 as the controller's output port sets it (bit 1). */
bool i8042_a20_enabled(void);

#endif
