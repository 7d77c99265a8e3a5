/*
 * qcow2 internal snapshot table (qcow2 spec, "Snapshots"): a run of
 * entries, each a 40-byte fixed part, extra data, the ID and name
 * strings, padded to 8 bytes.  Reading and listing only.
 */
#include <errno.h>
#include <string.h>
#include <glib.h>

#include "block/qcow2.h"

#define SNAPSHOT_HEADER_SIZE 40
#define QCOW_MAX_SNAPSHOTS_SIZE (1024ull * QCOW_MAX_SNAPSHOTS)

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

int qcow2_parse_snapshots(const Qcow2Header *h, const uint8_t *buf, size_t buf_len,
                          Qcow2Snapshot **out, Error **errp)
{
    Qcow2Snapshot *sn = g_new0(Qcow2Snapshot, h->nb_snapshots ? h->nb_snapshots : 1);
    uint64_t off = 0;
    int ret;

    for (uint32_t i = 0; i < h->nb_snapshots; i++) {
        Qcow2Snapshot *s = &sn[i];
        const uint8_t *p;
        uint32_t id_len, name_len, extra;

        off = (off + 7) & ~7ull;
        if (off > buf_len || buf_len - off < SNAPSHOT_HEADER_SIZE) {
            goto truncated;
        }
        p = buf + off;
        s->l1_table_offset = be(p, 8);
        s->l1_size = be(p + 8, 4);
        id_len = be(p + 12, 2);
        name_len = be(p + 14, 2);
        s->date_sec = be(p + 16, 4);
        s->date_nsec = be(p + 20, 4);
        s->vm_clock_nsec = be(p + 24, 8);
        s->vm_state_size = be(p + 32, 4);
        extra = be(p + 36, 4);
        s->extra_data_size = extra;
        s->icount = UINT64_MAX;
        off += SNAPSHOT_HEADER_SIZE;

        if (extra > QCOW_MAX_SNAPSHOT_EXTRA_DATA) {
            error_setg(errp, "Too much extra metadata in snapshot table entry %u", i);
            ret = -EFBIG;
            goto fail;
        }
        if (buf_len - off < (uint64_t)extra + id_len + name_len) {
            goto truncated;
        }
        p = buf + off;
        if (extra >= 8) {
            s->vm_state_size = be(p, 8);
        }
        if (extra >= 16) {
            s->disk_size = be(p + 8, 8);
            s->has_disk_size = true;
        }
        if (extra >= 24) {
            s->icount = be(p + 16, 8);
        }
        if (extra > 24) {
            s->unknown_extra_data = g_memdup2(p + 24, extra - 24);
        }
        off += extra;
        s->id_str = g_strndup((const char *)buf + off, id_len);
        off += id_len;
        s->name = g_strndup((const char *)buf + off, name_len);
        off += name_len;
        if (off > QCOW_MAX_SNAPSHOTS_SIZE) {
            error_setg(errp, "Snapshot table is too big");
            ret = -EFBIG;
            goto fail;
        }
        ret = qcow2_validate_table(h, s->l1_table_offset, s->l1_size, 8, QCOW_MAX_L1_SIZE,
                                   "Snapshot L1 table", errp);
        if (ret < 0) {
            goto fail;
        }
    }
    *out = sn;
    return 0;

truncated:
    error_setg(errp, "Failed to read snapshot table: table truncated");
    ret = -ENODATA;
fail:
    qcow2_free_snapshots(sn, h->nb_snapshots);
    return ret;
}

void qcow2_free_snapshots(Qcow2Snapshot *sn, int nb)
{
    if (!sn) {
        return;
    }
    for (int i = 0; i < nb; i++) {
        g_free(sn[i].id_str);
        g_free(sn[i].name);
        g_free(sn[i].unknown_extra_data);
    }
    g_free(sn);
}
