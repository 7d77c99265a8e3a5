/*
 * Where interrupt messages go: MSI/MSI-X writes from PCI devices and the
 * IOAPIC's messages are DWORD writes of @data to @addr.  Writes to the
 * APIC window 0xfee00000-0xfeefffff reach the installed handler (the local
 * APIC of whoever runs vCPUs); anything else, or with no handler, is
 * written to memory like a DMA write, which is what qtest tests observe.
 */
#ifndef HW_INTC_MSI_ROUTE_H
#define HW_INTC_MSI_ROUTE_H

#include <stdint.h>

#define APIC_DEFAULT_ADDRESS    0xfee00000
#define MSI_ADDR_DEST_ID_SHIFT  12
#define MSI_ADDR_DEST_MODE_SHIFT 2
#define MSI_DATA_DELIVERY_MODE_SHIFT 8
#define MSI_DATA_TRIGGER_SHIFT  15
#define MSI_DATA_LEVEL_SHIFT    14

typedef void (*MSIDeliverFn)(void *opaque, uint64_t addr, uint32_t data, uint16_t requester);

void msi_set_delivery(MSIDeliverFn fn, void *opaque);
void msi_route(uint64_t addr, uint32_t data, uint16_t requester);

/* Messages seen in the APIC window with no handler installed (for tests). */
uint64_t msi_route_apic_count(void);

/* qtest: map a window at 0xfee00000 where each message's data can be read back. */
void apic_msi_recorder_init(void);

#endif
