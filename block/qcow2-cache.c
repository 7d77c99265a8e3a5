/*
 * qcow2 metadata cache: L2 tables and refcount blocks are changed in
 * memory and written back on flush or eviction, in dependency order.
 */
#include <errno.h>
#include <string.h>
#include <glib.h>

#include "block/qcow2-int.h"

typedef struct CacheImpl {
    Qcow2Cache pub;
    size_t table_size;
} CacheImpl;

Qcow2Cache *qcow2_cache_create(int entries, size_t table_size, const char *name)
{
    CacheImpl *ci = g_new0(CacheImpl, 1);

    ci->table_size = table_size;
    ci->pub.size = entries;
    ci->pub.name = name;
    ci->pub.entries = g_new0(Qcow2CacheEntry, entries);
    for (int i = 0; i < entries; i++) {
        ci->pub.entries[i].table = g_malloc0(table_size);
    }
    return &ci->pub;
}

void qcow2_cache_destroy(Qcow2Cache *c)
{
    if (!c) {
        return;
    }
    for (int i = 0; i < c->size; i++) {
        g_free(c->entries[i].table);
    }
    g_free(c->entries);
    g_free(c);
}

static size_t table_size(Qcow2Cache *c)
{
    return ((CacheImpl *)c)->table_size;
}

void qcow2_cache_set_dependency(Qcow2Cache *c, Qcow2Cache *dependency)
{
    c->depends = dependency;
}

static int coroutine_fn flush_dependency(BlockDriverState *bs, Qcow2Cache *c)
{
    int ret;

    if (c->depends) {
        ret = qcow2_cache_write(bs, c->depends);
        if (ret < 0) {
            return ret;
        }
        c->depends = NULL;
        c->depends_on_flush = true;
    }
    if (c->depends_on_flush) {
        ret = bdrv_co_flush(bs->file->bs);
        if (ret < 0) {
            return ret;
        }
        c->depends_on_flush = false;
    }
    return 0;
}

static int coroutine_fn entry_flush(BlockDriverState *bs, Qcow2Cache *c, Qcow2CacheEntry *e)
{
    int ret;

    if (!e->dirty || !e->offset) {
        return 0;
    }
    ret = flush_dependency(bs, c);
    if (ret < 0) {
        return ret;
    }
    ret = qcow2_pre_write_overlap_check(bs, e->offset, table_size(c),
                                        c == ((BDRVQcow2State *)bs->opaque)->refcount_cache);
    if (ret < 0) {
        return ret;
    }
    ret = qcow2_file_pwrite(bs, e->offset, e->table, table_size(c));
    if (ret < 0) {
        return ret;
    }
    e->dirty = false;
    return 0;
}

int coroutine_fn qcow2_cache_write(BlockDriverState *bs, Qcow2Cache *c)
{
    int result = 0;

    for (int i = 0; i < c->size; i++) {
        int ret = entry_flush(bs, c, &c->entries[i]);

        if (ret < 0 && result == 0) {
            result = ret;
        }
    }
    return result;
}

int coroutine_fn qcow2_cache_get(BlockDriverState *bs, Qcow2Cache *c, uint64_t offset,
                                 bool read, uint8_t **table)
{
    Qcow2CacheEntry *victim = NULL;
    int ret;

    for (int i = 0; i < c->size; i++) {
        Qcow2CacheEntry *e = &c->entries[i];

        if (e->offset == offset) {
            e->lru = ++c->lru_counter;
            *table = e->table;
            return 0;
        }
        if (!victim || !e->offset || (victim->offset && e->lru < victim->lru)) {
            victim = e;
        }
    }
    ret = entry_flush(bs, c, victim);
    if (ret < 0) {
        return ret;
    }
    victim->offset = 0;
    if (read) {
        ret = qcow2_file_pread(bs, offset, victim->table, table_size(c));
        if (ret < 0) {
            return ret;
        }
    } else {
        memset(victim->table, 0, table_size(c));
    }
    victim->offset = offset;
    victim->dirty = false;
    victim->lru = ++c->lru_counter;
    *table = victim->table;
    return 0;
}

void qcow2_cache_mark_dirty(Qcow2Cache *c, const uint8_t *table)
{
    for (int i = 0; i < c->size; i++) {
        if (c->entries[i].table == table) {
            c->entries[i].dirty = true;
            return;
        }
    }
    g_assert_not_reached();
}

/* Forget a table whose cluster was freed, so a stale copy is never written back. */
void qcow2_cache_discard(Qcow2Cache *c, uint64_t offset)
{
    for (int i = 0; i < c->size; i++) {
        if (c->entries[i].offset == offset) {
            c->entries[i].offset = 0;
            c->entries[i].dirty = false;
        }
    }
}

int coroutine_fn qcow2_write_caches(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret = qcow2_cache_write(bs, s->l2_cache);

    if (ret < 0) {
        return ret;
    }
    return qcow2_cache_write(bs, s->refcount_cache);
}
