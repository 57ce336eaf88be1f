/*
 * kv.h — key-value stores: the bottom of the storage layer.
 *
 * Everything a node keeps on disk — table rows, trie nodes, blocks — ends up as pairs of byte
 * strings, key → value, in a key-value store. This interface is what the layers above (the AMDB
 * tables, the Merkle Patricia Trie, the world state) see; three backends implement it:
 *
 *   memory  — an ordered map in RAM; nothing survives the process (lessons and tests);
 *   rocksdb — RocksDB through its C API, the store FISCO BCOS uses by default: a log-structured
 *             merge tree whose write-ahead log makes every batch durable and atomic;
 *   sqlite  — one SQLite table kv(k BLOB PRIMARY KEY, v BLOB) in a database file.
 *
 * Three promises matter to a blockchain, and every backend keeps them:
 *   1. a batch is atomic: after kv_write() returns, all of its puts and deletes are visible; if
 *      the process dies during kv_write(), then after reopening either all of them or none are
 *      there — never some (a block is committed whole or not at all);
 *   2. a store opened on an existing directory or file comes back with everything its last
 *      completed kv_write() wrote (recovery);
 *   3. keys are ordered bytewise (memcmp, shorter first on a tie), so kv_scan() visits them in
 *      the same order on every backend — which makes hashes over scans backend-independent.
 *
 * A kv_t is used by one thread at a time (the node that owns it); the backends do no locking
 * of their own beyond what the libraries do.
 */
#ifndef BL_STORAGE_KV_H
#define BL_STORAGE_KV_H

#include <stdbool.h>
#include <stddef.h>

#include "base/bytes.h"

typedef struct kv kv_t;

/* ---- batches: a list of puts and deletes written together ---- */

typedef struct {
    bool is_delete;
    bl_buf_t key;
    bl_buf_t value; /* empty for a delete */
} kv_op_t;

typedef struct {
    kv_op_t *ops;
    size_t count;
    size_t cap;
} kv_batch_t;

void kv_batch_init(kv_batch_t *b);
void kv_batch_free(kv_batch_t *b);
void kv_batch_clear(kv_batch_t *b);
/* The batch copies key and value. Later operations on the same key win. */
void kv_batch_put(kv_batch_t *b, bl_span_t key, bl_span_t value);
void kv_batch_delete(kv_batch_t *b, bl_span_t key);

/* ---- the store ---- */

/* The backend's operations; each backend fills one of these (kv_memory.c, kv_rocksdb.c,
 * kv_sqlite.c). */
typedef struct {
    const char *name;
    int (*get)(kv_t *kv, bl_span_t key, bl_buf_t *value);
    int (*write)(kv_t *kv, const kv_batch_t *batch);
    int (*scan)(kv_t *kv, bl_span_t from, bl_span_t to,
                int (*visit)(void *arg, bl_span_t key, bl_span_t value), void *arg);
    void (*close)(kv_t *kv);
} kv_ops_t;

struct kv {
    const kv_ops_t *ops;
    void *impl; /* the backend's own state */
};

/* Open a store. backend is "memory", "rocksdb" or "sqlite"; path is the RocksDB directory or
 * the SQLite file (created if missing; ignored for memory). BL_E_INVALID for an unknown backend,
 * BL_E_DB with the library's message if the database cannot be opened. */
int kv_open(const char *backend, const char *path, kv_t **out);
void kv_close(kv_t *kv);
/* "memory", "rocksdb" or "sqlite" */
const char *kv_backend_name(const kv_t *kv);

/* The value of key, replacing the contents of *value. BL_E_NOTFOUND (value untouched) if the
 * key is absent. */
int kv_get(kv_t *kv, bl_span_t key, bl_buf_t *value);
/* Write a batch atomically (promise 1). An empty batch is a no-op. */
int kv_write(kv_t *kv, const kv_batch_t *batch);
/* One-operation batches, for convenience. */
int kv_put(kv_t *kv, bl_span_t key, bl_span_t value);
int kv_delete(kv_t *kv, bl_span_t key);

/* Visit, in key order, every pair with from <= key < to; an empty `to` means "to the end".
 * visit returns 0 to go on, 1 to stop early (kv_scan then returns BL_OK), or a negative BL_E_*
 * code, which kv_scan returns. The spans are valid only during the call. The store must not be
 * written from inside visit. */
int kv_scan(kv_t *kv, bl_span_t from, bl_span_t to,
            int (*visit)(void *arg, bl_span_t key, bl_span_t value), void *arg);
/* The same for every key that starts with prefix. */
int kv_scan_prefix(kv_t *kv, bl_span_t prefix,
                   int (*visit)(void *arg, bl_span_t key, bl_span_t value), void *arg);

/* The backends' constructors, called by kv_open(). */
int kv_memory_open(kv_t **out);
int kv_rocksdb_open(const char *dir, kv_t **out);
int kv_sqlite_open(const char *file, kv_t **out);

#endif
