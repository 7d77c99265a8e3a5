/*
 * MC146818 real-time clock and CMOS RAM at 0x70/0x71, IRQ8.
 */
#ifndef HW_RTC_MC146818RTC_H
#define HW_RTC_MC146818RTC_H

#include <stdint.h>
#include "hw/irq.h"

#define RTC_ISA_IRQ     8
#define RTC_CENTURY     0x32

void mc146818_rtc_init(qemu_irq irq, int base_year);
/* CMOS bytes the machine fills for the firmware (memory size, boot order...). */
void rtc_set_memory(int addr, uint8_t val);
uint8_t rtc_get_memory(int addr);

#endif
