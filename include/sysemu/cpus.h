/*
 * vCPUs and the accelerator that runs them (system/cpus.c).  Under
 * -accel qtest none of this runs and every call here is a no-op.
 */
#ifndef SYSEMU_CPUS_H
#define SYSEMU_CPUS_H

#include <stdbool.h>
#include "qemu/error.h"
#include "sysemu/accel-ops.h"

/*
 * Pick the accelerator from -accel / -machine accel= / -enable-kvm (the
 * default is kvm, falling back to tcg) and create @smp vCPUs on it with
 * guest RAM mapped.  Failures of one candidate are reported as QEMU does
 * before the next is tried; false when none could start (with *errp set
 * only if nothing was reported yet).
 */
bool cpus_init(unsigned smp, Error **errp);

/* Start the vCPU threads; they run guest code while the VM is running. */
void cpus_start(void);

/* The accelerator in use ("kvm", "tcg"), or NULL when no vCPU runs. */
const char *cpus_accel_name(void);

/* The vCPU thread's id for query-cpus-fast; 0 when no vCPU thread runs. */
long cpus_thread_id(unsigned index);

/*
 * Stop every vCPU at an instruction boundary and wait until none runs
 * guest code (BQL held; from the main loop), and let them go again.
 */
void pause_all_vcpus(void);
void resume_all_vcpus(void);

/*
 * A device asked for a reset or shutdown from a vCPU thread: that vCPU
 * runs no further guest instruction until the machine has acted on it.
 */
void cpu_stop_current(void);

/* Route an ISA/IOAPIC input to the accelerator's interrupt controller, if it has one. */
bool cpus_irqchip_in_kernel(void);
void cpus_set_irq(int gsi, int level);

#endif
