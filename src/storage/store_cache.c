/*
 * store_cache.c — a bounded read cache in front of another store (FISCO's CachedStorage).
 *
 * Why a cache: executing a block reads the same few rows again and again — the system config,
 * the consensus list, the accounts a busy contract touches — and every read from RocksDB or
 * SQLite decodes bytes from disk pages. Keeping recently read keys in memory, already decoded,
 * makes those reads cheap.
 *
 * Why it can never be stale: the only way rows change is a commit, and every commit passes
 * through this cache. A commit is written to the inner store FIRST; only then does the cache
 * drop every (table, key) the commit touched, so the next read of such a key goes to the inner
 * store and sees the new rows. There is no moment at which the cache holds a row that the
 * store no longer has. (If the inner commit fails, the touched keys are dropped as well: the
 * store's state is then whatever its atomic write left, and the cache must not guess.) The one
 * rule for users: never write to the inner store around the cache.
 *
 * Bounded: each cached key costs roughly the bytes of its rows (names, values and some
 * bookkeeping). When the total passes the capacity, the least recently used keys go first
 * (LRU): a doubly linked list runs from the most to the least recently used key, a hit moves
 * its key to the front, and eviction takes from the back. A key with no rows is cached too —
 * "this key is empty" is an answer worth remembering. Tables whose info says enable_cache =
 * false (_sys_tx_hash_2_block_: written once, read rarely) pass straight through.
 *
 * Threads: the parallel executor's workers read the tables at the same time (exec/pte.c), and
 * even a read changes the cache (a hit moves its key to the front, a miss adds a key), so one
 * mutex guards it all; a miss holds it while the inner store reads, which keeps the code
 * simple and the inner store single-threaded.
 *
 * FISCO's CachedStorage also delays the disk write (a background flush, max_forward_block);
 * this one does not: commit returns when the block is on disk, which keeps crash recovery
 * simple.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/hashmap.h"
#include "storage/store.h"

/* What one cached key costs beyond its rows' names and values (the item, the map slot). */
#define ITEM_OVERHEAD 96

typedef struct cache_item {
    bl_buf_t id;     /* table name, 0x00, key: also the map's key */
    entries_t rows;  /* the key's live rows, as the inner store returned them */
    size_t bytes;    /* what this item counts against the capacity */
    struct cache_item *newer, *older;
} cache_item_t;

typedef struct {
    store_t *inner;
    size_t capacity;
    size_t bytes;
    bl_map_t items;        /* id -> cache_item_t * */
    cache_item_t *newest;  /* the front of the LRU list */
    cache_item_t *oldest;  /* the back: evicted first */
    store_cache_stats_t stats;
    pthread_mutex_t mutex; /* everything above (see "Threads") */
} cache_t;

static const store_ops_t cache_ops;

static void
make_id(const char *table, const char *key, bl_buf_t *id)
{
    bl_buf_clear(id);
    bl_buf_append(id, table, strlen(table));
    bl_buf_push(id, 0);
    bl_buf_append(id, key, strlen(key));
}

static size_t
rows_bytes(const entries_t *rows)
{
    size_t n = 0;

    for (size_t i = 0; i < rows->count; i++) {
        n += sizeof(entry_t);
        for (size_t f = 0; f < rows->items[i].nfields; f++)
            n += sizeof(entry_field_t) + strlen(rows->items[i].fields[f].name) + 1 +
                 rows->items[i].fields[f].value.len;
    }
    return n;
}

/* ---- the LRU list ---- */

static void
list_unlink(cache_t *c, cache_item_t *it)
{
    if (it->newer != NULL)
        it->newer->older = it->older;
    else
        c->newest = it->older;
    if (it->older != NULL)
        it->older->newer = it->newer;
    else
        c->oldest = it->newer;
    it->newer = it->older = NULL;
}

static void
list_push_front(cache_t *c, cache_item_t *it)
{
    it->newer = NULL;
    it->older = c->newest;
    if (c->newest != NULL)
        c->newest->newer = it;
    c->newest = it;
    if (c->oldest == NULL)
        c->oldest = it;
}

static void
item_drop(cache_t *c, cache_item_t *it)
{
    list_unlink(c, it);
    bl_map_remove(&c->items, it->id.data, it->id.len);
    c->bytes -= it->bytes;
    c->stats.items--;
    bl_buf_free(&it->id);
    entries_free(&it->rows);
    free(it);
}

static void
evict_until_fits(cache_t *c)
{
    while (c->bytes > c->capacity && c->oldest != NULL) {
        item_drop(c, c->oldest);
        c->stats.evictions++;
    }
}

/* Remember a key's rows (copies them); nothing happens if they alone exceed the capacity. */
static void
item_add(cache_t *c, const bl_buf_t *id, const entries_t *rows)
{
    size_t bytes = ITEM_OVERHEAD + id->len + rows_bytes(rows);
    cache_item_t *it;

    if (bytes > c->capacity)
        return;
    it = bl_xcalloc(1, sizeof *it);
    bl_buf_append(&it->id, id->data, id->len);
    entries_init(&it->rows);
    for (size_t i = 0; i < rows->count; i++)
        entries_add(&it->rows, &rows->items[i]);
    it->bytes = bytes;
    bl_map_put(&c->items, it->id.data, it->id.len, it);
    list_push_front(c, it);
    c->bytes += bytes;
    c->stats.items++;
    evict_until_fits(c);
}

/* ---- the store operations ---- */

static int
cache_select_locked(store_t *s, const table_info_t *t, const char *key, entries_t *out)
{
    cache_t *c = s->impl;
    bl_buf_t id = BL_BUF_INIT;
    entries_t rows;
    cache_item_t *it;
    int rc;

    if (!t->enable_cache)
        return store_select(c->inner, t, key, out);
    make_id(t->name, key, &id);
    it = bl_map_get(&c->items, id.data, id.len);
    if (it != NULL) {
        c->stats.hits++;
        list_unlink(c, it);
        list_push_front(c, it);
        for (size_t i = 0; i < it->rows.count; i++)
            entries_add(out, &it->rows.items[i]);
        bl_buf_free(&id);
        return 0;
    }
    c->stats.misses++;
    entries_init(&rows);
    rc = store_select(c->inner, t, key, &rows);
    if (rc == 0) {
        item_add(c, &id, &rows);
        for (size_t i = 0; i < rows.count; i++)
            entries_take(out, &rows.items[i]);
    }
    entries_free(&rows);
    bl_buf_free(&id);
    return rc;
}

static int
cache_select(store_t *s, const table_info_t *t, const char *key, entries_t *out)
{
    cache_t *c = s->impl;
    int rc;

    pthread_mutex_lock(&c->mutex);
    rc = cache_select_locked(s, t, key, out);
    pthread_mutex_unlock(&c->mutex);
    return rc;
}

/* Forget every cached key the changes touch. */
static void
invalidate(cache_t *c, const table_change_t *changes, size_t n)
{
    bl_buf_t id = BL_BUF_INIT;

    for (size_t k = 0; k < n; k++) {
        const table_info_t *t = changes[k].info;

        for (size_t i = 0; t->enable_cache && i < changes[k].rows.count; i++) {
            const bl_buf_t *key = entry_get(&changes[k].rows.items[i], t->key_field);
            cache_item_t *it;

            if (key == NULL)
                continue; /* the inner store refuses such a row anyway */
            bl_buf_clear(&id);
            bl_buf_append(&id, t->name, strlen(t->name));
            bl_buf_push(&id, 0);
            bl_buf_append(&id, key->data, key->len);
            it = bl_map_get(&c->items, id.data, id.len);
            if (it != NULL)
                item_drop(c, it);
        }
    }
    bl_buf_free(&id);
}

static int
cache_commit(store_t *s, int64_t number, const table_change_t *changes, size_t n)
{
    cache_t *c = s->impl;
    int rc;

    pthread_mutex_lock(&c->mutex);
    rc = store_commit(c->inner, number, changes, n); /* the store first ... */
    invalidate(c, changes, n); /* ... then the cache, whatever the store said */
    pthread_mutex_unlock(&c->mutex);
    return rc;
}

static int
cache_keys(store_t *s, const table_info_t *t, int (*visit)(void *arg, const char *key),
           void *arg)
{
    cache_t *c = s->impl;

    return store_keys(c->inner, t, visit, arg);
}

static void
cache_close(store_t *s)
{
    cache_t *c = s->impl;

    while (c->oldest != NULL)
        item_drop(c, c->oldest);
    bl_map_free(&c->items, NULL);
    pthread_mutex_destroy(&c->mutex);
    store_close(c->inner);
    free(c);
    free(s);
}

static const store_ops_t cache_ops = {
    .name = "cache",
    .select = cache_select,
    .commit = cache_commit,
    .keys = cache_keys,
    .close = cache_close,
};

int
store_cache_open(store_t *inner, size_t capacity_bytes, store_t **out)
{
    store_t *s = bl_xcalloc(1, sizeof *s);
    cache_t *c = bl_xcalloc(1, sizeof *c);

    c->inner = inner;
    c->capacity = capacity_bytes;
    bl_map_init(&c->items);
    pthread_mutex_init(&c->mutex, NULL);
    c->stats.capacity = capacity_bytes;
    s->ops = &cache_ops;
    s->impl = c;
    *out = s;
    return 0;
}

int
store_cache_stats(store_t *s, store_cache_stats_t *out)
{
    cache_t *c;

    if (s->ops != &cache_ops)
        return bl_fail(BL_E_INVALID, "store \"%s\" is not a cache", s->ops->name);
    c = s->impl;
    pthread_mutex_lock(&c->mutex);
    *out = c->stats;
    out->bytes = c->bytes;
    pthread_mutex_unlock(&c->mutex);
    return 0;
}
