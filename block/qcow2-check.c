/*
 * qcow2 consistency check and repair (qemu-img check): count every
 * reference the metadata makes to each host cluster, compare with the
 * refcounts on disk, then check the COPIED flags against them.  Found
 * problems are named on stderr in QEMU 7.2's words; -r leaks lowers
 * refcounts that are too high, -r all also raises the ones too low and
 * fixes COPIED flags.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "block/qcow2-int.h"
#include "qemu/memalign.h"

typedef struct CheckState {
    BlockDriverState *bs;
    BdrvCheckResult *res;
    uint16_t *refs;             /* references counted, per host cluster */
    uint64_t nb_clusters;
    uint64_t next_contiguous;   /* fragmentation: where the next data cluster would follow */
    int64_t file_len;
} CheckState;

static void add_ref(CheckState *cs, uint64_t offset, uint64_t size)
{
    BDRVQcow2State *s = cs->bs->opaque;

    if (!size) {
        return;
    }
    if ((int64_t)(offset + size) - cs->file_len >= (int64_t)s->cluster_size) {
        fprintf(stderr, "ERROR: counting reference for region exceeding the end of the file by "
                "one cluster or more: offset 0x%" PRIx64 " size 0x%" PRIx64 "\n", offset, size);
        cs->res->corruptions++;
        return;
    }
    for (uint64_t c = offset >> s->cluster_bits; c <= (offset + size - 1) >> s->cluster_bits;
         c++) {
        if (c >= cs->nb_clusters) {
            uint64_t n = MAX(c + 1, cs->nb_clusters * 2);

            cs->refs = g_renew(uint16_t, cs->refs, n);
            memset(cs->refs + cs->nb_clusters, 0, (n - cs->nb_clusters) * sizeof(uint16_t));
            cs->nb_clusters = n;
        }
        if (cs->refs[c] < UINT16_MAX) {
            cs->refs[c]++;
        }
    }
}

/* The references one L2 table makes; @active: the image's own L1, for the statistics. */
static int coroutine_fn count_l2(CheckState *cs, uint64_t l2_offset, bool active)
{
    BDRVQcow2State *s = cs->bs->opaque;
    uint64_t n = 1ull << s->l2_bits;
    uint64_t *l2;
    int ret = qcow2_cache_get(cs->bs, s->l2_cache, l2_offset, true, (uint8_t **)&l2);

    if (ret < 0) {
        return ret;
    }
    cs->next_contiguous = 0;        /* QEMU counts fragmentation within each L2 table */
    for (uint64_t i = 0; i < n; i++) {
        uint64_t entry = GUINT64_FROM_BE(l2[i]), coffset;
        QCow2ClusterType type = qcow2_get_cluster_type(entry, s->header.version,
                                                       s->cluster_bits);
        int csize;

        bool misaligned = false;

        /* a misaligned data entry still counts, as in QEMU: allocated, and referencing */
        if (type == QCOW2_CLUSTER_INVALID && !(entry & QCOW_OFLAG_COMPRESSED) &&
            offset_into_cluster(s, entry & L2E_OFFSET_MASK)) {
            type = (entry & QCOW_OFLAG_ZERO) ? QCOW2_CLUSTER_ZERO_ALLOC : QCOW2_CLUSTER_NORMAL;
            misaligned = true;
        }
        switch (type) {
        case QCOW2_CLUSTER_COMPRESSED:
            qcow2_parse_compressed_l2_entry(entry, s->cluster_bits, &coffset, &csize);
            add_ref(cs, coffset, csize);
            if (active) {
                cs->res->allocated_clusters++;
                cs->res->compressed_clusters++;
                /* compressed clusters are fragmented by nature (QEMU counts them so) */
                cs->res->fragmented_clusters++;
            }
            break;
        case QCOW2_CLUSTER_ZERO_ALLOC:
        case QCOW2_CLUSTER_NORMAL:
            if (!(entry & L2E_OFFSET_MASK)) {
                break;
            }
            if (active) {
                uint64_t off = entry & L2E_OFFSET_MASK;

                cs->res->allocated_clusters++;
                if (cs->next_contiguous && off != cs->next_contiguous) {
                    cs->res->fragmented_clusters++;
                }
                cs->next_contiguous = off + s->cluster_size;
            }
            if (misaligned) {
                fprintf(stderr, "ERROR offset=%" PRIx64 ": %s cluster is not properly aligned; "
                        "L2 entry corrupted.\n", (uint64_t)(entry & L2E_OFFSET_MASK),
                        type == QCOW2_CLUSTER_ZERO_ALLOC ? "Preallocated zero" : "Data");
                cs->res->corruptions++;
            }
            add_ref(cs, entry & L2E_OFFSET_MASK, s->cluster_size);
            break;
        case QCOW2_CLUSTER_INVALID:
            fprintf(stderr, "ERROR offset=%" PRIx64 ": Cluster is not properly aligned; "
                    "L2 entry corrupted.\n", (uint64_t)(entry & L2E_OFFSET_MASK));
            cs->res->corruptions++;
            break;
        default:
            break;
        }
    }
    return 0;
}

static int coroutine_fn count_l1(CheckState *cs, uint64_t l1_offset, uint32_t l1_size,
                                 const uint64_t *table, bool active)
{
    BDRVQcow2State *s = cs->bs->opaque;
    g_autofree uint64_t *buf = NULL;

    add_ref(cs, l1_offset, (uint64_t)l1_size * 8);
    if (!table) {
        int ret;

        buf = g_new(uint64_t, l1_size ? l1_size : 1);
        ret = l1_size ? qcow2_file_pread(cs->bs, l1_offset, buf, (uint64_t)l1_size * 8) : 0;
        if (ret < 0) {
            fprintf(stderr, "ERROR: I/O error in check_refcounts_l1\n");
            cs->res->check_errors++;
            return ret;
        }
        for (uint32_t i = 0; i < l1_size; i++) {
            buf[i] = GUINT64_FROM_BE(buf[i]);
        }
        table = buf;
    }
    for (uint32_t i = 0; i < l1_size; i++) {
        uint64_t l2_offset = table[i] & L1E_OFFSET_MASK;
        int ret;

        if (!l2_offset) {
            continue;
        }
        add_ref(cs, l2_offset, s->cluster_size);
        if (offset_into_cluster(s, l2_offset)) {
            fprintf(stderr, "ERROR l2_offset=%" PRIx64 ": Table is not cluster aligned; L1 "
                    "entry corrupted\n", l2_offset);
            cs->res->corruptions++;
            continue;
        }
        ret = count_l2(cs, l2_offset, active);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

static uint64_t snapshot_table_size(BDRVQcow2State *s)
{
    uint64_t off = 0;

    for (uint32_t i = 0; i < s->header.nb_snapshots; i++) {
        Qcow2Snapshot *sn = &s->snapshots[i];

        off = (off + 7) & ~7ull;
        off += 40 + sn->extra_data_size + strlen(sn->id_str) + strlen(sn->name);
    }
    return off;
}

static int coroutine_fn count_references(CheckState *cs)
{
    BDRVQcow2State *s = cs->bs->opaque;
    int ret;

    add_ref(cs, 0, s->cluster_size);
    ret = count_l1(cs, s->l1_table_offset, s->l1_size, s->l1_table, true);
    for (uint32_t i = 0; ret >= 0 && i < s->header.nb_snapshots; i++) {
        ret = count_l1(cs, s->snapshots[i].l1_table_offset, s->snapshots[i].l1_size, NULL,
                       false);
    }
    if (ret < 0) {
        return ret;
    }
    if (s->header.nb_snapshots) {
        add_ref(cs, s->header.snapshots_offset, snapshot_table_size(s));
    }
    add_ref(cs, s->refcount_table_offset, s->refcount_table_size * 8);
    for (uint64_t i = 0; i < s->refcount_table_size; i++) {
        uint64_t off = s->refcount_table[i] & REFT_OFFSET_MASK;

        if (!off) {
            continue;
        }
        if (offset_into_cluster(s, off)) {
            fprintf(stderr, "ERROR refcount block %" PRIu64 " is not cluster aligned; refcount "
                    "table entry corrupted\n", i);
            cs->res->corruptions++;
            continue;
        }
        add_ref(cs, off, s->cluster_size);
    }
    return 0;
}

/*
 * On-disk refcounts against the counted references.  With @fix, make them
 * agree where allowed; a refcount of 0 where there are references sets
 * *rebuild instead (QEMU rebuilds the refcount structures then).  @quiet:
 * the silent pass of a rebuild.
 */
static int coroutine_fn compare_refcounts(CheckState *cs, int fix, int64_t file_clusters,
                                          bool *rebuild, bool quiet)
{
    BlockDriverState *bs = cs->bs;
    BDRVQcow2State *s = bs->opaque;
    uint64_t end = MAX(cs->nb_clusters, (uint64_t)file_clusters);
    int64_t highest = -1;

    for (uint64_t i = 0; i < end; i++) {
        uint64_t r1, r2 = i < cs->nb_clusters ? cs->refs[i] : 0;
        int ret = qcow2_get_refcount(bs, i, &r1);
        int64_t *fixed = NULL;

        if (ret < 0) {
            fprintf(stderr, "Can't get refcount for cluster %" PRIu64 ": %s\n", i,
                    strerror(-ret));
            cs->res->check_errors++;
            continue;
        }
        if (r1 || r2) {
            highest = i;
        }
        if (r1 == r2) {
            continue;
        }
        if (r1 == 0 && !quiet) {
            *rebuild = true;
        } else if (r1 > r2 && (fix & BDRV_FIX_LEAKS)) {
            fixed = &cs->res->leaks_fixed;
        } else if (r1 < r2 && (fix & BDRV_FIX_ERRORS)) {
            fixed = &cs->res->corruptions_fixed;
        }
        if (!quiet) {
            fprintf(stderr, "%s cluster %" PRIu64 " refcount=%" PRIu64 " reference=%" PRIu64
                    "\n", fixed ? "Repairing" : r1 < r2 ? "ERROR" : "Leaked", i, r1, r2);
        }
        if (fixed && qcow2_update_refcount(bs, i << s->cluster_bits, s->cluster_size,
                                           (int64_t)r2 - (int64_t)r1) >= 0) {
            *fixed += 1;
            continue;
        }
        *(r1 < r2 ? &cs->res->corruptions : &cs->res->leaks) += 1;
    }
    cs->res->image_end_offset = (highest + 1) << s->cluster_bits;
    return 0;
}

/*
 * Where a cluster in use has refcount 0, QEMU rebuilds all refcount
 * structures; minivm sets every refcount to what was counted in place
 * (new refcount blocks come from the ordinary allocator), then the
 * double check that follows sees the result.
 */
static int coroutine_fn repair_all_refcounts(CheckState *cs, int64_t file_clusters)
{
    bool unused;
    int ret = 0;

    fprintf(stderr, "Rebuilding refcount structure\n");
    for (int pass = 0; pass < 4; pass++) {
        BdrvCheckResult r = { 0 };
        BdrvCheckResult *saved = cs->res;

        cs->res = &r;
        ret = compare_refcounts(cs, BDRV_FIX_LEAKS | BDRV_FIX_ERRORS, file_clusters, &unused,
                                true);
        cs->res = saved;
        cs->res->corruptions_fixed += r.corruptions_fixed;
        cs->res->leaks_fixed += r.leaks_fixed;
        if (ret < 0 || (!r.corruptions && !r.leaks)) {
            break;
        }
        /* a refcount block was missing: allocating it changed the picture; count again */
        memset(cs->refs, 0, cs->nb_clusters * sizeof(uint16_t));
        ret = count_references(cs);
        if (ret < 0) {
            break;
        }
    }
    cs->res->corruptions = cs->res->leaks = 0;
    return ret;
}

/* COPIED must be set exactly where the refcount is 1 (active L1 and its L2 tables). */
static int coroutine_fn check_copied(CheckState *cs, int fix)
{
    BlockDriverState *bs = cs->bs;
    BDRVQcow2State *s = bs->opaque;
    bool l1_dirty = false;
    int ret = 0;

    /*
     * As QEMU: -r all repairs these; -r leaks only when nothing else is
     * wrong any more, the refcounts being right by then.
     */
    if (fix & BDRV_FIX_ERRORS) {
        fix = 1;
    } else if (fix & BDRV_FIX_LEAKS) {
        fix = !cs->res->check_errors && !cs->res->corruptions && !cs->res->leaks;
    }

    for (uint32_t i = 0; i < s->l1_size && ret >= 0; i++) {
        uint64_t l1e = s->l1_table[i], l2_offset = l1e & L1E_OFFSET_MASK, rc, *l2;

        if (!l2_offset || offset_into_cluster(s, l2_offset)) {
            continue;
        }
        ret = qcow2_get_refcount(bs, l2_offset >> s->cluster_bits, &rc);
        if (ret < 0) {
            break;
        }
        if ((rc == 1) != !!(l1e & QCOW_OFLAG_COPIED)) {
            fprintf(stderr, "%s OFLAG_COPIED L2 cluster: l1_index=%u l1_entry=%" PRIx64
                    " refcount=%" PRIu64 "\n", fix ? "Repairing" : "ERROR", i, l1e, rc);
            if (fix) {
                s->l1_table[i] = rc == 1 ? l1e | QCOW_OFLAG_COPIED : l1e & ~QCOW_OFLAG_COPIED;
                l1_dirty = true;
                cs->res->corruptions_fixed++;
            } else {
                cs->res->corruptions++;
            }
        }
        ret = qcow2_cache_get(bs, s->l2_cache, l2_offset, true, (uint8_t **)&l2);
        for (uint64_t j = 0; ret >= 0 && j < (1ull << s->l2_bits); j++) {
            uint64_t e = GUINT64_FROM_BE(l2[j]);
            QCow2ClusterType t = qcow2_get_cluster_type(e, s->header.version, s->cluster_bits);

            if ((t != QCOW2_CLUSTER_NORMAL && t != QCOW2_CLUSTER_ZERO_ALLOC) ||
                !(e & L2E_OFFSET_MASK)) {
                continue;
            }
            ret = qcow2_get_refcount(bs, (e & L2E_OFFSET_MASK) >> s->cluster_bits, &rc);
            if (ret < 0 || (rc == 1) == !!(e & QCOW_OFLAG_COPIED)) {
                continue;
            }
            fprintf(stderr, "%s OFLAG_COPIED data cluster: l2_entry=%" PRIx64 " refcount=%"
                    PRIu64 "\n", fix ? "Repairing" : "ERROR", e, rc);
            if (fix) {
                e = rc == 1 ? e | QCOW_OFLAG_COPIED : e & ~QCOW_OFLAG_COPIED;
                l2[j] = GUINT64_TO_BE(e);
                qcow2_cache_mark_dirty(s->l2_cache, (uint8_t *)l2);
                cs->res->corruptions_fixed++;
            } else {
                cs->res->corruptions++;
            }
        }
    }
    if (ret >= 0 && l1_dirty) {
        g_autofree uint64_t *be = g_new(uint64_t, s->l1_size);

        for (uint32_t i = 0; i < s->l1_size; i++) {
            be[i] = GUINT64_TO_BE(s->l1_table[i]);
        }
        ret = qcow2_file_pwrite(bs, s->l1_table_offset, be, (uint64_t)s->l1_size * 8);
    }
    return ret;
}

int coroutine_fn qcow2_co_check(BlockDriverState *bs, BdrvCheckResult *res, int fix)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t file_len = bdrv_getlength(bs->file->bs);
    CheckState cs = { .bs = bs, .res = res, .file_len = file_len };
    int ret;

    if (file_len < 0) {
        return file_len;
    }
    qemu_co_mutex_lock(&s->lock);
    res->total_clusters = DIV_ROUND_UP(s->header.size, s->cluster_size);
    cs.nb_clusters = DIV_ROUND_UP(file_len, s->cluster_size);
    cs.refs = g_new0(uint16_t, cs.nb_clusters ? cs.nb_clusters : 1);
    ret = count_references(&cs);
    if (ret >= 0) {
        /* as QEMU: one pass that only reports, then the repairs allowed */
        int64_t clusters = DIV_ROUND_UP(file_len, s->cluster_size);
        BdrvCheckResult before = *res;
        bool rebuild = false;

        ret = compare_refcounts(&cs, 0, clusters, &rebuild, false);
        if (ret >= 0 && rebuild && (fix & BDRV_FIX_ERRORS)) {
            ret = repair_all_refcounts(&cs, clusters);
        } else if (ret >= 0 && fix && rebuild) {
            fprintf(stderr, "ERROR need to rebuild refcount structures\n");
            res->check_errors++;
            ret = -EIO;
        } else if (ret >= 0 && fix && (res->leaks || res->corruptions)) {
            *res = before;
            ret = compare_refcounts(&cs, fix, clusters, &rebuild, false);
        }
    }
    if (ret >= 0) {
        ret = check_copied(&cs, fix);
    }
    if (ret >= 0 && fix) {
        ret = qcow2_write_caches(bs);
        if (ret >= 0) {
            ret = bdrv_co_flush(bs->file->bs);
        }
    }
    qemu_co_mutex_unlock(&s->lock);
    g_free(cs.refs);
    return ret;
}
