/*
 * 82093AA I/O APIC at 0xfec00000 with 24 pins (version 0x20, with the
 * directed EOI register).
 */
#ifndef HW_INTC_IOAPIC_H
#define HW_INTC_IOAPIC_H

#include "hw/irq.h"

#define IOAPIC_NUM_PINS         24
#define IO_APIC_DEFAULT_ADDRESS 0xfec00000

/* Create and map it; returns its 24 input pins ("/machine/i440fx/ioapic" for qtest). */
qemu_irq *ioapic_init(void);
/* The local APIC saw an EOI for @vector: clear Remote IRR, re-deliver if still high. */
void ioapic_eoi_broadcast(int vector);

#endif
