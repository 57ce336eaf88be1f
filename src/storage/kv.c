/*
 * kv.c — opening a key-value store, batches, and the calls every backend shares.
 *
 * kv.h explains what a key-value store is and the three promises every backend keeps. This file
 * is the part that does not depend on the backend: it picks the backend by name, keeps batches
 * (an ordered list of puts and deletes that will be written together), and wraps the backend's
 * four operations with the rules that are the same everywhere — an empty batch is a no-op, a
 * missing key gets a message, a scan that stops early is a success, and a prefix scan is just a
 * range scan with a computed end.
 *
 * What a backend (kv_memory.c, kv_rocksdb.c, kv_sqlite.c) must do, in short:
 *   - its constructor allocates the kv_t and its own state, and its close() frees both;
 *   - get() returns BL_E_NOTFOUND without a message (kv_get adds one);
 *   - write() applies the ops in order, all or nothing, and is never given an empty batch;
 *   - scan() stops at the first nonzero answer of visit and returns that answer as it is
 *     (kv_scan turns "stop", a positive answer, into BL_OK).
 */
#include "storage/kv.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

/* ---- batches ---- */

void
kv_batch_init(kv_batch_t *b)
{
    b->ops = NULL;
    b->count = 0;
    b->cap = 0;
}

void
kv_batch_clear(kv_batch_t *b)
{
    for (size_t i = 0; i < b->count; i++) {
        bl_buf_free(&b->ops[i].key);
        bl_buf_free(&b->ops[i].value);
    }
    b->count = 0;
}

void
kv_batch_free(kv_batch_t *b)
{
    kv_batch_clear(b);
    free(b->ops);
    kv_batch_init(b);
}

/* A new empty op at the end of the batch; the array doubles when full. */
static kv_op_t *
append_op(kv_batch_t *b)
{
    kv_op_t *op;

    if (b->count == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 16;
        b->ops = bl_xrealloc(b->ops, b->cap * sizeof *b->ops);
    }
    op = &b->ops[b->count++];
    op->is_delete = false;
    bl_buf_init(&op->key);
    bl_buf_init(&op->value);
    return op;
}

/* Ops are kept in the order they were added, duplicates included: every backend applies them in
 * that order inside one atomic write, which is what makes "later operations on the same key win"
 * true without any bookkeeping here. */
void
kv_batch_put(kv_batch_t *b, bl_span_t key, bl_span_t value)
{
    kv_op_t *op = append_op(b);

    bl_buf_append(&op->key, key.ptr, key.len);
    bl_buf_append(&op->value, value.ptr, value.len);
}

void
kv_batch_delete(kv_batch_t *b, bl_span_t key)
{
    kv_op_t *op = append_op(b);

    op->is_delete = true;
    bl_buf_append(&op->key, key.ptr, key.len);
}

/* ---- opening and closing ---- */

int
kv_open(const char *backend, const char *path, kv_t **out)
{
    *out = NULL;
    if (backend == NULL)
        return bl_fail(BL_E_INVALID, "no storage backend given (expected memory, rocksdb or "
                       "sqlite)");
    if (strcmp(backend, "memory") == 0)
        return kv_memory_open(out);
    if (strcmp(backend, "rocksdb") != 0 && strcmp(backend, "sqlite") != 0)
        return bl_fail(BL_E_INVALID, "unknown storage backend \"%s\" (expected memory, rocksdb "
                       "or sqlite)", backend);
    if (path == NULL || path[0] == '\0')
        return bl_fail(BL_E_INVALID, "the %s backend needs a path to its database", backend);
    if (strcmp(backend, "rocksdb") == 0)
        return kv_rocksdb_open(path, out);
    return kv_sqlite_open(path, out);
}

void
kv_close(kv_t *kv)
{
    if (kv != NULL)
        kv->ops->close(kv);
}

const char *
kv_backend_name(const kv_t *kv)
{
    return kv->ops->name;
}

/* ---- reading and writing ---- */

int
kv_get(kv_t *kv, bl_span_t key, bl_buf_t *value)
{
    char hex[2 * 16 + 1];
    int rc = kv->ops->get(kv, key, value);

    if (rc != BL_E_NOTFOUND)
        return rc;
    /* Misses are common (a lookup before an insert), so the message shows at most 16 bytes of
     * the key: enough to recognise it, cheap enough not to matter. */
    bl_hex_encode(key.ptr, key.len < 16 ? key.len : 16, hex);
    return bl_fail(BL_E_NOTFOUND, "key %s%s (%zu bytes) is not in the %s store", hex,
                   key.len > 16 ? "..." : "", key.len, kv->ops->name);
}

int
kv_write(kv_t *kv, const kv_batch_t *batch)
{
    if (batch->count == 0)
        return BL_OK;
    return kv->ops->write(kv, batch);
}

int
kv_put(kv_t *kv, bl_span_t key, bl_span_t value)
{
    kv_batch_t b;
    int rc;

    kv_batch_init(&b);
    kv_batch_put(&b, key, value);
    rc = kv_write(kv, &b);
    kv_batch_free(&b);
    return rc;
}

int
kv_delete(kv_t *kv, bl_span_t key)
{
    kv_batch_t b;
    int rc;

    kv_batch_init(&b);
    kv_batch_delete(&b, key);
    rc = kv_write(kv, &b);
    kv_batch_free(&b);
    return rc;
}

/* ---- scanning ---- */

int
kv_scan(kv_t *kv, bl_span_t from, bl_span_t to,
        int (*visit)(void *arg, bl_span_t key, bl_span_t value), void *arg)
{
    int rc = kv->ops->scan(kv, from, to, visit, arg);

    return rc > 0 ? BL_OK : rc;
}

/* The smallest key that is greater than every key starting with prefix: drop the trailing 0xff
 * bytes, then add one to the last byte left ("ab" → "ac", "a\xff" → "b"). Every key that starts
 * with the prefix is then in [prefix, end). A prefix made only of 0xff bytes, or an empty one,
 * has no such key: end stays empty, which kv_scan reads as "to the end". */
static void
prefix_end(bl_span_t prefix, bl_buf_t *end)
{
    size_t n = prefix.len;

    while (n > 0 && prefix.ptr[n - 1] == 0xff)
        n--;
    if (n == 0)
        return;
    bl_buf_append(end, prefix.ptr, n);
    end->data[n - 1]++;
}

int
kv_scan_prefix(kv_t *kv, bl_span_t prefix,
               int (*visit)(void *arg, bl_span_t key, bl_span_t value), void *arg)
{
    bl_buf_t end = BL_BUF_INIT;
    int rc;

    prefix_end(prefix, &end);
    rc = kv_scan(kv, prefix, bl_buf_span(&end), visit, arg);
    bl_buf_free(&end);
    return rc;
}
