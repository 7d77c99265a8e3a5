/*
 * Delivery of interrupt messages (see include/hw/intc/msi-route.h).
 */
#include "exec/memory.h"
#include "hw/intc/msi-route.h"

static MSIDeliverFn deliver;
static void *deliver_opaque;
static uint64_t apic_messages;

void msi_set_delivery(MSIDeliverFn fn, void *opaque)
{
    deliver = fn;
    deliver_opaque = opaque;
}

void msi_route(uint64_t addr, uint32_t data, uint16_t requester)
{
    if ((addr >> 20) == (APIC_DEFAULT_ADDRESS >> 20)) {
        if (deliver) {
            deliver(deliver_opaque, addr, data, requester);
            return;
        }
        apic_messages++;
    }
    address_space_stl_le(&address_space_memory, addr, data, MEMTXATTRS_UNSPECIFIED, NULL);
}

uint64_t msi_route_apic_count(void)
{
    return apic_messages;
}
