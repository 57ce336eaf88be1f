/*
 * amdb_hash.c — dbHash: one hash over everything a block changed in the consensus tables.
 *
 * Why: with table storage (StorageState) there is no Merkle tree over the whole state, yet the
 * sealers must prove to each other that executing the block gave every one of them the same
 * state. So each sealer hashes the block's *changes*; the hash goes into the block header
 * (dbHash, and stateRoot too, §6.3) and PBFT signs it. Equal changes on equal starting states
 * give equal states.
 *
 * The recipe, as FISCO 2.5+ computes it (§6.6; checked against libstorage/MemoryTable2.cpp
 * dump(), MemoryTableFactory2.cpp hash(), Table.cpp EntryLessNoLock and Common.cpp
 * isHashField):
 *
 *   1. take the tables whose info says enable_consensus and which this block changed;
 *   2. for one table, list its changed rows: the committed rows it updated or removed, sorted,
 *      then the rows it inserted, sorted (the order is EntryLessNoLock's: _id_, then the key
 *      field's value, then the number of fields, then field names and values pairwise);
 *      for each row append, for each field in name order whose name neither starts nor ends
 *      with '_', the name's bytes and the value's bytes; then one byte, the row's status
 *      (0 normal, 1 deleted). The table's hash is Hash(those bytes);
 *   3. dbHash = Hash(the 32-byte table hashes, tables in name order), or 32 zero bytes if no
 *      consensus table changed.
 *
 * Hash is the chain's hash (Keccak-256, or SM3 for an SM chain), as FISCO uses from 2.5 on
 * (sha256 before). Nothing of the hash depends on the backend: rows are compared and hashed
 * field by field, never as stored bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "storage/amdb_impl.h"

/* One row to sort: the row, its key field's value (looked up once, not at every comparison:
 * a block's thousands of rows make tens of thousands of comparisons) and its position before
 * sorting, the last tie-break, so that the sort is stable. */
typedef struct {
    const entry_t *row;
    const bl_buf_t *key;
    size_t index;
} sort_item_t;

/* std::string's operator<: bytewise, a prefix first. */
static int
compare_bytes(const bl_buf_t *a, const bl_buf_t *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->data, b->data, n) : 0;

    if (c != 0)
        return c;
    return (a->len > b->len) - (a->len < b->len);
}

static int
compare_fields(const entry_t *a, const entry_t *b)
{
    for (size_t i = 0; i < a->nfields && i < b->nfields; i++) {
        int c = strcmp(a->fields[i].name, b->fields[i].name);

        if (c == 0)
            c = compare_bytes(&a->fields[i].value, &b->fields[i].value);
        if (c != 0)
            return c;
    }
    return 0;
}

/* EntryLessNoLock, then the original position. */
static int
compare_items(const void *pa, const void *pb)
{
    const sort_item_t *a = pa, *b = pb;
    int c;

    if (a->row->id != b->row->id)
        return a->row->id < b->row->id ? -1 : 1;
    c = compare_bytes(a->key, b->key);
    if (c != 0)
        return c;
    if (a->row->nfields != b->row->nfields)
        return a->row->nfields < b->row->nfields ? -1 : 1;
    c = compare_fields(a->row, b->row);
    if (c != 0)
        return c;
    return (a->index > b->index) - (a->index < b->index);
}

/* Sort n rows given by pointer into EntryLessNoLock order: rows[] is reordered in place. */
static void
sort_row_pointers(const table_info_t *info, const entry_t **rows, size_t n)
{
    static const bl_buf_t empty = BL_BUF_INIT;
    sort_item_t *items;

    if (n < 2)
        return;
    items = bl_xcalloc(n, sizeof *items);
    for (size_t i = 0; i < n; i++) {
        const bl_buf_t *key = entry_get(rows[i], info->key_field);

        items[i] = (sort_item_t){ rows[i], key ? key : &empty, i };
    }
    qsort(items, n, sizeof *items, compare_items);
    for (size_t i = 0; i < n; i++)
        rows[i] = items[i].row;
    free(items);
}

void
amdb_sort_rows(const table_info_t *info, entries_t *rows)
{
    const entry_t **order;
    entry_t *sorted;

    if (rows->count < 2)
        return;
    order = bl_xcalloc(rows->count, sizeof *order);
    for (size_t i = 0; i < rows->count; i++)
        order[i] = &rows->items[i];
    sort_row_pointers(info, order, rows->count);
    /* Move the rows (shallow: each entry_t is moved, not copied) into the new order. */
    sorted = bl_xcalloc(rows->count, sizeof *sorted);
    for (size_t i = 0; i < rows->count; i++)
        sorted[i] = *order[i];
    memcpy(rows->items, sorted, rows->count * sizeof *sorted);
    free(sorted);
    free(order);
}

/* isHashField: names that neither start nor end with '_' (FISCO ≥ RC3). */
static bool
is_hash_field(const char *name)
{
    size_t len = strlen(name);

    return len > 0 && name[0] != '_' && name[len - 1] != '_';
}

static void
append_rows(bl_buf_t *data, const entry_t *const *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const entry_t *e = rows[i];

        for (size_t f = 0; f < e->nfields; f++) {
            if (!is_hash_field(e->fields[f].name))
                continue;
            bl_buf_append(data, e->fields[f].name, strlen(e->fields[f].name));
            bl_buf_append(data, e->fields[f].value.data, e->fields[f].value.len);
        }
        bl_buf_push(data, (uint8_t)e->status);
    }
}

void
amdb_table_hash(const suite_t *suite, const table_info_t *info, table_rows_t *rows,
                uint8_t out[32])
{
    bl_buf_t data = BL_BUF_INIT;

    sort_row_pointers(info, rows->updated, rows->nupdated);
    sort_row_pointers(info, rows->inserted, rows->ninserted);
    append_rows(&data, rows->updated, rows->nupdated);
    append_rows(&data, rows->inserted, rows->ninserted);
    suite->hash(data.data, data.len, out);
    bl_buf_free(&data);
}

int
amdb_hash(amdb_t *db, uint8_t out[32])
{
    size_t n;
    table_t **tables = amdb_changed_tables(db, &n);
    bl_buf_t all = BL_BUF_INIT;

    for (size_t i = 0; i < n; i++) {
        table_rows_t rows;
        uint8_t h[32];

        if (!tables[i]->info.enable_consensus)
            continue;
        table_point_at_changes(tables[i], &rows);
        amdb_table_hash(db->suite, &tables[i]->info, &rows, h);
        bl_buf_append(&all, h, 32);
        table_rows_free(&rows);
    }
    if (all.len == 0)
        memset(out, 0, 32);
    else
        db->suite->hash(all.data, all.len, out);
    bl_buf_free(&all);
    free(tables);
    return 0;
}
