/*
 * qcow2 L1/L2 entries: what an entry means, and the compressed cluster
 * descriptor (qcow2 spec, "Cluster mapping" and "Compressed Clusters
 * Descriptor").
 */
#include "block/qcow2.h"

QCow2ClusterType qcow2_get_cluster_type(uint64_t l2_entry, int version, int cluster_bits)
{
    uint64_t offset;

    if (l2_entry & QCOW_OFLAG_COMPRESSED) {
        /* Compressed clusters are never COPIED: they may share a host cluster. */
        return (l2_entry & QCOW_OFLAG_COPIED) ? QCOW2_CLUSTER_INVALID : QCOW2_CLUSTER_COMPRESSED;
    }
    if (l2_entry & L2E_STD_RESERVED_MASK) {
        return QCOW2_CLUSTER_INVALID;
    }
    offset = l2_entry & L2E_OFFSET_MASK;
    if (offset & ((1ull << cluster_bits) - 1)) {
        return QCOW2_CLUSTER_INVALID;
    }
    if (l2_entry & QCOW_OFLAG_ZERO) {
        if (version < 3) {
            return QCOW2_CLUSTER_INVALID;
        }
        return offset ? QCOW2_CLUSTER_ZERO_ALLOC : QCOW2_CLUSTER_ZERO_PLAIN;
    }
    if (!offset) {
        /* COPIED without an offset is meaningless; QEMU reads it as unallocated too. */
        return QCOW2_CLUSTER_UNALLOCATED;
    }
    return QCOW2_CLUSTER_NORMAL;
}

/*
 * The offset takes bits 0..x-1 with x = 62 - (cluster_bits - 8); the
 * next cluster_bits - 8 bits count the 512-byte sectors after the first.
 */
void qcow2_parse_compressed_l2_entry(uint64_t l2_entry, int cluster_bits,
                                     uint64_t *coffset, int *csize)
{
    unsigned shift = 62 - (cluster_bits - 8);
    uint64_t nb_sectors = ((l2_entry >> shift) & ((1ull << (cluster_bits - 8)) - 1)) + 1;

    *coffset = l2_entry & ((1ull << shift) - 1);
    *csize = nb_sectors * QCOW2_COMPRESSED_SECTOR_SIZE -
             (*coffset & (QCOW2_COMPRESSED_SECTOR_SIZE - 1));
}

uint64_t qcow2_make_compressed_l2_entry(uint64_t coffset, int csize, int cluster_bits)
{
    unsigned shift = 62 - (cluster_bits - 8);
    uint64_t nb_sectors = ((coffset + csize - 1) / QCOW2_COMPRESSED_SECTOR_SIZE) -
                          (coffset / QCOW2_COMPRESSED_SECTOR_SIZE);

    return QCOW_OFLAG_COMPRESSED | coffset | (nb_sectors << shift);
}
