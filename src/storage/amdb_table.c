/*
 * amdb_table.c — one table: select, insert, update and remove (FISCO's MemoryTable2).
 *
 * What a select sees is built in three steps, exactly as FISCO builds it:
 *
 *   1. the committed rows of the key, from the store, in _id_ order (read once per block and
 *      kept in the table's cache: a transfer selects a row and then updates it);
 *   2. each of those that this block already changed is replaced by the block's copy;
 *   3. the rows this block inserted under the key follow, in insertion order.
 *
 * Then deleted rows drop out, the condition's clauses filter, and last the limit (skip
 * `offset`, keep `limit`) cuts the list. update and remove act on exactly the rows such a
 * select returns — the limit included — so "update the first two rows where age > 20" means
 * the same thing in all three calls.
 *
 * Every write is checked completely before anything changes, and every change is recorded in
 * the block's journal (amdb_impl.h), so a failed call writes nothing and a failed transaction
 * can be undone.
 */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "storage/amdb_impl.h"

/* Where a visible row lives. */
typedef enum { FROM_STORE, FROM_UPDATED, FROM_INSERTED } row_source_t;

typedef struct {
    row_source_t source;
    size_t index; /* into the committed rows, slot->updated or slot->inserted */
} row_ref_t;

/* The rows of one key as this block sees them. */
typedef struct {
    const entries_t *committed; /* from the store (the table's cache owns them) */
    amdb_slot_t *slot;   /* this block's changes to the key, or NULL */
    row_ref_t *refs;     /* the visible rows that pass, in order */
    size_t nrefs;
} key_view_t;

void
amdb_committed_free(void *p)
{
    entries_t *rows = p;

    entries_free(rows);
    free(rows);
}

void
amdb_slot_free(void *p)
{
    amdb_slot_t *slot = p;

    entries_free(&slot->updated);
    entries_free(&slot->inserted);
    free(slot);
}

const table_info_t *
table_info(const table_t *t)
{
    return &t->info;
}

bool
table_changed(const table_t *t)
{
    size_t pos = 0;
    void *value;

    while (bl_map_next(&t->slots, &pos, NULL, &value)) {
        const amdb_slot_t *slot = value;

        if (slot->updated.count > 0 || slot->inserted.count > 0)
            return true;
    }
    return false;
}

void
table_collect_changes(const table_t *t, entries_t *updated, entries_t *inserted)
{
    size_t pos = 0;
    void *value;

    while (bl_map_next(&t->slots, &pos, NULL, &value)) {
        const amdb_slot_t *slot = value;

        for (size_t i = 0; i < slot->updated.count; i++)
            entries_add(updated, &slot->updated.items[i]);
        for (size_t i = 0; i < slot->inserted.count; i++)
            entries_add(inserted, &slot->inserted.items[i]);
    }
}

/* Append a pointer to each of n rows to *list (of *count, room for *cap). */
static void
point_at(const entry_t ***list, size_t *count, size_t *cap, const entries_t *rows)
{
    for (size_t i = 0; i < rows->count; i++) {
        if (*count == *cap) {
            *cap = *cap ? 2 * *cap : 64;
            *list = bl_xrealloc(*list, *cap * sizeof **list);
        }
        (*list)[(*count)++] = &rows->items[i];
    }
}

void
table_point_at_changes(const table_t *t, table_rows_t *rows)
{
    size_t pos = 0, cap_updated = 0, cap_inserted = 0;
    void *value;

    memset(rows, 0, sizeof *rows);
    while (bl_map_next(&t->slots, &pos, NULL, &value)) {
        const amdb_slot_t *slot = value;

        point_at(&rows->updated, &rows->nupdated, &cap_updated, &slot->updated);
        point_at(&rows->inserted, &rows->ninserted, &cap_inserted, &slot->inserted);
    }
}

void
table_rows_free(table_rows_t *rows)
{
    free(rows->updated);
    free(rows->inserted);
    memset(rows, 0, sizeof *rows);
}

static amdb_slot_t *
get_slot(table_t *t, const char *key)
{
    amdb_slot_t *slot = bl_map_get_str(&t->slots, key);

    if (slot == NULL) {
        slot = bl_xcalloc(1, sizeof *slot);
        entries_init(&slot->updated);
        entries_init(&slot->inserted);
        bl_map_put_str(&t->slots, key, slot);
    }
    return slot;
}

/* ---- building the view of one key ---- */

/* The committed rows of key: from the cache, or read from the store and kept. Two workers may
 * miss the same key at once (two reads that will not write it); both read the store and the
 * first to come back keeps its copy. */
static int
committed_rows(table_t *t, const char *key, const entries_t **out)
{
    entries_t *rows, *kept;
    int rc;

    pthread_mutex_lock(&t->committed_lock);
    rows = bl_map_get_str(&t->committed, key);
    pthread_mutex_unlock(&t->committed_lock);
    if (rows != NULL) {
        *out = rows;
        return 0;
    }
    rows = bl_xcalloc(1, sizeof *rows);
    entries_init(rows);
    rc = store_select(t->db->store, &t->info, key, rows);
    if (rc < 0) {
        amdb_committed_free(rows);
        return rc;
    }
    pthread_mutex_lock(&t->committed_lock);
    kept = bl_map_get_str(&t->committed, key);
    if (kept == NULL)
        bl_map_put_str(&t->committed, key, rows);
    pthread_mutex_unlock(&t->committed_lock);
    if (kept != NULL) {
        amdb_committed_free(rows);
        rows = kept;
    }
    *out = rows;
    return 0;
}

/* A visible row. A committed row is read-only (the cache's): prepare_change copies it. */
static const entry_t *
view_row(const key_view_t *v, row_ref_t ref)
{
    switch (ref.source) {
    case FROM_STORE:   return &v->committed->items[ref.index];
    case FROM_UPDATED: return &v->slot->updated.items[ref.index];
    default:           return &v->slot->inserted.items[ref.index];
    }
}

/* The block's copy of the committed row with this _id_, as an index into slot->updated. */
static bool
find_updated(const amdb_slot_t *slot, int64_t id, size_t *index)
{
    for (size_t i = 0; slot != NULL && i < slot->updated.count; i++) {
        if (slot->updated.items[i].id == id) {
            *index = i;
            return true;
        }
    }
    return false;
}

static void
view_push(key_view_t *v, row_ref_t ref, const condition_t *cond)
{
    const entry_t *e = view_row(v, ref);

    if (e->status == ENTRY_DELETED || !condition_matches(cond, e))
        return;
    v->refs = bl_xrealloc(v->refs, (v->nrefs + 1) * sizeof *v->refs);
    v->refs[v->nrefs++] = ref;
}

/* Cut the list to the condition's limit: skip offset rows, keep at most limit. */
static void
view_limit(key_view_t *v, const condition_t *cond)
{
    size_t skip, keep;

    condition_window(cond, v->nrefs, &skip, &keep);
    if (skip > v->nrefs || keep > v->nrefs - skip)
        keep = skip = 0; /* a window outside the list (a wrong rule): nothing */
    if (keep > 0 && skip > 0)
        memmove(v->refs, v->refs + skip, keep * sizeof *v->refs);
    v->nrefs = keep;
}

static int
view_build(table_t *t, const char *key, const condition_t *cond, key_view_t *v)
{
    int rc;

    memset(v, 0, sizeof *v);
    v->slot = bl_map_get_str(&t->slots, key);
    rc = committed_rows(t, key, &v->committed);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < v->committed->count; i++) {
        size_t u;
        row_ref_t ref = { FROM_STORE, i };

        if (find_updated(v->slot, v->committed->items[i].id, &u))
            ref = (row_ref_t){ FROM_UPDATED, u };
        view_push(v, ref, cond);
    }
    for (size_t i = 0; v->slot != NULL && i < v->slot->inserted.count; i++)
        view_push(v, (row_ref_t){ FROM_INSERTED, i }, cond);
    view_limit(v, cond);
    return 0;
}

static void
view_free(key_view_t *v)
{
    free(v->refs);
}

/* ---- checks made before any write ---- */

static int
check_live(const table_t *t)
{
    if (!t->live)
        return bl_fail(BL_E_NOTFOUND, "table %s does not exist (its creation was undone)",
                       t->info.name);
    return 0;
}

static int
check_condition(const table_t *t, const condition_t *cond)
{
    for (size_t i = 0; cond != NULL && i < cond->count; i++)
        if (!table_info_has_field(&t->info, cond->clauses[i].field))
            return bl_fail(BL_E_INVALID, "table %s has no field \"%s\" (in the condition)",
                           t->info.name, cond->clauses[i].field);
    return 0;
}

/* Rows of two tables are the table layer's own business: _sys_tables_ changes only through
 * createTable, and current_id only through commit. */
static int
check_writable(const table_t *t, const char *key)
{
    if (strcmp(t->info.name, AMDB_SYS_TABLES) == 0)
        return bl_fail(BL_E_DENIED, "table %s is written only by createTable", t->info.name);
    if (strcmp(t->info.name, AMDB_SYS_CURRENT_STATE) == 0 &&
        strcmp(key, AMDB_KEY_CURRENT_ID) == 0)
        return bl_fail(BL_E_DENIED, "row %s of %s is kept by the table layer", key,
                       t->info.name);
    return 0;
}

/* The fields of a row to insert or an update to apply. */
static int
check_fields(const table_t *t, const char *key, const entry_t *e)
{
    for (size_t i = 0; i < e->nfields; i++) {
        const entry_field_t *f = &e->fields[i];

        if (f->name[0] == '_')
            return bl_fail(BL_E_INVALID, "table %s: field \"%s\" starts with '_', which is "
                           "kept for _id_, _num_ and _status_", t->info.name, f->name);
        if (!table_info_has_field(&t->info, f->name))
            return bl_fail(BL_E_INVALID, "table %s has no field \"%s\"", t->info.name,
                           f->name);
        if (f->value.len > AMDB_VALUE_MAX)
            return bl_fail(BL_E_INVALID, "table %s: the value of field \"%s\" is %zu bytes, "
                           "over the limit of %d", t->info.name, f->name, f->value.len,
                           AMDB_VALUE_MAX);
        if (strcmp(f->name, t->info.key_field) == 0 && !entry_field_is(e, f->name, key))
            return bl_fail(BL_E_INVALID, "table %s: the key field \"%s\" must equal the key "
                           "\"%s\" (a row's key cannot change)", t->info.name, f->name, key);
    }
    return 0;
}

int
table_check_write(const table_t *t, const char *key, const entry_t *e, const condition_t *cond)
{
    int rc = check_live(t);

    /* FISCO's limit on a key (no row can have a longer one, so an update or remove with such
     * a key is as much a mistake as an insert) */
    if (rc == 0 && strlen(key) > AMDB_KEY_MAX)
        return bl_fail(BL_E_INVALID, "table %s: key \"%.20s...\" is %zu bytes, over the limit "
                       "of %d", t->info.name, key, strlen(key), AMDB_KEY_MAX);
    if (rc == 0)
        rc = check_writable(t, key);
    if (rc == 0 && e != NULL)
        rc = check_fields(t, key, e);
    if (rc == 0)
        rc = check_condition(t, cond);
    return rc;
}

/* ---- the four operations ---- */

int
table_select(table_t *t, const char *key, const condition_t *cond, entries_t *out)
{
    key_view_t v;
    int rc = check_live(t);

    if (rc == 0)
        rc = check_condition(t, cond);
    if (rc < 0)
        return rc;
    rc = view_build(t, key, cond, &v);
    for (size_t i = 0; rc == 0 && i < v.nrefs; i++)
        entries_add(out, view_row(&v, v.refs[i]));
    view_free(&v);
    return rc;
}

/* The row to insert: every value field present (missing ones empty, so every backend returns
 * the same row), the key field set to key, no _id_ until commit. */
static void
make_new_row(const table_t *t, const char *key, const entry_t *e, entry_t *row)
{
    entry_copy(row, e);
    row->id = 0;
    row->num = 0;
    row->status = ENTRY_NORMAL;
    entry_set_str(row, t->info.key_field, key);
    for (size_t i = 0; i < t->info.nvalue_fields; i++)
        if (entry_get(row, t->info.value_fields[i]) == NULL)
            entry_set(row, t->info.value_fields[i], "", 0);
}

int
amdb_table_insert_unchecked(table_t *t, const char *key, const entry_t *e)
{
    amdb_slot_t *slot = get_slot(t, key);
    entry_t row;
    journal_rec_t rec = { .kind = JOURNAL_INSERTED, .table = t, .slot = slot };

    make_new_row(t, key, e, &row);
    entries_take(&slot->inserted, &row);
    amdb_journal_add(t->db, &rec);
    return 0;
}

int
table_insert(table_t *t, const char *key, const entry_t *e)
{
    int rc = table_check_write(t, key, e, NULL);

    if (rc < 0)
        return rc;
    return amdb_table_insert_unchecked(t, key, e);
}

/* Get the row a ref names ready to be changed, journaling how to undo the change. A committed
 * row is first copied into slot->updated. Returns the row to change. */
static entry_t *
prepare_change(table_t *t, const char *key, key_view_t *v, row_ref_t ref)
{
    journal_rec_t rec = { .table = t };

    if (v->slot == NULL)
        v->slot = get_slot(t, key);
    rec.slot = v->slot;
    if (ref.source == FROM_STORE) {
        entries_add(&v->slot->updated, &v->committed->items[ref.index]);
        rec.kind = JOURNAL_DIRTIED;
        amdb_journal_add(t->db, &rec);
        return &v->slot->updated.items[v->slot->updated.count - 1];
    }
    rec.kind = JOURNAL_CHANGED;
    rec.in_inserted = ref.source == FROM_INSERTED;
    rec.index = ref.index;
    entry_copy(&rec.old, view_row(v, ref));
    amdb_journal_add(t->db, &rec);
    if (rec.in_inserted)
        return &v->slot->inserted.items[ref.index];
    return &v->slot->updated.items[ref.index];
}

/* Apply e's fields (update) or mark deleted (e == NULL: remove) on every row of the view. */
static void
change_rows(table_t *t, const char *key, key_view_t *v, const entry_t *e)
{
    for (size_t i = 0; i < v->nrefs; i++) {
        entry_t *row = prepare_change(t, key, v, v->refs[i]);

        if (e == NULL) {
            row->status = ENTRY_DELETED;
            continue;
        }
        for (size_t f = 0; f < e->nfields; f++)
            entry_set(row, e->fields[f].name, e->fields[f].value.data, e->fields[f].value.len);
    }
}

static int
update_or_remove(table_t *t, const char *key, const entry_t *e, const condition_t *cond,
                 size_t *count)
{
    key_view_t v;
    int rc = table_check_write(t, key, e, cond);

    if (count != NULL)
        *count = 0;
    if (rc < 0)
        return rc;
    rc = view_build(t, key, cond, &v);
    if (rc == 0) {
        change_rows(t, key, &v, e);
        if (count != NULL)
            *count = v.nrefs;
    }
    view_free(&v);
    return rc;
}

int
table_update(table_t *t, const char *key, const entry_t *e, const condition_t *cond,
             size_t *count)
{
    return update_or_remove(t, key, e, cond, count);
}

int
table_remove(table_t *t, const char *key, const condition_t *cond, size_t *count)
{
    return update_or_remove(t, key, NULL, cond, count);
}

int
table_keys(table_t *t, int (*visit)(void *arg, const char *key), void *arg)
{
    int rc = check_live(t);

    return rc < 0 ? rc : store_keys(t->db->store, &t->info, visit, arg);
}
