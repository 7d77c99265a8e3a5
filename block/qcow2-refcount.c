/*
 * qcow2 refcount entries: a refblock is one cluster of entries
 * 1 << refcount_order bits wide, big-endian; sub-byte widths count from
 * the least significant bit of each byte (qcow2 spec, "Host cluster
 * management").
 */
#include "block/qcow2.h"

uint64_t qcow2_get_refcount_entry(const void *refblock, int refcount_order, uint64_t index)
{
    const uint8_t *p = refblock;

    switch (refcount_order) {
    case 0:
    case 1:
    case 2: {
        unsigned width = 1u << refcount_order;
        unsigned per_byte = 8 / width;
        unsigned shift = (index % per_byte) * width;

        return (p[index / per_byte] >> shift) & ((1u << width) - 1);
    }
    case 3:
        return p[index];
    default: {
        unsigned bytes = 1u << (refcount_order - 3);
        uint64_t v = 0;

        p += index * bytes;
        for (unsigned i = 0; i < bytes; i++) {
            v = (v << 8) | p[i];
        }
        return v;
    }
    }
}

void qcow2_set_refcount_entry(void *refblock, int refcount_order, uint64_t index,
                              uint64_t value)
{
    uint8_t *p = refblock;

    switch (refcount_order) {
    case 0:
    case 1:
    case 2: {
        unsigned width = 1u << refcount_order;
        unsigned per_byte = 8 / width;
        unsigned shift = (index % per_byte) * width;
        uint8_t mask = ((1u << width) - 1) << shift;

        p[index / per_byte] = (p[index / per_byte] & ~mask) | ((value << shift) & mask);
        break;
    }
    case 3:
        p[index] = value;
        break;
    default: {
        unsigned bytes = 1u << (refcount_order - 3);

        p += index * bytes;
        for (unsigned i = bytes; i-- > 0;) {
            p[i] = value;
            value >>= 8;
        }
        break;
    }
    }
}
