/*
 * store_kv.c — committed table rows in a key-value store (memory or RocksDB), FISCO's layout.
 *
 * FISCO's RocksDBStorage keeps one RocksDB pair per (table, primary key) whose value is every
 * row of that key. We do the same:
 *
 *   kv key    the table name, one 0x00 byte, the primary key
 *             "u_demo\0alice"            (no table name holds a 0x00, so names cannot clash,
 *                                         and all keys of one table sit together, in order)
 *   kv value  RLP list of the key's live rows, each entry_encode()d, in _id_ order
 *             [[100001, 7, 0, [["age","30"],["name","alice"]]], [100004, 9, 0, [...]]]
 *
 * Reading a key is one kv_get. Committing a block is a read-modify-write of each key it
 * touched: read the key's rows, replace the rows whose _id_ the block changed, drop the rows
 * it deleted, add its new rows, and put the new list (or delete the pair when no row is left)
 * into ONE kv batch for the whole block, written with one kv_write — so the block is atomic
 * exactly as the kv store's batches are. The docs warn that "updates rewrite the whole Entries
 * of a key" (§6.1): this is why — keep the rows per key few.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/hashmap.h"
#include "codec/rlp.h"
#include "storage/store.h"

typedef struct {
    kv_t *kv;          /* borrowed */
    store_ops_t ops;   /* the operations below, named after the backend ("kv:rocksdb") */
    char name[32];
} store_kv_t;

/* table 0x00 key */
static void
make_kv_key(const char *table, const char *key, bl_buf_t *out)
{
    bl_buf_clear(out);
    bl_buf_append(out, table, strlen(table));
    bl_buf_push(out, 0);
    bl_buf_append(out, key, strlen(key));
}

/* BL_E_DB for rows that do not decode, keeping the decoder's reason (copied first: bl_fail
 * writes the buffer bl_errmsg() reads). */
static int
damaged(const char *table, const char *key)
{
    char why[256];

    snprintf(why, sizeof why, "%s", bl_errmsg());
    return bl_fail(BL_E_DB, "table %s key \"%s\": the stored rows are damaged (%s)", table, key,
                   why);
}

/* Decode a kv value into rows (appended to out). */
static int
decode_rows(bl_span_t value, const char *table, const char *key, entries_t *out)
{
    rlp_item_t list, item;
    rlp_iter_t it;
    int rc = rlp_decode(value, &list);

    if (rc == 0 && !list.is_list)
        rc = bl_fail(BL_E_FORMAT, "not a list");
    if (rc < 0)
        return damaged(table, key);
    rlp_iter_init(&it, &list);
    while ((rc = rlp_iter_next(&it, &item)) == 1) {
        entry_t e;

        if (entry_decode(item.raw, &e) < 0)
            return damaged(table, key);
        entries_take(out, &e);
    }
    return rc < 0 ? damaged(table, key) : 0;
}

static void
encode_rows(const entries_t *rows, bl_buf_t *out)
{
    size_t list = rlp_list_begin(out);

    for (size_t i = 0; i < rows->count; i++)
        entry_encode(&rows->items[i], out);
    rlp_list_end(out, list);
}

/* Read the rows of one kv key (none if absent). */
static int
read_rows(store_kv_t *s, const bl_buf_t *kvkey, const char *table, const char *key,
          entries_t *out)
{
    bl_buf_t value = BL_BUF_INIT;
    int rc = kv_get(s->kv, bl_buf_span(kvkey), &value);

    if (rc == BL_E_NOTFOUND)
        rc = 0;
    else if (rc == 0)
        rc = decode_rows(bl_buf_span(&value), table, key, out);
    bl_buf_free(&value);
    return rc;
}

static int
kv_store_select(store_t *st, const table_info_t *t, const char *key, entries_t *out)
{
    bl_buf_t kvkey = BL_BUF_INIT;
    int rc;

    make_kv_key(t->name, key, &kvkey);
    rc = read_rows(st->impl, &kvkey, t->name, key, out);
    bl_buf_free(&kvkey);
    return rc;
}

/* ---- commit ---- */

/* Apply one changed row to the rows of its key, keeping them in _id_ order. */
static void
apply_row(entries_t *rows, const entry_t *row)
{
    size_t i = 0;

    while (i < rows->count && rows->items[i].id < row->id)
        i++;
    if (i < rows->count && rows->items[i].id == row->id) {
        entry_free(&rows->items[i]);
        if (row->status == ENTRY_DELETED) {
            memmove(&rows->items[i], &rows->items[i + 1],
                    (rows->count - i - 1) * sizeof *rows->items);
            rows->count--;
        } else {
            entry_copy(&rows->items[i], row);
        }
        return;
    }
    if (row->status == ENTRY_DELETED)
        return; /* deleting a row the store does not hold: nothing to do */
    entries_add(rows, row); /* append a copy, then rotate it into its place */
    {
        entry_t added = rows->items[rows->count - 1];

        memmove(&rows->items[i + 1], &rows->items[i],
                (rows->count - 1 - i) * sizeof *rows->items);
        rows->items[i] = added;
    }
}

/* The rows of one kv key while a commit works on them. */
typedef struct {
    bl_buf_t kvkey;
    entries_t rows;
} pending_key_t;

static void
pending_free(void *p)
{
    pending_key_t *k = p;

    bl_buf_free(&k->kvkey);
    entries_free(&k->rows);
    free(k);
}

/* The working copy of a key's rows: read from the store the first time the commit meets it. */
static int
pending_get(store_kv_t *s, bl_map_t *pending, const char *table, const char *key,
            pending_key_t **out)
{
    bl_buf_t kvkey = BL_BUF_INIT;
    pending_key_t *k;
    int rc;

    make_kv_key(table, key, &kvkey);
    k = bl_map_get(pending, kvkey.data, kvkey.len);
    if (k != NULL) {
        bl_buf_free(&kvkey);
        *out = k;
        return 0;
    }
    k = bl_xcalloc(1, sizeof *k);
    k->kvkey = kvkey;
    entries_init(&k->rows);
    rc = read_rows(s, &k->kvkey, table, key, &k->rows);
    if (rc < 0) {
        pending_free(k);
        return rc;
    }
    bl_map_put(pending, k->kvkey.data, k->kvkey.len, k);
    *out = k;
    return 0;
}

/* A row's primary key, as text, after the checks a store makes on every changed row (the table
 * layer never sends a bad one, but a store must not write one either). */
static int
row_key(const table_info_t *t, const entry_t *row, char **key)
{
    const bl_buf_t *v = entry_get(row, t->key_field);

    if (row->id <= 0)
        return bl_fail(BL_E_INVALID, "table %s: a changed row has _id_ %lld", t->name,
                       (long long)row->id);
    for (size_t i = 0; i < row->nfields; i++)
        if (!table_info_has_field(t, row->fields[i].name))
            return bl_fail(BL_E_INVALID, "table %s: row %lld has field %s, which the table does "
                           "not declare", t->name, (long long)row->id, row->fields[i].name);
    if (v == NULL || (v->len > 0 && memchr(v->data, 0, v->len) != NULL))
        return bl_fail(BL_E_INVALID, "table %s: a changed row (_id_ %lld) has no valid key "
                       "field \"%s\"", t->name, (long long)row->id, t->key_field);
    *key = bl_xmalloc(v->len + 1);
    if (v->len > 0)
        memcpy(*key, v->data, v->len);
    (*key)[v->len] = '\0';
    return 0;
}

/* Read-modify-write every key the changes touch, into the map of pending keys. */
static int
apply_changes(store_kv_t *s, const table_change_t *changes, size_t n, bl_map_t *pending)
{
    for (size_t c = 0; c < n; c++) {
        const table_info_t *t = changes[c].info;

        for (size_t i = 0; i < changes[c].rows.count; i++) {
            const entry_t *row = &changes[c].rows.items[i];
            pending_key_t *k = NULL;
            char *key = NULL;
            int rc = row_key(t, row, &key);

            if (rc == 0)
                rc = pending_get(s, pending, t->name, key, &k);
            free(key);
            if (rc < 0)
                return rc;
            apply_row(&k->rows, row);
        }
    }
    return 0;
}

static int
kv_store_commit(store_t *st, int64_t number, const table_change_t *changes, size_t n)
{
    store_kv_t *s = st->impl;
    bl_map_t pending;
    kv_batch_t batch;
    size_t pos = 0;
    void *value;
    int rc;

    (void)number; /* every row carries its _num_ already */
    bl_map_init(&pending);
    kv_batch_init(&batch);
    rc = apply_changes(s, changes, n, &pending);
    while (rc == 0 && bl_map_next(&pending, &pos, NULL, &value)) {
        pending_key_t *k = value;
        bl_buf_t encoded = BL_BUF_INIT;

        if (k->rows.count == 0) {
            kv_batch_delete(&batch, bl_buf_span(&k->kvkey));
        } else {
            encode_rows(&k->rows, &encoded);
            kv_batch_put(&batch, bl_buf_span(&k->kvkey), bl_buf_span(&encoded));
        }
        bl_buf_free(&encoded);
    }
    if (rc == 0)
        rc = kv_write(s->kv, &batch); /* the one atomic write of the block */
    kv_batch_free(&batch);
    bl_map_free(&pending, pending_free);
    return rc;
}

/* ---- keys ---- */

typedef struct {
    size_t prefix_len;
    int (*visit)(void *arg, const char *key);
    void *arg;
} keys_walk_t;

static int
visit_kv_key(void *arg, bl_span_t kvkey, bl_span_t value)
{
    keys_walk_t *w = arg;
    size_t len = kvkey.len - w->prefix_len;
    char *key = bl_xmalloc(len + 1);
    int rc;

    (void)value;
    memcpy(key, kvkey.ptr + w->prefix_len, len);
    key[len] = '\0';
    rc = w->visit(w->arg, key);
    free(key);
    return rc;
}

static int
kv_store_keys(store_t *st, const table_info_t *t, int (*visit)(void *arg, const char *key),
              void *arg)
{
    store_kv_t *s = st->impl;
    bl_buf_t prefix = BL_BUF_INIT;
    keys_walk_t w = { strlen(t->name) + 1, visit, arg };
    int rc;

    make_kv_key(t->name, "", &prefix);
    rc = kv_scan_prefix(s->kv, bl_buf_span(&prefix), visit_kv_key, &w);
    bl_buf_free(&prefix);
    return rc;
}

static void
kv_store_close(store_t *st)
{
    free(st->impl);
    free(st);
}

static const store_ops_t kv_store_ops = {
    .name = "kv",     /* replaced by "kv:<backend>" in each store */
    .select = kv_store_select,
    .commit = kv_store_commit,
    .keys = kv_store_keys,
    .close = kv_store_close,
};

int
store_kv_open(kv_t *kv, store_t **out)
{
    store_t *st = bl_xcalloc(1, sizeof *st);
    store_kv_t *s = bl_xcalloc(1, sizeof *s);

    s->kv = kv;
    s->ops = kv_store_ops;
    snprintf(s->name, sizeof s->name, "kv:%s", kv_backend_name(kv));
    s->ops.name = s->name;
    st->ops = &s->ops;
    st->impl = s;
    *out = st;
    return 0;
}
