/*
 * qcow2 on-disk format: constants, the parsed header and the pure helpers
 * (header validation, refcount entries, L1/L2 entries, compressed
 * clusters, snapshot table) that need no block layer.
 * Facts from QEMU's docs/interop/qcow2.txt.
 */
#ifndef BLOCK_QCOW2_H
#define BLOCK_QCOW2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "qemu/error.h"

#define QCOW_MAGIC 0x514649fbu             /* "QFI\xfb" */

#define QCOW2_V2_HEADER_SIZE   72
#define QCOW2_V3_HEADER_SIZE   104         /* without the compression type byte */

#define MIN_CLUSTER_BITS 9
#define MAX_CLUSTER_BITS 21

/* Limits QEMU enforces so that a hostile image cannot make us allocate GBs. */
#define QCOW_MAX_L1_SIZE        (32u * 1024 * 1024)
#define QCOW_MAX_REFTABLE_SIZE  (8u * 1024 * 1024)
#define QCOW_MAX_SNAPSHOTS      65536
#define QCOW_MAX_SNAPSHOT_EXTRA_DATA 1024
#define QCOW2_MAX_BACKING_FILE_NAME 1023

/* Header extension types */
#define QCOW2_EXT_MAGIC_END             0
#define QCOW2_EXT_MAGIC_BACKING_FORMAT  0xe2792acau
#define QCOW2_EXT_MAGIC_FEATURE_TABLE   0x6803f857u
#define QCOW2_EXT_MAGIC_CRYPTO_HEADER   0x0537be77u
#define QCOW2_EXT_MAGIC_BITMAPS         0x23852875u
#define QCOW2_EXT_MAGIC_DATA_FILE       0x44415441u

/* Feature bits */
#define QCOW2_INCOMPAT_DIRTY            (1ull << 0)
#define QCOW2_INCOMPAT_CORRUPT          (1ull << 1)
#define QCOW2_INCOMPAT_DATA_FILE        (1ull << 2)
#define QCOW2_INCOMPAT_COMPRESSION      (1ull << 3)
#define QCOW2_INCOMPAT_EXTL2            (1ull << 4)
#define QCOW2_INCOMPAT_MASK             0x1full
#define QCOW2_COMPAT_LAZY_REFCOUNTS     (1ull << 0)
#define QCOW2_AUTOCLEAR_BITMAPS         (1ull << 0)
#define QCOW2_AUTOCLEAR_DATA_FILE_RAW   (1ull << 1)

#define QCOW2_FEAT_TYPE_INCOMPATIBLE 0
#define QCOW2_FEAT_TYPE_COMPATIBLE   1
#define QCOW2_FEAT_TYPE_AUTOCLEAR    2
#define QCOW2_FEATURE_NAME_LEN       46
#define QCOW2_FEATURE_ENTRY_SIZE     48

#define QCOW2_COMPRESSION_TYPE_ZLIB 0
#define QCOW2_COMPRESSION_TYPE_ZSTD 1

/* L1/L2/reftable entry layout */
#define L1E_OFFSET_MASK        0x00fffffffffffe00ull
#define L1E_RESERVED_MASK      0x7f000000000001ffull
#define L2E_OFFSET_MASK        0x00fffffffffffe00ull
#define L2E_STD_RESERVED_MASK  0x3f000000000001feull
#define REFT_OFFSET_MASK       0xfffffffffffffe00ull
#define REFT_RESERVED_MASK     0x1ffull
#define QCOW_OFLAG_COPIED      (1ull << 63)
#define QCOW_OFLAG_COMPRESSED  (1ull << 62)
#define QCOW_OFLAG_ZERO        (1ull << 0)
#define QCOW2_COMPRESSED_SECTOR_SIZE 512

typedef struct Qcow2Feature {
    uint8_t type;
    uint8_t bit;
    char name[QCOW2_FEATURE_NAME_LEN + 1];
} Qcow2Feature;

/* An extension we do not interpret, kept so that a header rewrite preserves it. */
typedef struct Qcow2UnknownExt {
    uint32_t magic;
    uint32_t len;
    uint8_t *data;
} Qcow2UnknownExt;

typedef struct Qcow2Header {
    uint32_t version;
    uint64_t backing_file_offset;
    uint32_t backing_file_size;
    uint32_t cluster_bits;
    uint64_t size;
    uint32_t crypt_method;
    uint32_t l1_size;
    uint64_t l1_table_offset;
    uint64_t refcount_table_offset;
    uint32_t refcount_table_clusters;
    uint32_t nb_snapshots;
    uint64_t snapshots_offset;
    uint64_t incompatible_features;
    uint64_t compatible_features;
    uint64_t autoclear_features;
    uint32_t refcount_order;
    uint32_t header_length;
    uint8_t compression_type;

    /* From the extensions and the backing file name field. */
    char *backing_file;
    char *backing_format;
    bool has_bitmaps_ext;
    Qcow2Feature *features;
    int nb_features;
    Qcow2UnknownExt *unknown_exts;
    int nb_unknown_exts;
} Qcow2Header;

/*
 * Parse and validate the header held in @buf (the start of the file,
 * @buf_len bytes: the first cluster, or the whole file if shorter; bytes
 * past the file's end read as zero, as in QEMU).  Returns 0, or a negative errno
 * with a QEMU-worded error.  Features that are valid but unsupported
 * (external data file, extended L2, encryption) are refused here too.
 */
int qcow2_parse_header(const uint8_t *buf, size_t buf_len, Qcow2Header *h, Error **errp);
void qcow2_header_free(Qcow2Header *h);
/* The "Unsupported qcow2 feature(s): ..." error, names from the image's table. */
void qcow2_report_unsupported_feature(Error **errp, const Qcow2Feature *table, int n,
                                      uint64_t mask);
/*
 * Check that a table of @entries entries of @entry_len bytes at @offset
 * is aligned to the cluster and within @max_size bytes.
 */
int qcow2_validate_table(const Qcow2Header *h, uint64_t offset,
                         uint64_t entries, size_t entry_len, uint64_t max_size,
                         const char *table_name, Error **errp);

/* Refcount entries of width 1 << refcount_order bits (0..6) in a refblock. */
uint64_t qcow2_get_refcount_entry(const void *refblock, int refcount_order, uint64_t index);
void qcow2_set_refcount_entry(void *refblock, int refcount_order, uint64_t index,
                              uint64_t value);
static inline uint64_t qcow2_refcount_max(int refcount_order)
{
    return refcount_order == 6 ? UINT64_MAX : (1ull << (1u << refcount_order)) - 1;
}

/* What an L2 entry means (QEMU's QCow2ClusterType). */
typedef enum QCow2ClusterType {
    QCOW2_CLUSTER_UNALLOCATED,
    QCOW2_CLUSTER_ZERO_PLAIN,
    QCOW2_CLUSTER_ZERO_ALLOC,
    QCOW2_CLUSTER_NORMAL,
    QCOW2_CLUSTER_COMPRESSED,
    QCOW2_CLUSTER_INVALID,      /* reserved bits, misaligned, zero flag on v2... */
} QCow2ClusterType;

QCow2ClusterType qcow2_get_cluster_type(uint64_t l2_entry, int version, int cluster_bits);

/* Where a compressed cluster's bytes live: @coffset and @csize bytes. */
void qcow2_parse_compressed_l2_entry(uint64_t l2_entry, int cluster_bits,
                                     uint64_t *coffset, int *csize);
/* Build a compressed descriptor for data at @coffset of @csize bytes. */
uint64_t qcow2_make_compressed_l2_entry(uint64_t coffset, int csize, int cluster_bits);
/*
 * Decompress @src (trailing garbage allowed) into exactly @dest_size bytes.
 * Returns 0 or -EIO when the data is damaged or too short.
 */
int qcow2_decompress(int compression_type, void *dest, size_t dest_size,
                     const void *src, size_t src_size);
/*
 * Compress @src into at most @dest_size bytes; returns the length, or
 * -ENOSPC when it does not fit (the caller writes the cluster uncompressed).
 */
ssize_t qcow2_compress(int compression_type, void *dest, size_t dest_size,
                       const void *src, size_t src_size);

/* One internal snapshot (QEMU's QCowSnapshot). */
typedef struct Qcow2Snapshot {
    uint64_t l1_table_offset;
    uint32_t l1_size;
    char *id_str;
    char *name;
    uint32_t date_sec;
    uint32_t date_nsec;
    uint64_t vm_clock_nsec;
    uint64_t vm_state_size;
    uint64_t disk_size;
    bool has_disk_size;
    uint64_t icount;            /* UINT64_MAX when absent */
    uint32_t extra_data_size;
    uint8_t *unknown_extra_data; /* bytes past the ones we know, preserved */
} Qcow2Snapshot;

/*
 * Parse @nb snapshots from @buf (the table read from snapshots_offset,
 * @buf_len bytes).  Each snapshot's L1 table is bounds-checked too.
 * -ENODATA: @buf ends inside the table (read more and try again).
 */
int qcow2_parse_snapshots(const Qcow2Header *h, const uint8_t *buf, size_t buf_len,
                          Qcow2Snapshot **out, Error **errp);
void qcow2_free_snapshots(Qcow2Snapshot *sn, int nb);

#endif
