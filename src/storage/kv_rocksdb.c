/*
 * kv_rocksdb.c — the RocksDB backend, the store FISCO BCOS uses by default.
 *
 * RocksDB is a log-structured merge tree (LSM tree). It never updates a key where it lies on
 * disk. A write goes to two places: it is appended to the write-ahead log (WAL), a plain file
 * that only ever grows at its end, and inserted into the memtable, a sorted map in memory (a
 * skip list, like kv_memory.c). When the memtable is full it is written out as a sorted,
 * immutable file (an SST), and background compactions merge SST files into bigger ones, dropping
 * overwritten and deleted keys. A read looks in the memtable first, then in the SSTs from newest
 * to oldest; a scan merges them all, in key order.
 *
 * The WAL is what makes a write safe. If the process dies, the memtable is lost, but on the next
 * open RocksDB replays the WAL into a new memtable. A WriteBatch is appended to the WAL as one
 * record with a checksum, so replay finds either the whole record or a torn, unreadable tail —
 * which it drops. That is why a batch is atomic (kv.h promise 1): a crash in the middle of a
 * write leaves either all of the batch or none of it.
 *
 * Appending to a file only puts the bytes in the operating system's cache. That survives our
 * process being killed, but not a power cut or a kernel crash. So every write here is a sync
 * write (WriteOptions sync = 1): rocksdb_write() returns only after the WAL has been fsync'ed to
 * the disk. It is the expensive part of a write (one disk flush per batch; the crash test prints
 * how many batches per second that allows), and the reason the ledger writes a whole block as
 * one batch instead of key by key.
 *
 * Keys are compared by RocksDB's default comparator, which is bytewise with the shorter key first
 * on a tie — exactly kv.h promise 3. Every error RocksDB reports comes back as a malloc'd string;
 * we turn it into BL_E_DB with that text and free it.
 */
#include "storage/kv.h"

#include <rocksdb/c.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

typedef struct {
    rocksdb_t *db;
    rocksdb_options_t *options;
    rocksdb_readoptions_t *read;
    rocksdb_writeoptions_t *write; /* with sync = 1 */
    char *dir;                     /* for messages */
} rocks_t;

/* RocksDB takes (const char *, length) pairs; an empty key or value may be a NULL pointer in a
 * bl_span_t, and we do not hand NULL to a library that may copy from it. */
static const char *
chars(const uint8_t *p)
{
    return p != NULL ? (const char *)p : "";
}

/* Turn RocksDB's error string into BL_E_DB with a message naming what we were doing, and free
 * the string (it was malloc'd by RocksDB). */
static int
rocks_fail(char *err, const rocks_t *r, const char *doing)
{
    int rc = bl_fail(BL_E_DB, "RocksDB %s %s: %s", doing, r->dir, err);

    rocksdb_free(err);
    return rc;
}

static void
rocks_destroy(rocks_t *r)
{
    if (r->db != NULL)
        rocksdb_close(r->db);
    if (r->options != NULL)
        rocksdb_options_destroy(r->options);
    if (r->read != NULL)
        rocksdb_readoptions_destroy(r->read);
    if (r->write != NULL)
        rocksdb_writeoptions_destroy(r->write);
    free(r->dir);
    free(r);
}

/* ---- the backend's operations ---- */

/* rocksdb_get_pinned() returns NULL for a missing key and a handle otherwise; unlike
 * rocksdb_get(), an empty value and a missing key can never be mistaken for each other. */
static int
rocks_get(kv_t *kv, bl_span_t key, bl_buf_t *value)
{
    rocks_t *r = kv->impl;
    char *err = NULL;
    rocksdb_pinnableslice_t *found;
    const char *p;
    size_t n;

    found = rocksdb_get_pinned(r->db, r->read, chars(key.ptr), key.len, &err);
    if (err != NULL)
        return rocks_fail(err, r, "read failed in");
    if (found == NULL)
        return BL_E_NOTFOUND;
    p = rocksdb_pinnableslice_value(found, &n);
    bl_buf_clear(value);
    bl_buf_append(value, p, n);
    rocksdb_pinnableslice_destroy(found);
    return BL_OK;
}

/* One WriteBatch for the whole kv batch, in the same order, written with sync = 1. RocksDB
 * applies a WriteBatch's operations in order too, so a later op on the same key wins. */
static int
rocks_write(kv_t *kv, const kv_batch_t *batch)
{
    rocks_t *r = kv->impl;
    rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
    char *err = NULL;

    for (size_t i = 0; i < batch->count; i++) {
        const kv_op_t *op = &batch->ops[i];

        if (op->is_delete)
            rocksdb_writebatch_delete(wb, chars(op->key.data), op->key.len);
        else
            rocksdb_writebatch_put(wb, chars(op->key.data), op->key.len,
                                   chars(op->value.data), op->value.len);
    }
    rocksdb_write(r->db, r->write, wb, &err);
    rocksdb_writebatch_destroy(wb);
    if (err != NULL)
        return rocks_fail(err, r, "write failed in");
    return BL_OK;
}

/* Is the iterator's current key at or past the end of the range? An empty `to` has no end. */
static bool
past_end(rocksdb_iterator_t *it, bl_span_t to)
{
    size_t n, common;
    const char *k;
    int c;

    if (to.len == 0)
        return false;
    k = rocksdb_iter_key(it, &n);
    common = n < to.len ? n : to.len;
    c = common ? memcmp(k, to.ptr, common) : 0;
    return c > 0 || (c == 0 && n >= to.len);
}

/* An iterator sees the store as it was when it was created (a snapshot), even while other
 * writes go on; we seek it to `from` and step until `to`. */
static int
rocks_scan(kv_t *kv, bl_span_t from, bl_span_t to,
           int (*visit)(void *arg, bl_span_t key, bl_span_t value), void *arg)
{
    rocks_t *r = kv->impl;
    rocksdb_iterator_t *it = rocksdb_create_iterator(r->db, r->read);
    char *err = NULL;
    int rc = BL_OK;

    for (rocksdb_iter_seek(it, chars(from.ptr), from.len); rocksdb_iter_valid(it);
         rocksdb_iter_next(it)) {
        size_t klen, vlen;
        const char *k, *v;

        if (past_end(it, to))
            break;
        k = rocksdb_iter_key(it, &klen);
        v = rocksdb_iter_value(it, &vlen);
        rc = visit(arg, bl_span(k, klen), bl_span(v, vlen));
        if (rc != 0)
            goto out;
    }
    /* An iterator stops being valid at the end of the data or on an error (a damaged file). */
    rocksdb_iter_get_error(it, &err);
    if (err != NULL)
        rc = rocks_fail(err, r, "scan failed in");
out:
    rocksdb_iter_destroy(it);
    return rc;
}

static void
rocks_close(kv_t *kv)
{
    rocks_destroy(kv->impl);
    free(kv);
}

static const kv_ops_t rocksdb_ops = {
    .name = "rocksdb",
    .get = rocks_get,
    .write = rocks_write,
    .scan = rocks_scan,
    .close = rocks_close,
};

/* Opening replays the WAL, so this is also where a crashed store recovers. RocksDB's default
 * recovery mode (point in time) stops the replay at the first torn record: what comes back is
 * exactly the batches that were completely written, in order. */
int
kv_rocksdb_open(const char *dir, kv_t **out)
{
    rocks_t *r = bl_xcalloc(1, sizeof *r);
    char *err = NULL;
    kv_t *kv;

    *out = NULL;
    r->dir = bl_xstrdup(dir);
    r->options = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(r->options, 1);
    /* RocksDB starts a new human-readable LOG file at every open and by default keeps 1000 old
     * ones; a few are enough to read what happened, and the directory stays easy to look at. */
    rocksdb_options_set_keep_log_file_num(r->options, 4);
    r->db = rocksdb_open(r->options, dir, &err);
    if (err != NULL) {
        int rc = rocks_fail(err, r, "cannot open");

        rocks_destroy(r);
        return rc;
    }
    r->read = rocksdb_readoptions_create();
    r->write = rocksdb_writeoptions_create();
    rocksdb_writeoptions_set_sync(r->write, 1);
    kv = bl_xmalloc(sizeof *kv);
    kv->ops = &rocksdb_ops;
    kv->impl = r;
    *out = kv;
    return BL_OK;
}
