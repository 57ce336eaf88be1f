/*
 * store.h — where committed AMDB rows live: the table layer's backend (FISCO's "Storage").
 *
 * The table layer (amdb.h) keeps a block's writes in memory while the block executes. When the
 * block commits, all of those writes go to a store in ONE atomic step, and from then on they
 * are what select() reads. A store knows nothing about blocks in flight, conditions or dbHash:
 * it answers "which committed rows does table T hold under key K?" and "apply these changes,
 * all or nothing".
 *
 * Implementations:
 *   store_kv.c      rows in a key-value store (kv.h: memory or RocksDB), as FISCO does with
 *                   RocksDB: one kv pair per (table, key) whose value is all live rows of that
 *                   key; the whole block is one kv batch, so it commits atomically;
 *   store_sqlite.c  each AMDB table is a real SQL table with a column per field (plus _id_,
 *                   _num_, _status_), so `sqlite3 FILE 'select * from u_demo'` shows the rows;
 *                   a block is one SQL transaction;
 *   store_cache.c   a bounded read cache in front of another store (FISCO's CachedStorage); it
 *                   updates itself from every commit, so it never returns stale rows.
 *
 * A table's schema (table_info_t) comes with every call: the store may create the table's home
 * (a SQL table) the first time it is written.
 */
#ifndef BL_STORAGE_STORE_H
#define BL_STORAGE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "storage/entry.h"
#include "storage/kv.h"

/* The rows one block wrote to one table. Every row has its key field set and its _id_ given
 * (never 0) and its _num_ = the block. A row with an _id_ the store holds replaces that row; a
 * new _id_ adds a row; status ENTRY_DELETED removes the row with that _id_ (the store keeps no
 * deleted rows: there is no history in table storage). */
typedef struct {
    const table_info_t *info;
    entries_t rows;
} table_change_t;

typedef struct store store_t;

typedef struct {
    const char *name; /* "kv:memory", "kv:rocksdb", "sqlite", "cache" */
    /* Append to *out (not cleared first) the live rows of `key`, in _id_ order. A table never
     * written has no rows: that is not an error. */
    int (*select)(store_t *s, const table_info_t *t, const char *key, entries_t *out);
    /* Apply the changes of block `number` atomically: afterwards all are visible, and if the
     * process dies inside, a reopened store has all or none of them. */
    int (*commit)(store_t *s, int64_t number, const table_change_t *changes, size_t n);
    /* Visit, in bytewise order, every key of the table that has live rows; visit returns 0 to
     * go on, 1 to stop, or a BL_E_* code to abort with. For tools and the visualizer. */
    int (*keys)(store_t *s, const table_info_t *t, int (*visit)(void *arg, const char *key),
                void *arg);
    void (*close)(store_t *s);
} store_ops_t;

struct store {
    const store_ops_t *ops;
    void *impl;
};

int store_select(store_t *s, const table_info_t *t, const char *key, entries_t *out);
int store_commit(store_t *s, int64_t number, const table_change_t *changes, size_t n);
int store_keys(store_t *s, const table_info_t *t, int (*visit)(void *arg, const char *key),
               void *arg);
void store_close(store_t *s);

/* Rows in a key-value store. The store borrows kv (closing the store does not close kv), so
 * one kv can also hold other things, such as trie nodes. */
int store_kv_open(kv_t *kv, store_t **out);
/* Real SQL tables in an SQLite database file (created if missing). */
int store_sqlite_open(const char *file, store_t **out);
/* A read cache of at most capacity_bytes in front of inner; closing it closes inner. */
int store_cache_open(store_t *inner, size_t capacity_bytes, store_t **out);

/* What a cache has done so far (for a statistics view). */
typedef struct {
    uint64_t hits;      /* selects answered from memory */
    uint64_t misses;    /* selects that went to the inner store */
    uint64_t evictions; /* keys dropped to stay within the capacity */
    size_t items;       /* keys cached now */
    size_t bytes;       /* their approximate size */
    size_t capacity;
} store_cache_stats_t;

/* BL_E_INVALID if s is not a cache. */
int store_cache_stats(store_t *s, store_cache_stats_t *out);

#endif
