/*
 * Machine and accelerator choice.
 */
#ifndef SYSEMU_MACHINE_H
#define SYSEMU_MACHINE_H

/* -machine help / -accel help listings. */
void machine_print_help(void);
void accel_print_help(void);

#endif
