/*
 * 16550A UART.  The device knows nothing of chardevs: the machine glues a
 * backend to it with serial_set_backend() (bytes out) and feeds received
 * bytes with serial_can_receive()/serial_receive().
 */
#ifndef HW_CHAR_SERIAL_H
#define HW_CHAR_SERIAL_H

#include <stdint.h>
#include "exec/memory.h"
#include "hw/irq.h"

typedef struct SerialState SerialState;
typedef void SerialWriteFn(void *opaque, const uint8_t *buf, int len);

/* ISA UART at @base (8 ports) on @irq. */
SerialState *serial_isa_init(hwaddr base, qemu_irq irq);
void serial_set_backend(SerialState *s, SerialWriteFn *write, void *opaque);
int serial_can_receive(SerialState *s);
void serial_receive(SerialState *s, const uint8_t *buf, int len);

#endif
